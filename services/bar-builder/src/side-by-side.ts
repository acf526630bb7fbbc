/**
 * Runs `task` for every item, at most `limit` at a time, each started in the items' order.
 * Resolves once every task has; a task that throws stops its own lane only (the others run on)
 * and the first throw rejects the call.
 */
export async function sideBySide<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
}

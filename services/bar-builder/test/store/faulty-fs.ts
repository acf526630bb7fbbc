import { nodeStoreFs, type StoreFs } from '../../src/store';

type Op = keyof StoreFs;

/** A StoreFs over node:fs that counts calls and fails chosen operations with EIO. */
export interface FaultyFs {
  fs: StoreFs;
  /** Calls made per operation since the last reset. */
  counts: Partial<Record<Op, number>>;
  /** From now on, calls of `op` (those `when` accepts, if given) throw EIO. */
  fail(op: Op, when?: (...args: unknown[]) => boolean): void;
  heal(): void;
  resetCounts(): void;
}

export function faultyFs(): FaultyFs {
  const failing = new Map<Op, ((...args: unknown[]) => boolean) | undefined>();
  const counts: Partial<Record<Op, number>> = {};
  const fs = {} as Record<Op, (...args: never[]) => Promise<unknown>>;
  for (const op of Object.keys(nodeStoreFs) as Op[]) {
    const real = nodeStoreFs[op] as (...args: unknown[]) => Promise<unknown>;
    fs[op] = (async (...args: unknown[]) => {
      counts[op] = (counts[op] ?? 0) + 1;
      if (failing.has(op)) {
        const when = failing.get(op);
        if (when === undefined || when(...args)) {
          throw Object.assign(new Error(`EIO: i/o error, ${op}`), { code: 'EIO' });
        }
      }
      return real(...args);
    }) as never;
  }
  return {
    fs: fs as unknown as StoreFs,
    counts,
    fail: (op, when) => failing.set(op, when),
    heal: () => failing.clear(),
    resetCounts: () => {
      for (const key of Object.keys(counts) as Op[]) delete counts[key];
    },
  };
}

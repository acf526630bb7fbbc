/** A manifest argument that is not what the gate expects. */
export class GateArgsError extends Error {
  override readonly name = 'GateArgsError';
}

/** An integer argument in [min, max], or `fallback` when absent. */
export function intArg(
  args: Readonly<Record<string, unknown>>,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = args[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new GateArgsError(
      `${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** An array argument, or `[]` when absent. */
export function listArg(args: Readonly<Record<string, unknown>>, key: string): readonly unknown[] {
  const value = args[key] ?? [];
  if (!Array.isArray(value)) throw new GateArgsError(`${key} must be a list`);
  return value;
}

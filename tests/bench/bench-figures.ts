import type { FinalArrival } from './bench-suite';

// Pure arithmetic of the benchmark and soak figures: no I/O, unit-tested on its own.

const MINUTE = 60_000;

/** The p-th percentile (0–100) of `values` by nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Latency of final 1m bars: arrival on the channel minus the end of their minute. */
export interface LatencyFigures {
  bars: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Latencies of the finals of minutes that ended at or after `fromMs` (earlier minutes began
 * before the load did and say nothing about steady state).
 */
export function finalLatency(finals: readonly FinalArrival[], fromMs: number): LatencyFigures {
  const latencies = finals
    .filter((f) => f.openTime + MINUTE >= fromMs)
    .map((f) => f.arrivedAt - (f.openTime + MINUTE));
  return {
    bars: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.length === 0 ? Number.NaN : Math.max(...latencies),
  };
}

/** The slowest final of each minute (arrival minus the minute's end), in minute order. */
export function worstByMinute(finals: readonly FinalArrival[]): number[] {
  const worst = new Map<number, number>();
  for (const f of finals) {
    const late = f.arrivedAt - (f.openTime + MINUTE);
    worst.set(f.openTime, Math.max(worst.get(f.openTime) ?? -Infinity, late));
  }
  return [...worst].sort(([a], [b]) => a - b).map(([, late]) => late);
}

/** (symbol, minute) pairs that arrived more than once. */
export function repeatedFinals(finals: readonly FinalArrival[]): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const f of finals) {
    const key = `${f.symbol}@${new Date(f.openTime).toISOString()}`;
    if (seen.has(key)) repeated.push(key);
    seen.add(key);
  }
  return repeated;
}

/** Ticks per second, rounded. */
export function rate(count: number, ms: number): number {
  return ms > 0 ? Math.round((count * 1_000) / ms) : 0;
}

/** A byte count as MiB with one decimal. */
export function mib(bytes: number | undefined): string {
  return bytes === undefined ? 'gone' : `${(bytes / 1_048_576).toFixed(1)} MiB`;
}

/** Growth from `before` to `after` as a signed percentage with one decimal. */
export function growth(before: number | undefined, after: number | undefined): string {
  if (before === undefined || after === undefined || before === 0) return 'n/a';
  const pct = ((after - before) / before) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %`;
}

/** CPU seconds spent between two readings, by process (undefined: gone or not yet running). */
export function cpuSpent(
  before: Record<string, number | undefined>,
  after: Record<string, number | undefined>,
): Record<string, number | undefined> {
  return Object.fromEntries(
    Object.entries(after).map(([name, t]) => [
      name,
      t === undefined ? undefined : Math.round((t - (before[name] ?? 0)) * 10) / 10,
    ]),
  );
}

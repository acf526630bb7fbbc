import type { StreamTarget } from '@fxcm/contracts';
import type { ServiceStatusRecord } from '@fxcm/service-runtime';

/** A target's coverage as its bar builder counted it (status detail `store_coverage`). */
export interface TargetCoverage {
  /** Bars of the target's tf in its span that hold a stored final 1m bar. */
  stored: number;
  /** Bars of the target's tf the calendar opens in the span (fewer than N when it was capped). */
  expected: number;
}

/** What the warmup on start does with one target. */
export type StartWarmupAction = 'warmup' | 'skip' | 'unanswered';

/** One target's decision. */
export interface StartWarmupDecision {
  symbol: string;
  tf: StreamTarget['tf'];
  /** Bars stored in the span; null when no bar builder answered for the target. */
  stored: number | null;
  /** Bars wanted: N, or what the span can hold when that is fewer; null when unanswered. */
  wanted: number | null;
  action: StartWarmupAction;
}

/** The key of a target in the coverage map: `SYMBOL:tf`. */
export const targetKey = (t: { symbol: string; tf: string }): string => `${t.symbol}:${t.tf}`;

/**
 * Which targets need a warmup on start: those whose store coverage of the last `bars` bars'
 * span is below `bars` (or below what the span can hold, when the warmup span is capped and
 * opens fewer windows). Targets at full coverage are skipped; a target no bar builder reported
 * on is `unanswered` (its store is not there to warm).
 */
export function decideStartWarmup(
  targets: readonly StreamTarget[],
  bars: number,
  coverage: ReadonlyMap<string, TargetCoverage>,
): StartWarmupDecision[] {
  return targets.map(({ symbol, tf }) => {
    const c = coverage.get(targetKey({ symbol, tf }));
    if (!c) return { symbol, tf, stored: null, wanted: null, action: 'unanswered' };
    const wanted = Math.min(bars, c.expected);
    return {
      symbol,
      tf,
      stored: c.stored,
      wanted,
      action: c.stored < wanted ? 'warmup' : 'skip',
    };
  });
}

const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * The coverage answers to request `reqId` in the bar builders' status records (detail
 * `store_coverage {req_id, targets: [{symbol, tf, stored, expected}]}`), by target key.
 * Records of other services, other requests and malformed entries are passed over.
 */
export function coverageFromRecords(
  records: readonly ServiceStatusRecord[],
  reqId: string,
): Map<string, TargetCoverage> {
  const out = new Map<string, TargetCoverage>();
  for (const record of records) {
    if (record.service !== 'bar-builder') continue;
    const report = (record.detail as Record<string, unknown> | undefined)?.['store_coverage'];
    if (typeof report !== 'object' || report === null) continue;
    const { req_id, targets } = report as { req_id?: unknown; targets?: unknown };
    if (req_id !== reqId || !Array.isArray(targets)) continue;
    for (const t of targets as unknown[]) {
      const { symbol, tf, stored, expected } = (t ?? {}) as Record<string, unknown>;
      if (typeof symbol !== 'string' || typeof tf !== 'string') continue;
      if (!count(stored) || !count(expected)) continue;
      out.set(targetKey({ symbol, tf }), { stored, expected });
    }
  }
  return out;
}

import type { ServiceStatusRecord } from '@fxcm/service-runtime';

/** One symbol's findings as a bar builder reports them (status detail `tail_guard.symbols`). */
interface Finding {
  status: 'ok' | 'missing' | 'repaired' | 'partial';
  missing: number;
  found_missing: number;
  expected: number;
  synthetic: number;
  repaired: number;
  republished: number;
  holes_total: number;
  holes: { from: number; to: number; minutes: number }[];
}

/** A bar builder's `tail_guard` detail. */
interface ShardReport {
  req_id: string;
  last_audit_ts_ms: number;
  window_hours: number;
  repair: boolean;
  state: 'running' | 'done';
  symbols: Record<string, Finding>;
}

/** The snapshot's `tail_guard` block (V2 `tail_guard_summary` shape plus per-symbol findings). */
export interface TailGuardBlock {
  last_audit_ts_ms: number;
  req_id: string;
  window_hours: number;
  repair: boolean;
  state: 'running' | 'done';
  repaired: number;
  tf_states_compact: Record<
    '1m',
    { status: Finding['status']; missing_bars: number; skipped_by_ttl: 0 }
  >;
  symbols: Record<
    string,
    Pick<Finding, 'status' | 'missing' | 'found_missing' | 'repaired' | 'holes_total'> & {
      first_hole: { from: number; to: number; minutes: number } | null;
    }
  >;
}

const RANK: Record<Finding['status'], number> = { ok: 0, repaired: 1, partial: 2, missing: 3 };

const isReport = (v: unknown): v is ShardReport =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as ShardReport).last_audit_ts_ms === 'number' &&
  typeof (v as ShardReport).symbols === 'object';

/**
 * The latest tail guard across the bar builders' status records: each shard reports the symbols
 * of its store; the block merges them, worst status first. `null` before any run.
 */
export function tailGuardBlock(records: readonly ServiceStatusRecord[]): TailGuardBlock | null {
  const reports = records
    .filter((r) => r.service === 'bar-builder')
    .map((r) => r.detail?.['tail_guard'])
    .filter(isReport);
  if (reports.length === 0) return null;
  const latest = reports.reduce((a, b) => (b.last_audit_ts_ms > a.last_audit_ts_ms ? b : a));
  // The shards' reports of the latest request (a shard without its symbols does not answer).
  const current = reports.filter((r) => r.req_id === latest.req_id);
  const symbols: TailGuardBlock['symbols'] = {};
  let missing = 0;
  let repaired = 0;
  let worst: Finding['status'] = 'ok';
  for (const report of current) {
    for (const [symbol, f] of Object.entries(report.symbols)) {
      symbols[symbol] = {
        status: f.status,
        missing: f.missing,
        found_missing: f.found_missing,
        repaired: f.repaired,
        holes_total: f.holes_total,
        first_hole: f.holes[0] ?? null,
      };
      missing += f.missing;
      repaired += f.repaired;
      if (RANK[f.status] > RANK[worst]) worst = f.status;
    }
  }
  return {
    last_audit_ts_ms: latest.last_audit_ts_ms,
    req_id: latest.req_id,
    window_hours: latest.window_hours,
    repair: latest.repair,
    state: current.some((r) => r.state === 'running') ? 'running' : 'done',
    repaired,
    tf_states_compact: { '1m': { status: worst, missing_bars: missing, skipped_by_ttl: 0 } },
    symbols,
  };
}

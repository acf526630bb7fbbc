import type { LastCommand } from '../commands/command-listener';
import type { ServiceStatusRecord } from '@fxcm/service-runtime';
import type { MarketView } from '../market-view';
import type { V1Status } from '../v1-status';

/** V2 `errors[]` entry. */
export interface SnapshotError {
  code: string;
  severity: string;
  message: string;
  ts: number;
  symbol?: string;
  tf?: string;
  service?: string;
}

/** V2 `last_command`. */
/** `last_command`: the outcome of the last command, as the command listener records it. */
export type { LastCommand } from '../commands/command-listener';

/** Inputs of {@link buildStatusSnapshot}. */
export interface SnapshotInputs {
  now: number;
  version: string;
  startedAt: number;
  pid: number;
  view: MarketView;
  calendarTag: string;
  v1: V1Status;
  records: readonly ServiceStatusRecord[];
  commandBus: {
    channel: string;
    state: 'running' | 'error' | 'disabled';
    last_heartbeat_ts_ms: number | null;
  };
  lastCommand: LastCommand | null;
  lastFinalClose?: number;
  lastTickAt?: number;
  feedState?: string;
}

/** The V2 snapshot size cap, bytes. */
export const SNAPSHOT_MAX_BYTES = 8_192;
/** Above this the optional tail_guard block is dropped (V2 soft compaction). */
export const SNAPSHOT_SOFT_BYTES = 6_500;
const MAX_ENTRIES = 20;
const HARD_ERROR_CODES = 5;

const isoZ = (ms: number): string => new Date(Math.floor(ms / 1_000) * 1_000).toISOString();

function sumCounter(
  records: readonly ServiceStatusRecord[],
  service: string,
  suffix: string,
): number {
  let total = 0;
  for (const r of records) {
    if (r.service !== service) continue;
    for (const [name, value] of Object.entries(r.counters ?? {})) {
      if (name === suffix || name.endsWith(`.${suffix}`)) total += value;
    }
  }
  return total;
}

/**
 * The V2 status snapshot kept at `{ns}:status:snapshot`: process, market, the last 20 errors
 * and degradations of every service, the command bus and the optional blocks the suite can
 * fill truthfully (fxcm, price, ohlcv_final, no_mix). Pure; see {@link compactSnapshot}.
 */
export function buildStatusSnapshot(inputs: SnapshotInputs): Record<string, unknown> {
  const { now, view, records } = inputs;
  const errors: SnapshotError[] = records
    .flatMap((r) => r.errors.map((e) => ({ ...e, service: r.service })))
    .sort((a, b) => a.ts - b.ts)
    .slice(-MAX_ENTRIES)
    .map(({ code, severity, message, ts, symbol, tf, service }) => ({
      code,
      severity,
      message,
      ts,
      ...(symbol ? { symbol } : {}),
      ...(tf ? { tf } : {}),
      service,
    }));
  const degraded = [...new Set(records.flatMap((r) => r.degraded.map((d) => `${r.service}:${d}`)))]
    .sort()
    .slice(-MAX_ENTRIES);
  const processState =
    inputs.v1.process === 'error' ? 'error' : degraded.length > 0 ? 'degraded' : 'running';
  const lastCommandError = [...errors].reverse().find((e) => e.code.startsWith('COMMAND_'));
  return {
    ts: now,
    version: inputs.version,
    schema_version: 2,
    pipeline_version: inputs.version,
    build_version: inputs.version,
    process: {
      pid: inputs.pid,
      uptime_s: Math.floor((now - inputs.startedAt) / 1_000),
      state: processState,
    },
    market: {
      is_open: view.market === 'open',
      next_open_utc: isoZ(view.nextOpenMs),
      next_pause_utc: isoZ(
        view.market === 'open' && view.session.seconds_to_close !== undefined
          ? Math.floor(now / 1_000) * 1_000 + view.session.seconds_to_close * 1_000
          : view.nextOpenMs,
      ),
      calendar_tag: inputs.calendarTag,
      tz_backend: 'intl',
    },
    errors,
    degraded,
    command_bus: {
      ...inputs.commandBus,
      last_error: lastCommandError
        ? {
            code: lastCommandError.code,
            message: lastCommandError.message,
            ts: lastCommandError.ts,
          }
        : null,
    },
    last_command: inputs.lastCommand,
    fxcm: {
      state: inputs.feedState ?? 'unknown',
      last_tick_ts_ms: inputs.lastTickAt ?? null,
      ticks_total: sumCounter(records, 'fxcm-gateway', 'ticks'),
      contract_reject_total: sumCounter(records, 'fxcm-gateway', 'rejected'),
    },
    price: {
      last_tick_ts_ms: inputs.lastTickAt ?? null,
      tick_total: sumCounter(records, 'fxcm-gateway', 'ticks'),
      tick_err_total: sumCounter(records, 'fxcm-gateway', 'rejected'),
    },
    ohlcv_final: {
      '1m': {
        last_complete_bar_ms: inputs.lastFinalClose ?? null,
        lag_ms:
          inputs.lastFinalClose === undefined ? null : Math.max(0, now - inputs.lastFinalClose),
      },
    },
    no_mix: {
      conflicts_total: sumCounter(records, 'bar-builder', 'history_conflicts'),
      last_conflict: null,
    },
  };
}

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * The V2 compaction rule: above 6 500 B drop `tail_guard` and flag
 * `status_soft_compact_tail_guard`; still above 8 192 B drop `ohlcv_final*`, keep the errors of
 * the 5 most recent codes only, and flag `status_payload_too_large`.
 */
export function compactSnapshot(snapshot: Record<string, unknown>): Record<string, unknown> {
  if (bytes(snapshot) <= SNAPSHOT_SOFT_BYTES) return snapshot;
  const soft: Record<string, unknown> = { ...snapshot };
  delete soft['tail_guard'];
  delete soft['tail_guard_summary'];
  delete soft['warmup_on_start'];
  soft['degraded'] = [...(snapshot['degraded'] as string[]), 'status_soft_compact_tail_guard'];
  if (bytes(soft) <= SNAPSHOT_MAX_BYTES) return soft;
  const hard: Record<string, unknown> = { ...soft };
  for (const key of Object.keys(hard)) if (key.startsWith('ohlcv_final')) delete hard[key];
  const errors = [...(soft['errors'] as SnapshotError[])].reverse();
  const codes = new Set<string>();
  const kept: SnapshotError[] = [];
  for (const e of errors) {
    if (codes.has(e.code)) continue;
    if (codes.size >= HARD_ERROR_CODES) break;
    codes.add(e.code);
    kept.push(e);
  }
  hard['errors'] = kept.reverse();
  hard['degraded'] = [...(soft['degraded'] as string[]), 'status_payload_too_large'];
  return hard;
}

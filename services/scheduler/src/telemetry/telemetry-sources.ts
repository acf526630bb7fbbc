import type { HeartbeatBackoffEntry } from '@fxcm/contracts';
import type { ServiceStatusRecord } from '@fxcm/service-runtime';
import type { LastCommand } from './status-snapshot';

/**
 * What the heartbeat reports about parts that other modules own (history quota, backoff,
 * dynamic universe). Each is a pure `snapshot()`; until a real source is plugged in, the idle
 * sources below say honestly that nothing is configured or running.
 */

/** V1 `context.history`: the FXCM history quota. */
export interface HistoryQuotaSnapshot {
  calls_60s: number;
  /** null: no per-minute limit configured. */
  limit_60s: number | null;
  calls_3600s: number;
  /** null: no per-hour limit configured. */
  limit_3600s: number | null;
  priority: Record<string, unknown>;
  throttle_state: 'ok' | 'warn' | 'critical';
  next_slot_seconds: number;
  last_denied_reason: string | null;
  skipped_polls: unknown[];
  /** History warmup jobs running now (heartbeat `warmup` while > 0). */
  active_warmups?: number;
}

/** V1 `context.diag.backoff`. */
export interface BackoffSnapshot {
  fxcm_history: HeartbeatBackoffEntry;
  redis: HeartbeatBackoffEntry;
}

/** V1 `context.universe`. */
export interface UniverseSnapshot {
  enabled: boolean;
  base_targets: string[];
  active_targets: string[];
  max_targets: number;
  source: string;
}

/** The pluggable sources of the heartbeat context. */
export interface TelemetrySources {
  historyQuota(): HistoryQuotaSnapshot;
  backoff(): BackoffSnapshot;
  universe(): UniverseSnapshot;
  /** The status snapshot's `last_command` (null until a command module reports one). */
  lastCommand?(): LastCommand | null;
}

/** A backoff that is not active and has never failed. */
export function idleBackoff(): HeartbeatBackoffEntry {
  return {
    active: false,
    sleep_seconds: 0,
    remaining_seconds: 0,
    fail_count: 0,
    last_error: null,
    last_error_ts: null,
    resume_at: null,
  };
}

/**
 * Sources for a scheduler without quota, backoff or universe modules: zero calls and no limits,
 * both backoffs idle, the universe fixed to the configured targets.
 */
export function idleTelemetrySources(targets: readonly string[]): TelemetrySources {
  return {
    historyQuota: () => ({
      calls_60s: 0,
      limit_60s: null,
      calls_3600s: 0,
      limit_3600s: null,
      priority: {},
      throttle_state: 'ok',
      next_slot_seconds: 0,
      last_denied_reason: null,
      skipped_polls: [],
      active_warmups: 0,
    }),
    backoff: () => ({ fxcm_history: idleBackoff(), redis: idleBackoff() }),
    universe: () => ({
      enabled: false,
      base_targets: [...targets],
      active_targets: [...targets],
      max_targets: targets.length,
      source: 'config',
    }),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The newest live gateway record's `detail[key]` when it is an object with a `marker` number/string. */
function gatewayDetail(
  records: readonly ServiceStatusRecord[],
  key: string,
  marker: string,
): Record<string, unknown> | undefined {
  let best: { ts: number; value: Record<string, unknown> } | undefined;
  for (const r of records) {
    if (r.service !== 'fxcm-gateway') continue;
    const value = r.detail?.[key];
    if (!isObject(value) || !(marker in value)) continue;
    if (!best || r.ts > best.ts) best = { ts: r.ts, value };
  }
  return best?.value;
}

/**
 * Sources read from the gateway's status record, where the history quota and the
 * `history_backoff` controller live (the gateway makes the FXCM calls): `detail.history` is the
 * V1 `context.history`, `detail.history_backoff` the `diag.backoff.fxcm_history` entry. Without
 * a live gateway that reports them (a replay has no FXCM history), `fallback` answers.
 */
export function gatewayTelemetrySources(
  records: () => readonly ServiceStatusRecord[],
  fallback: TelemetrySources,
): TelemetrySources {
  return {
    ...fallback,
    historyQuota: () =>
      (gatewayDetail(records(), 'history', 'calls_60s') as HistoryQuotaSnapshot | undefined) ??
      fallback.historyQuota(),
    backoff: () => {
      const own = fallback.backoff();
      const reported = gatewayDetail(records(), 'history_backoff', 'fail_count');
      return reported
        ? { ...own, fxcm_history: reported as unknown as HeartbeatBackoffEntry }
        : own;
    },
  };
}

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

/** One V1 `context.diag.backoff.<key>` entry. */
export interface BackoffEntry {
  active: boolean;
  sleep_seconds: number;
  remaining_seconds: number;
  fail_count: number;
  last_error: string | null;
  last_error_ts: number | null;
  resume_at: string | null;
}

/** V1 `context.diag.backoff`. */
export interface BackoffSnapshot {
  fxcm_history: BackoffEntry;
  redis: BackoffEntry;
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
export function idleBackoff(): BackoffEntry {
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

/** V1 `HistoryQuota` settings (runtime_settings `history.*`; defaults of the shipped V1). */
export interface HistoryQuotaSettings {
  /** `history_max_calls_per_min` (360). */
  maxCallsPerMin: number;
  /** `history_max_calls_per_hour` (7200). */
  maxCallsPerHour: number;
  /** Minimum interval between calls of one (symbol, tf), ms, by wire tf (V1: m1 2 s, m5 6 s). */
  minIntervalMs: Readonly<Record<string, number>>;
  /** Priority targets `SYMBOL|tf` (V1: XAU/USD:m1). */
  priorityTargets: ReadonlySet<string>;
  /** Calls per minute / hour kept for priority targets (V1: 108 / 2160). */
  priorityReservePerMin: number;
  priorityReservePerHour: number;
  /**
   * Load thresholds (`history_load_thresholds`; load = the fuller window's calls / limit): the
   * minimum interval applies from `minInterval`, the priority reserve from `reserve`; the state
   * is warn from `warn` (or after a recent quota denial), critical from `critical` with one.
   */
  loadThresholds: { minInterval: number; reserve: number; warn: number; critical: number };
}

/** The V1 defaults. */
export const V1_HISTORY_QUOTA: HistoryQuotaSettings = {
  maxCallsPerMin: 360,
  maxCallsPerHour: 7_200,
  minIntervalMs: { '1m': 2_000, '5m': 6_000 },
  priorityTargets: new Set(['XAUUSD|1m']),
  priorityReservePerMin: 108,
  priorityReservePerHour: 2_160,
  loadThresholds: { minInterval: 0.7, reserve: 0.9, warn: 0.85, critical: 0.95 },
};

/** Why a call was refused (V1 names). */
export type DenyReason = 'minute_quota' | 'hour_quota' | 'min_interval' | 'priority_reserve';

/** Outcome of {@link HistoryQuota.request}. */
export type QuotaDecision =
  { allowed: true } | { allowed: false; reason: DenyReason; waitMs: number };

/** The heartbeat `context.history` block (V1 keys). */
export interface HistoryQuotaSnapshot {
  calls_60s: number;
  limit_60s: number;
  calls_3600s: number;
  limit_3600s: number;
  priority: { targets: string[]; reserve_60s: number; reserve_3600s: number };
  throttle_state: 'ok' | 'warn' | 'critical';
  next_slot_seconds: number;
  last_denied_reason: DenyReason | null;
  skipped_polls: { symbol: string; tf: string; count: number }[];
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
// A quota denial this recent makes the state warn (critical from the critical load).
const RECENT_DENY_MS = 15_000;

/**
 * V1's non-blocking history quota as pure logic on a clock the caller passes in: sliding 60 s
 * and 3600 s windows of calls, a minimum interval per (symbol, tf) once the load is high,
 * a reserve for priority targets, and a throttle state for the heartbeat. Denials name the
 * rule with the longest wait.
 */
export class HistoryQuota {
  private readonly calls: number[] = [];
  private readonly lastCall = new Map<string, number>();
  private readonly skipped = new Map<string, number>();
  private lastDenied: { reason: DenyReason; at: number } | undefined;
  private lastQuotaDenyAt = -Infinity;

  constructor(private readonly settings: HistoryQuotaSettings = V1_HISTORY_QUOTA) {}

  /** Asks for one history call of (symbol, tf) at `now`; an allowed call is counted. */
  request(symbol: string, tf: string, now: number): QuotaDecision {
    this.expire(now);
    const key = `${symbol}|${tf}`;
    const s = this.settings;
    const priority = s.priorityTargets.has(key);
    const perMin = this.countSince(now - MINUTE);
    const perHour = this.calls.length;
    const load = this.loadOf(perMin, perHour);
    const denials: { reason: DenyReason; waitMs: number }[] = [];
    if (perMin >= s.maxCallsPerMin) {
      denials.push({
        reason: 'minute_quota',
        waitMs: this.waitToDrop(now, MINUTE, perMin - s.maxCallsPerMin),
      });
    }
    if (perHour >= s.maxCallsPerHour) {
      denials.push({
        reason: 'hour_quota',
        waitMs: this.waitToDrop(now, HOUR, perHour - s.maxCallsPerHour),
      });
    }
    if (!priority && load >= s.loadThresholds.reserve) {
      // The last calls of each window are kept for the priority targets.
      const minuteOver = perMin - (s.maxCallsPerMin - s.priorityReservePerMin);
      const hourOver = perHour - (s.maxCallsPerHour - s.priorityReservePerHour);
      const waits = [
        minuteOver >= 0 ? this.waitToDrop(now, MINUTE, minuteOver) : 0,
        hourOver >= 0 ? this.waitToDrop(now, HOUR, hourOver) : 0,
      ];
      const waitMs = Math.max(...waits);
      if (waitMs > 0) denials.push({ reason: 'priority_reserve', waitMs });
    }
    const interval = s.minIntervalMs[tf];
    const last = this.lastCall.get(key);
    if (
      !priority &&
      load >= s.loadThresholds.minInterval &&
      interval !== undefined &&
      last !== undefined
    ) {
      const waitMs = last + interval - now;
      if (waitMs > 0) denials.push({ reason: 'min_interval', waitMs });
    }
    if (denials.length === 0) {
      this.calls.push(now);
      this.lastCall.set(key, now);
      return { allowed: true };
    }
    const worst = denials.reduce((a, b) => (b.waitMs > a.waitMs ? b : a));
    this.lastDenied = { reason: worst.reason, at: now };
    if (denials.some((d) => d.reason === 'minute_quota' || d.reason === 'hour_quota')) {
      this.lastQuotaDenyAt = now;
    }
    this.skipped.set(key, (this.skipped.get(key) ?? 0) + 1);
    return { allowed: false, ...worst };
  }

  /** The heartbeat view at `now`. */
  snapshot(now: number): HistoryQuotaSnapshot {
    this.expire(now);
    const s = this.settings;
    const perMin = this.countSince(now - MINUTE);
    const perHour = this.calls.length;
    const load = this.loadOf(perMin, perHour);
    const recentDeny = now - this.lastQuotaDenyAt <= RECENT_DENY_MS;
    const { warn, critical } = s.loadThresholds;
    const state =
      load >= critical && recentDeny ? 'critical' : load >= warn || recentDeny ? 'warn' : 'ok';
    const nextSlot = Math.max(
      perMin >= s.maxCallsPerMin ? this.waitToDrop(now, MINUTE, perMin - s.maxCallsPerMin) : 0,
      perHour >= s.maxCallsPerHour ? this.waitToDrop(now, HOUR, perHour - s.maxCallsPerHour) : 0,
    );
    return {
      calls_60s: perMin,
      limit_60s: s.maxCallsPerMin,
      calls_3600s: perHour,
      limit_3600s: s.maxCallsPerHour,
      priority: {
        targets: [...s.priorityTargets].map((k) => k.replace('|', ':')),
        reserve_60s: s.priorityReservePerMin,
        reserve_3600s: s.priorityReservePerHour,
      },
      throttle_state: state,
      next_slot_seconds: nextSlot / 1_000,
      last_denied_reason: this.lastDenied?.reason ?? null,
      skipped_polls: [...this.skipped].map(([k, count]) => {
        const [symbol = '', tf = ''] = k.split('|');
        return { symbol, tf, count };
      }),
    };
  }

  private loadOf(perMin: number, perHour: number): number {
    return Math.max(perMin / this.settings.maxCallsPerMin, perHour / this.settings.maxCallsPerHour);
  }

  private countSince(from: number): number {
    // calls are ascending: binary search for the first inside the window
    let lo = 0;
    let hi = this.calls.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.calls[mid]! > from) hi = mid;
      else lo = mid + 1;
    }
    return this.calls.length - lo;
  }

  /** Time until `over + 1` calls of the window starting at now − span have left it. */
  private waitToDrop(now: number, span: number, over: number): number {
    const inWindow = this.calls.length - this.countSince(now - span);
    const call = this.calls[inWindow + over];
    return call === undefined ? 0 : call + span - now;
  }

  private expire(now: number): void {
    let drop = 0;
    while (drop < this.calls.length && this.calls[drop]! <= now - HOUR) drop++;
    if (drop > 0) this.calls.splice(0, drop);
  }
}

import {
  checkContract,
  normalizeSymbol,
  parseTimeframe,
  tfMs,
  type CommandEnvelope,
  type HistoryJob,
  type Timeframe,
} from '@fxcm/contracts';
import { checkEnvelopeAuth, type AuthPolicy } from './command-auth';

/** Limits and targets the interpretation follows (V1/V2 names in comments). */
export interface CommandRules {
  /** Normalized symbols of the stream targets; commands for others are ignored. */
  targets: ReadonlySet<string>;
  /** Backfill lookback clamp, minutes (`backfill_min_minutes` 10, `backfill_max_minutes` 360). */
  backfillMinMinutes: number;
  backfillMaxMinutes: number;
  /** Warmup depth when a V1 command names none, in bars of its tf (`cache.warmup_bars`). */
  warmupBars: number;
  /** Longest history one command may ask for, minutes (bounds one job). */
  maxSpanMinutes: number;
  /** One command per (symbol, tf, kind) per this many ms (V1: 2 s). */
  rateLimitMs: number;
  /** History ends this long before now: the current minute is still forming (V2: 2 min). */
  historyEndLagMs: number;
  /** Largest raw command, bytes (V2: 16 384). */
  maxPayloadBytes: number;
  /** How `{cmd, …, auth}` envelopes are authenticated. */
  auth: AuthPolicy;
}

/** Defaults of {@link CommandRules} after V1 and V2. */
export const DEFAULT_COMMAND_RULES: Omit<CommandRules, 'targets'> = {
  backfillMinMinutes: 10,
  backfillMaxMinutes: 360,
  warmupBars: 1_600,
  maxSpanMinutes: 7 * 24 * 60,
  rateLimitMs: 2_000,
  historyEndLagMs: 120_000,
  maxPayloadBytes: 16_384,
  auth: { mode: 'verify', secrets: new Map(), maxSkewMs: 300_000 },
};

/** One history job a command asks for, with its deduplicating id. */
export interface PlannedJob {
  job: HistoryJob;
  jobId: string;
}

/** What to do with one command. */
export type CommandDecision =
  | {
      result: 'accepted';
      type: string;
      jobs: PlannedJob[];
      /** Spend this nonce once before acting (V2 anti-replay). */
      replay?: { kid: string; nonce: string };
    }
  | { result: 'ignored' | 'rejected'; type: string; reason: string; detail: string };

const MINUTE = 60_000;

const reject = (type: string, reason: string, detail: string): CommandDecision => ({
  result: 'rejected',
  type,
  reason,
  detail,
});
const ignore = (type: string, reason: string, detail: string): CommandDecision => ({
  result: 'ignored',
  type,
  reason,
  detail,
});

/**
 * The scheduler's reading of SMC's commands on `fxcm:commands`. Both forms are accepted: V1
 * `{type: 'fxcm_warmup' | 'fxcm_backfill', symbol, tf, …}` and the V2 envelope `{cmd, req_id, ts,
 * args, auth?}` (freshness checked, HMAC verified per the policy). Warmups and backfills become
 * history jobs (1m bars, ending two minutes ago); a command for a symbol outside the stream
 * targets, a repeat within the rate limit, or `fxcm_set_universe` while the dynamic universe is
 * off is ignored; anything malformed is rejected with the reason. Pure apart from the rate-limit
 * memory; `now` is passed in.
 */
export class CommandInterpreter {
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly rules: CommandRules) {}

  interpret(text: string, now: number): CommandDecision {
    if (Buffer.byteLength(text, 'utf8') > this.rules.maxPayloadBytes) {
      return reject(
        '?',
        'command_payload_too_large',
        `${Buffer.byteLength(text)} bytes > ${this.rules.maxPayloadBytes}`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return reject('?', 'invalid_json', `not JSON: ${text.slice(0, 80)}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return reject('?', 'invalid_json', 'a command is a JSON object');
    }
    const body = raw as Record<string, unknown>;
    return 'cmd' in body ? this.envelope(text, body, now) : this.v1(body, now);
  }

  private v1(body: Record<string, unknown>, now: number): CommandDecision {
    const type = body.type;
    if (type === 'fxcm_set_universe') {
      const check = checkContract('command-set-universe', body);
      if (!check.ok) return reject(type, 'contract_error', check.error);
      return ignore(type, 'dynamic_universe_disabled', 'the dynamic universe is off (V1 default)');
    }
    if (type !== 'fxcm_warmup' && type !== 'fxcm_backfill') {
      return reject(
        String(type ?? '?'),
        'unknown_command',
        `unknown command type ${JSON.stringify(type)}`,
      );
    }
    const check = checkContract(
      type === 'fxcm_warmup' ? 'command-warmup' : 'command-backfill',
      body,
    );
    if (!check.ok) return reject(type, 'contract_error', check.error);
    const command = check.value;
    const symbol = normalizeSymbol(command.symbol);
    const tf = parseTimeframe(command.tf);
    const tfMinutes = tfMs(tf) / MINUTE;
    let minutes: number;
    if (type === 'fxcm_backfill') {
      const asked = command.lookback_minutes ?? 60;
      minutes = Math.min(
        this.rules.backfillMaxMinutes,
        Math.max(this.rules.backfillMinMinutes, asked),
      );
    } else {
      const bars = command.min_history_bars ?? command.lookback_bars ?? this.rules.warmupBars;
      minutes = command.lookback_minutes ?? bars * tfMinutes;
    }
    const to = this.historyEnd(now);
    return this.plan(type, [symbol], tf, to - minutes * MINUTE, to, now);
  }

  private envelope(text: string, body: Record<string, unknown>, now: number): CommandDecision {
    const check = checkContract('command-envelope', body);
    const cmd = typeof body.cmd === 'string' ? body.cmd : '?';
    if (!check.ok) return reject(cmd, 'contract_error', check.error);
    const envelope: CommandEnvelope = check.value;
    const auth = checkEnvelopeAuth(text, envelope, this.rules.auth, now);
    if (!auth.ok) return reject(cmd, auth.reason, auth.detail);
    const args = envelope.args as Record<string, unknown>;
    let decision: CommandDecision;
    switch (envelope.cmd) {
      case 'fxcm_warmup':
        decision = this.v2Warmup(args, now);
        break;
      case 'fxcm_backfill':
        decision = this.v2Backfill(args, now);
        break;
      case 'fxcm_tail_guard':
      case 'fxcm_republish_tail':
      case 'fxcm_reconcile_tail':
      case 'fxcm_bootstrap':
        return reject(cmd, 'not_implemented', `${cmd} is a V2 command this suite does not run yet`);
      default:
        return reject(cmd, 'unknown_command', `unknown command ${JSON.stringify(cmd)}`);
    }
    return decision.result === 'accepted' && auth.replay
      ? { ...decision, replay: auth.replay }
      : decision;
  }

  /** V2 `fxcm_warmup {symbols (default [XAUUSD]), lookback_days (7) | lookback_hours}`. */
  private v2Warmup(args: Record<string, unknown>, now: number): CommandDecision {
    const raw = args.symbols ?? ['XAUUSD'];
    const list = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string')) {
      return reject(
        'fxcm_warmup',
        'invalid_args',
        'args.symbols must be a symbol or a non-empty list of symbols',
      );
    }
    const hours =
      args.lookback_hours ??
      (typeof args.lookback_days === 'number' ? args.lookback_days * 24 : 7 * 24);
    if (typeof hours !== 'number' || !(hours > 0)) {
      return reject(
        'fxcm_warmup',
        'invalid_args',
        'args.lookback_days / lookback_hours must be positive numbers',
      );
    }
    const to = this.historyEnd(now);
    return this.plan(
      'fxcm_warmup',
      list.map((s: string) => normalizeSymbol(s)),
      '1m',
      to - Math.round(hours * 60) * MINUTE,
      to,
      now,
    );
  }

  /** V2 `fxcm_backfill {symbol, start_ms/end_ms | start_utc/end_utc}`, end clamped to now − 2 min. */
  private v2Backfill(args: Record<string, unknown>, now: number): CommandDecision {
    if (typeof args.symbol !== 'string')
      return reject('fxcm_backfill', 'invalid_args', 'args.symbol is required');
    const time = (ms: unknown, iso: unknown): number | undefined =>
      typeof ms === 'number'
        ? ms
        : typeof iso === 'string' && !Number.isNaN(Date.parse(iso))
          ? Date.parse(iso)
          : undefined;
    const start = time(args.start_ms, args.start_utc);
    const end = time(args.end_ms, args.end_utc) ?? now;
    if (start === undefined) {
      return reject(
        'fxcm_backfill',
        'invalid_args',
        'args.start_ms or args.start_utc (ISO) is required',
      );
    }
    const to = Math.min(Math.floor(end / MINUTE) * MINUTE, this.historyEnd(now));
    const from = Math.floor(start / MINUTE) * MINUTE;
    if (!(from < to))
      return reject(
        'fxcm_backfill',
        'invalid_args',
        `empty range: start ${from} is not before end ${to}`,
      );
    return this.plan('fxcm_backfill', [normalizeSymbol(args.symbol)], '1m', from, to, now);
  }

  private historyEnd(now: number): number {
    return Math.floor((now - this.rules.historyEndLagMs) / MINUTE) * MINUTE;
  }

  /** Targets, rate limit and span bound, then one job per symbol. */
  private plan(
    type: string,
    symbols: string[],
    tf: Timeframe,
    from: number,
    to: number,
    now: number,
  ): CommandDecision {
    const targeted = symbols.filter((s) => this.rules.targets.has(s));
    if (targeted.length === 0) {
      return ignore(
        type,
        'symbol_not_targeted',
        `${symbols.join(', ')} not among the stream targets`,
      );
    }
    const fresh = targeted.filter((s) => {
      const last = this.lastSeen.get(`${s}|${tf}|${type}`);
      return last === undefined || now - last >= this.rules.rateLimitMs;
    });
    if (fresh.length === 0) {
      return ignore(
        type,
        'rate_limited',
        `${type} ${targeted.join(', ')} ${tf} again within ${this.rules.rateLimitMs} ms`,
      );
    }
    for (const s of fresh) this.lastSeen.set(`${s}|${tf}|${type}`, now);
    this.forgetOld(now);
    const start = Math.max(from, to - this.rules.maxSpanMinutes * MINUTE);
    return {
      result: 'accepted',
      type,
      jobs: fresh.map((symbol) => ({
        job: {
          symbol,
          tf: '1m',
          from: start,
          to,
          reason: type,
          req_id: `${type}:${symbol}:${tf}:${now}`,
        },
        jobId: `${type}-${symbol}-${tf}-${start}-${to}`,
      })),
    };
  }

  // The rate-limit memory only needs the last few seconds.
  private forgetOld(now: number): void {
    if (this.lastSeen.size < 1_000) return;
    for (const [key, at] of this.lastSeen)
      if (now - at >= this.rules.rateLimitMs) this.lastSeen.delete(key);
  }
}

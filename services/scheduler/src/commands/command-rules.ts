import {
  checkContract,
  normalizeSymbol,
  parseTimeframe,
  tfMs,
  type CommandEnvelope,
  type HistoryJob,
  type StreamTarget,
  type Timeframe,
} from '@fxcm/contracts';
import { ActiveUniverse } from '../active-universe';
import { checkEnvelopeAuth, type AuthPolicy } from './command-auth';
import { commandTypeLabel, type CommandCode, type CommandTypeLabel } from './command-codes';

/** Limits and targets the interpretation follows (V1/V2 names in comments). */
export interface CommandRules {
  /** The active (symbol, tf) targets; commands for others are ignored (V1). */
  universe: ActiveUniverse;
  /** Backfill lookback clamp, minutes (`backfill_min_minutes` 10, `backfill_max_minutes` 360). */
  backfillMinMinutes: number;
  backfillMaxMinutes: number;
  /** Warmup depth when a V1 command names none, in bars of its tf (`cache.warmup_bars`). */
  warmupBars: number;
  /** Most bars one warmup republishes (larger asks are clamped). */
  maxRepublishBars: number;
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
export const DEFAULT_COMMAND_RULES: Omit<CommandRules, 'universe'> = {
  backfillMinMinutes: 10,
  backfillMaxMinutes: 360,
  warmupBars: 1_600,
  maxRepublishBars: 60_000,
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

/** Publish the last `bars` final bars of (symbol, tf) from the store, `source="history_s3"`. */
export interface RepublishRequest {
  symbol: string;
  tf: Timeframe;
  bars: number;
}

/** What to do with one command. */
export type CommandDecision =
  | {
      result: 'accepted';
      code: 'ok';
      type: CommandTypeLabel;
      /** History to fetch first (the queue runs them within the quota). */
      jobs: PlannedJob[];
      /** Then these bars go out again from the store. */
      republish: RepublishRequest[];
      /** A new active universe to push to the services. */
      universe?: StreamTarget[];
      /** Request id the control entries carry. */
      reqId: string;
      /** Spend this nonce once before acting (V2 anti-replay). */
      replay?: { kid: string; nonce: string };
    }
  | {
      result: 'ignored' | 'rejected' | 'error';
      code: CommandCode;
      type: CommandTypeLabel;
      detail: string;
    };

/** A decision that is not an acceptance. */
export type CommandRefusal = Exclude<CommandDecision, { result: 'accepted' }>;

const MINUTE = 60_000;
// V1: a warmup of these may name a (symbol, tf) that is not a target; it is built from 1m.
const HTF_WARMUP = new Set<Timeframe>(['15m', '30m', '1h', '4h', '1d']);

const refuse = (
  result: CommandRefusal['result'],
  type: CommandTypeLabel,
  code: CommandCode,
  detail: string,
): CommandRefusal => ({ result, type, code, detail });

// Input text in a detail is cut short and JSON-quoted: details are logged and shown in status.
const quote = (value: unknown): string => {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? typeof value);
  } catch {
    text = typeof value;
  }
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
};

/** A symbol parsed without throwing. */
function symbolOf(raw: unknown): { ok: true; value: string } | { ok: false; detail: string } {
  if (typeof raw !== 'string') return { ok: false, detail: `symbol must be a string` };
  try {
    return { ok: true, value: normalizeSymbol(raw) };
  } catch {
    return { ok: false, detail: `symbol ${quote(raw)} is not 2-16 characters of A-Z, 0-9` };
  }
}

/** A timeframe parsed without throwing. */
function timeframeOf(raw: unknown): { ok: true; value: Timeframe } | { ok: false; detail: string } {
  if (typeof raw !== 'string') return { ok: false, detail: 'tf must be a string' };
  try {
    return { ok: true, value: parseTimeframe(raw) };
  } catch {
    return { ok: false, detail: `tf ${quote(raw)} is not one of 1m, 5m, 15m, 30m, 1h, 4h, 1d` };
  }
}

/**
 * The scheduler's reading of SMC's commands on `fxcm:commands`. Both forms are accepted: V1
 * `{type, symbol, tf, …}` and the V2 envelope `{cmd, req_id, ts, args, auth?}` (freshness
 * checked, HMAC verified per the policy). Total: every text ends in one decision with a code of
 * the closed set (command-codes.ts); nothing it is given makes it throw. Pure apart from the
 * rate-limit memory and the universe it may change; `now` is passed in.
 */
export class CommandInterpreter {
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly rules: CommandRules) {}

  /** Decides what `text` asks for. Never throws: a defect becomes `command_error`. */
  interpret(text: string, now: number): CommandDecision {
    try {
      return this.interpretUnsafe(text, now);
    } catch (err) {
      return refuse('error', 'unknown', 'command_error', `interpretation failed: ${String(err)}`);
    }
  }

  private interpretUnsafe(text: string, now: number): CommandDecision {
    if (typeof text !== 'string') {
      return refuse('rejected', 'unknown', 'invalid_json', 'a command is a JSON text');
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.rules.maxPayloadBytes) {
      return refuse(
        'rejected',
        'unknown',
        'command_payload_too_large',
        `${bytes} bytes > ${this.rules.maxPayloadBytes}`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return refuse('rejected', 'unknown', 'invalid_json', `not JSON: ${quote(text)}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return refuse('rejected', 'unknown', 'invalid_json', 'a command is a JSON object');
    }
    const body = raw as Record<string, unknown>;
    return Object.prototype.hasOwnProperty.call(body, 'cmd')
      ? this.envelope(text, body, now)
      : this.v1(body, now);
  }

  private v1(body: Record<string, unknown>, now: number): CommandDecision {
    const type = commandTypeLabel(body.type);
    if (type === 'fxcm_set_universe') return this.setUniverse(body, now);
    if (type !== 'fxcm_warmup' && type !== 'fxcm_backfill') {
      return refuse(
        'rejected',
        type,
        type === 'unknown' ? 'unknown_command' : 'not_implemented',
        `command type ${quote(body.type)} is not a V1 command this suite runs`,
      );
    }
    const check = checkContract(
      type === 'fxcm_warmup' ? 'command-warmup' : 'command-backfill',
      body,
    );
    if (!check.ok) return refuse('rejected', type, 'contract_error', check.error);
    const command = check.value;
    const symbol = symbolOf(command.symbol);
    if (!symbol.ok) return refuse('rejected', type, 'invalid_symbol', symbol.detail);
    const parsedTf = timeframeOf(command.tf);
    if (!parsedTf.ok) return refuse('rejected', type, 'invalid_timeframe', parsedTf.detail);
    const tf = parsedTf.value;
    const universe = this.rules.universe;
    if (!universe.hasSymbol(symbol.value)) {
      return refuse(
        'ignored',
        type,
        'symbol_not_targeted',
        `${symbol.value} is not among the active targets`,
      );
    }
    if (!universe.has(symbol.value, tf) && !(type === 'fxcm_warmup' && HTF_WARMUP.has(tf))) {
      return refuse(
        'ignored',
        type,
        'tf_not_targeted',
        `${symbol.value} ${tf} is not an active target`,
      );
    }
    const tfMinutes = tfMs(tf) / MINUTE;
    const to = this.historyEnd(now);
    if (type === 'fxcm_backfill') {
      const asked = command.lookback_minutes ?? 60;
      const minutes = Math.min(
        this.rules.backfillMaxMinutes,
        Math.max(this.rules.backfillMinMinutes, asked),
      );
      // V1 republishes the recent window of a non-tick tf; a 1m backfill only fills holes,
      // and filled minutes reach the wire as ordinary finals.
      const republish =
        tf === '1m' ? [] : [{ symbol: symbol.value, tf, bars: Math.ceil(minutes / tfMinutes) }];
      return this.plan(type, [symbol.value], tf, to - minutes * MINUTE, to, now, republish);
    }
    const bars = Math.min(
      this.rules.maxRepublishBars,
      command.min_history_bars ??
        (command.lookback_minutes !== undefined
          ? Math.ceil(command.lookback_minutes / tfMinutes)
          : this.rules.warmupBars),
    );
    const minutes = command.lookback_minutes ?? bars * tfMinutes;
    return this.plan(type, [symbol.value], tf, to - minutes * MINUTE, to, now, [
      { symbol: symbol.value, tf, bars },
    ]);
  }

  private setUniverse(body: Record<string, unknown>, now: number): CommandDecision {
    const type = 'fxcm_set_universe';
    const check = checkContract('command-set-universe', body);
    if (!check.ok) return refuse('rejected', type, 'contract_error', check.error);
    const universe = this.rules.universe;
    if (!universe.dynamicEnabled) {
      return refuse(
        'ignored',
        type,
        'dynamic_universe_disabled',
        'the dynamic universe is off (V1 default)',
      );
    }
    const wanted: StreamTarget[] = [];
    for (const t of check.value.targets) {
      const symbol = symbolOf(t.symbol);
      if (!symbol.ok) return refuse('rejected', type, 'invalid_symbol', symbol.detail);
      const tf = timeframeOf(t.tf);
      if (!tf.ok) return refuse('rejected', type, 'invalid_timeframe', tf.detail);
      wanted.push({ symbol: symbol.value, tf: tf.value });
    }
    const change = universe.apply(wanted, now, check.value.reason);
    if (!change.ok) return refuse('rejected', type, 'invalid_args', change.detail);
    return {
      result: 'accepted',
      code: 'ok',
      type,
      jobs: [],
      republish: [],
      universe: change.active,
      reqId: `${type}:${now}`,
    };
  }

  private envelope(text: string, body: Record<string, unknown>, now: number): CommandDecision {
    const type = commandTypeLabel(body.cmd);
    const check = checkContract('command-envelope', body);
    if (!check.ok) return refuse('rejected', type, 'contract_error', check.error);
    const envelope: CommandEnvelope = check.value;
    const auth = checkEnvelopeAuth(text, envelope, this.rules.auth, now);
    if (!auth.ok) return refuse('rejected', type, auth.reason, auth.detail);
    const args = envelope.args as Record<string, unknown>;
    let decision: CommandDecision;
    switch (type) {
      case 'fxcm_warmup':
        decision = this.v2Warmup(args, now);
        break;
      case 'fxcm_backfill':
        decision = this.v2Backfill(args, now);
        break;
      case 'unknown':
        return refuse('rejected', type, 'unknown_command', `unknown command ${quote(body.cmd)}`);
      default:
        return refuse(
          'rejected',
          type,
          'not_implemented',
          `${type} is a V2 command this suite does not run yet`,
        );
    }
    if (decision.result !== 'accepted') return decision;
    return {
      ...decision,
      reqId: envelope.req_id,
      ...(auth.replay ? { replay: auth.replay } : {}),
    };
  }

  /** V2 `fxcm_warmup {symbols (default [XAUUSD]), lookback_days (7) | lookback_hours}`. */
  private v2Warmup(args: Record<string, unknown>, now: number): CommandDecision {
    const type = 'fxcm_warmup';
    const raw = args.symbols ?? ['XAUUSD'];
    const list: unknown[] = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
    if (list.length === 0 || list.length > 64) {
      return refuse(
        'rejected',
        type,
        'invalid_args',
        'args.symbols must be a symbol or a list of 1..64 symbols',
      );
    }
    const symbols: string[] = [];
    for (const s of list) {
      const symbol = symbolOf(s);
      if (!symbol.ok) return refuse('rejected', type, 'invalid_symbol', symbol.detail);
      symbols.push(symbol.value);
    }
    const hours =
      args.lookback_hours ??
      (typeof args.lookback_days === 'number' ? args.lookback_days * 24 : 7 * 24);
    if (typeof hours !== 'number' || !(hours > 0) || !Number.isFinite(hours)) {
      return refuse(
        'rejected',
        type,
        'invalid_args',
        'args.lookback_days / lookback_hours must be positive numbers',
      );
    }
    const to = this.historyEnd(now);
    return this.plan(type, symbols, '1m', to - Math.round(hours * 60) * MINUTE, to, now, []);
  }

  /** V2 `fxcm_backfill {symbol, start_ms/end_ms | start_utc/end_utc}`, end clamped to now − 2 min. */
  private v2Backfill(args: Record<string, unknown>, now: number): CommandDecision {
    const type = 'fxcm_backfill';
    if (args.symbol === undefined)
      return refuse('rejected', type, 'invalid_args', 'args.symbol is required');
    const symbol = symbolOf(args.symbol);
    if (!symbol.ok) return refuse('rejected', type, 'invalid_symbol', symbol.detail);
    const time = (ms: unknown, iso: unknown): number | undefined =>
      typeof ms === 'number' && Number.isSafeInteger(ms)
        ? ms
        : typeof iso === 'string' && !Number.isNaN(Date.parse(iso))
          ? Date.parse(iso)
          : undefined;
    const start = time(args.start_ms, args.start_utc);
    const end = time(args.end_ms, args.end_utc) ?? now;
    if (start === undefined) {
      return refuse(
        'rejected',
        type,
        'invalid_args',
        'args.start_ms (int ms) or args.start_utc (ISO) is required',
      );
    }
    const to = Math.min(Math.floor(end / MINUTE) * MINUTE, this.historyEnd(now));
    const from = Math.floor(start / MINUTE) * MINUTE;
    if (!(from < to)) {
      return refuse(
        'rejected',
        type,
        'invalid_args',
        `empty range: start ${from} is not before end ${to}`,
      );
    }
    return this.plan(type, [symbol.value], '1m', from, to, now, []);
  }

  private historyEnd(now: number): number {
    return Math.floor((now - this.rules.historyEndLagMs) / MINUTE) * MINUTE;
  }

  /** Targets, rate limit and span bound, then one job per symbol. */
  private plan(
    type: 'fxcm_warmup' | 'fxcm_backfill',
    symbols: string[],
    tf: Timeframe,
    from: number,
    to: number,
    now: number,
    republish: RepublishRequest[],
  ): CommandDecision {
    const targeted = symbols.filter((s) => this.rules.universe.hasSymbol(s));
    if (targeted.length === 0) {
      return refuse(
        'ignored',
        type,
        'symbol_not_targeted',
        `${symbols.join(', ')} not among the active targets`,
      );
    }
    const fresh = targeted.filter((s) => {
      const last = this.lastSeen.get(`${s}|${tf}|${type}`);
      return last === undefined || now - last >= this.rules.rateLimitMs;
    });
    if (fresh.length === 0) {
      return refuse(
        'ignored',
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
      code: 'ok',
      type,
      reqId: `${type}:${fresh.join(',')}:${tf}:${now}`,
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
      republish: republish.filter((r) => fresh.includes(r.symbol)),
    };
  }

  // The rate-limit memory only needs the last few seconds.
  private forgetOld(now: number): void {
    if (this.lastSeen.size < 1_000) return;
    for (const [key, at] of this.lastSeen)
      if (now - at >= this.rules.rateLimitMs) this.lastSeen.delete(key);
  }
}

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
import type { TradingCalendar } from '@fxcm/calendar';
import { ActiveUniverse } from '../active-universe';
import { checkEnvelopeAuth, type AuthPolicy } from './command-auth';
import { commandTypeLabel, type CommandCode, type CommandTypeLabel } from './command-codes';

/** Limits and targets the interpretation follows (V1/V2 names in comments). */
export interface CommandRules {
  /** The active (symbol, tf) targets; commands for others are ignored (V1). */
  universe: ActiveUniverse;
  /**
   * The trading calendar of a symbol: a warmup's "last N bars" are its last N open minutes'
   * worth, so a warmup over a weekend or a break reaches back to the last session.
   */
  calendarFor: (symbol: string) => TradingCalendar;
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
export const DEFAULT_COMMAND_RULES: Omit<CommandRules, 'universe' | 'calendarFor'> = {
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

/** An instruction on `{ns}:x:control` sent once the command's history and republish are done. */
export interface ControlRequest {
  cmd: 'tail_guard';
  target: 'bar-builder';
  args: Record<string, unknown>;
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
      /** Then these instructions (a tail guard after a bootstrap's history). */
      controls?: ControlRequest[];
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
/** Reason and request-id prefix of the history jobs of the warmup on start. */
export const START_WARMUP_REASON = 'warmup_on_start';
/** Longest tail window a command may name, hours (a month). */
const MAX_WINDOW_HOURS = 24 * 31;
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

const WINDOW_HOURS_RULE = `args.window_hours must be a number of hours in (0, ${MAX_WINDOW_HOURS}]`;

/** `window_hours` (default 48, V2), or undefined when it is not a usable number of hours. */
function windowHoursOf(raw: unknown): number | undefined {
  const hours = raw ?? 48;
  return typeof hours === 'number' && hours > 0 && hours <= MAX_WINDOW_HOURS ? hours : undefined;
}

/** An acceptance for `symbols` without history jobs: republish requests and/or instructions. */
const accept = (
  type: CommandTypeLabel,
  symbols: string[],
  now: number,
  then: { republish?: RepublishRequest[]; controls?: ControlRequest[] },
): CommandDecision => ({
  result: 'accepted',
  code: 'ok',
  type,
  reqId: `${type}:${symbols.join(',')}:${now}`,
  jobs: [],
  republish: then.republish ?? [],
  ...(then.controls ? { controls: then.controls } : {}),
});

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

  // The V2 commands this suite runs; the other known names answer `not_implemented`.
  private readonly v2Handlers: Partial<
    Record<CommandTypeLabel, (args: Record<string, unknown>, now: number) => CommandDecision>
  > = {
    fxcm_warmup: (a, now) => this.v2Warmup(a, now),
    fxcm_backfill: (a, now) => this.v2Backfill(a, now),
    fxcm_tail_guard: (a, now) => this.v2TailGuard(a, now),
    fxcm_republish_tail: (a, now) => this.v2RepublishTail(a, now),
    fxcm_bootstrap: (a, now) => this.v2Bootstrap(a, now),
  };

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
    const from =
      command.lookback_minutes !== undefined
        ? to - command.lookback_minutes * MINUTE
        : this.warmupWindow(symbol.value, tf, bars, now).from;
    return this.plan(type, [symbol.value], tf, from, to, now, [{ symbol: symbol.value, tf, bars }]);
  }

  /**
   * The span of a warmup of `bars` bars of (symbol, tf): the last `bars × tf` open minutes of
   * the symbol's calendar before the history end (a weekend or a break reaches back into the
   * last session), at most `maxSpanMinutes` of wall time.
   */
  warmupWindow(
    symbol: string,
    tf: Timeframe,
    bars: number,
    now: number,
  ): { from: number; to: number } {
    const to = this.historyEnd(now);
    const from = this.rules
      .calendarFor(symbol)
      .startOfLastOpenMinutes(
        to,
        bars * (tfMs(tf) / MINUTE),
        to - this.rules.maxSpanMinutes * MINUTE,
      );
    return { from, to };
  }

  /**
   * The warmup on start of one target: the plan of a V1 `fxcm_warmup {symbol, tf,
   * min_history_bars: bars}` (same window, same history job, same republish), its jobs and
   * request marked `warmup_on_start`. Subject to the targets and the rate limit like a command.
   */
  startWarmup(symbol: string, tf: Timeframe, bars: number, now: number): CommandDecision {
    const type = 'fxcm_warmup';
    if (!this.rules.universe.has(symbol, tf)) {
      return refuse('ignored', type, 'tf_not_targeted', `${symbol} ${tf} is not an active target`);
    }
    const n = Math.min(this.rules.maxRepublishBars, bars);
    const { from, to } = this.warmupWindow(symbol, tf, n, now);
    const decision = this.plan(type, [symbol], tf, from, to, now, [{ symbol, tf, bars: n }]);
    if (decision.result !== 'accepted') return decision;
    const reqId = `${START_WARMUP_REASON}:${symbol}:${tf}:${now}`;
    return {
      ...decision,
      reqId,
      jobs: decision.jobs.map(({ job, jobId }) => ({
        job: { ...job, reason: START_WARMUP_REASON, req_id: reqId },
        jobId: `${START_WARMUP_REASON}-${jobId}`,
      })),
    };
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
    if (type === 'unknown') {
      return refuse('rejected', type, 'unknown_command', `unknown command ${quote(body.cmd)}`);
    }
    const handler = this.v2Handlers[type];
    if (!handler) {
      return refuse(
        'rejected',
        type,
        'not_implemented',
        `${type} is a V2 command this suite does not run yet`,
      );
    }
    const decision = handler(args, now);
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
    const symbols = this.symbolsArg(type, args.symbols, ['XAUUSD']);
    if (!Array.isArray(symbols)) return symbols;
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

  /**
   * V2 `fxcm_tail_guard {symbols (default: every active symbol), window_hours (48), repair
   * (false), republish_after_repair (true), end_ms?}`: a `tail_guard` instruction to the bar
   * builders, which own the store (see docs/commands.md).
   */
  private v2TailGuard(args: Record<string, unknown>, now: number): CommandDecision {
    const type = 'fxcm_tail_guard';
    const symbols = this.symbolsArg(type, args.symbols, this.rules.universe.symbols());
    if (!Array.isArray(symbols)) return symbols;
    const hours = windowHoursOf(args.window_hours);
    if (hours === undefined) return refuse('rejected', type, 'invalid_args', WINDOW_HOURS_RULE);
    for (const flag of ['repair', 'republish_after_repair', 'republish_force'] as const) {
      if (args[flag] !== undefined && typeof args[flag] !== 'boolean') {
        return refuse('rejected', type, 'invalid_args', `args.${flag} must be true or false`);
      }
    }
    const end = args.end_ms;
    if (end !== undefined && !(typeof end === 'number' && Number.isSafeInteger(end) && end > 0)) {
      return refuse('rejected', type, 'invalid_args', 'args.end_ms must be epoch ms');
    }
    const admitted = this.admit(type, symbols, '1m', now);
    if (!Array.isArray(admitted)) return admitted;
    return accept(type, admitted, now, {
      controls: [
        {
          cmd: 'tail_guard',
          target: 'bar-builder',
          args: {
            symbols: admitted,
            window_hours: hours,
            repair: args.repair === true,
            republish: args.republish_after_repair !== false,
            ...(end !== undefined ? { end_ms: Math.min(end, this.historyEnd(now)) } : {}),
          },
        },
      ],
    });
  }

  /**
   * V2 `fxcm_republish_tail {symbol | symbols, timeframes (default [1m]), window_hours (48) |
   * bars}`: the last bars of each (symbol, tf) from the store again, `source="history_s3"`.
   */
  private v2RepublishTail(args: Record<string, unknown>, now: number): CommandDecision {
    const type = 'fxcm_republish_tail';
    const symbols = this.symbolsArg(type, args.symbols ?? args.symbol, undefined);
    if (!Array.isArray(symbols)) return symbols;
    const rawTfs = args.timeframes ?? args.tf ?? ['1m'];
    const tfList: unknown[] =
      typeof rawTfs === 'string' ? [rawTfs] : Array.isArray(rawTfs) ? rawTfs : [];
    if (tfList.length === 0 || tfList.length > 7) {
      return refuse('rejected', type, 'invalid_args', 'args.timeframes must list 1..7 timeframes');
    }
    const tfs: Timeframe[] = [];
    for (const raw of tfList) {
      const tf = timeframeOf(raw);
      if (!tf.ok) return refuse('rejected', type, 'invalid_timeframe', tf.detail);
      if (!tfs.includes(tf.value)) tfs.push(tf.value);
    }
    const bars = args.bars;
    const hours = windowHoursOf(args.window_hours);
    if (
      bars !== undefined &&
      !(typeof bars === 'number' && Number.isSafeInteger(bars) && bars > 0)
    ) {
      return refuse('rejected', type, 'invalid_args', 'args.bars must be a positive integer');
    }
    if (hours === undefined) return refuse('rejected', type, 'invalid_args', WINDOW_HOURS_RULE);
    const admitted = this.admit(type, symbols, tfs.join(','), now);
    if (!Array.isArray(admitted)) return admitted;
    const republish = admitted.flatMap((symbol) =>
      tfs.map((tf) => ({
        symbol,
        tf,
        bars: Math.min(
          this.rules.maxRepublishBars,
          typeof bars === 'number' ? bars : Math.ceil((hours * 60) / (tfMs(tf) / MINUTE)),
        ),
      })),
    );
    return accept(type, admitted, now, { republish });
  }

  /**
   * V2 `fxcm_bootstrap {warmup{}, backfill{}, republish_tail{}, tail_guard{}}`: the warmup
   * (always; its args or the defaults), then the backfill and the tail republish when given,
   * then the tail guard (always) once their history is in. A step refused as `rejected` refuses
   * the whole command; a step `ignored` (not targeted, rate limited) is left out.
   */
  private v2Bootstrap(args: Record<string, unknown>, now: number): CommandDecision {
    const type = 'fxcm_bootstrap';
    const steps: [string, (a: Record<string, unknown>) => CommandDecision, boolean][] = [
      ['warmup', (a) => this.v2Warmup(a, now), true],
      ['backfill', (a) => this.v2Backfill(a, now), false],
      ['republish_tail', (a) => this.v2RepublishTail(a, now), false],
      ['tail_guard', (a) => this.v2TailGuard(a, now), true],
    ];
    const accepted: Extract<CommandDecision, { result: 'accepted' }>[] = [];
    const skipped: string[] = [];
    for (const [name, run, always] of steps) {
      const stepArgs = args[name];
      if (stepArgs === undefined && !always) continue;
      if (
        stepArgs !== undefined &&
        (typeof stepArgs !== 'object' || stepArgs === null || Array.isArray(stepArgs))
      ) {
        return refuse('rejected', type, 'invalid_args', `args.${name} must be an object`);
      }
      const d = run((stepArgs ?? {}) as Record<string, unknown>);
      if (d.result === 'accepted') accepted.push(d);
      else if (d.result === 'ignored') skipped.push(`${name}: ${d.code}`);
      else return refuse(d.result, type, d.code, `${name}: ${d.detail}`);
    }
    if (accepted.length === 0) {
      return refuse(
        'ignored',
        type,
        'symbol_not_targeted',
        `every step was left out (${skipped.join('; ')})`,
      );
    }
    return {
      result: 'accepted',
      code: 'ok',
      type,
      reqId: `${type}:${now}`,
      jobs: accepted.flatMap((d) => d.jobs),
      republish: accepted.flatMap((d) => d.republish),
      controls: accepted.flatMap((d) => d.controls ?? []),
    };
  }

  /** A symbol or a list of 1..64 symbols, parsed; `fallback` when absent (else required). */
  private symbolsArg(
    type: CommandTypeLabel,
    raw: unknown,
    fallback: string[] | undefined,
  ): string[] | CommandRefusal {
    if (raw === undefined && fallback !== undefined) return fallback;
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
      if (!symbols.includes(symbol.value)) symbols.push(symbol.value);
    }
    return symbols;
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
    const fresh = this.admit(type, symbols, tf, now);
    if (!Array.isArray(fresh)) return fresh;
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
          target_tf: tf,
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

  /** The targeted symbols not rate limited for (type, tf), marked as seen now; else why none. */
  private admit(
    type: CommandTypeLabel,
    symbols: string[],
    tf: string,
    now: number,
  ): string[] | CommandRefusal {
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
    return fresh;
  }

  // The rate-limit memory only needs the last few seconds.
  private forgetOld(now: number): void {
    if (this.lastSeen.size < 1_000) return;
    for (const [key, at] of this.lastSeen)
      if (now - at >= this.rules.rateLimitMs) this.lastSeen.delete(key);
  }
}

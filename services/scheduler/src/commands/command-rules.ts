import {
  checkContract,
  normalizeSymbol,
  parseTimeframe,
  tfMs,
  type HistoryJob,
  type Timeframe,
} from '@fxcm/contracts';

/** The V1 commands of `fxcm:commands`. */
export type CommandType = 'fxcm_warmup' | 'fxcm_backfill' | 'fxcm_set_universe';

/** Limits and targets the interpretation follows (V1 names in comments). */
export interface CommandRules {
  /** Normalized symbols of the stream targets; commands for others are ignored. */
  targets: ReadonlySet<string>;
  /** Backfill lookback clamp, minutes (`backfill_min_minutes` 10, `backfill_max_minutes` 360). */
  backfillMinMinutes: number;
  backfillMaxMinutes: number;
  /** Warmup depth when the command names none, in bars of its tf (`cache.warmup_bars`). */
  warmupBars: number;
  /** Longest warmup, minutes of 1m history (bounds one job). */
  warmupMaxMinutes: number;
  /** One command per (symbol, tf, type) per this many ms (V1: 2 s). */
  rateLimitMs: number;
  /** History ends this long before now: the current minute is still forming (V2: 2 min). */
  historyEndLagMs: number;
}

/** Defaults of {@link CommandRules} after V1. */
export const DEFAULT_COMMAND_RULES: Omit<CommandRules, 'targets'> = {
  backfillMinMinutes: 10,
  backfillMaxMinutes: 360,
  warmupBars: 1_600,
  warmupMaxMinutes: 7 * 24 * 60,
  rateLimitMs: 2_000,
  historyEndLagMs: 120_000,
};

/** What to do with one command. */
export type CommandDecision =
  | {
      result: 'accepted';
      type: CommandType;
      symbol: string;
      tf: Timeframe;
      job: HistoryJob;
      jobId: string;
    }
  | { result: 'ignored' | 'rejected'; type: string; reason: string; detail: string };

const MINUTE = 60_000;

/**
 * The scheduler's reading of SMC's V1 commands: `fxcm_warmup` and `fxcm_backfill` become a
 * history job for the gateway (1m bars over the lookback, ending two minutes ago); a command for
 * a symbol outside the stream targets, a repeat within the rate limit, or `fxcm_set_universe`
 * while the dynamic universe is off is ignored; anything malformed is rejected with the reason.
 * Pure apart from the rate-limit memory; `now` is passed in.
 */
export class CommandInterpreter {
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly rules: CommandRules) {}

  interpret(text: string, now: number): CommandDecision {
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
    if (typeof body.cmd === 'string') {
      return reject(
        body.cmd,
        'envelope_not_supported',
        'the V2 authenticated envelope {cmd, req_id, ts, args, auth} is not accepted yet; send the V1 {type: …} form',
      );
    }
    const type = body.type;
    if (type === 'fxcm_set_universe') {
      const check = checkContract('command-set-universe', body);
      if (!check.ok) return reject(type, 'contract_error', check.error);
      return {
        result: 'ignored',
        type,
        reason: 'dynamic_universe_disabled',
        detail: 'the dynamic universe is off (V1 default)',
      };
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
    if (!this.rules.targets.has(symbol)) {
      return {
        result: 'ignored',
        type,
        reason: 'symbol_not_targeted',
        detail: `${symbol} is not among the stream targets`,
      };
    }
    const tf = parseTimeframe(command.tf);
    const key = `${symbol}|${tf}|${type}`;
    const last = this.lastSeen.get(key);
    if (last !== undefined && now - last < this.rules.rateLimitMs) {
      return {
        result: 'ignored',
        type,
        reason: 'rate_limited',
        detail: `${type} ${symbol} ${tf} again within ${this.rules.rateLimitMs} ms`,
      };
    }
    this.lastSeen.set(key, now);
    this.forgetOld(now);

    const minutes = this.lookbackMinutes(type, tf, command);
    const to = Math.floor((now - this.rules.historyEndLagMs) / MINUTE) * MINUTE;
    const from = to - minutes * MINUTE;
    const job: HistoryJob = {
      symbol,
      tf: '1m',
      from,
      to,
      reason: type,
      req_id: `${type}:${symbol}:${tf}:${now}`,
    };
    return {
      result: 'accepted',
      type,
      symbol,
      tf,
      job,
      jobId: `${type}-${symbol}-${tf}-${from}-${to}`,
    };
  }

  private lookbackMinutes(
    type: 'fxcm_warmup' | 'fxcm_backfill',
    tf: Timeframe,
    command: { lookback_minutes?: number; min_history_bars?: number; lookback_bars?: number },
  ): number {
    const tfMinutes = tfMs(tf) / MINUTE;
    if (type === 'fxcm_backfill') {
      const asked = command.lookback_minutes ?? 60;
      return Math.min(
        this.rules.backfillMaxMinutes,
        Math.max(this.rules.backfillMinMinutes, asked),
      );
    }
    const bars = command.min_history_bars ?? command.lookback_bars;
    const asked = command.lookback_minutes ?? (bars ?? this.rules.warmupBars) * tfMinutes;
    return Math.min(this.rules.warmupMaxMinutes, Math.max(1, asked));
  }

  // The rate-limit memory only needs the last few seconds.
  private forgetOld(now: number): void {
    if (this.lastSeen.size < 1_000) return;
    for (const [key, at] of this.lastSeen)
      if (now - at >= this.rules.rateLimitMs) this.lastSeen.delete(key);
  }
}

function reject(type: string, reason: string, detail: string): CommandDecision {
  return { result: 'rejected', type, reason, detail };
}

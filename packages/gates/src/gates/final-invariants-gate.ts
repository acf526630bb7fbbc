import { setTimeout as sleep } from 'node:timers/promises';
import { calendarFor as shippedCalendarFor, type TradingCalendar } from '@fxcm/calendar';
import { parseTimeframe, tfMs, verifyOhlcvSignature } from '@fxcm/contracts';
import { refuseDirectStart } from '../direct-start';
import { symbolsOf, type Gate, type GateResult } from '../gate';
import { intArg } from '../gate-args';

interface WireBar {
  open_time?: unknown;
  complete?: unknown;
  source?: unknown;
}

/** What the gate remembers of one final key. */
interface FinalSeen {
  readonly source: string;
  readonly text: string;
}

/** Checks the finals of a stream of `fxcm:ohlcv` messages; pure, fed one message at a time. */
export class FinalInvariants {
  readonly faults: string[] = [];
  finals = 0;
  revisions = 0;
  warmupBars = 0;
  unsigned = 0;
  private readonly seen = new Map<string, FinalSeen>();
  private readonly lastOpen = new Map<string, number>();

  /**
   * @param hmacSecret the deployment's `fxcm:ohlcv` secret, when it signs
   * @param calendarFor the deployment's calendar (the shipped one by default)
   */
  constructor(
    private readonly hmacSecret?: string,
    private readonly calendarFor: (symbol: string) => TradingCalendar = shippedCalendarFor,
  ) {}

  /** Takes one message as published (its text, so the signature can be checked). */
  take(text: string): void {
    let message: {
      symbol?: unknown;
      tf?: unknown;
      bars?: unknown;
      source?: unknown;
      sig?: unknown;
    };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      this.fault(`a message is not JSON: ${text.slice(0, 80)}`);
      return;
    }
    if (this.hmacSecret !== undefined && !verifyOhlcvSignature(text, this.hmacSecret)) {
      this.fault(`${String(message.symbol)} ${String(message.tf)}: signature does not verify`);
    }
    if (message.sig === undefined) this.unsigned++;
    const symbol = String(message.symbol);
    let tf;
    try {
      tf = parseTimeframe(String(message.tf));
    } catch {
      this.fault(`${symbol}: unknown timeframe ${String(message.tf)}`);
      return;
    }
    const bars = Array.isArray(message.bars) ? (message.bars as WireBar[]) : [];
    for (const bar of bars) {
      if (bar.complete !== true) continue;
      const openTime = Number(bar.open_time);
      const source = String(bar.source ?? message.source ?? '');
      // A warmup re-sends stored history (V1 `history_s3`): not a new final, checked for shape only.
      if (source === 'history_s3') {
        this.warmupBars++;
        continue;
      }
      this.finals++;
      const key = `${symbol} ${tf} ${new Date(openTime).toISOString()}`;
      const calendar = this.calendarFor(symbol);
      if (calendar.openMinutes(openTime, openTime + tfMs(tf)) === 0) {
        this.fault(`${key}: a final inside a closed interval`);
      }
      const barText = JSON.stringify(bar);
      const before = this.seen.get(key);
      if (before !== undefined) {
        if (before.source !== source)
          this.fault(`${key}: NoMix broken (${before.source} then ${source})`);
        else if (before.text === barText) this.fault(`${key}: published twice`);
        else if (tf === '1m') this.fault(`${key}: a final 1m bar changed`);
        else this.revisions++;
        this.seen.set(key, { source, text: barText });
        continue;
      }
      this.seen.set(key, { source, text: barText });
      const series = `${symbol} ${tf}`;
      const last = this.lastOpen.get(series);
      if (last !== undefined && openTime <= last) {
        this.fault(
          `${key}: open_time not after the previous final (${new Date(last).toISOString()})`,
        );
      }
      this.lastOpen.set(series, Math.max(openTime, last ?? openTime));
    }
  }

  /** The final keys seen (`SYMBOL tf ISO-open-time`), history re-sends left out. */
  finalKeys(): Set<string> {
    return new Set(this.seen.keys());
  }

  private fault(text: string): void {
    if (this.faults.length < 1_000) this.faults.push(text);
  }
}

/**
 * Live finals keep their promises over `seconds`: every final is complete and inside an open
 * interval, one source per key (NoMix), open_time increasing per series, each published once,
 * signed when the deployment signs. At least `minFinals` must arrive while a target is open.
 */
export const finalInvariantsGate: Gate = {
  name: 'final-invariants',
  description: 'finals over N seconds: none in a closed interval, NoMix, monotonic, exactly once',
  async run(context, args): Promise<GateResult> {
    const seconds = intArg(args, 'seconds', 300, 1, 86_400);
    const minFinals = intArg(args, 'minFinals', 1, 0, 1_000_000);
    const { deployment } = context;
    const check = new FinalInvariants(deployment.hmacSecret, (s) => deployment.calendarFor(s));
    const subscriber = context.redis.duplicate();
    const start = context.now();
    try {
      subscriber.on('message', (_channel: string, text: string) => check.take(text));
      await subscriber.subscribe(deployment.channels.ohlcv);
      await sleep(seconds * 1_000);
    } finally {
      subscriber.disconnect();
    }
    const end = context.now();
    const facts = {
      seconds,
      finals: check.finals,
      revisions: check.revisions,
      warmupBars: check.warmupBars,
      unsigned: check.unsigned,
      faults: check.faults,
    };
    context.pack.write('final-invariants', 'finals', facts);
    const anyOpen = symbolsOf(deployment).some(
      (s) => deployment.calendarFor(s).openMinutes(start - (start % 60_000), end) > 1,
    );
    if (check.faults.length > 0) {
      return {
        verdict: 'fail',
        summary: `${check.faults.length} fault(s): ${check.faults[0]}`,
        facts,
      };
    }
    if (!anyOpen && check.finals === 0) {
      return { verdict: 'skip', summary: 'no target market was open during the window', facts };
    }
    if (check.finals < minFinals) {
      return {
        verdict: 'fail',
        summary: `${check.finals} final(s) in ${seconds} s, fewer than ${minFinals}`,
        facts,
      };
    }
    return {
      verdict: 'pass',
      summary: `${check.finals} final(s) in ${seconds} s, every invariant held`,
      facts,
    };
  },
};

if (require.main === module) refuseDirectStart('final-invariants');

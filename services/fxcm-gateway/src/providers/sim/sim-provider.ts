import { calendarFor, type TradingCalendar } from '@fxcm/calendar';
import { systemClock, type Clock } from '../../connection/clock';
import {
  ConnectionDriver,
  runLiveLoop,
  type LiveSession,
} from '../../connection/connection-driver';
import {
  ConnectionMachine,
  DEFAULT_CONNECTION_POLICY,
  type ConnectionPolicy,
} from '../../connection/connection-machine';
import { FxcmError } from '../fxcm-rest/fxcm-errors';
import type { QuoteProvider, TickSink } from '../provider';
import { mulberry32, SimMarket } from './sim-market';

/** How far into a minute the simulator starts preparing the next one's quotes, ms. */
const PREPARE_FROM_MS = 10_000;

/** Index of the first of a minute's quote times (increasing) later than `ts`. */
function firstAfter(times: Float64Array, ts: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A fault the simulator can produce on demand. */
export type SimFault =
  /** The connection drops; reconnects fail until `forMs` has passed. */
  | { kind: 'disconnect'; forMs: number }
  /** Quotes stop while the connection stays up, until a resubscribe or `forMs`. */
  | { kind: 'stale'; forMs: number }
  /** Quote intensity × `factor` for `forMs`. */
  | { kind: 'burst'; forMs: number; factor: number }
  /** The next pulse sends `count` malformed quotes (NaN, crossed, seconds epoch) the rails must reject. */
  | { kind: 'bad_ticks'; count: number }
  /** Logins are refused (bad token) until `forMs` has passed. */
  | { kind: 'auth'; forMs: number };

/** Options of {@link SimProvider}. */
export interface SimProviderOptions {
  symbols: readonly string[];
  /** Calendar of a symbol (default: the shipped calendar). */
  calendarFor?: (symbol: string) => TradingCalendar;
  seed: number;
  /** Quotes per second per symbol while open, instead of the session rates (load tests). */
  ticksPerSecond?: number;
  clock?: Clock;
  /** Loop period, default 100 ms. */
  stepMs?: number;
  /** Watermark grace, default 1 000 ms. */
  graceMs?: number;
  policy?: Partial<ConnectionPolicy>;
  /** Minutes missed during a fault; the gateway backfills them from history. */
  onBackfill?: (fromMs: number, toMs: number) => void;
}

/**
 * A live-like provider with no broker: deterministic quotes from {@link SimMarket} in the
 * clock's time, the same connection state machine as the real feed, and faults on demand.
 */
export class SimProvider implements QuoteProvider {
  readonly name = 'sim' as const;
  readonly market: SimMarket;
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private readonly clock: Clock;
  private stopped = false;
  private run: Promise<void> | undefined;
  private driver: ConnectionDriver | undefined;
  private connected = false;
  private subscribed = false;
  private cursor = 0;
  private downUntil = 0;
  private staleUntil = 0;
  private authUntil = 0;
  private burst: { until: number; factor: number } | undefined;
  private badTicks = 0;
  private readonly badRandom: () => number;
  /** The next minute being prepared ahead, and how many symbols have it ready. */
  private ahead = { minute: 0, prepared: 0 };

  constructor(private readonly opts: SimProviderOptions) {
    this.clock = opts.clock ?? systemClock();
    this.market = new SimMarket({
      seed: opts.seed,
      ...(opts.ticksPerSecond ? { ticksPerSecond: opts.ticksPerSecond } : {}),
      ...(opts.calendarFor ? { calendarOf: opts.calendarFor } : {}),
      intensity: (_symbol, minute) =>
        this.burst && minute < this.burst.until ? this.burst.factor : 1,
    });
    this.badRandom = mulberry32(opts.seed ^ 0x5eed);
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  /** Produces a fault now (tests, demos). */
  inject(fault: SimFault): void {
    const now = this.clock.now();
    switch (fault.kind) {
      case 'disconnect':
        this.downUntil = now + fault.forMs;
        if (this.connected) {
          this.connected = false;
          this.subscribed = false;
          this.driver?.send({ type: 'disconnected', reason: 'simulated disconnect' });
        }
        return;
      case 'stale':
        this.staleUntil = now + fault.forMs;
        return;
      case 'burst':
        this.burst = { until: now + fault.forMs, factor: fault.factor };
        return;
      case 'bad_ticks':
        this.badTicks += fault.count;
        return;
      case 'auth':
        this.authUntil = now + fault.forMs;
        return;
    }
  }

  async start(sink: TickSink): Promise<void> {
    if (this.run) return;
    const symbols = this.opts.symbols;
    const calendars = symbols.map((s) => (this.opts.calendarFor ?? calendarFor)(s));
    const machine = new ConnectionMachine(
      {
        now: () => this.clock.now(),
        random: mulberry32(this.opts.seed ^ 0xc0ffee),
        isOpen: (ts) => calendars.some((c) => c.isOpen(ts)),
        nextOpen: (ts) => Math.min(...calendars.map((c) => c.nextOpen(ts))),
      },
      { ...DEFAULT_CONNECTION_POLICY, ...this.opts.policy },
    );
    const session: LiveSession = {
      connect: async () => {
        const now = this.clock.now();
        if (now < this.authUntil)
          throw new FxcmError('FXCM_AUTH_FAILED', 'simulated: token rejected');
        if (now < this.downUntil)
          throw new FxcmError('FXCM_NETWORK', 'simulated: connection refused');
        this.connected = true;
      },
      subscribe: async () => {
        this.subscribed = this.connected;
        this.cursor = this.clock.now();
      },
      resubscribe: async () => {
        this.staleUntil = 0;
        this.subscribed = this.connected;
      },
      disconnect: async () => {
        this.connected = false;
        this.subscribed = false;
      },
    };
    const driver = new ConnectionDriver({
      machine,
      session,
      sink,
      clock: this.clock,
      ...(this.opts.onBackfill ? { onBackfill: this.opts.onBackfill } : {}),
    });
    this.driver = driver;
    this.cursor = this.clock.now();
    driver.send({ type: 'start' });
    this.run = runLiveLoop({
      driver,
      sink,
      clock: this.clock,
      stepMs: this.opts.stepMs ?? 100,
      graceMs: this.opts.graceMs ?? 1_000,
      stopped: () => this.stopped,
      onPulse: (now) => this.pulse(sink, now),
    }).finally(() => this.resolveFinished());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.interrupt();
    await this.run;
  }

  /** Emits the quotes with event time in (cursor, now] while connected and subscribed. */
  private async pulse(sink: TickSink, now: number): Promise<void> {
    const from = this.cursor;
    this.cursor = Math.max(this.cursor, now);
    if (!this.connected || !this.subscribed || now < this.staleUntil) return;
    if (this.badTicks > 0) await this.emitBadTicks(sink, now);
    const ticks: Array<{ symbol: string; ts: number; bid: number; ask: number }> = [];
    for (const symbol of this.opts.symbols) {
      for (let m = Math.floor((from + 1) / 60_000) * 60_000; m <= now; m += 60_000) {
        const minute = this.market.ticksInMinute(symbol, m);
        // the quotes are in time order: start at the first one after `from`, stop past `now`
        for (let i = firstAfter(minute.ts, from); i < minute.length && minute.ts[i]! <= now; i += 1)
          ticks.push({ symbol, ts: minute.ts[i]!, bid: minute.bid[i]!, ask: minute.ask[i]! });
      }
    }
    ticks.sort((a, b) => a.ts - b.ts);
    for (const t of ticks) {
      this.driver?.send({ type: 'tick', ts: t.ts });
      await sink.tick({ symbol: t.symbol, ts: t.ts, bid: t.bid, ask: t.ask, recvTs: now });
    }
    this.prepareAhead(now);
  }

  /**
   * Prepares the next minute's quotes a slice of symbols per pulse, from {@link PREPARE_FROM_MS}
   * into the current minute (clear of its start, when the last minute's final bars are being
   * built and published) and within ~20 s, so no pulse (and no watermark) waits for a whole
   * minute of every symbol to be computed at once.
   */
  private prepareAhead(now: number): void {
    const current = Math.floor(now / 60_000) * 60_000;
    if (now - current < PREPARE_FROM_MS) return;
    const next = current + 60_000;
    if (this.ahead.minute !== next) this.ahead = { minute: next, prepared: 0 };
    const symbols = this.opts.symbols;
    const slice = Math.ceil(symbols.length / 200);
    const end = Math.min(symbols.length, this.ahead.prepared + slice);
    for (let i = this.ahead.prepared; i < end; i += 1) this.market.prepare(symbols[i]!, next);
    this.ahead.prepared = end;
  }

  private async emitBadTicks(sink: TickSink, now: number): Promise<void> {
    const symbol = this.opts.symbols[0] ?? 'EURUSD';
    const mid = this.market.midAt(symbol, now);
    const kinds = [
      { ts: now, bid: Number.NaN, ask: mid },
      { ts: now, bid: mid * 1.01, ask: mid },
      { ts: Math.floor(now / 1000), bid: mid, ask: mid * 1.0001 },
      { ts: now, bid: -mid, ask: mid },
    ];
    while (this.badTicks > 0) {
      this.badTicks -= 1;
      const bad = kinds[Math.floor(this.badRandom() * kinds.length)]!;
      await sink.tick({ symbol, ...bad, recvTs: now });
    }
  }
}

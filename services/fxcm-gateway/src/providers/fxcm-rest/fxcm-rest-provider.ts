import { calendarFor, type TradingCalendar } from '@fxcm/calendar';
import { normalizeSymbol } from '@fxcm/contracts';
import { systemClock, type Clock } from '../../connection/clock';
import { ConnectionDriver, runLiveLoop } from '../../connection/connection-driver';
import {
  ConnectionMachine,
  DEFAULT_CONNECTION_POLICY,
  type ConnectionPolicy,
} from '../../connection/connection-machine';
import type { CandleSource } from '../../history/candle-source';
import type { QuoteProvider, TickSink } from '../provider';
import type { FxcmError } from './fxcm-errors';
import { FxcmRestSession, type SocketIdSource } from './fxcm-rest-session';
import type { PriceEvent } from './price-event';

/** Options of {@link FxcmRestProvider}. */
export interface FxcmRestProviderOptions {
  baseUrl: string;
  token: string;
  symbols: readonly string[];
  /** Calendar of a symbol (default: the shipped calendar). */
  calendarFor?: (symbol: string) => TradingCalendar;
  socketIdSource?: SocketIdSource;
  clock?: Clock;
  policy?: Partial<ConnectionPolicy>;
  /** Watermark grace, default 1 000 ms. */
  graceMs?: number;
  /** Loop period, default 100 ms. */
  stepMs?: number;
  onBackfill?: (fromMs: number, toMs: number) => void;
  /** Unreadable price updates and candle rows (counted by the gateway). */
  onBadInput?: (err: FxcmError) => void;
  /** Updates dropped as repeats or out of order, per symbol. */
  onDuplicate?: (symbol: string) => void;
  /** The sink failed on a pushed quote (a socket event cannot await it). */
  onSinkError?: (err: unknown) => void;
}

/**
 * The live FXCM feed over the Socket REST API, driven by the connection state machine. Updates
 * are passed on once: a repeat of the last (time, bid, ask) of a symbol, or an update older
 * than the last one passed on, is dropped and counted (FXCM re-sends the current quote on
 * subscribe, so a reconnect would otherwise duplicate it).
 */
export class FxcmRestProvider implements QuoteProvider {
  readonly name = 'fxcm-rest' as const;
  readonly finished: Promise<void>;
  readonly session: FxcmRestSession;
  private resolveFinished!: () => void;
  private readonly clock: Clock;
  private stopped = false;
  private run: Promise<void> | undefined;
  private driver: ConnectionDriver | undefined;
  private sink: TickSink | undefined;
  private readonly last = new Map<string, { ts: number; bid: number; ask: number }>();

  constructor(private readonly opts: FxcmRestProviderOptions) {
    this.clock = opts.clock ?? systemClock();
    this.session = new FxcmRestSession({
      baseUrl: opts.baseUrl,
      token: opts.token,
      symbols: opts.symbols,
      socketIdSource: opts.socketIdSource ?? 'socket',
      now: () => this.clock.now(),
      onPrice: (event) => this.onPrice(event),
      onBadPrice: (err) => opts.onBadInput?.(err),
      onDisconnect: (reason) => this.driver?.send({ type: 'disconnected', reason }),
    });
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  /** History over the same session (FXCM_NOT_READY while disconnected). */
  get candles(): CandleSource {
    return this.session;
  }

  /** The connection state (tests, status). */
  get state(): string {
    return this.driver?.state ?? 'idle';
  }

  async start(sink: TickSink): Promise<void> {
    if (this.run) return;
    this.sink = sink;
    const calendars = this.opts.symbols.map((s) => (this.opts.calendarFor ?? calendarFor)(s));
    const machine = new ConnectionMachine(
      {
        now: () => this.clock.now(),
        random: Math.random,
        isOpen: (ts) => calendars.some((c) => c.isOpen(ts)),
        nextOpen: (ts) => Math.min(...calendars.map((c) => c.nextOpen(ts))),
      },
      { ...DEFAULT_CONNECTION_POLICY, ...this.opts.policy },
    );
    const driver = new ConnectionDriver({
      machine,
      session: this.session,
      sink,
      clock: this.clock,
      ...(this.opts.onBackfill ? { onBackfill: this.opts.onBackfill } : {}),
    });
    this.driver = driver;
    driver.send({ type: 'start' });
    this.run = runLiveLoop({
      driver,
      sink,
      clock: this.clock,
      stepMs: this.opts.stepMs ?? 100,
      graceMs: this.opts.graceMs ?? 1_000,
      stopped: () => this.stopped,
    }).finally(() => this.resolveFinished());
  }

  /** The dynamic universe: the session subscribes and unsubscribes in place. */
  setSymbols(symbols: readonly string[]): Promise<void> {
    return this.session.setSymbols(symbols);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.interrupt();
    await this.run;
    await this.session.disconnect();
  }

  private onPrice(event: PriceEvent): void {
    const symbol = normalizeSymbol(event.symbol);
    const prev = this.last.get(symbol);
    if (
      prev &&
      (event.ts < prev.ts ||
        (event.ts === prev.ts && event.bid === prev.bid && event.ask === prev.ask))
    ) {
      this.opts.onDuplicate?.(symbol);
      return;
    }
    this.last.set(symbol, { ts: event.ts, bid: event.bid, ask: event.ask });
    this.driver?.send({ type: 'tick', ts: event.ts });
    const sent = this.sink?.tick({
      symbol: event.symbol,
      ts: event.ts,
      bid: event.bid,
      ask: event.ask,
      recvTs: this.clock.now(),
    });
    if (sent) sent.catch((err: unknown) => this.opts.onSinkError?.(err));
  }
}

import type { IngestedBar } from '../ohlcv-rails';

/** The public channels the viewer follows besides `fxcm:ohlcv`. */
export type LiveChannel = 'status' | 'heartbeat' | 'market_status' | 'price';

/** One update pushed to live viewers. */
export type LiveEvent =
  | { type: 'bars'; symbol: string; tf: string; source?: string; bars: IngestedBar[] }
  | { type: LiveChannel; payload: Record<string, unknown>; received_ms: number };

/** A message last seen on a channel, with when it arrived (wall ms). */
export interface LastSeen {
  payload: Record<string, unknown>;
  received_ms: number;
}

/** The last message of every followed channel, as `GET /status` and a new viewer see it. */
export interface LiveSnapshot {
  status: LastSeen | null;
  heartbeat: LastSeen | null;
  market_status: LastSeen | null;
  /** Last price snapshot per whitelisted symbol. */
  prices: Record<string, LastSeen>;
}

/**
 * What the live viewers see: verified bars as they are ingested (previews too) and the last
 * status, heartbeat, market status and prices. Holds one message per channel and one price per
 * whitelisted symbol, so its memory is bounded whatever arrives.
 */
export class LiveFeed {
  private readonly last = new Map<Exclude<LiveChannel, 'price'>, LastSeen>();
  private readonly prices = new Map<string, LastSeen>();
  private readonly listeners = new Set<(event: LiveEvent) => void>();

  constructor(
    private readonly allowedSymbols: ReadonlySet<string>,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes one message of a followed channel. Returns the reason it was refused — not a JSON
   * object, or a price of a symbol outside the whitelist — or undefined when it was taken.
   */
  onChannelMessage(channel: LiveChannel, text: string): string | undefined {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return 'invalid_json';
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      return 'not_an_object';
    const seen: LastSeen = { payload: payload as Record<string, unknown>, received_ms: this.now() };
    if (channel === 'price') {
      const symbol = seen.payload.symbol;
      if (typeof symbol !== 'string' || !this.allowedSymbols.has(symbol.toUpperCase()))
        return 'symbol_not_allowed';
      this.prices.set(symbol.toUpperCase(), seen);
    } else {
      this.last.set(channel, seen);
    }
    this.emit({ type: channel, ...seen });
    return undefined;
  }

  /** Bars that passed the signature check and the rails (previews included). */
  onBars(symbol: string, tf: string, source: string | undefined, bars: IngestedBar[]): void {
    this.emit({ type: 'bars', symbol, tf, ...(source === undefined ? {} : { source }), bars });
  }

  /** The last message of each channel. */
  snapshot(): LiveSnapshot {
    return {
      status: this.last.get('status') ?? null,
      heartbeat: this.last.get('heartbeat') ?? null,
      market_status: this.last.get('market_status') ?? null,
      prices: Object.fromEntries(this.prices),
    };
  }

  /** Calls `listener` with every later event; returns the unsubscribe. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many listeners are subscribed. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  private emit(event: LiveEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

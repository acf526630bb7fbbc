import { normalizeSymbol, toFxcmInstrument } from '@fxcm/contracts';
import { io, type Socket } from 'socket.io-client';
import type { LiveSession } from '../../connection/connection-driver';
import type { CandleSource } from '../../history/candle-source';
import { chunkRange, parseCandlesAnswer, type FxcmCandle } from './candles';
import { FxcmError, isFxcmError } from './fxcm-errors';
import {
  defaultOfferTable,
  offerTableOf,
  resolveOffer,
  type Offer,
  type OfferTable,
} from './offers';
import { parsePriceEvent, type PriceEvent } from './price-event';
import { FxcmRestClient } from './rest-client';

/** Which id goes before the token in the bearer (FXCM's expectation after 2021 is unverified). */
export type SocketIdSource = 'socket' | 'engine';

/** Options of {@link FxcmRestSession}. */
export interface FxcmRestSessionOptions {
  baseUrl: string;
  token: string;
  symbols: readonly string[];
  socketIdSource: SocketIdSource;
  /** A parsed price update from the current connection. */
  onPrice: (event: PriceEvent) => void;
  /** An unreadable price update or candle row (counted, never fatal). */
  onBadPrice: (err: FxcmError) => void;
  /** The current connection dropped. */
  onDisconnect: (reason: string) => void;
  /** Socket connect timeout, ms (default 20 000). */
  connectTimeoutMs?: number;
  now?: () => number;
}

const MINUTE = 60_000;

/**
 * One FXCM Socket REST session at a time: socket.io v4 with `access_token`, the bearer built
 * from the socket id, offer ids from the Offer model, one `/subscribe` and one event listener per
 * symbol per connection. `disconnect()` drops the socket and its listeners, so a reconnect can
 * never leave a second subscription or a second listener behind.
 */
export class FxcmRestSession implements LiveSession, CandleSource {
  readonly client: FxcmRestClient;
  readonly maxCandlesPerRequest = 10_000;
  private socket: Socket | undefined;
  private offers: OfferTable = defaultOfferTable();
  private idSource: SocketIdSource;
  private readonly now: () => number;
  /** The symbols subscribed on every (re)connect; {@link setSymbols} changes them live. */
  private symbols: readonly string[];

  constructor(private readonly opts: FxcmRestSessionOptions) {
    this.client = new FxcmRestClient({ baseUrl: opts.baseUrl, token: opts.token });
    this.idSource = opts.socketIdSource;
    this.now = opts.now ?? Date.now;
    this.symbols = [...opts.symbols];
  }

  /** The symbols the session streams. */
  get subscribedSymbols(): readonly string[] {
    return this.symbols;
  }

  /**
   * Streams `symbols` from now on without a reconnect: `/unsubscribe` and the listener removed
   * for the dropped ones, `/subscribe` for the new ones (once: a symbol already streaming is
   * left alone). Disconnected, the list is only kept for the next connect.
   */
  async setSymbols(symbols: readonly string[]): Promise<void> {
    // Compared in wire spelling: 'EUR/USD' and 'EURUSD' are one subscription.
    const current = new Set(this.symbols.map((s) => normalizeSymbol(s)));
    const next = [...new Map(symbols.map((s) => [normalizeSymbol(s), s])).values()];
    const wanted = new Set(next.map((s) => normalizeSymbol(s)));
    const dropped = this.symbols.filter((s) => !wanted.has(normalizeSymbol(s)));
    const added = next.filter((s) => !current.has(normalizeSymbol(s)));
    this.symbols = [...this.symbols.filter((s) => wanted.has(normalizeSymbol(s))), ...added];
    const socket = this.socket;
    if (!socket) return;
    for (const symbol of dropped) {
      const instrument = this.offerOf(symbol).instrument;
      socket.removeAllListeners(instrument);
      await this.client.request('POST', '/unsubscribe', { pairs: instrument });
    }
    if (added.length > 0) await this.subscribeTo(socket, added);
  }

  /** The id source in use (it flips once to the other on a 401 with the configured one). */
  get socketIdSource(): SocketIdSource {
    return this.idSource;
  }

  async connect(): Promise<void> {
    await this.disconnect();
    const socket = io(this.opts.baseUrl, {
      query: { access_token: this.opts.token },
      transports: ['websocket'],
      reconnection: false, // the connection state machine owns reconnects
      forceNew: true,
      timeout: this.opts.connectTimeoutMs ?? 20_000,
    });
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err: Error) => {
        const auth = /token|unauthori[sz]ed|401/i.test(err.message);
        reject(
          new FxcmError(
            auth ? 'FXCM_AUTH_FAILED' : 'FXCM_NETWORK',
            `socket connect: ${err.message}`,
          ),
        );
      });
    });
    socket.on('disconnect', (reason: string) => {
      if (this.socket === socket) this.opts.onDisconnect(reason);
    });
    this.offers = await this.loadOffers(socket);
  }

  /** Reads the Offer model; on a 401 tries the other socket id once and keeps whichever works. */
  private async loadOffers(socket: Socket): Promise<OfferTable> {
    const idOf = (source: SocketIdSource): string | undefined =>
      source === 'socket' ? socket.id : socket.io.engine?.id;
    this.client.setSocketId(idOf(this.idSource));
    try {
      return offerTableOf(
        await this.client.request('GET', '/trading/get_model', { models: 'Offer' }),
      );
    } catch (err) {
      if (!isFxcmError(err, 'FXCM_AUTH_FAILED')) throw err;
      const other: SocketIdSource = this.idSource === 'socket' ? 'engine' : 'socket';
      if (idOf(other) === idOf(this.idSource)) throw err;
      this.client.setSocketId(idOf(other));
      const table = offerTableOf(
        await this.client.request('GET', '/trading/get_model', { models: 'Offer' }),
      );
      this.idSource = other;
      return table;
    }
  }

  async subscribe(): Promise<void> {
    const socket = this.socket;
    if (!socket) throw new FxcmError('FXCM_NOT_READY', 'subscribe: not connected');
    await this.subscribeTo(socket, this.symbols);
  }

  private async subscribeTo(socket: Socket, symbols: readonly string[]): Promise<void> {
    for (const symbol of symbols) {
      const instrument = this.offerOf(symbol).instrument;
      await this.client.request('POST', '/subscribe', { pairs: instrument });
      if (socket.listeners(instrument).length === 0) {
        socket.on(instrument, (raw: unknown) => {
          if (this.socket !== socket) return;
          try {
            this.opts.onPrice(parsePriceEvent(raw, instrument));
          } catch (err) {
            this.opts.onBadPrice(err as FxcmError);
          }
        });
      }
    }
  }

  async resubscribe(): Promise<void> {
    for (const symbol of this.symbols) {
      const instrument = this.offerOf(symbol).instrument;
      await this.client
        .request('POST', '/unsubscribe', { pairs: instrument })
        .catch(() => undefined);
    }
    await this.subscribe();
  }

  async disconnect(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.client.setSocketId(undefined);
    if (socket) {
      socket.removeAllListeners();
      socket.close();
    }
  }

  private offerOf(symbol: string): Offer {
    const live = this.offers;
    try {
      return resolveOffer(symbol, live);
    } catch {
      // Not in either table: trust the spelling mapping (a new CFD).
      return { instrument: toFxcmInstrument(symbol), offerId: -1 };
    }
  }

  /** `/candles/{offerId}/m1` for `[fromMs, toMs)`, one request per ≤ 10 000-candle window. */
  async fetchM1(symbol: string, fromMs: number, toMs: number): Promise<FxcmCandle[]> {
    const offer = resolveOffer(normalizeSymbol(symbol), this.offers);
    const out: FxcmCandle[] = [];
    for (const w of chunkRange(fromMs, toMs, MINUTE, this.maxCandlesPerRequest)) {
      const body = await this.client.request('GET', `/candles/${offer.offerId}/m1`, {
        num: Math.round((w.toMs - w.fromMs) / MINUTE),
        from: Math.floor(w.fromMs / 1000),
        to: Math.floor((w.toMs - MINUTE) / 1000),
      });
      const parsed = parseCandlesAnswer(body, { periodMs: MINUTE, now: this.now() });
      for (const bad of parsed.bad) this.opts.onBadPrice(bad);
      for (const c of parsed.candles)
        if (c.ts >= w.fromMs && c.ts < w.toMs && c.ts >= fromMs && c.ts < toMs) out.push(c);
    }
    return out;
  }
}

/**
 * A local stand-in for FXCM's Socket REST API, speaking the documented protocol: socket.io v4
 * with `access_token` in the handshake query, `Authorization: Bearer <socketId><token>` on every
 * HTTP call, the `{"response":{"executed":…}}` envelope, `/trading/get_model?models=Offer`,
 * `/subscribe` + `/unsubscribe` (form-encoded `pairs`), price pushes as JSON strings on an event
 * named after the instrument, `/candles/{offerId}/{period}` rows in O,C,H,L order with epoch
 * seconds, and FXCM's error answers (401, 403 request quota, 5xx, `executed:false`).
 */
import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';

export interface FakeOffer {
  offerId: number;
  currency: string;
}

export interface FakeFxcmOptions {
  token: string;
  offers?: FakeOffer[];
  /** Which id the bearer must carry. */
  expectId?: 'socket' | 'engine';
  /** m1 candles `[tsSeconds, BO, BC, BH, BL, AO, AC, AH, AL, TickQty]` by offer id. */
  candles?: Map<number, number[][]>;
  /** The quote a `/subscribe` reply carries (default: a fixed EUR/USD-like quote at now). */
  subscribeQuote?: (pair: string) => { Updated: number; Rates: number[] };
}

/** A scripted answer for the next matching HTTP call. */
export interface ScriptedFailure {
  path: RegExp;
  status?: number;
  body: unknown;
}

export class FakeFxcmServer {
  readonly http: HttpServer;
  readonly io: Server;
  url = '';
  /** Every HTTP call: method, path, bearer, arrival time (epoch ms). */
  readonly calls: Array<{
    at: number;
    method: string;
    path: string;
    auth: string | undefined;
    query: URLSearchParams;
  }> = [];
  /** `/subscribe` calls per socket id and pair. */
  readonly subscriptions = new Map<string, string[]>();
  readonly failures: ScriptedFailure[] = [];
  /** HTTP calls allowed before answering 403 quota (Infinity: none). */
  quota = Infinity;
  /** While true, new connections fail with a network error (FXCM down, not a bad token). */
  refusing = false;
  private readonly offers: FakeOffer[];

  constructor(private readonly opts: FakeFxcmOptions) {
    this.offers = opts.offers ?? [
      { offerId: 1, currency: 'EUR/USD' },
      { offerId: 4001, currency: 'XAU/USD' },
    ];
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) =>
        this.send(res, 500, { Code: 0, Message: String(err) }),
      );
    });
    this.io = new Server(this.http);
    this.io.use((socket, next) => {
      if (this.refusing) {
        next(new Error('service unavailable'));
        return;
      }
      if (socket.handshake.query['access_token'] !== opts.token) {
        next(new Error('Your token is not valid, please contact admin@fxcm.com'));
        return;
      }
      next();
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.io.disconnectSockets(true);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }

  sockets(): Socket[] {
    return [...this.io.of('/').sockets.values()];
  }

  /** Pushes a price update to every socket subscribed to `instrument`. */
  push(instrument: string, updated: number, rates: number[]): number {
    let sent = 0;
    for (const socket of this.sockets()) {
      if (!(this.subscriptions.get(socket.id) ?? []).includes(instrument)) continue;
      socket.emit(
        instrument,
        JSON.stringify({ Updated: updated, Rates: rates, Symbol: instrument }),
      );
      sent += 1;
    }
    return sent;
  }

  /** Drops every connection from the server side. */
  kick(): void {
    this.io.disconnectSockets(true);
  }

  private idOf(socket: Socket): string {
    // engine.io's connection id is typed private but is the documented engine sid.
    const engineId = (socket.conn as unknown as { id: string }).id;
    return this.opts.expectId === 'engine' ? engineId : socket.id;
  }

  private socketFor(auth: string | undefined): Socket | undefined {
    return this.sockets().find((s) => auth === `Bearer ${this.idOf(s)}${this.opts.token}`);
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://x');
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const auth = req.headers.authorization;
    const query = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
    this.calls.push({ at, method: req.method ?? '', path: url.pathname, auth, query });
    const socket = this.socketFor(auth);
    if (!socket) {
      this.send(res, 401, { Code: 401, Message: 'Access token is not valid' });
      return;
    }
    if (this.calls.length > this.quota) {
      this.send(res, 403, {
        Code: 403,
        Message: 'The number of API requests per session has been exceeded',
      });
      return;
    }
    const scripted = this.failures.findIndex((f) => f.path.test(url.pathname));
    if (scripted >= 0) {
      const [f] = this.failures.splice(scripted, 1);
      this.send(res, f!.status ?? 200, f!.body);
      return;
    }
    const ok = { executed: true, error: '' };
    if (url.pathname === '/trading/get_model' && query.getAll('models').includes('Offer')) {
      this.send(res, 200, {
        response: ok,
        offers: this.offers.map((o) => ({ t: 0, ratePrecision: 5, ...o, sell: 1.1, buy: 1.1002 })),
      });
      return;
    }
    if (url.pathname === '/subscribe' || url.pathname === '/unsubscribe') {
      const pair = query.get('pairs') ?? '';
      const list = this.subscriptions.get(socket.id) ?? [];
      if (url.pathname === '/subscribe') list.push(pair);
      else list.splice(list.indexOf(pair) >>> 0, list.includes(pair) ? 1 : 0);
      this.subscriptions.set(socket.id, list);
      this.send(res, 200, {
        response: ok,
        pairs:
          url.pathname === '/subscribe'
            ? JSON.stringify({
                Symbol: pair,
                ...(this.opts.subscribeQuote?.(pair) ?? {
                  Updated: Date.now(),
                  Rates: [1.1, 1.1002, 1.2, 1],
                }),
              })
            : pair,
      });
      return;
    }
    const candles = /^\/candles\/(\d+)\/(\w+)$/.exec(url.pathname);
    if (candles) {
      const offerId = Number(candles[1]);
      const from = Number(query.get('from'));
      const to = Number(query.get('to'));
      const rows = (this.opts.candles?.get(offerId) ?? []).filter(
        (r) => r[0]! >= from && r[0]! <= to,
      );
      this.send(res, 200, {
        response: ok,
        instrument_id: String(offerId),
        period_id: candles[2],
        candles: rows,
      });
      return;
    }
    this.send(res, 404, { Code: 404, Message: `no route ${url.pathname}` });
  }
}

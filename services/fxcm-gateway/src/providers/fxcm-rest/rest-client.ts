import { checkEnvelope, FxcmError, httpError } from './fxcm-errors';

/** Options of {@link FxcmRestClient}. */
export interface FxcmRestClientOptions {
  /** `https://api-demo.fxcm.com:443` (demo) or `https://api.fxcm.com:443` (real). */
  baseUrl: string;
  /** The persistent access token (40 hex characters). */
  token: string;
  /** Per-request timeout, ms (default 30 000). */
  timeoutMs?: number;
}

type Params = Record<string, string | number | boolean | ReadonlyArray<string | number>>;

function encode(params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    // Multi-valued parameters repeat the key (models=Offer&models=Account).
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, String(v));
  }
  return search.toString();
}

/**
 * FXCM's HTTP side: every call carries `Authorization: Bearer <socketId><token>`, calls are
 * serialised (FXCM counts requests per session), and every answer goes through the envelope and
 * HTTP-status classification of `fxcm-errors`.
 */
export class FxcmRestClient {
  private socketId: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Requests sent since construction (tests, metrics). */
  requests = 0;

  constructor(private readonly opts: FxcmRestClientOptions) {}

  /** Sets the id half of the bearer (after each socket connect); undefined: not connected. */
  setSocketId(id: string | undefined): void {
    this.socketId = id;
  }

  get connected(): boolean {
    return this.socketId !== undefined;
  }

  /** GET or POST `path` with `params`; resolves with the answer body once `executed:true`. */
  request(
    method: 'GET' | 'POST',
    path: string,
    params: Params = {},
  ): Promise<Record<string, unknown>> {
    const run = this.queue.then(() => this.send(method, path, params));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    params: Params,
  ): Promise<Record<string, unknown>> {
    const socketId = this.socketId;
    if (socketId === undefined)
      throw new FxcmError('FXCM_NOT_READY', `${path}: no FXCM session (socket not connected)`);
    const query = encode(params);
    const url = `${this.opts.baseUrl}${path}${method === 'GET' && query ? `?${query}` : ''}`;
    this.requests += 1;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${socketId}${this.opts.token}`,
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded',
          'User-Agent': 'fxcm-gateway',
        },
        ...(method === 'POST' ? { body: query } : {}),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new FxcmError('FXCM_NETWORK', `${path}: ${(err as Error).message}`);
    }
    const text = await response.text().catch(() => '');
    let body: unknown = text;
    try {
      body = text === '' ? {} : (JSON.parse(text) as unknown);
    } catch {
      // Not JSON (a proxy's HTML error page): classified by status below.
    }
    if (!response.ok) throw httpError(response.status, body, path);
    if (typeof body === 'string')
      throw new FxcmError('FXCM_BAD_RESPONSE', `${path}: answer is not JSON`);
    return checkEnvelope(body, path);
  }
}

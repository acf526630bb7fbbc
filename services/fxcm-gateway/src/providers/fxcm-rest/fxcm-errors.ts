/**
 * FXCM's failure modes as coded errors. `transient` says whether a retry with backoff can help
 * (server errors, request quota, "not ready", a dropped network); the rest need a person or a fix.
 */
export type FxcmErrorCode =
  | 'FXCM_AUTH_FAILED'
  | 'FXCM_QUOTA_EXCEEDED'
  | 'FXCM_NOT_FOUND'
  | 'FXCM_SERVER_ERROR'
  | 'FXCM_NOT_READY'
  | 'FXCM_NOT_EXECUTED'
  | 'FXCM_BAD_RESPONSE'
  | 'FXCM_NETWORK'
  | 'FXCM_UNKNOWN_INSTRUMENT'
  | 'FXCM_BAD_PRICE_EVENT'
  | 'FXCM_BAD_CANDLE';

const TRANSIENT: ReadonlySet<FxcmErrorCode> = new Set([
  'FXCM_QUOTA_EXCEEDED',
  'FXCM_SERVER_ERROR',
  'FXCM_NOT_READY',
  'FXCM_NETWORK',
]);

/** An FXCM failure with a stable code; `status` is the HTTP status when there was one. */
export class FxcmError extends Error {
  readonly transient: boolean;
  constructor(
    readonly code: FxcmErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FxcmError';
    this.transient = TRANSIENT.has(code);
  }
}

/** True for an {@link FxcmError}, optionally of one code. */
export function isFxcmError(err: unknown, code?: FxcmErrorCode): err is FxcmError {
  return err instanceof FxcmError && (code === undefined || err.code === code);
}

function messageOf(body: unknown): string {
  if (body !== null && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    for (const key of ['Message', 'message', 'error']) {
      if (typeof o[key] === 'string' && o[key] !== '') return o[key];
    }
    const response = o['response'];
    if (response !== null && typeof response === 'object') return messageOf(response);
  }
  return typeof body === 'string' ? body.slice(0, 200) : '';
}

/**
 * Classifies a non-2xx HTTP answer: 401 → auth, 403 → request quota (FXCM's only documented
 * 403), 404 → unknown resource, 5xx (Cloudflare 520 included) and 429 → transient.
 */
export function httpError(status: number, body: unknown, what: string): FxcmError {
  const text = messageOf(body);
  const detail = `${what}: HTTP ${status}${text ? ` ${text}` : ''}`;
  if (status === 401) return new FxcmError('FXCM_AUTH_FAILED', detail, status);
  if (status === 403 || status === 429) return new FxcmError('FXCM_QUOTA_EXCEEDED', detail, status);
  if (status === 404) return new FxcmError('FXCM_NOT_FOUND', detail, status);
  if (status >= 500) return new FxcmError('FXCM_SERVER_ERROR', detail, status);
  return new FxcmError('FXCM_BAD_RESPONSE', detail, status);
}

/**
 * Checks the `{"response":{"executed":…,"error":…}}` envelope of a 200 answer and returns the
 * body. `executed:false` is a coded error: an "unauthorized"/token text is an auth failure, a
 * "not ready"/"try again" text is transient, anything else FXCM_NOT_EXECUTED.
 */
export function checkEnvelope(body: unknown, what: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new FxcmError('FXCM_BAD_RESPONSE', `${what}: answer is not a JSON object`);
  }
  const o = body as Record<string, unknown>;
  const response = o['response'];
  if (response === null || typeof response !== 'object') {
    throw new FxcmError('FXCM_BAD_RESPONSE', `${what}: answer has no "response" envelope`);
  }
  const r = response as Record<string, unknown>;
  if (r['executed'] === true) return o;
  const text = typeof r['error'] === 'string' ? r['error'] : '';
  const detail = `${what}: executed=false${text ? ` (${text})` : ''}`;
  if (/unauthori[sz]ed|token/i.test(text)) throw new FxcmError('FXCM_AUTH_FAILED', detail);
  if (/not ready|try again|temporar/i.test(text)) throw new FxcmError('FXCM_NOT_READY', detail);
  throw new FxcmError('FXCM_NOT_EXECUTED', detail);
}

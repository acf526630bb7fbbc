/**
 * How a failure is handled: `transport` (Redis unreachable, a lost reply: retry with capped,
 * jittered backoff, never count against the entry), `poison` (this entry cannot be handled:
 * redeliver until maxDeliveries, then dead-letter), `programmer` (a bug: crash, let the
 * orchestrator restart; the entry is dead-lettered once it has crashed maxDeliveries times).
 */
export type FailureClass = 'transport' | 'poison' | 'programmer';

const TRANSPORT_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

/** Redis replies that mean "not now" rather than "never" (loading, failover, full, busy script). */
const TRANSPORT_REPLY =
  /^(LOADING|READONLY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|NOREPLICAS|BUSY|OOM|MOVED|ASK)\b/;

/** ioredis' own messages for a connection that is gone or being re-established. */
const TRANSPORT_MESSAGE =
  /Connection is closed|Stream isn't writeable|Reached the max retries per request|Command timed out|Too many Cluster redirections|Failed to refresh slots cache|None of startup nodes is available|Cluster isn't ready/;

const PROGRAMMER_ERRORS = [TypeError, ReferenceError, SyntaxError, RangeError, EvalError, URIError];

/**
 * The default classification. An error may state its class itself with a `failureClass`
 * property (e.g. a domain error that knows it is transient); otherwise JavaScript's own error
 * types and failed assertions are programmer errors, connection and failover errors are
 * transport, and everything else is poison.
 */
export function classifyFailure(err: unknown): FailureClass {
  if (typeof err !== 'object' || err === null) return 'poison';
  const declared = (err as { failureClass?: unknown }).failureClass;
  if (declared === 'transport' || declared === 'poison' || declared === 'programmer')
    return declared;
  const { code, name, message } = err as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string' && TRANSPORT_ERRNO.has(code)) return 'transport';
  if (name === 'MaxRetriesPerRequestError' || name === 'ClusterAllFailedError') return 'transport';
  const text = typeof message === 'string' ? message : '';
  if (TRANSPORT_REPLY.test(text) || TRANSPORT_MESSAGE.test(text)) return 'transport';
  if (code === 'ERR_ASSERTION') return 'programmer';
  if (PROGRAMMER_ERRORS.some((type) => err instanceof type)) return 'programmer';
  return 'poison';
}

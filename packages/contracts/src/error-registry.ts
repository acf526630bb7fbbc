/**
 * The one registry of the codes the suite puts in a status record (`errors[].code`), a metric
 * label or a log line. Consumers branch on these codes: they are stable, and every one is
 * documented in docs/errors.md (a test fails when the two drift).
 */
import { CONTRACT_ERROR_CODES } from './errors';

/** Which part of the suite raises a code. */
export type ErrorFamily =
  | 'contract'
  | 'status'
  | 'feed'
  | 'tick'
  | 'history'
  | 'command'
  | 'bar'
  | 'store'
  | 'ingest'
  | 'queue'
  | 'stream'
  | 'control';

const family = <F extends ErrorFamily, T extends Record<string, string>>(
  f: F,
  codes: T,
): { [K in keyof T]: { family: F; description: T[K] } } =>
  Object.fromEntries(
    Object.entries(codes).map(([code, description]) => [code, { family: f, description }]),
  ) as { [K in keyof T]: { family: F; description: T[K] } };

/**
 * The codes of the stream consumers (`@fxcm/redis-streams`) and of the Redis start-up checks:
 * in status records, on dead-letter entries (`code`) and in `fxcm_stream_dead_lettered_total`.
 */
export const STREAM_ERROR_CODES = {
  STREAM_ENTRY_DEAD_LETTERED:
    'An entry failed maxDeliveries times (or was rejected as poison) and moved to its dead-letter stream.',
  STREAM_HANDLER_FAILED:
    'The handler failed on an entry (poison): redelivered with backoff until maxDeliveries, then dead-lettered.',
  STREAM_HANDLER_BUG:
    'The handler failed with a programmer error: the entry is dead-lettered once it reached maxDeliveries, then the process exits for the orchestrator to restart it.',
  REDIS_VERSION_UNSUPPORTED: 'Redis is older than 6.2 (XAUTOCLAIM, XADD MINID/LIMIT are needed).',
  REDIS_EVICTION_UNSAFE:
    'Redis maxmemory-policy is not noeviction: an evicted stream or mark is silent data loss.',
  REDIS_CHECK_FAILED: 'The Redis safety checks could not read INFO/CONFIG (ACL or managed Redis).',
} as const;

/** Every error code, with its family and meaning. */
export const ERROR_CODES = {
  ...family('contract', CONTRACT_ERROR_CODES),
  ...family('status', {
    STATUS_WRITE_FAILED: 'A service could not write its status record to {ns}:x:status.',
  }),
  ...family('feed', {
    FEED_ERROR: 'The price feed stopped with an error it did not name.',
    REPLAY_FAILED: 'The replay provider could not read its tick files.',
    ARCHIVE_LINE_INVALID: 'A line of a replayed tick archive is unreadable (skipped).',
    FXCM_AUTH_FAILED: 'FXCM refused the login token.',
    FXCM_QUOTA_EXCEEDED: 'FXCM answered that a request quota is exhausted.',
    FXCM_NOT_FOUND: 'FXCM answered 404 for a request.',
    FXCM_SERVER_ERROR: 'FXCM answered with a server error (5xx).',
    FXCM_NOT_READY: 'FXCM history is not ready (PriceHistoryCommunicator is not ready).',
    FXCM_NOT_EXECUTED: 'FXCM answered executed=false.',
    FXCM_BAD_RESPONSE: 'An FXCM answer is not the JSON its API documents.',
    FXCM_NETWORK: 'The connection to FXCM failed (DNS, TCP, TLS, socket.io).',
    FXCM_UNKNOWN_INSTRUMENT: 'An instrument is not in the FXCM offer table.',
    FXCM_BAD_PRICE_EVENT: 'An FXCM price update is unreadable (skipped).',
    FXCM_BAD_CANDLE: 'An FXCM candle row is unreadable (skipped).',
  }),
  ...family('tick', {
    TICK_BAD_SYMBOL: 'A quote names no usable symbol (rejected by the tick rails).',
    TICK_BAD_TIME: 'A quote time is not int epoch ms inside the rails (rejected).',
    TICK_NON_FINITE_PRICE: 'A quote has a NaN or infinite bid/ask (rejected).',
    TICK_NON_POSITIVE_PRICE: 'A quote has a bid or ask <= 0 (rejected).',
    TICK_CROSSED_BEYOND_TOLERANCE: 'A quote has bid > ask by more than the tolerance (rejected).',
    TICK_REJECTED: 'A quote rejected for a reason without its own code.',
  }),
  ...family('history', {
    HISTORY_BUDGET_EXHAUSTED: 'A history job used its request or time budget before finishing.',
    HISTORY_FETCH_FAILED: 'A history job failed on a non-transient FXCM error.',
    HISTORY_BAD_JOB: 'A history job does not satisfy the history-job contract.',
  }),
  ...family('command', {
    // One code per outcome of the scheduler's closed set (docs/commands.md) but `ok`.
    COMMAND_SYMBOL_NOT_TARGETED:
      'A command names a symbol outside the active stream targets (ignored).',
    COMMAND_TF_NOT_TARGETED:
      'A command names a (symbol, tf) that is not an active target (ignored).',
    COMMAND_RATE_LIMITED: 'A command repeated within its rate-limit window (ignored).',
    COMMAND_DYNAMIC_UNIVERSE_DISABLED:
      'fxcm_set_universe while the dynamic universe is off (ignored).',
    COMMAND_COMMAND_PAYLOAD_TOO_LARGE: 'A command is larger than the payload cap (16 KiB).',
    COMMAND_INVALID_JSON: 'A command is not a JSON object.',
    COMMAND_CONTRACT_ERROR: 'A command does not satisfy its contract.',
    COMMAND_INVALID_SYMBOL: 'A command symbol does not normalize to 2-16 characters of A-Z, 0-9.',
    COMMAND_INVALID_TIMEFRAME: 'A command timeframe is not one of 1m, 5m, 15m, 30m, 1h, 4h, 1d.',
    COMMAND_INVALID_ARGS: 'Command arguments are out of range or inconsistent.',
    COMMAND_UNKNOWN_COMMAND: 'A command type is not one the suite knows.',
    COMMAND_AUTH_REQUIRED: 'An unsigned V2 envelope while auth is required.',
    COMMAND_AUTH_FAILED: 'A V2 envelope signature or key id does not verify.',
    COMMAND_AUTH_TS_SKEW: 'A V2 envelope ts is more than 300 s from now.',
    COMMAND_REPLAY_REJECTED: 'A V2 envelope nonce was already used (anti-replay).',
    COMMAND_NOT_IMPLEMENTED: 'A V2 command the suite does not run yet.',
    COMMAND_ENQUEUE_FAILED:
      'A valid command could not be queued (Redis refused the job or control entry).',
    COMMAND_COMMAND_ERROR: 'An unexpected failure while interpreting a command (a defect).',
    COMMAND_REPUBLISH_FAILED: "The republish after a warmup's history jobs could not be requested.",
    COMMAND_REJECTED: 'A command rejected for a reason without its own code.',
  }),
  ...family('bar', {
    BAR_INVALID_OPTIONS: 'The bar engine was configured with impossible options.',
    BAR_INVALID_TICK: 'A tick entry the bar engine cannot apply (rejected).',
    BAR_INVALID_WATERMARK: 'A watermark entry the bar engine cannot apply (rejected).',
    BAR_INVALID_HISTORY_BAR: 'A history bar the bar engine cannot apply (rejected).',
    BAR_INVALID_HISTORY_RANGE: 'A history_range entry the bar engine cannot apply (rejected).',
    BAR_INVALID_PARTIAL: 'A partial-minute mark the bar engine cannot apply (rejected).',
    BAR_INVALID_RESTORE: 'A restored bar is inconsistent with the engine state.',
    BAR_RESTORE_AFTER_START: 'A restore was attempted after the engine started.',
    BAR_CALENDAR_FAILED: "A symbol's calendar threw or answered something impossible.",
    STREAM_ENTRY_UNEXPECTED:
      'The entry kind does not belong on its stream (ticks stream: tick, watermark, feed_gap; history stream: history_bar, history_range).',
    STREAM_ENTRY_FUTURE:
      'The entry is dated more than FXCM_FUTURE_TOLERANCE_MS ahead of the wall clock (bar builder: tick ts, watermark ts, history bar open_time, status record ts; scheduler: status record ts, 300 000 ms); rejected, never persisted.',
    PARTIAL_MINUTE_UNREPAIRED:
      'A minute the feed saw only in part got no history bar within FXCM_PARTIAL_HISTORY_WAIT_MS: published from its ticks (a later history bar is one revision).',
    WARMUP_ENQUEUE_FAILED:
      'The bar builder could not queue the history jobs of a cold-start warm-up.',
    CHECKPOINT_WRITE_FAILED: 'The bar builder could not write its checkpoint.',
    TAIL_GUARD_FAILED:
      'A tail-guard run failed (store read, history queue or bars stream); its findings are incomplete.',
  }),
  ...family('store', {
    STORE_INVALID_OPTIONS: 'The final-bar store was opened with impossible options.',
    STORE_INVALID_SERIES: 'A symbol or timeframe is not usable as a store series.',
    STORE_INVALID_BAR: 'A bar handed to the store breaks its invariants.',
    STORE_VERSION_MISMATCH: 'A store file was written by an incompatible version.',
    STORE_CORRUPT_HEADER: 'A store file header is unreadable.',
    STORE_CORRUPT_RECORD: 'A store record fails its checksum.',
    STORE_IO: 'A file-system call of the store failed (the store turns read-only).',
    STORE_READ_ONLY: 'An append refused because the store is read-only.',
    STORE_CLOSED: 'The store was used after close().',
    STORE_BACKUP_INVALID: 'A backup archive is malformed or a checksum does not match.',
    STORE_RESTORE_TARGET_NOT_EMPTY: 'A restore refused to overwrite a non-empty directory.',
    STORE_CONFLICT: 'A final bar differs from the stored one for the same minute (stored kept).',
    STORE_RECOVERED: 'The store dropped a torn tail of a file at open.',
  }),
  ...family('ingest', {
    INGEST_INVALID_JSON: 'An fxcm:ohlcv message is not JSON (rejected).',
    INGEST_UNSIGNED: 'An fxcm:ohlcv message without sig while FXCM_HMAC_REQUIRED is on.',
    INGEST_NOT_AN_OBJECT: 'An fxcm:ohlcv message is not a JSON object (rejected).',
    INGEST_SYMBOL_NOT_ALLOWED: 'An fxcm:ohlcv message for a symbol outside the whitelist.',
    INGEST_TF_NOT_ALLOWED: 'An fxcm:ohlcv message for a timeframe outside the whitelist.',
    INGEST_NO_BARS: 'An fxcm:ohlcv message without bars.',
    INGEST_TOO_MANY_BARS: 'An fxcm:ohlcv message with more than 5 000 bars.',
    INGEST_BAD_BAR: 'A bar with missing or impossible fields (close/open/high/low).',
    INGEST_BAD_TIME: 'A bar open_time before 2000-01-01 or after now + 1 day.',
    INGEST_NOT_ASCENDING: 'Bars whose open_time is not strictly increasing.',
    INGEST_BAD_SIGNATURE: 'An fxcm:ohlcv sig that does not verify.',
    INGEST_STORE_FAILED: 'The ingestor could not write accepted bars to the unified store.',
    INGEST_REJECTED: 'An fxcm:ohlcv message rejected for a reason without its own code.',
    INGEST_LIVE_REJECTED:
      'A status, heartbeat, market_status or price message the viewer feed could not use (skipped).',
  }),
  ...family('queue', {
    QUEUE_ERROR: 'A BullMQ queue or worker reported an error (its connection, a script).',
  }),
  ...family('stream', STREAM_ERROR_CODES),
  ...family('control', {
    CONTROL_ENTRY_REJECTED: 'An x:control entry could not be applied (malformed or refused).',
  }),
} as const;

/** A code of the registry. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** True when `value` is a registered code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/**
 * `value` when it is a registered code, else `fallback`: for codes that arrive as data (a
 * provider's error detail, a thrown error's `code`), so no free string reaches a status record.
 */
export function errorCodeOf(value: unknown, fallback: ErrorCode): ErrorCode {
  return isErrorCode(value) ? value : fallback;
}

/** Families whose rejection reasons map to `<FAMILY>_<REASON>` codes. */
export type ReasonFamily = 'TICK' | 'COMMAND' | 'INGEST';

/**
 * The code of a rejection `reason` (`bad_symbol` → `TICK_BAD_SYMBOL`); a reason without its own
 * code maps to the family's `<FAMILY>_REJECTED`.
 */
export function reasonCode(prefix: ReasonFamily, reason: string): ErrorCode {
  return errorCodeOf(`${prefix}_${reason.toUpperCase()}`, `${prefix}_REJECTED`);
}

/**
 * Values of the `type` label of `fxcm_connector_errors_total` (V1 name; V1 used `fxcm`, `redis`,
 * `cache_io`, `pricehistory_not_ready`). No other value may be used.
 */
export const ERROR_TYPES = {
  fxcm: 'FXCM answered an error or the connection to it failed.',
  redis: 'A Redis command failed (read, write, publish).',
  redis_connection: 'A Redis connection dropped or could not be opened.',
  cache_io: 'The final-bar store failed (disk, permissions); the store turns read-only.',
  pricehistory_not_ready: 'FXCM history answered "PriceHistoryCommunicator is not ready".',
  contract: 'An entry or message failed its contract and was rejected.',
  command: 'A command on fxcm:commands was rejected.',
  ingest_rejected: 'An fxcm:ohlcv message was rejected by the ingestor.',
  tick_sink: 'Writing a pushed quote to the tick stream failed.',
  history_worker: 'The history worker failed outside a job.',
  queue: 'A BullMQ queue reported an error.',
  stream_poison: 'A stream entry failed its handler (poison): redelivered, then dead-lettered.',
  stream_bug: 'A stream handler failed with a programmer error (the process exits).',
  redis_unsafe:
    'The service runs on a Redis that failed its start-up checks (FXCM_REDIS_SAFETY=warn).',
  control: 'An x:control entry could not be applied.',
} as const;

/** A value of the errors metric's `type` label. */
export type ErrorType = keyof typeof ERROR_TYPES;

/**
 * The codes `@fxcm/redis-streams` and the Redis start-up checks report: in status records
 * (`errors[].code`), on dead-letter entries (`code`) and in the `code` label of
 * `fxcm_stream_dead_lettered_total`. One typed table, so the central registry can fold it in.
 */
export const STREAM_CODES = {
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

/** A code of {@link STREAM_CODES}. */
export type StreamCode = keyof typeof STREAM_CODES;

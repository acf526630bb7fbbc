import { LoggingError } from './logging-error';
import type { Logger, LogLevel, LogMeta } from './logger';

/** Options of {@link createRateLimitedLog}. */
export interface RateLimitOptions {
  /** At most one line per key per this many milliseconds (after the first). */
  readonly intervalMs: number;
  /** Clock in ms; inject one in tests so they need no sleeps. Default `Date.now`. */
  readonly now?: () => number;
  /** Keys remembered at once; the least recently logged is forgotten beyond it. Default 10 000. */
  readonly maxKeys?: number;
}

/**
 * Logs `msg` at `level` unless the same `key` was logged less than `intervalMs` ago.
 * Returns true when the line was written.
 */
export type RateLimitedLog = (key: string, level: LogLevel, msg: string, meta?: LogMeta) => boolean;

interface KeyState {
  lastAt: number;
  suppressed: number;
}

/**
 * Wraps a logger for state-transition storms: the first line per key is written, then at most
 * one per `intervalMs`, carrying `suppressed: N` for the lines dropped since the previous one.
 *
 * @example
 * const logOnce = createRateLimitedLog(logger, { intervalMs: 60_000 });
 * logOnce(`redis-down:${shard}`, 'warn', 'redis unavailable', { err });
 * @throws LoggingError `LOG_OPTIONS_INVALID` when `intervalMs` or `maxKeys` is not a usable number
 */
export function createRateLimitedLog(logger: Logger, options: RateLimitOptions): RateLimitedLog {
  const { intervalMs, now = Date.now, maxKeys = 10_000 } = options;
  if (!Number.isFinite(intervalMs) || intervalMs < 0) {
    throw new LoggingError(
      'LOG_OPTIONS_INVALID',
      `intervalMs must be a number >= 0, got ${intervalMs}`,
    );
  }
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new LoggingError(
      'LOG_OPTIONS_INVALID',
      `maxKeys must be an integer >= 1, got ${maxKeys}`,
    );
  }
  const states = new Map<string, KeyState>();

  return (key, level, msg, meta) => {
    const at = now();
    const state = states.get(key);
    if (state && at - state.lastAt < intervalMs) {
      state.suppressed++;
      return false;
    }
    const suppressed = state?.suppressed ?? 0;
    logger[level](msg, suppressed > 0 ? { ...meta, suppressed } : meta);
    // Re-inserting keeps Map order = least recently logged first, for eviction.
    states.delete(key);
    states.set(key, { lastAt: at, suppressed: 0 });
    if (states.size > maxKeys) {
      const oldest = states.keys().next().value;
      if (oldest !== undefined) states.delete(oldest);
    }
    return true;
  };
}

/**
 * Stable codes of every error the bar engine raises (listed in docs/bars.md).
 *
 * - `BAR_INVALID_OPTIONS`: `createBarEngine` was given impossible options (a programmer error).
 * - `BAR_INVALID_TICK`: a tick is malformed; nothing was changed, the tick is counted `invalid`.
 * - `BAR_INVALID_WATERMARK`: a watermark is malformed; nothing was changed.
 * - `BAR_INVALID_HISTORY_BAR`: a history bar is malformed; nothing was changed.
 * - `BAR_INVALID_HISTORY_RANGE`: a history range (delivered `[from, to)`) is malformed; nothing was changed.
 * - `BAR_INVALID_PARTIAL`: a partial-minutes span is malformed; nothing was changed.
 * - `BAR_INVALID_RESTORE`: a bar handed to `restore` is malformed or out of order; nothing was restored.
 * - `BAR_RESTORE_AFTER_START`: `restore` was called for a symbol the engine already has state for.
 * - `BAR_CALENDAR_FAILED`: the symbol's calendar threw or answered something impossible.
 */
export type BarEngineErrorCode =
  | 'BAR_INVALID_OPTIONS'
  | 'BAR_INVALID_TICK'
  | 'BAR_INVALID_WATERMARK'
  | 'BAR_INVALID_HISTORY_BAR'
  | 'BAR_INVALID_HISTORY_RANGE'
  | 'BAR_INVALID_PARTIAL'
  | 'BAR_INVALID_RESTORE'
  | 'BAR_RESTORE_AFTER_START'
  | 'BAR_CALENDAR_FAILED';

/** The single error type of the bar engine. The engine's state is unchanged when it is thrown. */
export class BarEngineError extends Error {
  /** Stable machine-readable code. */
  readonly code: BarEngineErrorCode;
  /** The symbol the error is about, when known. */
  readonly symbol: string | undefined;

  constructor(
    code: BarEngineErrorCode,
    message: string,
    options: { symbol?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BarEngineError';
    this.code = code;
    this.symbol = options.symbol;
  }
}

/** True when `err` is a {@link BarEngineError} (optionally with the given code). */
export function isBarEngineError(err: unknown, code?: BarEngineErrorCode): err is BarEngineError {
  return err instanceof BarEngineError && (code === undefined || err.code === code);
}

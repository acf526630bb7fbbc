/**
 * Stable codes of every error the bar store raises (listed in docs/store.md).
 *
 * - `STORE_INVALID_OPTIONS`: `openStore` was given impossible options (a programmer error).
 * - `STORE_INVALID_SERIES`: a symbol or timeframe cannot name a series (empty, too long, bad characters).
 * - `STORE_INVALID_BAR`: a bar handed to `append` is malformed; the message names the entry and field.
 * - `STORE_VERSION_MISMATCH`: a series file was written by another format version; names the file.
 * - `STORE_CORRUPT_HEADER`: a series file does not start with a valid header; names the file.
 * - `STORE_CORRUPT_RECORD`: a checksum failed inside a series file (not a torn tail); names the file.
 * - `STORE_IO`: a file-system call failed; `cause` holds the original error.
 * - `STORE_READ_ONLY`: an append was refused because an earlier error made the store read-only.
 * - `STORE_CLOSED`: the store was used after `close()`.
 * - `STORE_BACKUP_INVALID`: a backup archive is malformed or a checksum does not match.
 * - `STORE_RESTORE_TARGET_NOT_EMPTY`: restore refused to overwrite a non-empty directory without `force`.
 */
export type StoreErrorCode =
  | 'STORE_INVALID_OPTIONS'
  | 'STORE_INVALID_SERIES'
  | 'STORE_INVALID_BAR'
  | 'STORE_VERSION_MISMATCH'
  | 'STORE_CORRUPT_HEADER'
  | 'STORE_CORRUPT_RECORD'
  | 'STORE_IO'
  | 'STORE_READ_ONLY'
  | 'STORE_CLOSED'
  | 'STORE_BACKUP_INVALID'
  | 'STORE_RESTORE_TARGET_NOT_EMPTY';

/** The single error type of the bar store. */
export class StoreError extends Error {
  /** Stable machine-readable code. */
  readonly code: StoreErrorCode;
  /** The file the error is about, when there is one. */
  readonly file: string | undefined;

  constructor(
    code: StoreErrorCode,
    message: string,
    options: { file?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
    this.code = code;
    this.file = options.file;
  }
}

/** True when `err` is a {@link StoreError} (optionally with the given code). */
export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

/** Wraps a failed file-system call as `STORE_IO`, keeping the original error as `cause`. */
export function ioError(operation: string, file: string, cause: unknown): StoreError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreError('STORE_IO', `${operation} ${file} failed: ${reason}`, { file, cause });
}

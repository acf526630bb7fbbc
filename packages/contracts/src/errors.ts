/**
 * Error codes of `@fxcm/contracts`, with what each one means. Stable: consumers branch on them.
 */
export const CONTRACT_ERROR_CODES = {
  CONTRACT_VIOLATION:
    'A value does not satisfy its JSON Schema contract or a rail checked in code.',
  STREAM_ENTRY_INVALID:
    'A Redis Stream entry is malformed: missing/extra field, bad JSON, unknown type or invalid data.',
  SYMBOL_INVALID: 'A symbol is empty or has characters outside A-Z, 0-9 after normalization.',
  TIMEFRAME_INVALID:
    'A timeframe spelling is unknown or its duration is not a supported timeframe.',
  STREAM_TARGETS_INVALID: 'A stream targets list ("XAU/USD:m1,EUR/USD:m5") has a bad entry.',
  NAME_INVALID: 'A namespace, shard or key component is not usable in a Redis key.',
  PY_JSON_INVALID: 'Text is not JSON as Python json.loads accepts it.',
  PY_JSON_UNSUPPORTED:
    'A value cannot be rendered the way Python json.dumps would (non-finite where refused, lone surrogate).',
  HMAC_ALGO_UNSUPPORTED: 'The HMAC algorithm is not one of sha256, sha512, sha1, sha384.',
  OHLCV_BASE_INVALID:
    'An fxcm:ohlcv message has no {symbol, tf, bars} base to sign (not an object or a key missing).',
} as const;

/** One of the stable error codes of this package. */
export type ContractErrorCode = keyof typeof CONTRACT_ERROR_CODES;

/**
 * The error thrown by this package. `code` is stable; `schema` names the contract when a
 * JSON Schema (or a stream entry type) is involved.
 */
export class ContractError extends Error {
  /** Stable machine-readable code. */
  readonly code: ContractErrorCode;
  /** Contract (schema name) or stream entry type concerned, when there is one. */
  readonly schema: string | undefined;

  constructor(
    code: ContractErrorCode,
    message: string,
    options: { schema?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ContractError';
    this.code = code;
    this.schema = options.schema;
  }
}

/** True when `err` is a {@link ContractError} (optionally with the given code). */
export function isContractError(err: unknown, code?: ContractErrorCode): err is ContractError {
  return err instanceof ContractError && (code === undefined || err.code === code);
}

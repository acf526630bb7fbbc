/**
 * Every way the read API refuses a request: one code per reason, with its HTTP status. The
 * README's "Read API" section lists them; a client branches on `code`, a human reads `reason`.
 */
export const API_ERRORS = {
  /** A required query parameter is absent. */
  API_PARAM_MISSING: 400,
  /** A query parameter is not of its type or outside its bounds. */
  API_PARAM_INVALID: 400,
  /** `from` is after `to`. */
  API_RANGE_INVALID: 400,
  /** `limit` is above the configured most (`FXCM_API_MAX_BARS`). */
  API_LIMIT_TOO_LARGE: 400,
  /** The symbol is well formed but not one the ingestor stores (its whitelist). */
  API_SYMBOL_UNKNOWN: 404,
  /** The timeframe is not one the ingestor stores (its whitelist). */
  API_TF_UNKNOWN: 404,
  /** No such route. */
  API_NOT_FOUND: 404,
  /** Too many live viewers are connected (`FXCM_API_MAX_CLIENTS`). */
  API_TOO_MANY_CLIENTS: 503,
  /** Redis could not answer the read. */
  API_STORE_UNAVAILABLE: 503,
  /** A request the framework itself refused (malformed URL, unsupported method, …). */
  API_BAD_REQUEST: 400,
} as const;

/** A read API refusal code. */
export type ApiErrorCode = keyof typeof API_ERRORS;

/** The JSON body of every refusal. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; reason: string };
}

/** A refusal on its way to the client. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ApiErrorCode,
    readonly reason: string,
  ) {
    super(`${code}: ${reason}`);
    this.status = API_ERRORS[code];
  }

  /** The response body. */
  body(): ApiErrorBody {
    return { error: { code: this.code, reason: this.reason } };
  }
}

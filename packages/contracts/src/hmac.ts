import { createHmac, timingSafeEqual } from 'node:crypto';
import { ContractError } from './errors';
import { hasLoneSurrogate, parsePythonJson, renderPythonJson, type PyValue } from './python-json';

/** HMAC algorithms accepted for the V1 `sig` (node crypto names = Python hashlib names). */
export const HMAC_ALGOS = ['sha256', 'sha512', 'sha1', 'sha384'] as const;

/** One of {@link HMAC_ALGOS}. */
export type HmacAlgo = (typeof HMAC_ALGOS)[number];

/** Default algorithm (V1 `FXCM_HMAC_ALGO` default). */
export const DEFAULT_HMAC_ALGO: HmacAlgo = 'sha256';

/** Secret as configured: a string (UTF-8 encoded, like Python's `secret.encode()`) or bytes. */
export type HmacSecret = string | Uint8Array;

/**
 * Checks an algorithm name (case-insensitive, like hashlib) and returns its canonical form.
 * Throws `HMAC_ALGO_UNSUPPORTED` for anything outside {@link HMAC_ALGOS}.
 */
export function parseHmacAlgo(name: string): HmacAlgo {
  const lower = typeof name === 'string' ? name.trim().toLowerCase() : '';
  const algo = HMAC_ALGOS.find((a) => a === lower);
  if (algo === undefined) {
    throw new ContractError(
      'HMAC_ALGO_UNSUPPORTED',
      `HMAC algorithm '${String(name)}' is not supported (use one of ${HMAC_ALGOS.join(', ')})`,
    );
  }
  return algo;
}

/**
 * Lower-case hex HMAC of the UTF-8 bytes of `text`. Throws `PY_JSON_UNSUPPORTED` when `text`
 * holds a lone surrogate: Python cannot encode it, so no Python peer could agree on the bytes.
 */
export function hmacHex(
  text: string,
  secret: HmacSecret,
  algo: HmacAlgo = DEFAULT_HMAC_ALGO,
): string {
  const checked = parseHmacAlgo(algo);
  if (hasLoneSurrogate(text)) {
    throw new ContractError(
      'PY_JSON_UNSUPPORTED',
      'text to sign has a lone surrogate (not encodable as UTF-8)',
    );
  }
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  return createHmac(checked, key).update(text, 'utf8').digest('hex');
}

/** The signed part of a parsed message: `{symbol, tf, bars}` rendered with sorted keys. */
function canonicalBaseOf(message: PyValue): string {
  if (!(message instanceof Map)) {
    throw new ContractError('OHLCV_BASE_INVALID', 'ohlcv message is not a JSON object');
  }
  const base = new Map<string, PyValue>();
  for (const key of ['symbol', 'tf', 'bars']) {
    if (!message.has(key)) {
      throw new ContractError('OHLCV_BASE_INVALID', `ohlcv message has no '${key}'`);
    }
    base.set(key, message.get(key) as PyValue);
  }
  return renderPythonJson(base, { sortKeys: true });
}

/**
 * The string a Python consumer signs/verifies for an fxcm:ohlcv message: parse as json.loads,
 * take `{symbol, tf, bars}` (root `source`/`sig` excluded, bars verbatim), render with
 * `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)`.
 * Throws `PY_JSON_INVALID` / `OHLCV_BASE_INVALID`.
 */
export function canonicalOhlcvBase(messageText: string): string {
  return canonicalBaseOf(parsePythonJson(messageText));
}

/** The V1 `sig` a Python producer would attach to this message text (its `sig` is ignored). */
export function signOhlcv(
  messageText: string,
  secret: HmacSecret,
  algo: HmacAlgo = DEFAULT_HMAC_ALGO,
): string {
  return hmacHex(canonicalOhlcvBase(messageText), secret, algo);
}

/** Outcome of {@link checkOhlcvSignature}. */
export type OhlcvSignatureCheck =
  | { ok: true }
  | {
      ok: false;
      /** `unsigned`: no string `sig`; `malformed`: not signable JSON; `mismatch`: wrong sig. */
      reason: 'unsigned' | 'malformed' | 'mismatch';
      detail: string;
    };

/**
 * Verifies the `sig` of an fxcm:ohlcv message text the way the Python consumer does, reporting
 * why it fails. Throws only for an unsupported algorithm (a configuration error).
 */
export function checkOhlcvSignature(
  messageText: string,
  secret: HmacSecret,
  algo: HmacAlgo = DEFAULT_HMAC_ALGO,
): OhlcvSignatureCheck {
  const checked = parseHmacAlgo(algo);
  let message: PyValue;
  let expected: string;
  try {
    message = parsePythonJson(messageText);
    expected = hmacHex(canonicalBaseOf(message), secret, checked);
  } catch (err) {
    return { ok: false, reason: 'malformed', detail: (err as Error).message };
  }
  const sig = message instanceof Map ? message.get('sig') : undefined;
  if (typeof sig !== 'string') return { ok: false, reason: 'unsigned', detail: 'no string sig' };
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(sig, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return {
      ok: false,
      reason: 'mismatch',
      detail: `sig does not match the ${checked} HMAC of the base`,
    };
  }
  return { ok: true };
}

/**
 * True when the message carries a `sig` equal (constant-time compare) to the HMAC of its Python
 * canonical base. Any malformed or unsigned message gives false; an unsupported algorithm throws
 * `HMAC_ALGO_UNSUPPORTED`.
 */
export function verifyOhlcvSignature(
  messageText: string,
  secret: HmacSecret,
  algo: HmacAlgo = DEFAULT_HMAC_ALGO,
): boolean {
  return checkOhlcvSignature(messageText, secret, algo).ok;
}

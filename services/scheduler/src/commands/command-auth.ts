import { timingSafeEqual } from 'node:crypto';
import {
  ContractError,
  hmacHex,
  parsePythonJson,
  PyInt,
  renderPythonJson,
  type CommandEnvelope,
  type PyObject,
  type PyValue,
} from '@fxcm/contracts';

/**
 * How envelopes are authenticated: `off` ignores `auth`; `verify` checks it when present;
 * `required` refuses an envelope without it (V2 `command_auth_enable` / `command_auth_required`).
 */
export type AuthMode = 'off' | 'verify' | 'required';

/** The authentication policy of the command channel. */
export interface AuthPolicy {
  mode: AuthMode;
  /** Secrets by key id (`FXCM_HMAC_KID` → `FXCM_HMAC_SECRET`). */
  secrets: ReadonlyMap<string, string>;
  /** Largest |now − ts| accepted, ms (V2: 300 000). */
  maxSkewMs: number;
}

/** Outcome of {@link checkEnvelopeAuth}; `replay` is the nonce to spend once (anti-replay). */
export type AuthCheck =
  | { ok: true; replay?: { kid: string; nonce: string } }
  | { ok: false; reason: 'auth_required' | 'auth_failed' | 'auth_ts_skew'; detail: string };

/**
 * The canonical text an envelope is signed over, as the Python sender renders it:
 * `json.dumps({cmd, req_id, ts, args, kid, nonce}, sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False)` of the parsed message (ints stay ints, floats keep Python's repr). A
 * missing nonce is the req_id (V2).
 */
export function envelopeCanonical(text: string, kid: string): string {
  const parsed = parsePythonJson(text);
  if (!(parsed instanceof Map))
    throw new ContractError('PY_JSON_INVALID', 'an envelope is a JSON object');
  const body = parsed as PyObject;
  const auth = body.get('auth');
  const nonce =
    auth instanceof Map ? (auth.get('nonce') ?? body.get('req_id')) : body.get('req_id');
  const signed = new Map<string, PyValue>([
    ['cmd', body.get('cmd') ?? null],
    ['req_id', body.get('req_id') ?? null],
    ['ts', body.get('ts') ?? new PyInt('0')],
    ['args', body.get('args') ?? new Map()],
    ['kid', kid],
    ['nonce', nonce ?? null],
  ]);
  return renderPythonJson(signed, { sortKeys: true });
}

/** Checks the freshness and (per policy) the signature of a contract-valid envelope. */
export function checkEnvelopeAuth(
  text: string,
  envelope: CommandEnvelope,
  policy: AuthPolicy,
  now: number,
): AuthCheck {
  if (Math.abs(now - envelope.ts) > policy.maxSkewMs) {
    return {
      ok: false,
      reason: 'auth_ts_skew',
      detail: `ts ${envelope.ts} is ${now - envelope.ts} ms from now (limit ${policy.maxSkewMs})`,
    };
  }
  const auth = envelope.auth;
  if (policy.mode === 'off') return { ok: true };
  if (!auth) {
    return policy.mode === 'required'
      ? {
          ok: false,
          reason: 'auth_required',
          detail: 'the envelope has no auth and FXCM_COMMAND_AUTH is required',
        }
      : { ok: true };
  }
  const { kid } = auth;
  const secret = policy.secrets.get(kid);
  if (!secret) {
    return { ok: false, reason: 'auth_failed', detail: `unknown key id ${JSON.stringify(kid)}` };
  }
  let canonical: string;
  try {
    canonical = envelopeCanonical(text, kid);
  } catch {
    // JSON that Python would not parse the same way cannot carry a signature that verifies.
    return { ok: false, reason: 'auth_failed', detail: 'the envelope has no Python-JSON form' };
  }
  const expected = Buffer.from(hmacHex(canonical, secret, 'sha256'), 'utf8');
  const given = Buffer.from(auth.sig.toLowerCase(), 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'auth_failed', detail: 'auth.sig does not verify' };
  }
  const nonce = auth.nonce ? auth.nonce : envelope.req_id;
  return { ok: true, replay: { kid, nonce } };
}

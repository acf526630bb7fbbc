import { randomUUID } from 'node:crypto';
import { hmacHex, PyInt, renderPythonJson, type PyValue } from '@fxcm/contracts';

/** A JSON value as the CLI builds commands: integers, strings, booleans, lists, objects. */
export type CommandValue =
  string | number | boolean | CommandValue[] | { [k: string]: CommandValue };

function toPy(value: CommandValue): PyValue {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`command values are integers, got ${value}`);
    return new PyInt(String(value));
  }
  if (Array.isArray(value)) return value.map(toPy);
  if (typeof value === 'object')
    return new Map(Object.entries(value).map(([k, v]) => [k, toPy(v)]));
  return value;
}

/** A V1 command: `{type, …fields}` as smc_v1 sends it (keys sorted). */
export function v1Command(type: string, fields: Record<string, CommandValue>): string {
  return renderPythonJson(toPy({ type, ...fields }), { sortKeys: true });
}

/** What {@link v2Envelope} needs beyond the command. */
export interface EnvelopeOptions {
  /** With a secret the envelope carries `auth {kid, sig, nonce}`; without, it goes unsigned. */
  secret?: string;
  kid: string;
  now: number;
  reqId?: string;
  nonce?: string;
}

/**
 * A V2 envelope `{cmd, req_id, ts, args, auth?}`. The signature is HMAC-SHA256 over the
 * canonical JSON of `{cmd, req_id, ts, args, kid, nonce}` — sorted keys, `,`/`:` separators,
 * non-ASCII raw — the way the scheduler (and a Python sender) renders it.
 */
export function v2Envelope(
  cmd: string,
  args: Record<string, CommandValue>,
  opts: EnvelopeOptions,
): { text: string; reqId: string } {
  const reqId = opts.reqId ?? `cli-${randomUUID()}`;
  const body: Record<string, CommandValue> = { cmd, req_id: reqId, ts: opts.now, args };
  if (opts.secret !== undefined) {
    const nonce = opts.nonce ?? randomUUID();
    const canonical = renderPythonJson(toPy({ ...body, kid: opts.kid, nonce }), {
      sortKeys: true,
    });
    body.auth = { kid: opts.kid, sig: hmacHex(canonical, opts.secret, 'sha256'), nonce };
  }
  return { text: renderPythonJson(toPy(body), { sortKeys: true }), reqId };
}

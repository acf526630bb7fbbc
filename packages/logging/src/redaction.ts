/** Text that replaces every redacted value. */
export const REDACTED = '[REDACTED]';

/** Metadata keys whose values are always hidden, at any depth. */
export const SECRET_KEY_PATTERN = /secret|password|passwd|token|authorization|api[-_]?key|cookie/i;

const MAX_DEPTH = 10;

/** Replaces secrets in log data; pure, never mutates its input. */
export interface Redactor {
  /** Replaces every configured secret literal inside `text`. */
  redactText(text: string): string;
  /**
   * Returns a JSON-safe deep copy of `value`: secret-named keys become `[REDACTED]`, secret
   * literals are cut out of strings, errors become `{name, message, code, stack, ...}`,
   * cycles become `[Circular]`.
   */
  redactValue(value: unknown): unknown;
}

/**
 * Builds a {@link Redactor} for the given secret literals (e.g. the HMAC secret, the FXCM token).
 * Unset and empty entries are ignored; longer secrets are replaced first, so overlapping ones
 * are fully hidden.
 */
export function createRedactor(secrets: ReadonlyArray<string | undefined | null> = []): Redactor {
  const given = secrets.filter((s): s is string => typeof s === 'string' && s !== '');
  const literals = [...new Set(given)].sort((a, b) => b.length - a.length);

  const redactText = (text: string): string => {
    let out = text;
    for (const secret of literals) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  };

  const ancestors = new Set<object>();

  const walk = (value: unknown, depth: number): unknown => {
    switch (typeof value) {
      case 'string':
        return redactText(value);
      case 'number':
      case 'boolean':
      case 'undefined':
        return value;
      case 'bigint':
        return value.toString();
      case 'symbol':
        return value.toString();
      case 'function':
        return `[Function ${value.name || 'anonymous'}]`;
    }
    if (value === null) return null;
    const obj = value as object;
    if (ancestors.has(obj)) return '[Circular]';
    if (depth >= MAX_DEPTH) return Array.isArray(obj) ? '[Array]' : '[Object]';
    if (obj instanceof Date)
      return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
    // Raw bytes may hold key material and are unreadable in a log line anyway.
    if (ArrayBuffer.isView(obj)) return `[${obj.constructor.name} ${obj.byteLength} bytes]`;

    ancestors.add(obj);
    try {
      if (obj instanceof Error) return walkError(obj, depth);
      if (Array.isArray(obj)) return obj.map((item) => walk(item, depth + 1));
      if (obj instanceof Map) return walkEntries([...obj.entries()], depth);
      if (obj instanceof Set) return [...obj].map((item) => walk(item, depth + 1));
      const toJSON = (obj as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return walk(toJSON.call(obj), depth + 1);
      return walkEntries(Object.entries(obj), depth);
    } finally {
      ancestors.delete(obj);
    }
  };

  const walkEntries = (entries: [unknown, unknown][], depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [rawKey, item] of entries) {
      const key = String(rawKey);
      out[key] =
        SECRET_KEY_PATTERN.test(key) && item !== undefined && item !== null
          ? REDACTED
          : walk(item, depth + 1);
    }
    return out;
  };

  const walkError = (err: Error, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {
      name: err.name,
      message: redactText(String(err.message)),
    };
    const code = (err as { code?: unknown }).code;
    if (code !== undefined) out.code = walk(code, depth + 1);
    if (err.stack !== undefined) out.stack = redactText(err.stack);
    if (err.cause !== undefined) out.cause = walk(err.cause, depth + 1);
    if (err instanceof AggregateError) out.errors = walk(err.errors, depth + 1);
    const extra = Object.entries(err).filter(([k]) => !(k in out) && k !== 'errors');
    Object.assign(out, walkEntries(extra, depth));
    return out;
  };

  return { redactText, redactValue: (value) => walk(value, 0) };
}

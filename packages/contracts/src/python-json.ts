import { ContractError } from './errors';

/**
 * A Python `int` parsed from JSON: arbitrary precision, kept as its decimal digits.
 */
export class PyInt {
  /** Canonical decimal digits, optional leading '-', no leading zeros, never '-0'. */
  readonly digits: string;

  constructor(digits: string) {
    if (!/^-?(0|[1-9][0-9]*)$/.test(digits) || digits === '-0') {
      throw new ContractError('PY_JSON_UNSUPPORTED', `'${digits}' is not a canonical integer`);
    }
    this.digits = digits;
  }

  /** A Python int from a JS integer (safe or not: the exact value of the double) or a bigint. */
  static of(n: number | bigint): PyInt {
    if (typeof n === 'bigint') return new PyInt(n.toString());
    if (!Number.isInteger(n)) {
      throw new ContractError('PY_JSON_UNSUPPORTED', `${String(n)} is not an integer`);
    }
    // String(-0) is '0', and BigInt gives the exact value of an unsafe integral double.
    return new PyInt(Number.isSafeInteger(n) ? String(n) : BigInt(n).toString());
  }

  /** The value as a JS number (may round beyond 2^53). */
  toNumber(): number {
    return Number(this.digits);
  }
}

/** A Python `float`: an IEEE double, rendered with Python's `repr`. */
export class PyFloat {
  constructor(readonly value: number) {}

  /** The value as a JS number. */
  toNumber(): number {
    return this.value;
  }
}

/** A JSON object as Python holds it: insertion-ordered, string keys. */
export type PyObject = ReadonlyMap<string, PyValue>;

/** A value as Python's json module sees it: ints and floats are distinct. */
export type PyValue = null | boolean | string | PyInt | PyFloat | readonly PyValue[] | PyObject;

// CPython's str -> int conversion limit (sys.get_int_max_str_digits(), 3.11+); json.loads fails past it.
const PY_INT_MAX_STR_DIGITS = 4300;
// Python raises RecursionError long before this; we refuse instead of overflowing the stack.
const MAX_DEPTH = 1000;

function fail(text: string, pos: number, why: string): never {
  throw new ContractError('PY_JSON_INVALID', `invalid JSON at offset ${pos}: ${why}`);
}

/**
 * Parses JSON text exactly as Python's `json.loads` does: a number literal without '.', 'e' or
 * 'E' is an int (digits kept, '-0' is 0), any other a float (nearest double); `NaN`,
 * `Infinity`, `-Infinity` are accepted; duplicate keys keep the first position and the last
 * value; control characters inside strings and a leading BOM are rejected. Throws
 * `PY_JSON_INVALID` with the offset.
 */
export function parsePythonJson(text: string): PyValue {
  if (typeof text !== 'string') {
    throw new ContractError('PY_JSON_INVALID', `expected JSON text, got ${typeof text}`);
  }
  if (text.charCodeAt(0) === 0xfeff) fail(text, 0, 'unexpected UTF-8 BOM');
  let pos = 0;
  const len = text.length;

  const skipWs = (): void => {
    while (pos < len) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else break;
    }
  };

  const parseString = (): string => {
    // pos is on the opening quote
    pos++;
    let out = '';
    let chunkStart = pos;
    for (;;) {
      if (pos >= len) fail(text, chunkStart - 1, 'unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(chunkStart, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail(text, pos, 'invalid control character in string');
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(chunkStart, pos);
      const e = text[pos + 1];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) fail(text, pos, 'invalid \\uXXXX escape');
          // Python joins an escaped surrogate pair into one code point; a JS string holds the
          // same two code units either way, and a lone surrogate stays lone in both.
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
          break;
        }
        default:
          fail(text, pos, 'invalid escape');
      }
      pos += 2;
      chunkStart = pos;
    }
  };

  const parseNumber = (): PyInt | PyFloat => {
    const start = pos;
    if (text[pos] === '-') pos++;
    const intStart = pos;
    if (text[pos] === '0') pos++;
    else if (text[pos] !== undefined && text[pos]! >= '1' && text[pos]! <= '9') {
      while (pos < len && text[pos]! >= '0' && text[pos]! <= '9') pos++;
    } else fail(text, start, 'expecting value');
    const intEnd = pos;
    let isFloat = false;
    if (
      text[pos] === '.' &&
      text[pos + 1] !== undefined &&
      text[pos + 1]! >= '0' &&
      text[pos + 1]! <= '9'
    ) {
      isFloat = true;
      pos += 2;
      while (pos < len && text[pos]! >= '0' && text[pos]! <= '9') pos++;
    }
    if (text[pos] === 'e' || text[pos] === 'E') {
      // Like Python's scanner: an exponent without digits is not part of the number.
      let p = pos + 1;
      if (text[p] === '+' || text[p] === '-') p++;
      if (text[p] !== undefined && text[p]! >= '0' && text[p]! <= '9') {
        while (p < len && text[p]! >= '0' && text[p]! <= '9') p++;
        isFloat = true;
        pos = p;
      }
    }
    const literal = text.slice(start, pos);
    if (isFloat) return new PyFloat(Number(literal));
    if (intEnd - intStart > PY_INT_MAX_STR_DIGITS) {
      fail(text, start, `integer literal exceeds Python's ${PY_INT_MAX_STR_DIGITS}-digit limit`);
    }
    const digits = literal.replace(/^-0$/, '0');
    return new PyInt(digits);
  };

  const parseValue = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) fail(text, pos, `nesting deeper than ${MAX_DEPTH}`);
    const c = text[pos];
    switch (c) {
      case '"':
        return parseString();
      case '{': {
        pos++;
        const obj = new Map<string, PyValue>();
        skipWs();
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        for (;;) {
          if (text[pos] !== '"')
            fail(text, pos, 'expecting property name enclosed in double quotes');
          const key = parseString();
          skipWs();
          if (text[pos] !== ':') fail(text, pos, "expecting ':' delimiter");
          pos++;
          skipWs();
          obj.set(key, parseValue(depth + 1));
          skipWs();
          if (text[pos] === '}') {
            pos++;
            return obj;
          }
          if (text[pos] !== ',') fail(text, pos, "expecting ',' delimiter");
          pos++;
          skipWs();
        }
      }
      case '[': {
        pos++;
        const arr: PyValue[] = [];
        skipWs();
        if (text[pos] === ']') {
          pos++;
          return arr;
        }
        for (;;) {
          arr.push(parseValue(depth + 1));
          skipWs();
          if (text[pos] === ']') {
            pos++;
            return arr;
          }
          if (text[pos] !== ',') fail(text, pos, "expecting ',' delimiter");
          pos++;
          skipWs();
        }
      }
      case 'n':
        if (text.startsWith('null', pos)) {
          pos += 4;
          return null;
        }
        break;
      case 't':
        if (text.startsWith('true', pos)) {
          pos += 4;
          return true;
        }
        break;
      case 'f':
        if (text.startsWith('false', pos)) {
          pos += 5;
          return false;
        }
        break;
      case 'N':
        if (text.startsWith('NaN', pos)) {
          pos += 3;
          return new PyFloat(NaN);
        }
        break;
      case 'I':
        if (text.startsWith('Infinity', pos)) {
          pos += 8;
          return new PyFloat(Infinity);
        }
        break;
      case '-':
        if (text.startsWith('-Infinity', pos)) {
          pos += 9;
          return new PyFloat(-Infinity);
        }
        return parseNumber();
      default:
        if (c !== undefined && c >= '0' && c <= '9') return parseNumber();
    }
    return fail(text, pos, 'expecting value');
  };

  skipWs();
  const value = parseValue(0);
  skipWs();
  if (pos !== len) fail(text, pos, 'extra data');
  return value;
}

/**
 * Python `repr(float)`: shortest round-trip digits (the digits of JS Number#toString) in
 * Python's layout: exponent form when the decimal exponent is < -4 or >= 16 (`1e-05`, `1e+16`,
 * `2.5e-06`), integral values get `.0`, `-0.0`, and json's `NaN` / `Infinity` / `-Infinity`.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e16) {
    // Both languages write this range positionally with the same digits; Python adds '.0'.
    const js = String(x);
    return js.includes('.') ? js : `${js}.0`;
  }
  const sign = x < 0 ? '-' : '';
  const js = abs.toString();
  const eAt = js.indexOf('e');
  const mantissa = eAt === -1 ? js : js.slice(0, eAt);
  const exp10 = eAt === -1 ? 0 : Number(js.slice(eAt + 1));
  const dot = mantissa.indexOf('.');
  const intPart = dot === -1 ? mantissa : mantissa.slice(0, dot);
  const fracPart = dot === -1 ? '' : mantissa.slice(dot + 1);
  let digits = intPart + fracPart;
  // decpt: position of the decimal point relative to the first digit (Python's dtoa convention).
  let decpt = intPart.length + exp10;
  const lead = /^0*/.exec(digits)![0].length;
  digits = digits.slice(lead);
  decpt -= lead;
  digits = digits.replace(/0+$/, '');
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (digits.length <= decpt) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * A string as Python's json.dumps writes it with ensure_ascii=False: only '"', '\\' and
 * characters below U+0020 are escaped (\n \r \t \b \f, else \u00XX lower-case); everything
 * else, non-ASCII and U+2028 included, is written raw.
 */
export function pyStringRepr(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  // eslint-disable-next-line no-control-regex
  return `"${s.replace(/["\\\u0000-\u001f]/g, (ch) => ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/**
 * Orders strings by Unicode code point, as Python sorts str (JS's default sort compares UTF-16
 * code units, which puts astral characters before U+E000–U+FFFF).
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Surrogates (code points >= U+10000) must sort after U+E000..U+FFFF.
    if (ca >= 0xd800) ca += ca <= 0xdfff ? 0x2000 : -0x800;
    if (cb >= 0xd800) cb += cb <= 0xdfff ? 0x2000 : -0x800;
    return ca - cb;
  }
  return a.length - b.length;
}

/** Rendering options of {@link renderPythonJson}. */
export interface PythonJsonRenderOptions {
  /** Sort object keys by code point (json.dumps sort_keys=True). Default false. */
  sortKeys?: boolean;
}

function isPyObject(v: PyValue): v is PyObject {
  return v instanceof Map;
}

const SURROGATE = /[\ud800-\udfff]/;

const nativeOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Sorts object keys by code point. Arrays of bars repeat the same key sequence, so the order
 * of the previous object is reused when its keys match (saves a sort per bar).
 */
function keySorter(): (obj: PyObject) => string[] {
  let lastKeys: string[] = [];
  let lastSorted: string[] = [];
  return (obj) => {
    const keys = [...obj.keys()];
    if (keys.length === lastKeys.length && keys.every((k, i) => k === lastKeys[i]))
      return lastSorted;
    // Without surrogates, UTF-16 order is code point order and the native comparison is exact.
    const slow = keys.some((k) => SURROGATE.test(k));
    lastKeys = keys;
    lastSorted = [...keys].sort(slow ? compareCodePoints : nativeOrder);
    return lastSorted;
  };
}

/**
 * Renders a {@link PyValue} exactly as Python's
 * `json.dumps(v, separators=(",", ":"), ensure_ascii=False, allow_nan=True, sort_keys=...)`.
 */
export function renderPythonJson(value: PyValue, options: PythonJsonRenderOptions = {}): string {
  const sortKeys = options.sortKeys === true;
  const sortedKeys = keySorter();
  const walk = (v: PyValue, depth: number): string => {
    if (depth > MAX_DEPTH) {
      throw new ContractError('PY_JSON_UNSUPPORTED', `value nested deeper than ${MAX_DEPTH}`);
    }
    if (v === null) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'string') return pyStringRepr(v);
    if (v instanceof PyFloat) return pyFloatRepr(v.value);
    if (v instanceof PyInt) return v.digits;
    if (Array.isArray(v)) {
      let out = '[';
      for (let i = 0; i < v.length; i++) {
        if (i > 0) out += ',';
        out += walk(v[i] as PyValue, depth + 1);
      }
      return `${out}]`;
    }
    if (isPyObject(v)) {
      let out = '{';
      let first = true;
      for (const k of sortKeys ? sortedKeys(v) : v.keys()) {
        if (!first) out += ',';
        first = false;
        out += `${pyStringRepr(k)}:${walk(v.get(k) as PyValue, depth + 1)}`;
      }
      return `${out}}`;
    }
    throw new ContractError(
      'PY_JSON_UNSUPPORTED',
      `cannot render ${typeof v} ${String(v)}: use PyInt/PyFloat for numbers, Map for objects`,
    );
  };
  return walk(value, 0);
}

/** True when `s` has a lone UTF-16 surrogate (Python cannot encode such a str as UTF-8). */
export function hasLoneSurrogate(s: string): boolean {
  if (!SURROGATE.test(s)) return false;
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/**
 * Parity with the real thing: CPython's json and hmac modules compute the expectations for
 * batches of random inputs. Skipped (with a message) only when python3 is not on PATH.
 */
import { spawnSync } from 'node:child_process';
import {
  HMAC_ALGOS,
  encodeOhlcvMessage,
  parsePythonJson,
  pyFloatRepr,
  renderPythonJson,
  verifyOhlcvSignature,
  type OhlcvBar,
  type Timeframe,
} from '../src';

const python = spawnSync('python3', ['-c', 'import sys; print(sys.version_info[0])'], {
  encoding: 'utf8',
});
const hasPython = python.status === 0 && python.stdout.trim() === '3';
if (!hasPython) {
  console.warn('python3 not found on PATH: skipping the CPython parity tests of @fxcm/contracts');
}
const withPython = hasPython ? test : test.skip;

/** Runs a Python script with `input` on stdin (UTF-8) and returns stdout. */
function runPython(script: string, input: string): string {
  const r = spawnSync('python3', ['-c', script], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
  });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout;
}

/** mulberry32: small seeded PRNG so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20251121;

function randomDoubles(rand: () => number, n: number): number[] {
  const out: number[] = [
    0,
    -0,
    1e16,
    1e15,
    1e-5,
    1e-4,
    0.1 + 0.2,
    5e-324,
    Number.MAX_VALUE,
    2 ** 53,
    2 ** 53 + 2,
  ];
  const view = new DataView(new ArrayBuffer(8));
  while (out.length < n) {
    const kind = out.length % 4;
    let x: number;
    if (kind === 0) {
      // Any bit pattern: covers subnormals and the full exponent range.
      view.setUint32(0, Math.floor(rand() * 2 ** 32));
      view.setUint32(4, Math.floor(rand() * 2 ** 32));
      x = view.getFloat64(0);
    } else if (kind === 1) {
      // Price-like: few decimals at magnitudes around the exponent-form thresholds.
      const decimals = Math.floor(rand() * 8);
      x = Number((rand() * 10).toFixed(decimals)) * 10 ** (Math.floor(rand() * 30) - 12);
    } else if (kind === 2) {
      x = Math.floor(rand() * 2 ** 53) * (rand() < 0.5 ? -1 : 1) * 10 ** Math.floor(rand() * 10);
    } else {
      x = (rand() - 0.5) * 10 ** (Math.floor(rand() * 40) - 20);
    }
    if (Number.isFinite(x)) out.push(x);
  }
  return out;
}

function bitsHex(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}

const CHAR_POOL = [
  'a',
  'Z',
  '0',
  ' ',
  '"',
  '\\',
  '/',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  '\u007f',
  'é',
  'Ж',
  '\u2028',
  '\u2029',
  '\ue000',
  '\uffff',
  '😀',
  '𝄞',
  '€',
  '\b',
  '\f',
];

function randomString(rand: () => number): string {
  const n = Math.floor(rand() * 6);
  let s = '';
  for (let i = 0; i < n; i++) s += CHAR_POOL[Math.floor(rand() * CHAR_POOL.length)];
  return s;
}

/** Writes a string literal the way varied producers do: raw, escaped, or \u-escaped. */
function literalString(rand: () => number, s: string): string {
  const mode = rand();
  if (mode < 0.5) return JSON.stringify(s);
  return `"${[...s]
    .map((ch) => {
      if (ch === '"' || ch === '\\') return `\\${ch}`;
      const cp = ch.codePointAt(0)!;
      if (cp < 0x20 || mode > 0.8) {
        return ch
          .split('')
          .map((u) => {
            const hex = u.charCodeAt(0).toString(16).padStart(4, '0');
            // Python accepts upper-case hex digits in escapes too.
            return `\\u${mode > 0.9 ? hex.toUpperCase() : hex}`;
          })
          .join('');
      }
      return ch;
    })
    .join('')}"`;
}

const NUMBER_LITERALS = [
  '0',
  '-0',
  '-0.0',
  '1E5',
  '1e-7',
  '2.50',
  '4278',
  '4278.0',
  '1e+16',
  '-12.5e-3',
  '123456789012345678901234567890',
  '0.30000000000000004',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
];

function randomJson(rand: () => number, depth: number): string {
  const r = rand();
  if (depth > 3 || r < 0.35) {
    const leaf = rand();
    if (leaf < 0.3) return NUMBER_LITERALS[Math.floor(rand() * NUMBER_LITERALS.length)]!;
    if (leaf < 0.5) return pyFloatRepr((rand() - 0.5) * 10 ** (Math.floor(rand() * 30) - 15));
    if (leaf < 0.8) return literalString(rand, randomString(rand));
    return ['true', 'false', 'null'][Math.floor(rand() * 3)]!;
  }
  const n = Math.floor(rand() * 5);
  const ws = rand() < 0.3 ? ' ' : '';
  if (r < 0.65) {
    return `[${ws}${Array.from({ length: n }, () => randomJson(rand, depth + 1)).join(`,${ws}`)}]`;
  }
  const members = Array.from(
    { length: n },
    () => `${literalString(rand, randomString(rand))}${ws}:${ws}${randomJson(rand, depth + 1)}`,
  );
  return `{${members.join(',')}}`;
}

describe('parity with CPython', () => {
  withPython('pyFloatRepr equals repr() for 20 000 random doubles', () => {
    const xs = randomDoubles(prng(SEED), 20_000);
    const out = runPython(
      'import sys, struct, json\n' +
        'for line in sys.stdin:\n' +
        '    sys.stdout.write(json.dumps(struct.unpack(">d", bytes.fromhex(line.strip()))[0]) + "\\n")\n',
      xs.map(bitsHex).join('\n') + '\n',
    ).split('\n');
    const mismatches = xs
      .map((x, i) => [x, pyFloatRepr(x), out[i]] as const)
      .filter(([, ours, theirs]) => ours !== theirs);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  withPython(
    'parse + sorted render equals json.dumps(json.loads(t), sort_keys=True, …) for 3 000 documents',
    () => {
      const rand = prng(SEED + 1);
      const docs = Array.from({ length: 3000 }, () => randomJson(rand, 0));
      const out = runPython(
        'import sys, json\n' +
          'docs = json.loads(sys.stdin.read())\n' +
          'res = [json.dumps(json.loads(d), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True) for d in docs]\n' +
          'sys.stdout.write(json.dumps(res, ensure_ascii=True))\n',
        JSON.stringify(docs),
      );
      const expected = JSON.parse(out) as string[];
      const mismatches = docs
        .map(
          (d, i) =>
            [d, renderPythonJson(parsePythonJson(d), { sortKeys: true }), expected[i]] as const,
        )
        .filter(([, ours, theirs]) => ours !== theirs);
      expect(mismatches.slice(0, 5)).toEqual([]);
    },
  );

  withPython(
    'encodeOhlcvMessage: Python re-renders every message byte for byte and accepts every sig',
    () => {
      const rand = prng(SEED + 2);
      const tfs: Timeframe[] = ['1m', '5m', '15m', '30m', '1h', '4h', '1d'];
      const cases = Array.from({ length: 300 }, (_, k) => {
        const tf = tfs[k % tfs.length]!;
        const algo = HMAC_ALGOS[k % HMAC_ALGOS.length]!;
        const secret = `key-${k}-${randomString(rand).replace(/[\ud800-\udfff]/g, '')}`;
        let t = 1_765_557_600_000 + k * 3_600_000;
        // Scales from 1e-8 to 1e12 put some prices past the 1e16 exponent-form threshold.
        const scale = 10 ** (Math.floor(rand() * 21) - 8);
        const bars: OhlcvBar[] = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => {
          const o = (Math.round(rand() * 50000) / 10 ** Math.floor(rand() * 6)) * scale;
          const c = o + (rand() - 0.5) * scale;
          const h = Math.max(o, c) + rand() * scale;
          const l = Math.min(o, c) - rand() * scale;
          const bar: OhlcvBar = {
            open_time: t,
            close_time: t + 59_999,
            open: o,
            high: h,
            low: l,
            close: c,
            volume: Math.floor(rand() * 500),
          };
          if (rand() < 0.5) {
            Object.assign(bar, {
              tick_count: Math.floor(rand() * 500),
              bar_range: h - l,
              body_size: Math.abs(c - o),
              upper_wick: h - Math.max(o, c),
              lower_wick: Math.min(o, c) - l,
              avg_spread: rand() * scale,
              max_spread: 2 * scale,
              complete: rand() < 0.5,
              synthetic: false,
              source: 'tick_agg',
              tf,
            });
          }
          t += 60_000;
          return bar;
        });
        const message = encodeOhlcvMessage(
          { symbol: 'XAUUSD', tf, bars, ...(rand() < 0.5 ? { source: 'tick_agg' } : {}) },
          { secret, algo },
        );
        return { message, secret, algo };
      });
      for (const c of cases) expect(verifyOhlcvSignature(c.message, c.secret, c.algo)).toBe(true);
      const out = runPython(
        'import sys, json, hmac, hashlib\n' +
          'res = []\n' +
          'for c in json.loads(sys.stdin.read()):\n' +
          '    p = json.loads(c["message"])\n' +
          '    base = {"symbol": p["symbol"], "tf": p["tf"], "bars": p["bars"]}\n' +
          '    raw = json.dumps(base, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)\n' +
          '    exp = hmac.new(c["secret"].encode("utf-8"), raw.encode("utf-8"), c["algo"]).hexdigest()\n' +
          '    again = json.dumps(p, separators=(",", ":"), ensure_ascii=False)\n' +
          '    res.append([hmac.compare_digest(exp, p["sig"]), again == c["message"]])\n' +
          'sys.stdout.write(json.dumps(res))\n',
        JSON.stringify(cases),
      );
      const verdicts = JSON.parse(out) as [boolean, boolean][];
      expect(verdicts).toHaveLength(cases.length);
      const bad = verdicts
        .map((v, i) => [i, ...v] as const)
        .filter(([, sigOk, same]) => !sigOk || !same);
      expect(bad.map(([i]) => cases[i]!.message).slice(0, 3)).toEqual([]);
    },
  );
});

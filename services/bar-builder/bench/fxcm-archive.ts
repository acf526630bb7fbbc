import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * A small reader of the real FXCM EUR/USD data beside the project (../shared/fxcm-data) for the
 * engine's tests and benchmarks; the production reader is the gateway's.
 */

/** Where the real data lives (`FXCM_DATA_DIR` overrides). */
export const FXCM_DATA_DIR =
  process.env.FXCM_DATA_DIR ?? resolve(__dirname, '..', '..', '..', '..', 'shared', 'fxcm-data');

export const EURUSD_DIR = join(FXCM_DATA_DIR, 'eurusd-2014-05');

/** Ticks of one file as columns (compact: the benchmark holds all 13 days at once). */
export interface TickColumns {
  ts: Float64Array;
  bid: Float64Array;
  ask: Float64Array;
  length: number;
}

/** One reference 1m bar, bid and ask sides. */
export interface ReferenceBar {
  open_time: number;
  bid: [open: number, high: number, low: number, close: number];
  ask: [open: number, high: number, low: number, close: number];
}

/** The days of the EUR/USD set, `YYYYMMDD`, ascending. */
export function eurusdDays(): string[] {
  return readdirSync(EURUSD_DIR)
    .map((f) => /^EURUSD_(\d{8})_ticks\.csv\.gz$/.exec(f)?.[1])
    .filter((d): d is string => d !== undefined)
    .sort();
}

const HEADER = 'DateTime,Bid,Ask';

/**
 * Reads one FXCM tick-archive file: gzip of UTF-16LE text with a BOM, CRLF line ends, header
 * `DateTime,Bid,Ask`, DateTime `MM/DD/YYYY HH:MM:SS.fff` in UTC.
 */
export function readTickFile(path: string): TickColumns {
  let text = gunzipSync(readFileSync(path)).toString('utf16le');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\r\n');
  if (lines[0] !== HEADER)
    throw new Error(`${path}: header is ${JSON.stringify(lines[0])}, expected ${HEADER}`);
  const n = lines.length - 1;
  const ts = new Float64Array(n);
  const bid = new Float64Array(n);
  const ask = new Float64Array(n);
  let k = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.length === 0) continue;
    const c1 = line.indexOf(',', 23);
    const c2 = line.indexOf(',', c1 + 1);
    const t = Date.UTC(
      Number(line.slice(6, 10)),
      Number(line.slice(0, 2)) - 1,
      Number(line.slice(3, 5)),
      Number(line.slice(11, 13)),
      Number(line.slice(14, 16)),
      Number(line.slice(17, 19)),
      Number(line.slice(20, c1).padEnd(3, '0')), // `.f` and `.ff` are tenths and hundredths
    );
    const b = Number(line.slice(c1 + 1, c2));
    const a = Number(line.slice(c2 + 1));
    if (!Number.isFinite(t) || !(b > 0) || !(a > 0))
      throw new Error(`${path}:${i + 1}: bad line ${JSON.stringify(line)}`);
    ts[k] = t;
    bid[k] = b;
    ask[k] = a;
    k++;
  }
  return { ts: ts.subarray(0, k), bid: bid.subarray(0, k), ask: ask.subarray(0, k), length: k };
}

/** Reads a reference m1 file (`open_time_ms,bid_open,…,ask_close`). */
export function readReferenceFile(path: string): ReferenceBar[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const header =
    'open_time_ms,bid_open,bid_high,bid_low,bid_close,ask_open,ask_high,ask_low,ask_close';
  if (lines[0] !== header)
    throw new Error(`${path}: unexpected header ${JSON.stringify(lines[0])}`);
  const out: ReferenceBar[] = [];
  for (const line of lines.slice(1)) {
    if (line.length === 0) continue;
    const f = line.split(',').map(Number);
    if (f.length !== 9 || f.some((x) => !Number.isFinite(x)))
      throw new Error(`${path}: bad line ${line}`);
    const [t, bo, bh, bl, bc, ao, ah, al, ac] = f as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    out.push({ open_time: t, bid: [bo, bh, bl, bc], ask: [ao, ah, al, ac] });
  }
  return out;
}

/** Ticks and reference bars of one day. */
export interface EurusdDay {
  day: string;
  ticks: TickColumns;
  reference: ReferenceBar[];
}

export function loadEurusdDay(day: string): EurusdDay {
  return {
    day,
    ticks: readTickFile(join(EURUSD_DIR, `EURUSD_${day}_ticks.csv.gz`)),
    reference: readReferenceFile(join(EURUSD_DIR, `EURUSD_${day}_m1.csv`)),
  };
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

// Digits (and one '.') of text[from, to) as a number, without a substring: integer / 10^k is the
// correctly rounded value of the decimal, the same double Number() gives.
function decimalAt(text: string, from: number, to: number): number {
  let n = 0;
  let scale = -1;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) scale = 0;
    else {
      const d = c - 48;
      if (d < 0 || d > 9) return Number.NaN;
      n = n * 10 + d;
      if (scale >= 0) scale++;
    }
  }
  return scale > 0 ? n / (POW10[scale] as number) : n;
}

function digitsAt(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
}

/**
 * Streams the ticks of one tick-archive file to `onTick` in constant memory (64 KiB chunks,
 * lines parsed in place): what the memory benchmark uses so the reader never dominates.
 */
export async function forEachTickStreamed(
  path: string,
  onTick: (ts: number, bid: number, ask: number) => void,
): Promise<number> {
  const { createReadStream } = await import('node:fs');
  const { createGunzip } = await import('node:zlib');
  const decoder = new TextDecoder('utf-16le');
  let text = '';
  let header = true;
  let count = 0;
  // Parses text[a, b): `MM/DD/YYYY HH:MM:SS.fff,Bid,Ask`.
  const line = (a: number, b: number): void => {
    if (b === a) return;
    if (header) {
      const h = text.slice(a, b);
      if (h !== HEADER)
        throw new Error(`${path}: header is ${JSON.stringify(h)}, expected ${HEADER}`);
      header = false;
      return;
    }
    const c1 = text.indexOf(',', a + 19);
    const c2 = text.indexOf(',', c1 + 1);
    if (c1 < 0 || c2 < 0 || c2 >= b)
      throw new Error(`${path}: bad line ${JSON.stringify(text.slice(a, b))}`);
    const ts = Date.UTC(
      digitsAt(text, a + 6, 4),
      digitsAt(text, a, 2) - 1,
      digitsAt(text, a + 3, 2),
      digitsAt(text, a + 11, 2),
      digitsAt(text, a + 14, 2),
      digitsAt(text, a + 17, 2),
      c1 > a + 20 ? digitsAt(text, a + 20, c1 - a - 20) * (POW10[3 - (c1 - a - 20)] ?? 1) : 0,
    );
    onTick(ts, decimalAt(text, c1 + 1, c2), decimalAt(text, c2 + 1, b));
    count++;
  };
  const source = createReadStream(path, { highWaterMark: 1 << 16 }).pipe(
    createGunzip({ chunkSize: 1 << 16 }),
  );
  for await (const chunk of source) {
    text += decoder.decode(chunk as Buffer, { stream: true });
    let a = 0;
    for (let b = text.indexOf('\r\n'); b >= 0; b = text.indexOf('\r\n', a)) {
      line(a, b);
      a = b + 2;
    }
    text = text.slice(a);
  }
  text += decoder.decode();
  line(0, text.length);
  return count;
}

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
  if (lines[0] !== HEADER) throw new Error(`${path}: header is ${JSON.stringify(lines[0])}, expected ${HEADER}`);
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
      Number(line.slice(20, c1)),
    );
    const b = Number(line.slice(c1 + 1, c2));
    const a = Number(line.slice(c2 + 1));
    if (!Number.isFinite(t) || !(b > 0) || !(a > 0)) throw new Error(`${path}:${i + 1}: bad line ${JSON.stringify(line)}`);
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
  const header = 'open_time_ms,bid_open,bid_high,bid_low,bid_close,ask_open,ask_high,ask_low,ask_close';
  if (lines[0] !== header) throw new Error(`${path}: unexpected header ${JSON.stringify(lines[0])}`);
  const out: ReferenceBar[] = [];
  for (const line of lines.slice(1)) {
    if (line.length === 0) continue;
    const f = line.split(',').map(Number);
    if (f.length !== 9 || f.some((x) => !Number.isFinite(x))) throw new Error(`${path}: bad line ${line}`);
    const [t, bo, bh, bl, bc, ao, ah, al, ac] = f as [number, number, number, number, number, number, number, number, number];
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

/**
 * Streams the ticks of one tick-archive file to `onTick` in constant memory (64 KiB chunks):
 * what the memory benchmark uses so the reader never dominates the process size.
 */
export async function forEachTickStreamed(
  path: string,
  onTick: (ts: number, bid: number, ask: number) => void,
): Promise<number> {
  const { createReadStream } = await import('node:fs');
  const { createGunzip } = await import('node:zlib');
  const decoder = new TextDecoder('utf-16le');
  let rest = '';
  let header = true;
  let count = 0;
  const take = (line: string): void => {
    if (header) {
      if (line !== HEADER) throw new Error(`${path}: header is ${JSON.stringify(line)}, expected ${HEADER}`);
      header = false;
      return;
    }
    if (line.length === 0) return;
    const c1 = line.indexOf(',', 23);
    const c2 = line.indexOf(',', c1 + 1);
    const ts = Date.UTC(
      Number(line.slice(6, 10)),
      Number(line.slice(0, 2)) - 1,
      Number(line.slice(3, 5)),
      Number(line.slice(11, 13)),
      Number(line.slice(14, 16)),
      Number(line.slice(17, 19)),
      Number(line.slice(20, c1)),
    );
    onTick(ts, Number(line.slice(c1 + 1, c2)), Number(line.slice(c2 + 1)));
    count++;
  };
  const source = createReadStream(path, { highWaterMark: 1 << 16 }).pipe(createGunzip({ chunkSize: 1 << 16 }));
  for await (const chunk of source) {
    const lines = (rest + decoder.decode(chunk as Buffer, { stream: true })).split('\r\n');
    rest = lines.pop() ?? '';
    for (const line of lines) take(line);
  }
  take(rest + decoder.decode());
  return count;
}

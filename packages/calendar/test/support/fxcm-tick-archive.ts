/**
 * Test-only reader for FXCM's public tick-archive format: gzip of UTF-16LE text with a BOM,
 * CRLF line ends, header `DateTime,Bid,Ask`, DateTime `MM/DD/YYYY HH:MM:SS.fff` in UTC.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Ticks of one file, column-wise. */
export interface TickColumns {
  readonly ts: Float64Array;
  readonly bid: Float64Array;
  readonly ask: Float64Array;
}

/** `05/04/2014 19:00:51.815` (UTC) → epoch ms. */
export function parseArchiveTime(text: string): number {
  const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/.exec(text);
  if (!m) throw new Error(`bad tick DateTime ${JSON.stringify(text)}`);
  const n = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(n[2], n[0] - 1, n[1], n[3], n[4], n[5], n[6]);
}

/** Reads a `*_ticks.csv.gz` file. */
export function readTickArchive(path: string): TickColumns {
  let text = gunzipSync(readFileSync(path)).toString('utf16le');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\r\n');
  if (lines[0] !== 'DateTime,Bid,Ask')
    throw new Error(`${path}: unexpected header ${JSON.stringify(lines[0])}`);
  const rows = lines.slice(1).filter((l) => l.length > 0);
  const ts = new Float64Array(rows.length);
  const bid = new Float64Array(rows.length);
  const ask = new Float64Array(rows.length);
  rows.forEach((line, i) => {
    const [dt, b, a] = line.split(',');
    if (dt === undefined || b === undefined || a === undefined)
      throw new Error(`${path}:${i + 2}: bad row ${JSON.stringify(line)}`);
    ts[i] = parseArchiveTime(dt);
    bid[i] = Number(b);
    ask[i] = Number(a);
  });
  return { ts, bid, ask };
}

/** Reads the `open_time_ms` column of a reference `*_m1.csv` file. */
export function readM1OpenTimes(path: string): number[] {
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  if (!lines[0]?.startsWith('open_time_ms,')) throw new Error(`${path}: unexpected header`);
  return lines.slice(1).map((l) => Number(l.slice(0, l.indexOf(','))));
}

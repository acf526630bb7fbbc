import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { FXCM_DATA_DIR } from './fxcm-archive';

/**
 * A reader of FXCM's hourly EUR/USD file as QuantConnect Lean stores it
 * (`lean-2014-05/fxcm/hour/eurusd.zip`): one CSV in a zip, no header, rows
 * `yyyyMMdd HH:mm,BidOpen,BidHigh,BidLow,BidClose,0,AskOpen,AskHigh,AskLow,AskClose,0`, the
 * stamp being the bar start in FIXED UTC-05 (Lean's `dataTimeZone` for `Forex-fxcm-[*]`).
 */

export const FXCM_HOUR_FILE = join(FXCM_DATA_DIR, 'lean-2014-05', 'fxcm', 'hour', 'eurusd.zip');

/** One hourly bar, both sides; `open_time` in UTC epoch ms. */
export interface HourBar {
  open_time: number;
  bid: [open: number, high: number, low: number, close: number];
  ask: [open: number, high: number, low: number, close: number];
}

const UTC_MINUS_5_MS = 5 * 3_600_000;

/** The text of the single file of a zip archive (stored or deflated). */
export function readSingleFileZip(path: string): string {
  const zip = readFileSync(path);
  // End of central directory: the last 0x06054b50 record; its central directory points at the
  // local header, whose sizes may be zero when a data descriptor follows (so take them here).
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${path}: not a zip archive`);
  if (zip.readUInt16LE(eocd + 10) !== 1) throw new Error(`${path}: expected exactly one file`);
  const cd = zip.readUInt32LE(eocd + 16);
  const method = zip.readUInt16LE(cd + 10);
  const size = zip.readUInt32LE(cd + 20);
  const local = zip.readUInt32LE(cd + 42);
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const data = zip.subarray(start, start + size);
  if (method === 0) return data.toString('utf8');
  if (method === 8) return inflateRawSync(data).toString('utf8');
  throw new Error(`${path}: compression method ${method} not supported`);
}

/** The hourly bars with `from <= open_time < to` (UTC epoch ms), ascending. */
export function readHourBars(from: number, to: number, path = FXCM_HOUR_FILE): HourBar[] {
  const out: HourBar[] = [];
  for (const line of readSingleFileZip(path).split(/\r?\n/)) {
    if (line.length === 0) continue;
    const f = line.split(',');
    const stamp = f[0] ?? '';
    const m = /^(\d{4})(\d{2})(\d{2}) (\d{2}):(\d{2})$/.exec(stamp);
    if (m === null || f.length !== 11) throw new Error(`${path}: bad line ${JSON.stringify(line)}`);
    const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
    const open_time = Date.UTC(y, mo - 1, d, h, mi) + UTC_MINUS_5_MS;
    if (open_time < from || open_time >= to) continue;
    const v = f.map(Number);
    out.push({
      open_time,
      bid: [v[1], v[2], v[3], v[4]] as HourBar['bid'],
      ask: [v[6], v[7], v[8], v[9]] as HourBar['ask'],
    });
  }
  return out;
}

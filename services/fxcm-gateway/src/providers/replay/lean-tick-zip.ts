import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { unzipSync } from 'fflate';
import { ArchiveLineError, type ArchiveTick } from './tick-archive';

/**
 * QuantConnect Lean's tick files, as its public sample data ships them
 * (`Data/{forex,cfd}/<broker>/tick/<symbol>/YYYYMMDD_quote.zip`): one CSV per zip, no header,
 * rows `<ms since midnight>,<bid>,<ask>`. Midnight is in the broker's data time zone from Lean's
 * market-hours database: `Forex-fxcm-*` is fixed UTC-05 (no DST), `*-oanda-*` is UTC. OANDA's
 * milliseconds carry a fraction (`40.1868`); it is cut to the whole millisecond, which keeps every
 * tick in its minute.
 */

const HOUR = 3_600_000;
const FILE_NAME = /^(\d{4})(\d{2})(\d{2})_quote\.zip$/;

/** True for a Lean tick zip name (`20140505_quote.zip`). */
export function isLeanTickZip(path: string): boolean {
  return FILE_NAME.test(basename(path));
}

/** The symbol of a Lean tick zip: its folder (`…/tick/xauusd/…` → `XAUUSD`). */
export function symbolFromLeanPath(path: string): string | undefined {
  const folder = basename(dirname(path));
  return /^[a-z0-9]+$/i.test(folder) ? folder.toUpperCase() : undefined;
}

/** UTC offset of the file's data time zone, from the broker folder in its path. */
export function leanDataOffsetMs(path: string): number | undefined {
  const parts = path.split(/[\\/]/);
  if (parts.includes('oanda')) return 0;
  if (parts.includes('fxcm')) return -5 * HOUR;
  return undefined;
}

/** Parses one row; a string says why it is unreadable. */
export function parseLeanTickRow(line: string, dayStartUtc: number): ArchiveTick | string {
  const [t, b, a, extra] = line.split(',');
  if (a === undefined || extra !== undefined) return 'expected <ms>,<bid>,<ask>';
  const ms = Number(t);
  const bid = Number(b);
  const ask = Number(a);
  if (!(ms >= 0 && ms < 24 * HOUR)) return `time ${JSON.stringify(t)} is not ms since midnight`;
  if (!(bid > 0) || !(ask > 0))
    return `bid/ask ${JSON.stringify(b)}/${JSON.stringify(a)} not positive`;
  return { ts: dayStartUtc + Math.floor(ms), bid, ask };
}

/** Ticks per chunk a Lean file is yielded in (about what a chunk of an FXCM archive holds). */
const LEAN_CHUNK = 4_096;

/**
 * Reads the ticks of one Lean tick zip (a day's file, unzipped whole), yielded in chunks of
 * {@link LEAN_CHUNK} in file order like {@link readTickArchive}'s. A file whose name, broker
 * folder or archive cannot be read fails as a whole (the replay reports `REPLAY_FAILED`); a bad
 * row goes to `onBadLine` and is skipped.
 */
export async function* readLeanTickZip(
  path: string,
  onBadLine: (err: ArchiveLineError) => void,
): AsyncGenerator<ArchiveTick[]> {
  const m = FILE_NAME.exec(basename(path));
  const offset = leanDataOffsetMs(path);
  if (!m) throw new Error(`${path}: not a Lean tick file (YYYYMMDD_quote.zip)`);
  if (offset === undefined)
    throw new Error(
      `${path}: cannot tell the data time zone (no fxcm or oanda folder in the path)`,
    );
  const dayStartUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - offset;
  const entries = Object.values(unzipSync(new Uint8Array(await readFile(path))));
  if (entries.length !== 1) throw new Error(`${path}: expected one CSV, found ${entries.length}`);
  const lines = new TextDecoder('utf-8').decode(entries[0]).split('\n');
  let ticks: ArchiveTick[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line === '') continue;
    const parsed = parseLeanTickRow(line, dayStartUtc);
    if (typeof parsed === 'string') onBadLine(new ArchiveLineError(path, i + 1, parsed));
    else ticks.push(parsed);
    if (ticks.length === LEAN_CHUNK) {
      yield ticks;
      ticks = [];
    }
  }
  if (ticks.length > 0) yield ticks;
}

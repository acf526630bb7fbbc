import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';

/** One quote of an archive file, event time in int epoch ms (UTC). */
export interface ArchiveTick {
  ts: number;
  bid: number;
  ask: number;
}

/** A line of an archive that could not be read, with its 1-based line number. */
export class ArchiveLineError extends Error {
  readonly code = 'ARCHIVE_LINE_INVALID';
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Hinnant's days_from_civil):
// the archive's time stamps are UTC, so no time-zone database is needed per line.
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const LINE = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?,([^,]+),([^,]+)$/;

/**
 * Parses one data line of FXCM's tick archive, `MM/DD/YYYY HH:MM:SS.fff,Bid,Ask` (UTC).
 * Returns a reason string for a line that is not a tick (the caller counts and reports it).
 */
export function parseArchiveLine(line: string): ArchiveTick | string {
  const m = LINE.exec(line);
  if (!m) return `not "MM/DD/YYYY HH:MM:SS.fff,Bid,Ask": ${JSON.stringify(line.slice(0, 60))}`;
  const [, mo, d, y, h, mi, s, frac, bidText, askText] = m as unknown as string[];
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return `bad date ${mo}/${d}/${y}`;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return `bad time ${h}:${mi}:${s}`;
  const ms = frac ? Number(frac.padEnd(3, '0')) : 0;
  const ts =
    daysFromCivil(Number(y), month, day) * 86_400_000 +
    Number(h) * 3_600_000 +
    Number(mi) * 60_000 +
    Number(s) * 1_000 +
    ms;
  const bid = Number(bidText);
  const ask = Number(askText);
  if (!Number.isFinite(bid) || !Number.isFinite(ask))
    return `non-numeric price ${bidText},${askText}`;
  return { ts, bid, ask };
}

/** The symbol an archive file is named for: `EURUSD_20140505_ticks.csv.gz` → `EURUSD`. */
export function symbolFromArchiveName(path: string): string | undefined {
  const m = /^([A-Za-z0-9]+)[_-]/.exec(basename(path));
  return m?.[1]?.toUpperCase();
}

/**
 * Streams the ticks of one FXCM tick-archive file: gzip of UTF-16LE text with a BOM, CRLF
 * line ends, header `DateTime,Bid,Ask`. Bad lines are passed to `onBadLine` and skipped, so
 * one damaged line never loses the rest of the file. Yields the ticks of each decompressed
 * chunk as one array (in file order, never empty): a replay at full speed takes hundreds of
 * thousands of ticks a second, and one asynchronous step per tick would cost more than parsing.
 */
export async function* readTickArchive(
  path: string,
  onBadLine: (err: ArchiveLineError) => void,
): AsyncGenerator<ArchiveTick[]> {
  const decoder = new TextDecoder('utf-16le');
  let rest = '';
  let lineNo = 0;
  const source = createReadStream(path).pipe(createGunzip());
  const handle = (raw: string): ArchiveTick | undefined => {
    lineNo += 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineNo === 1) {
      const header = line.replace(/^\uFEFF/, '');
      if (header !== 'DateTime,Bid,Ask') {
        onBadLine(
          new ArchiveLineError(
            path,
            1,
            `header is ${JSON.stringify(header)}, expected "DateTime,Bid,Ask"`,
          ),
        );
      }
      return undefined;
    }
    if (line === '') return undefined;
    const parsed = parseArchiveLine(line);
    if (typeof parsed === 'string') {
      onBadLine(new ArchiveLineError(path, lineNo, parsed));
      return undefined;
    }
    return parsed;
  };
  for await (const chunk of source) {
    const text = rest + decoder.decode(chunk as Buffer, { stream: true });
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    const ticks: ArchiveTick[] = [];
    for (const raw of lines) {
      const tick = handle(raw);
      if (tick) ticks.push(tick);
    }
    if (ticks.length > 0) yield ticks;
  }
  rest += decoder.decode();
  if (rest !== '') {
    const tick = handle(rest);
    if (tick) yield [tick];
  }
}

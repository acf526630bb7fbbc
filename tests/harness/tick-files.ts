import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const HEADER = '\uFEFFDateTime,Bid,Ask';

/** `MM/DD/YYYY HH:MM:SS.mmm` (UTC) of an FXCM tick archive row, as epoch ms. */
function rowTime(row: string): number {
  const m = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3}),/.exec(row);
  if (!m) throw new Error(`not a tick archive row: ${row.slice(0, 40)}`);
  const [, mo, d, y, h, mi, s, ms] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!);
}

/**
 * Splits an FXCM tick archive (gzip of UTF-16LE CSV) at `splitAt` (epoch ms): the rows before
 * it go to `<dir>/before/<name>`, the others to `<dir>/after/<name>`, in the same format and
 * under the same file name (the replay reads the symbol from it). Returns both paths.
 */
export function splitTickArchive(
  path: string,
  splitAt: number,
  dir: string,
): { before: string; after: string } {
  const text = gunzipSync(readFileSync(path)).toString('utf16le');
  const [header, ...rows] = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (header !== HEADER) throw new Error(`${path}: unexpected header`);
  const out = {
    before: join(dir, 'before', basename(path)),
    after: join(dir, 'after', basename(path)),
  };
  const write = (file: string, part: string[]): void => {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, gzipSync(Buffer.from(`${[HEADER, ...part].join('\r\n')}\r\n`, 'utf16le')));
  };
  write(
    out.before,
    rows.filter((r) => rowTime(r) < splitAt),
  );
  write(
    out.after,
    rows.filter((r) => rowTime(r) >= splitAt),
  );
  return out;
}

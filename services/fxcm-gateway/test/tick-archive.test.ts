import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  parseArchiveLine,
  readTickArchive,
  symbolFromArchiveName,
  type ArchiveLineError,
} from '../src/providers/replay/tick-archive';

const DAY = join(__dirname, '..', '..', '..', 'data', 'EURUSD_20140505_ticks.csv.gz');

/** Writes an archive the way FXCM does: UTF-16LE with a BOM, CRLF, gzip. */
function archive(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'archive-'));
  const path = join(dir, 'EURUSD_test_ticks.csv.gz');
  const text = `\uFEFF${lines.join('\r\n')}\r\n`;
  writeFileSync(path, gzipSync(Buffer.from(text, 'utf16le')));
  return path;
}

async function readAll(
  path: string,
): Promise<{ ticks: { ts: number; bid: number; ask: number }[]; bad: ArchiveLineError[] }> {
  const bad: ArchiveLineError[] = [];
  const ticks = [];
  for await (const chunk of readTickArchive(path, (e) => bad.push(e))) {
    expect(chunk.length).toBeGreaterThan(0);
    for (const tick of chunk) ticks.push(tick);
  }
  return { ticks, bad };
}

describe('parseArchiveLine', () => {
  it('reads MM/DD/YYYY HH:MM:SS.fff as UTC epoch ms', () => {
    expect(parseArchiveLine('05/05/2014 05:00:03.074,1.38756,1.38758')).toEqual({
      ts: Date.UTC(2014, 4, 5, 5, 0, 3, 74),
      bid: 1.38756,
      ask: 1.38758,
    });
    // leap day and year end
    expect(parseArchiveLine('02/29/2016 23:59:59.999,1,2')).toMatchObject({
      ts: Date.UTC(2016, 1, 29, 23, 59, 59, 999),
    });
    expect(parseArchiveLine('12/31/1999 00:00:00.5,1,2')).toMatchObject({
      ts: Date.UTC(1999, 11, 31, 0, 0, 0, 500),
    });
  });

  it('names what is wrong with a bad line', () => {
    expect(parseArchiveLine('2014-05-05 05:00:03,1,2')).toMatch(/not "MM\/DD\/YYYY/);
    expect(parseArchiveLine('13/05/2014 05:00:03.074,1,2')).toMatch(/bad date/);
    expect(parseArchiveLine('05/05/2014 25:00:03.074,1,2')).toMatch(/bad time/);
    expect(parseArchiveLine('05/05/2014 05:00:03.074,abc,2')).toMatch(/non-numeric/);
  });
});

describe('readTickArchive', () => {
  it('reads every tick of the bundled real day, in time order', async () => {
    const { ticks, bad } = await readAll(DAY);
    expect(bad).toEqual([]);
    expect(ticks).toHaveLength(58_143);
    expect(ticks[0]).toEqual({ ts: Date.UTC(2014, 4, 5, 5, 0, 3, 74), bid: 1.38756, ask: 1.38758 });
    expect(ticks.every((t, i) => i === 0 || t.ts >= ticks[i - 1]!.ts)).toBe(true);
  });

  it('skips and reports bad lines, keeping the rest', async () => {
    const path = archive([
      'DateTime,Bid,Ask',
      '05/05/2014 05:00:03.074,1.38756,1.38758',
      'garbage',
      '05/05/2014 05:00:07.826,1.38755,1.38758',
    ]);
    const { ticks, bad } = await readAll(path);
    expect(ticks.map((t) => t.bid)).toEqual([1.38756, 1.38755]);
    expect(bad.map((e) => [e.code, e.line])).toEqual([['ARCHIVE_LINE_INVALID', 3]]);
  });

  it('reports a wrong header', async () => {
    const { bad } = await readAll(archive(['Time,Bid,Ask', '05/05/2014 05:00:03.074,1,2']));
    expect(bad[0]?.message).toMatch(/header is "Time,Bid,Ask"/);
  });
});

it('tells the symbol from the archive file name', () => {
  expect(symbolFromArchiveName('/x/EURUSD_20140505_ticks.csv.gz')).toBe('EURUSD');
  expect(symbolFromArchiveName('xauusd-2024-01.csv.gz')).toBe('XAUUSD');
  expect(symbolFromArchiveName('/x/.csv.gz')).toBeUndefined();
});

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import {
  leanDataOffsetMs,
  readLeanTickZip,
  symbolFromLeanPath,
} from '../src/providers/replay/lean-tick-zip';
import type { ArchiveLineError, ArchiveTick } from '../src/providers/replay/tick-archive';

// The Lean tick zips beside the project: OANDA's gold (UTC, fractional ms) and FXCM's EUR/USD
// (fixed UTC-05). The ticks read must aggregate exactly into Lean's own minute bars.
const LEAN = resolve(__dirname, '../../../../shared/fxcm-data/lean-2014-05');
const GOLD_TICKS = join(LEAN, 'oanda/cfd/tick/xauusd/20140505_quote.zip');
const GOLD_MINUTES = join(LEAN, 'oanda/cfd/minute/xauusd/20140505_quote.zip');
const EURUSD_TICKS = join(LEAN, 'fxcm/tick/eurusd/20140505_quote.zip');

async function readAll(path: string): Promise<{ ticks: ArchiveTick[]; bad: ArchiveLineError[] }> {
  const ticks: ArchiveTick[] = [];
  const bad: ArchiveLineError[] = [];
  for await (const chunk of readLeanTickZip(path, (e) => bad.push(e))) {
    expect(chunk.length).toBeGreaterThan(0);
    for (const tick of chunk) ticks.push(tick);
  }
  return { ticks, bad };
}

function leanCsv(path: string): string[] {
  const [entry] = Object.values(unzipSync(readFileSync(path)));
  return Buffer.from(entry!).toString('utf8').trim().split('\n');
}

describe('Lean tick zips', () => {
  it('names the symbol by its folder and the data zone by its broker', () => {
    expect(symbolFromLeanPath(GOLD_TICKS)).toBe('XAUUSD');
    expect(leanDataOffsetMs(GOLD_TICKS)).toBe(0);
    expect(leanDataOffsetMs(EURUSD_TICKS)).toBe(-5 * 3_600_000);
    expect(leanDataOffsetMs('/data/ticks/xauusd/20140505_quote.zip')).toBeUndefined();
  });

  it("OANDA gold: every tick read, and they aggregate into Lean's minute bars exactly", async () => {
    const { ticks, bad } = await readAll(GOLD_TICKS);
    expect(bad).toEqual([]);
    expect(ticks.length).toBe(leanCsv(GOLD_TICKS).length);
    expect(new Date(ticks[0]!.ts).toISOString()).toBe('2014-05-05T00:00:00.040Z'); // 40.1868 ms
    const day = Date.UTC(2014, 4, 5);
    const bars = new Map<number, [number, number, number, number]>();
    for (const t of ticks) {
      const open = Math.floor(t.ts / 60_000) * 60_000;
      const b = bars.get(open);
      if (!b) bars.set(open, [t.bid, t.bid, t.bid, t.bid]);
      else bars.set(open, [b[0], Math.max(b[1], t.bid), Math.min(b[2], t.bid), t.bid]);
    }
    const reference = leanCsv(GOLD_MINUTES).map((row) => {
      const v = row.split(',').map(Number);
      return [day + v[0]!, [v[1], v[2], v[3], v[4]]] as const;
    });
    expect(bars.size).toBe(reference.length);
    const mismatches = reference.filter(([open, ohlc]) => {
      const b = bars.get(open);
      return !b || b.some((x, i) => x !== ohlc[i]);
    });
    expect(mismatches).toEqual([]);
  });

  it('FXCM EUR/USD: midnight is 05:00 UTC (fixed UTC-05)', async () => {
    const { ticks } = await readAll(EURUSD_TICKS);
    expect(ticks.length).toBe(58_143);
    const first = Number(leanCsv(EURUSD_TICKS)[0]!.split(',')[0]);
    expect(ticks[0]!.ts).toBe(Date.UTC(2014, 4, 5, 5) + Math.floor(first));
  });

  it('skips and reports bad rows, keeps the rest', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lean-zip-')), 'oanda', 'xauusd');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, '20140505_quote.zip');
    const csv = '1000,1300.1,1300.5\nabc,1,2\n2000,-1,1300.5\n3000.5,1300.2,1300.6\n';
    writeFileSync(path, zipSync({ '20140505_xauusd_tick_quote.csv': Buffer.from(csv) }));
    const { ticks, bad } = await readAll(path);
    expect(ticks).toEqual([
      { ts: Date.UTC(2014, 4, 5) + 1000, bid: 1300.1, ask: 1300.5 },
      { ts: Date.UTC(2014, 4, 5) + 3000, bid: 1300.2, ask: 1300.6 },
    ]);
    expect(bad.map((e) => [e.line, e.code])).toEqual([
      [2, 'ARCHIVE_LINE_INVALID'],
      [3, 'ARCHIVE_LINE_INVALID'],
    ]);
  });
});

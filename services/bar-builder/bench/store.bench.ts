/*
 * Bar store benchmark: prints appends/s of the live path (1 bar + fdatasync), a minute's end
 * of 250 symbols (one after another and side by side), bulk appends of a day of history
 * (1440 bars, one write + fdatasync), gap-fill rewrites, open and read MB/s.
 *   pnpm exec tsx --conditions=source services/bar-builder/bench/store.bench.ts [dir]
 * The figures depend on the disk under `dir` (default: the OS temp dir).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type StoredBar } from '../src/store';
import { referenceBars } from '../test/store/reference-bars';

const DAYS = [
  '20140501',
  '20140502',
  '20140504',
  '20140505',
  '20140506',
  '20140507',
  '20140508',
  '20140509',
  '20140511',
  '20140512',
  '20140513',
  '20140514',
  '20140515',
];
const WEEK = 7 * 86_400_000;
const MAX_BARS = 60_000;
const RECORD = 84;

/** The real 13 days repeated three weeks apart: as many distinct, sorted minutes as asked for. */
function realBars(count: number): StoredBar[] {
  const base = DAYS.flatMap((d) => referenceBars(d));
  const out: StoredBar[] = [];
  for (let k = 0; out.length < count; k++) {
    for (const b of base) {
      if (out.length === count) break;
      const shift = k * 3 * WEEK;
      out.push({ ...b, open_time: b.open_time + shift, close_time: b.close_time + shift });
    }
  }
  return out;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function line(name: string, value: string): void {
  console.log(`${name.padEnd(46)} ${value}`);
}

/**
 * A minute's end in the bar builder: one 1m final for each of 250 symbols, appended one after
 * another (as the builder does) or 16 at a time; wall time and the process's CPU (its I/O
 * threads included), median of 10 minutes each, alternating.
 */
async function minuteEnd(dir: string, minutes: StoredBar[]): Promise<void> {
  const store = await openStore({ dir, maxBars: MAX_BARS });
  const symbols = Array.from({ length: 250 }, (_, i) => `SYM${i}`);
  const figures: Record<'one after another' | 'side by side', { wall: number[]; cpu: number[] }> = {
    'one after another': { wall: [], cpu: [] },
    'side by side': { wall: [], cpu: [] },
  };
  for (const [i, bar] of minutes.entries()) {
    const append = (symbol: string) => store.append(symbol, '1m', [bar]).then(() => undefined);
    const mode = i % 2 === 0 ? 'one after another' : 'side by side';
    const cpu = process.cpuUsage();
    const t = process.hrtime.bigint();
    if (mode === 'side by side') {
      let next = 0;
      const lane = async () => {
        while (next < symbols.length) await append(symbols[next++]!);
      };
      await Promise.all(Array.from({ length: 16 }, lane));
    } else for (const symbol of symbols) await append(symbol);
    const used = process.cpuUsage(cpu);
    // the first minute creates the files (a rewrite each, not the live path); the second is
    // dropped too, so each way keeps 10
    if (i < 2) continue;
    figures[mode].wall.push(seconds(t) * 1e3);
    figures[mode].cpu.push((used.user + used.system) / 1e3);
  }
  await store.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [mode, { wall, cpu }] of Object.entries(figures)) {
    line(
      `minute's end, 250 symbols, ${mode}`,
      `${median(wall).toFixed(1)} ms, CPU ${median(cpu).toFixed(1)} ms`,
    );
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'store-bench-'));
  try {
    const bars = realBars(MAX_BARS + 1440 * 20 + 1000);
    const store = await openStore({ dir, maxBars: MAX_BARS });

    // Live path: one final bar per append, durable before the next.
    const live = bars.slice(0, 1000);
    await store.append('EURUSD', '1m', live.slice(0, 1));
    let t = process.hrtime.bigint();
    for (const bar of live.slice(1)) await store.append('EURUSD', '1m', [bar]);
    let s = seconds(t);
    line(
      'live append, 1 bar + fdatasync',
      `${(999 / s).toFixed(0)} appends/s (${((s / 999) * 1e3).toFixed(2)} ms each)`,
    );

    await minuteEnd(join(dir, 'minute-end'), bars.slice(0, 22));

    // Bulk: a day of history per append.
    const bulk = bars.slice(1000, 1000 + 1440 * 20);
    t = process.hrtime.bigint();
    for (let i = 0; i < bulk.length; i += 1440)
      await store.append('EURUSD', '1m', bulk.slice(i, i + 1440));
    s = seconds(t);
    line(
      'bulk append, 1440 bars (1 write + fdatasync)',
      `${(20 / s).toFixed(0)} days/s, ${(bulk.length / s).toFixed(0)} bars/s`,
    );

    // Fill to the retention limit, then measure a gap fill (a full rewrite of 60000 bars).
    const rest = bars.slice(1000 + 1440 * 20);
    for (let i = 0; i < rest.length; i += 4000)
      await store.append('EURUSD', '1m', rest.slice(i, i + 4000));
    const held = await store.read('EURUSD', '1m');
    const holes = held.filter((_, i) => i % 1000 === 500);
    const gapStore = await openStore({ dir: join(dir, 'gaps'), maxBars: MAX_BARS });
    await gapStore.append(
      'EURUSD',
      '1m',
      held.filter((_, i) => i % 1000 !== 500),
    );
    t = process.hrtime.bigint();
    for (const hole of holes) await gapStore.append('EURUSD', '1m', [hole]);
    s = seconds(t);
    line(
      `gap fill of 1 bar into ${held.length - holes.length} (rewrite)`,
      `${((s / holes.length) * 1e3).toFixed(1)} ms each`,
    );
    await gapStore.close();
    await store.close();

    // Open (scan + checksum of every record) and read.
    const file = join(dir, 'EURUSD_1m.bars');
    const size = statSync(file).size;
    t = process.hrtime.bigint();
    const reopened = await openStore({ dir, maxBars: MAX_BARS });
    s = seconds(t);
    line(
      `open, ${(size / 1e6).toFixed(1)} MB file`,
      `${(s * 1e3).toFixed(1)} ms, ${(size / 1e6 / s).toFixed(0)} MB/s`,
    );
    const rounds = 10;
    let n = 0;
    t = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) n += (await reopened.read('EURUSD', '1m')).length;
    s = seconds(t);
    line(
      `read all ${n / rounds} bars (decode + checksum)`,
      `${((n * RECORD) / 1e6 / s).toFixed(0)} MB/s, ${(n / s / 1e6).toFixed(2)} M bars/s`,
    );
    t = process.hrtime.bigint();
    for (let r = 0; r < 1000; r++) await reopened.read('EURUSD', '1m', { limit: 1600 });
    s = seconds(t);
    line('read newest 1600 bars (warmup)', `${((s / 1000) * 1e3).toFixed(2)} ms each`);
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

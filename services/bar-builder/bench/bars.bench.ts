/**
 * Benchmark of the bar engine on the real FXCM EUR/USD ticks (13 days, all timeframes on):
 *
 * 1. memory: the days streamed from disk in constant memory through one engine; peak RSS after
 *    the first day and after all 13 (state must be bounded by symbols × timeframes: ≤ 10 % apart);
 * 2. throughput: ticks/s of the core (onTick + a watermark after every tick), input pre-loaded;
 * 3. peer: tardis-dev `compute(computeTradeBars(...))` over the same ticks, and the ratio;
 * 4. the whole bar builder reading from Redis (measured by the service benchmark).
 *
 * Run: pnpm bench:bars (root) or pnpm --filter @fxcm/bar-builder bench:bars
 */
import { join } from 'node:path';
import { calendarFor } from '@fxcm/calendar';
import { compute, computeTradeBars, type Trade } from 'tardis-dev';
import { createBarEngine, TIMEFRAME_MS, TIMEFRAMES } from '../src/domain';
import { EURUSD_DIR, eurusdDays, forEachTickStreamed, readTickFile, type TickColumns } from './fxcm-archive';

const SYMBOL = 'EURUSD';
const REPEATS = 5;

const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;
const rate = (n: number, ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} ticks/s`;
const peakRssKb = (): number => process.resourceUsage().maxRSS;
const tickPath = (day: string): string => join(EURUSD_DIR, `EURUSD_${day}_ticks.csv.gz`);

async function memoryPhase(days: string[]): Promise<{ afterFirst: number; afterAll: number }> {
  const engine = createBarEngine({ calendarFor });
  let last = 0;
  let afterFirst = 0;
  let finals = 0;
  for (const [i, day] of days.entries()) {
    await forEachTickStreamed(tickPath(day), (ts, bid, ask) => {
      engine.onTick({ symbol: SYMBOL, ts, bid, ask });
      finals += engine.onWatermark({ ts, feed: 'alive' }).length;
      last = ts;
    });
    if (i === 0) afterFirst = peakRssKb();
  }
  finals += engine.onWatermark({ ts: last - (last % 60_000) + 60_000, feed: 'alive' }).length;
  const afterAll = peakRssKb();
  console.log(`memory: ${days.length} days streamed, ${finals} finals, open bars at end ${engine.status().openBars}`);
  return { afterFirst, afterAll };
}

function joinDays(parts: TickColumns[]): TickColumns {
  const n = parts.reduce((k, p) => k + p.length, 0);
  const out: TickColumns = { ts: new Float64Array(n), bid: new Float64Array(n), ask: new Float64Array(n), length: n };
  let k = 0;
  for (const p of parts) {
    out.ts.set(p.ts, k);
    out.bid.set(p.bid, k);
    out.ask.set(p.ask, k);
    k += p.length;
  }
  return out;
}

function coreRun(t: TickColumns): { ms: number; finals: number } {
  const engine = createBarEngine({ calendarFor, timeframes: TIMEFRAMES });
  const { ts, bid, ask } = t;
  let finals = 0;
  const start = performance.now();
  for (let i = 0; i < t.length; i++) {
    const time = ts[i] as number;
    engine.onTick({ symbol: SYMBOL, ts: time, bid: bid[i] as number, ask: ask[i] as number });
    finals += engine.onWatermark({ ts: time, feed: 'alive' }).length;
  }
  const last = ts[t.length - 1] as number;
  finals += engine.onWatermark({ ts: last - (last % 60_000) + 60_000, feed: 'alive' }).length;
  return { ms: performance.now() - start, finals };
}

async function tardisRun(t: TickColumns): Promise<{ ms: number; bars: number }> {
  async function* trades(): AsyncIterableIterator<Trade> {
    for (let i = 0; i < t.length; i++) {
      const at = new Date(t.ts[i] as number);
      yield {
        type: 'trade',
        symbol: SYMBOL,
        exchange: 'bitmex', // any exchange id: the computable ignores it
        id: undefined,
        price: ((t.bid[i] as number) + (t.ask[i] as number)) / 2,
        amount: 1,
        side: 'unknown',
        timestamp: at,
        localTimestamp: at,
      };
    }
  }
  const computables = TIMEFRAMES.map((tf) => computeTradeBars({ kind: 'time', interval: TIMEFRAME_MS[tf] }));
  let bars = 0;
  const start = performance.now();
  for await (const message of compute(trades(), ...computables)) {
    if (message.type === 'trade_bar') bars++;
  }
  return { ms: performance.now() - start, bars };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function main(): Promise<void> {
  const days = eurusdDays();
  console.log(`bar engine benchmark: ${SYMBOL} ${days[0]}..${days[days.length - 1]} (${days.length} days), timeframes ${TIMEFRAMES.join(',')}`);
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);

  const mem = await memoryPhase(days);
  const growth = (mem.afterAll - mem.afterFirst) / mem.afterFirst;
  console.log(
    `peak RSS after day 1: ${mb(mem.afterFirst)}; after all ${days.length} days: ${mb(mem.afterAll)}; ` +
      `growth ${(growth * 100).toFixed(1)} % (limit 10 %): ${growth <= 0.1 ? 'OK' : 'FAILED'}`,
  );

  const ticks = joinDays(days.map((d) => readTickFile(tickPath(d))));
  coreRun(ticks); // warm-up: JIT and calendar caches
  const runs = Array.from({ length: REPEATS }, () => coreRun(ticks));
  const coreMs = median(runs.map((r) => r.ms));
  console.log(
    `core: ${ticks.length.toLocaleString('en-US')} ticks, onTick + watermark per tick, all timeframes: ` +
      `${rate(ticks.length, coreMs)} (median of ${REPEATS}, ${coreMs.toFixed(0)} ms; ${runs[0]?.finals} finals)` +
      ` target ≥ 1,000,000 ticks/s: ${(ticks.length / coreMs) * 1000 >= 1_000_000 ? 'OK' : 'FAILED'}`,
  );

  const peer = await tardisRun(ticks);
  console.log(
    `tardis-dev compute(computeTradeBars) x${TIMEFRAMES.length} intervals over the same ticks: ` +
      `${rate(ticks.length, peer.ms)} (${peer.ms.toFixed(0)} ms, ${peer.bars} bars)`,
  );
  console.log(`ratio core / tardis-dev: ${(peer.ms / coreMs).toFixed(1)}x`);

  // ---- WHOLE BAR BUILDER FROM REDIS ----------------------------------------------------------
  // The figure for the whole service (gateway stream in Redis -> bar builder -> bars stream) is
  // measured by the service's own benchmark and printed here once it exists.
  console.log('whole bar builder reading from Redis: (measured by the service benchmark; not part of the core run)');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

/**
 * Benchmark of the bar engine on the real FXCM EUR/USD ticks (13 days, all timeframes on):
 *
 * 1. memory (in a child process of its own, nothing else loaded): the days streamed from disk in
 *    constant memory through one engine, a full GC at each day's end so the figures show state,
 *    not when V8 chose to collect; peak RSS after the first day and after all 13 (state must be
 *    bounded by symbols × timeframes: ≤ 10 % apart) and the heap in use after GC;
 * 2. throughput: ticks/s of the core (onTick + a watermark after every tick), input pre-loaded;
 * 3. peer: tardis-dev `compute(computeTradeBars(...))` over the same ticks, and the ratio;
 * 4. the whole bar builder reading from Redis (measured by the service benchmark).
 *
 * Run: pnpm bench:bars (root) or pnpm --filter @fxcm/bar-builder bench:bars
 */
import { describePipeline, measurePipeline } from './pipeline.bench';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { calendarFor } from '@fxcm/calendar';
import type { Trade } from 'tardis-dev';
import { createBarEngine, TIMEFRAME_MS, TIMEFRAMES } from '../src/domain';
import {
  EURUSD_DIR,
  eurusdDays,
  forEachTickStreamed,
  readTickFile,
  type TickColumns,
} from './fxcm-archive';

const SYMBOL = 'EURUSD';
const REPEATS = 5;

const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;
const rate = (n: number, ms: number): string =>
  `${Math.round((n / ms) * 1000).toLocaleString('en-US')} ticks/s`;
const peakRssKb = (): number => process.resourceUsage().maxRSS;
const tickPath = (day: string): string => join(EURUSD_DIR, `EURUSD_${day}_ticks.csv.gz`);

interface MemoryFigures {
  days: number;
  finals: number;
  /** Peak RSS (KB) after the first day / after all days. */
  afterFirst: number;
  afterAll: number;
  /** Heap in use after a full GC (bytes) after the first day / after all days. */
  heapFirst: number;
  heapAll: number;
}

/** The memory phase, run in the child: streams every day through one engine. */
async function memoryPhase(days: string[]): Promise<MemoryFigures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('memory phase needs --expose-gc');
  const engine = createBarEngine({ calendarFor });
  let last = 0;
  let finals = 0;
  const figures: MemoryFigures = {
    days: days.length,
    finals: 0,
    afterFirst: 0,
    afterAll: 0,
    heapFirst: 0,
    heapAll: 0,
  };
  for (const [i, day] of days.entries()) {
    await forEachTickStreamed(tickPath(day), (ts, bid, ask) => {
      engine.onTick({ symbol: SYMBOL, ts, bid, ask });
      finals += engine.onWatermark({ ts, feed: 'alive' }).length;
      last = ts;
    });
    if (i === days.length - 1)
      finals += engine.onWatermark({ ts: last - (last % 60_000) + 60_000, feed: 'alive' }).length;
    gc();
    if (i === 0) {
      figures.afterFirst = peakRssKb();
      figures.heapFirst = process.memoryUsage().heapUsed;
    }
  }
  figures.afterAll = peakRssKb();
  figures.heapAll = process.memoryUsage().heapUsed;
  figures.finals = finals;
  return figures;
}

/** Runs the memory phase in a fresh child process and returns its figures. */
function memoryInChild(): Promise<MemoryFigures> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--memory-phase'], {
      execArgv: [...process.execArgv, '--expose-gc'],
    });
    let figures: MemoryFigures | undefined;
    child.on('message', (m) => {
      figures = m as MemoryFigures;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && figures !== undefined) resolve(figures);
      else reject(new Error(`memory phase exited with code ${String(code)}`));
    });
  });
}

function joinDays(parts: TickColumns[]): TickColumns {
  const n = parts.reduce((k, p) => k + p.length, 0);
  const out: TickColumns = {
    ts: new Float64Array(n),
    bid: new Float64Array(n),
    ask: new Float64Array(n),
    length: n,
  };
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
  // loaded here only, so the memory child never carries the peer library
  const { compute, computeTradeBars } = await import('tardis-dev');
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
  const computables = TIMEFRAMES.map((tf) =>
    computeTradeBars({ kind: 'time', interval: TIMEFRAME_MS[tf] }),
  );
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
  console.log(
    `bar engine benchmark: ${SYMBOL} ${days[0]}..${days[days.length - 1]} (${days.length} days), timeframes ${TIMEFRAMES.join(',')}`,
  );
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);

  const mem = await memoryInChild();
  const growth = (mem.afterAll - mem.afterFirst) / mem.afterFirst;
  console.log(`memory: ${mem.days} days streamed through one engine, ${mem.finals} finals`);
  console.log(
    `peak RSS after day 1: ${mb(mem.afterFirst)}; after all ${mem.days} days: ${mb(mem.afterAll)}; ` +
      `growth ${(growth * 100).toFixed(1)} % (limit 10 %): ${growth <= 0.1 ? 'OK' : 'FAILED'}`,
  );
  console.log(
    `heap in use after GC: day 1 ${mb(mem.heapFirst / 1024)}, all days ${mb(mem.heapAll / 1024)}`,
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
  // The service path: the ticks XADDed as the gateway writes them, then consumed by the bar
  // builder's own consumer and pipeline (decode, engine, bars stream, store, acks).
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  try {
    console.log(describePipeline(await measurePipeline(eurusdDays(), redisUrl)));
  } catch (err) {
    console.log(
      `whole bar builder reading from Redis: not measured (${String((err as Error).message)}; set REDIS_URL)`,
    );
  }
}

if (process.argv.includes('--memory-phase')) {
  memoryPhase(eurusdDays())
    .then((figures) => process.send?.(figures))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}

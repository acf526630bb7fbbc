import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { openCalendarFile } from '../harness/open-calendar';
import { waitFor } from '../harness/suite';
import { finalLatency, percentile, repeatedFinals, type LatencyFigures } from './bench-figures';
import { benchSymbols, BenchSuite } from './bench-suite';
import { GRACE_MS } from './pipeline-runs';

// The soak behind `pnpm soak` (and, a few minutes long, its short form in npm test): all five
// services on the simulator in wall-clock time, memory read at the end of the warm-up and at
// the end, every final 1m bar timed, every error counted.

const MINUTE = 60_000;

/** Redis' memory and the length of every stream of the namespace. */
export interface RedisFootprint {
  usedMemory: number;
  streams: Record<string, number>;
}

/** Result of {@link soakRun}. */
export interface SoakFigures {
  /**
   * Resident memory by process, bytes: the median of its reads (every 10 s) in the first and in
   * the last window of the measured minutes (a third of them, at most 5 minutes).
   */
  rssAfterWarmup: Record<string, number | undefined>;
  rssAtEnd: Record<string, number | undefined>;
  /** V8 heap in use by process, bytes: medians of the same windows (its /metrics). */
  heapAfterWarmup: Record<string, number | undefined>;
  heapAtEnd: Record<string, number | undefined>;
  /** V8 old generation in use by process, bytes: medians of the same windows (a leak's figure). */
  oldAfterWarmup: Record<string, number | undefined>;
  oldAtEnd: Record<string, number | undefined>;
  redisAfterWarmup: RedisFootprint;
  redisAtEnd: RedisFootprint;
  /** Finals of the minutes after the warm-up. */
  latency: LatencyFigures;
  /** Finals missing among those minutes (symbols × minutes expected). */
  missing: number;
  repeated: number;
  /** Error-level log lines by process. */
  errors: Record<string, number>;
  exited: string[];
  unreadable: number;
}

/** How often the soak reads every process's resident memory and heap. */
const MEMORY_EVERY_MS = 10_000;

interface MemorySample {
  at: number;
  rss: Record<string, number | undefined>;
  heap: Record<string, number | undefined>;
  old: Record<string, number | undefined>;
}

/** The median of each process's reads of one figure (a process gone in every read: undefined). */
function median(
  samples: readonly MemorySample[],
  figure: 'rss' | 'heap' | 'old',
): Record<string, number | undefined> {
  const names = new Set(samples.flatMap((x) => Object.keys(x[figure])));
  return Object.fromEntries(
    [...names].map((name) => {
      const reads = samples.map((x) => x[figure][name]).filter((v): v is number => v !== undefined);
      return [name, reads.length === 0 ? undefined : percentile(reads, 50)];
    }),
  );
}

/** `name value` pairs in MiB, for a progress line. */
function inMiB(figures: Record<string, number | undefined>): string {
  return Object.entries(figures)
    .map(
      ([name, bytes]) => `${name} ${bytes === undefined ? 'gone' : Math.round(bytes / 1_048_576)}`,
    )
    .join(', ');
}

async function footprint(redis: Redis, namespace: string): Promise<RedisFootprint> {
  const info = await redis.info('memory');
  const streams: Record<string, number> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(
      cursor,
      'MATCH',
      `${namespace}:*`,
      'COUNT',
      1000,
      'TYPE',
      'stream',
    );
    for (const key of keys) streams[key.slice(namespace.length + 1)] = await redis.xlen(key);
    cursor = next;
  } while (cursor !== '0');
  return { usedMemory: Number(/used_memory:(\d+)/.exec(info)?.[1]), streams };
}

/**
 * Runs the five services for `warmupMinutes + minutes` of wall time on `symbols` simulated
 * symbols at `ticksPerSecond` each; `log` hears a line a minute.
 */
export async function soakRun(
  opts: {
    redisUrl: string;
    symbols: number;
    ticksPerSecond: number;
    warmupMinutes: number;
    minutes: number;
  },
  log: (line: string) => void,
): Promise<SoakFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'fxcm-soak-'));
  const suite = new BenchSuite({
    redisUrl: opts.redisUrl,
    symbols: benchSymbols(opts.symbols),
    shards: 1,
    others: ['scheduler', 'publisher', 'ingestor'],
    common: { FXCM_CALENDAR_FILE: openCalendarFile(dir) },
    gateway: {
      FXCM_PROVIDER: 'sim',
      FXCM_SIM_TICKS_PER_SECOND: String(opts.ticksPerSecond),
      FXCM_WATERMARK_GRACE_MS: String(GRACE_MS),
    },
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await suite.start();
    await suite.startGateway();
    const started = Date.now();
    const mark = async (label: string): Promise<void> => {
      const heap = inMiB((await suite.heap()).used);
      log(
        `${label}: ${suite.finals.length} finals so far; RSS MiB ${inMiB(suite.rss())}; heap used MiB ${heap}`,
      );
    };
    for (let m = 1; m <= opts.warmupMinutes; m += 1) {
      await sleep(started + m * MINUTE - Date.now());
      await mark(`warm-up minute ${m}`);
    }
    const redisAfterWarmup = await footprint(suite.redis, suite.namespace);
    // measured: the whole minutes that start after the warm-up
    const first = Math.ceil(Date.now() / MINUTE) * MINUTE;
    const last = first + (opts.minutes - 1) * MINUTE;
    // A garbage-collected heap's RSS swings by tens of MiB between two reads: memory at the
    // start and at the end is the median of the reads of a window (a third of the run, at most
    // 5 minutes), not one read.
    const samples: MemorySample[] = [];
    const sampler = setInterval(() => {
      const at = Date.now();
      const rss = suite.rss();
      void suite.heap().then(({ used, old }) => samples.push({ at, rss, heap: used, old }));
    }, MEMORY_EVERY_MS);
    for (let m = 1; m <= opts.minutes; m += 1) {
      await sleep(first + m * MINUTE - Date.now());
      await mark(`minute ${m}/${opts.minutes}`);
    }
    clearInterval(sampler);
    const window = Math.min(5 * MINUTE, (opts.minutes * MINUTE) / 3);
    const atStart = samples.filter((x) => x.at >= first && x.at < first + window);
    const atEnd = samples.filter((x) => x.at >= last + MINUTE - window);
    const measured = () => suite.finals.filter((f) => f.openTime >= first && f.openTime <= last);
    const expected = opts.symbols * opts.minutes;
    await waitFor(
      () => measured().length >= expected,
      2 * GRACE_MS + 30_000,
      () => `${measured().length}/${expected} final bars\n${suite.logs()}`,
    ).catch(() => undefined); // what is missing is counted, not thrown
    return {
      rssAfterWarmup: median(atStart, 'rss'),
      rssAtEnd: median(atEnd, 'rss'),
      heapAfterWarmup: median(atStart, 'heap'),
      heapAtEnd: median(atEnd, 'heap'),
      oldAfterWarmup: median(atStart, 'old'),
      oldAtEnd: median(atEnd, 'old'),
      redisAfterWarmup,
      redisAtEnd: await footprint(suite.redis, suite.namespace),
      latency: finalLatency(measured(), first + MINUTE),
      missing: Math.max(
        0,
        expected - new Set(measured().map((f) => `${f.symbol}@${f.openTime}`)).size,
      ),
      repeated: repeatedFinals(suite.finals).length,
      errors: Object.fromEntries([...suite.processes].map(([name, p]) => [name, p.logged.error])),
      exited: suite.exited(),
      unreadable: suite.unreadable,
    };
  } finally {
    await suite.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

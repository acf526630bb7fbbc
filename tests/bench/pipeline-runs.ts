import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { encodeStreamEntry, streamNames } from '@fxcm/contracts';
import { streamIdMs } from '@fxcm/redis-streams';
import { Redis } from 'ioredis';
import { TickRecorder } from '../../services/fxcm-gateway/src/recording/tick-recorder';
import { quoteList, SimMarket } from '../../services/fxcm-gateway/src/providers/sim/sim-market';
import { openCalendarFile } from '../harness/open-calendar';
import { waitFor } from '../harness/suite';
import {
  cpuSpent,
  finalLatency,
  rate,
  repeatedFinals,
  worstByMinute,
  type LatencyFigures,
} from './bench-figures';
import { benchSymbols, BenchSuite, redisCpuSeconds } from './bench-suite';
import { readMinuteStages, type MinuteStages } from './minute-stages';

// The runs of `pnpm bench:pipeline` (and, at small sizes, of its short form in npm test):
// the raw XADD ceiling, a tick flood end to end, and final-bar latency in real time.

const MINUTE = 60_000;
/** A Wednesday 10:00 UTC: the shipped calendar is open, London and New York overlap soon. */
const FLOOD_START = Date.UTC(2026, 10, 18, 10, 0);
/** The gateway's default watermark grace; the latency target is this plus 50 ms. */
export const GRACE_MS = 1_000;

/** What this machine is, for the printed figures. */
export function machineLine(redisVersion: string): string {
  const cores = cpus();
  return `${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, Redis ${redisVersion}`;
}

export async function redisVersion(url: string): Promise<string> {
  const redis = new Redis(url);
  try {
    return /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}

/** The tick fields the gateway writes, for the ceiling to write the same bytes. */
function tickFields(symbol: string, ts: number, bid: number, ask: number): string[] {
  return encodeStreamEntry('tick', { symbol, ts, bid, ask, recv_ts: ts, source: 'replay' });
}

/**
 * The ceiling: `count` tick entries written with raw ioredis, 512 XADDs per pipeline (the
 * gateway producer's batch), one pipeline after another, into a scratch stream. Entries/s.
 */
export async function xaddCeiling(url: string, count: number): Promise<number> {
  const redis = new Redis(url);
  const stream = `bench_ceiling:${process.pid}`;
  const market = new SimMarket({ seed: 11, ticksPerSecond: 20 });
  // encoded before the clock starts: the ceiling is Redis and the client, nothing else
  const sample = quoteList(market.ticksInMinute('B001USD', FLOOD_START)).map((t) =>
    tickFields('B001USD', t.ts, t.bid, t.ask),
  );
  try {
    const started = performance.now();
    for (let done = 0; done < count;) {
      const pipeline = redis.pipeline();
      const n = Math.min(512, count - done);
      for (let i = 0; i < n; i += 1) {
        pipeline.xadd(
          stream,
          'MAXLEN',
          '~',
          1_000_000,
          '*',
          ...sample[(done + i) % sample.length]!,
        );
      }
      await pipeline.exec();
      done += n;
    }
    return rate(count, performance.now() - started);
  } finally {
    await redis.del(stream);
    redis.disconnect();
  }
}

/** The size of a {@link floodRun} or {@link liveRun}, and where it runs. */
export interface PipelineRunOptions {
  redisUrl: string;
  symbols: number;
  /** Quotes per second per symbol. */
  ticksPerSecond: number;
  /** Bar-builder shards. */
  shards: number;
  /** Minutes of quotes replayed (flood) or measured (live). */
  minutes: number;
  /** Write a V8 CPU profile of every process under this folder. */
  profileDir?: string;
}

/** Result of {@link floodRun}. */
export interface FloodFigures {
  ticks: number;
  ms: number;
  ticksPerSecond: number;
  finals: number;
  expectedFinals: number;
  /** Σ tick_count of the finals equals the ticks replayed, and no final came twice. */
  exact: boolean;
  previews: number;
  /** CPU seconds each process (and Redis) spent during the run: where the time went. */
  cpu: Record<string, number | undefined>;
  /** The run's phases, ms (Redis stream ids time the gateway's first and last entries). */
  phases: {
    /** Gateway spawned → its first tick on a tick stream (process start, connect, checks). */
    startup: number;
    /** First tick → the gateway's last entry (its closing watermark). */
    writing: number;
    /** Last entry → the last final bar on the channel (the builder and publisher catching up). */
    drain: number;
    /** Of the writing, how long the feed waited for Redis to take its queue (backpressure). */
    gatewayWaited: number | undefined;
  };
  /** Ticks per second from the first tick on the stream to the last final on the channel. */
  sustainedTicksPerSecond: number;
}

/**
 * Resolves with the time of the first entry added to any of `streams` from now on (its id's
 * ms, Redis's clock on this machine): a blocking XREAD on a connection of its own.
 */
function firstEntryAt(
  url: string,
  streams: readonly string[],
): { at: Promise<number>; stop(): void } {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const at = redis
    .xread('BLOCK', 0, 'STREAMS', ...streams, ...streams.map(() => '$'))
    .then((reply) => Math.min(...(reply ?? []).map(([, entries]) => streamIdMs(entries[0]![0]))))
    .finally(() => redis.disconnect());
  at.catch(() => undefined);
  return { at, stop: () => redis.disconnect() };
}

/** Time (ms) of the last entry on any of `streams`. */
async function lastEntryAt(redis: Redis, streams: readonly string[]): Promise<number> {
  const last = await Promise.all(streams.map((s) => redis.xrevrange(s, '+', '-', 'COUNT', 1)));
  return Math.max(...last.map((entries) => (entries[0] ? streamIdMs(entries[0][0]) : -Infinity)));
}

/**
 * A tick flood end to end: `symbols` × `minutes` of simulated quotes at `ticksPerSecond` are
 * written as tick-archive files, then the gateway replays them at full speed through the bar
 * builder(s) and the publisher; the clock runs from the gateway's start to the arrival of the
 * last final 1m bar on the channel.
 */
export async function floodRun(opts: PipelineRunOptions): Promise<FloodFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'fxcm-bench-flood-'));
  const symbols = benchSymbols(opts.symbols);
  const market = new SimMarket({ seed: 7, ticksPerSecond: opts.ticksPerSecond });
  const recorder = new TickRecorder({ dir });
  let ticks = 0;
  for (let m = FLOOD_START; m < FLOOD_START + opts.minutes * MINUTE; m += MINUTE) {
    for (const symbol of symbols) {
      for (const t of quoteList(market.ticksInMinute(symbol, m))) {
        recorder.record({ symbol, ts: t.ts, bid: t.bid, ask: t.ask, recvTs: t.ts });
        ticks += 1;
      }
    }
  }
  await recorder.close();
  const expectedFinals = opts.symbols * opts.minutes;
  const suite = new BenchSuite({
    redisUrl: opts.redisUrl,
    symbols,
    shards: opts.shards,
    others: ['publisher'],
    gateway: { FXCM_PROVIDER: 'replay', FXCM_REPLAY_FILES: dir, FXCM_REPLAY_SPEED: 'max' },
    ...(opts.profileDir ? { profileDir: opts.profileDir } : {}),
  });
  try {
    await suite.start();
    const tickStreams = Array.from({ length: opts.shards }, (_, shard) =>
      streamNames(suite.namespace).ticks(shard),
    );
    const first = firstEntryAt(opts.redisUrl, tickStreams);
    const before = { ...suite.cpu(), redis: await redisCpuSeconds(suite.redis) };
    const startedAt = await suite.startGateway().catch((err: unknown) => {
      first.stop();
      throw err;
    });
    await waitFor(
      () => suite.finals.length >= expectedFinals,
      600_000,
      () => `${suite.finals.length}/${expectedFinals} final bars\n${suite.logs()}`,
    );
    const lastFinal = Math.max(...suite.finals.map((f) => f.arrivedAt));
    const ms = lastFinal - startedAt;
    const firstTick = await first.at;
    const lastEntry = await lastEntryAt(suite.redis, tickStreams);
    const waited = await suite.metric('fxcm-gateway', 'fxcm_gateway_backpressure_seconds_total');
    const counted = suite.finals.reduce((sum, f) => sum + f.tickCount, 0);
    const after = { ...suite.cpu(), redis: await redisCpuSeconds(suite.redis) };
    const cpu = cpuSpent(before, after);
    return {
      ticks,
      ms,
      ticksPerSecond: rate(ticks, ms),
      finals: suite.finals.length,
      expectedFinals,
      exact: counted === ticks && repeatedFinals(suite.finals).length === 0,
      previews: suite.previews,
      cpu,
      phases: {
        startup: firstTick - startedAt,
        writing: lastEntry - firstTick,
        drain: lastFinal - lastEntry,
        gatewayWaited: waited === undefined ? undefined : Math.round(waited * 1_000),
      },
      sustainedTicksPerSecond: rate(ticks, lastFinal - firstTick),
    };
  } finally {
    await suite.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Result of {@link liveRun}. */
export interface LiveFigures extends LatencyFigures {
  symbols: number;
  shards: number;
  repeated: number;
  /** Processes that exited on their own during the run. */
  exited: string[];
  /** The slowest final of each measured minute, ms after the minute's end, in minute order. */
  worstByMinute: number[];
  /** Open time of the first measured minute, epoch ms. */
  firstMinute: number;
  /** CPU seconds each process (and Redis) spent from the first measured minute's start. */
  cpu: Record<string, number | undefined>;
  /** Seconds that CPU time was counted over. */
  cpuSpan: number;
  /** Each measured minute's watermark and bars-stream times, with its channel span. */
  stages: (MinuteStages & { channelFirst: number; channelLast: number })[];
}

/**
 * Runs `read` at epoch ms `atMs` (its timer kept in `timers`, to clear on failure). The result is
 * awaited once the run is over: a failure before then is not an unhandled rejection.
 */
function readAt<T>(atMs: number, read: () => Promise<T>, timers: NodeJS.Timeout[]): Promise<T> {
  const value = new Promise<T>((resolve, reject) => {
    timers.push(setTimeout(() => read().then(resolve, reject), atMs - Date.now()));
  });
  value.catch(() => undefined);
  return value;
}

/**
 * The simulator in real time (an always-open calendar) at `ticksPerSecond` per symbol through
 * the gateway, the bar builder shard(s) and the publisher, for `minutes` whole minutes after the
 * gateway is ready; the latency of each of those minutes' final 1m bars on the channel.
 */
export async function liveRun(opts: PipelineRunOptions): Promise<LiveFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'fxcm-bench-live-'));
  const suite = new BenchSuite({
    redisUrl: opts.redisUrl,
    symbols: benchSymbols(opts.symbols),
    shards: opts.shards,
    others: ['publisher'],
    common: {
      FXCM_CALENDAR_FILE: openCalendarFile(dir),
      // The minute the gateway starts in is seen only in part, and with no history worker its
      // history bar never comes: by default its finals would go out from the ticks 3 minutes
      // later, 500 extra messages in the middle of a measured minute. Out at once, they are not.
      FXCM_PARTIAL_HISTORY_WAIT_MS: '0',
    },
    gateway: {
      FXCM_PROVIDER: 'sim',
      FXCM_SIM_TICKS_PER_SECOND: String(opts.ticksPerSecond),
      FXCM_WATERMARK_GRACE_MS: String(GRACE_MS),
      // The live path only: a cold start asks history for the day's windows in progress, and
      // the simulator computes each history minute from all its quotes (1,200 at 20/s), which
      // for hundreds of symbols is minutes of the gateway's CPU (the soak keeps history on).
      FXCM_HISTORY_WORKER: 'false',
    },
    ...(opts.profileDir ? { profileDir: opts.profileDir } : {}),
  });
  try {
    await suite.start();
    await suite.startGateway();
    // the first whole minute after the gateway is ready, and the ones after it
    const first = Math.ceil(Date.now() / MINUTE) * MINUTE;
    const last = first + (opts.minutes - 1) * MINUTE;
    const measured = () => suite.finals.filter((f) => f.openTime >= first && f.openTime <= last);
    const cpuNow = async (): Promise<Record<string, number | undefined>> => ({
      ...suite.cpu(),
      redis: await redisCpuSeconds(suite.redis),
      // this process: the subscriber that times the bars (and reads the stages)
      subscriber: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    });
    const timers: NodeJS.Timeout[] = [];
    const cpuAtFirst = readAt(first, cpuNow, timers);
    // each minute's stages, read from the internal streams 5 s after it ends (still retained)
    const stages: Promise<MinuteStages>[] = [];
    for (let end = first + MINUTE; end <= last + MINUTE; end += MINUTE) {
      const read = () => readMinuteStages(suite.redis, suite.namespace, opts.shards, end, GRACE_MS);
      stages.push(readAt(end + 5_000, read, timers));
    }
    await waitFor(
      () => measured().length >= opts.symbols * opts.minutes,
      (opts.minutes + 2) * MINUTE,
      () => `${measured().length}/${opts.symbols * opts.minutes} final bars\n${suite.logs()}`,
    ).catch((err: unknown) => {
      timers.forEach(clearTimeout);
      throw err;
    });
    const cpuAfter = await cpuNow();
    const cpuSpan = (Date.now() - first) / 1_000;
    const channel = (end: number): number[] =>
      measured()
        .filter((f) => f.openTime === end - MINUTE)
        .map((f) => f.arrivedAt - end);
    return {
      ...finalLatency(measured(), first + MINUTE),
      symbols: opts.symbols,
      shards: opts.shards,
      repeated: repeatedFinals(suite.finals).length,
      exited: suite.exited(),
      worstByMinute: worstByMinute(measured()),
      firstMinute: first,
      cpu: cpuSpent(await cpuAtFirst, cpuAfter),
      cpuSpan,
      stages: (await Promise.all(stages)).map((stage) => ({
        ...stage,
        channelFirst: Math.min(...channel(stage.minuteEnd)),
        channelLast: Math.max(...channel(stage.minuteEnd)),
      })),
    };
  } finally {
    await suite.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

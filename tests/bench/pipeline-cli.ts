import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PrivateRedis } from '../harness/private-redis';
import { BENCH_REDIS_ARGS } from './bench-suite';
import {
  floodRun,
  GRACE_MS,
  liveRun,
  machineLine,
  redisVersion,
  xaddCeiling,
  type LiveFigures,
} from './pipeline-runs';

// `pnpm bench:pipeline`: gateway → bar builder → publisher → a subscriber on fxcm:ohlcv, each its
// own process, on a private redis-server (AOF every second, as in production). Prints figures;
// asserts nothing (the short form in npm test checks the runs are exact).

const { values } = parseArgs({
  options: {
    'flood-symbols': { type: 'string', default: '50' },
    'flood-minutes': { type: 'string', default: '10' },
    'live-minutes': { type: 'string', default: '3' },
    'shards-500': { type: 'string', default: '2' },
    /** Which runs, comma-separated: flood (with the ceiling), live-50, live-500. */
    runs: { type: 'string', default: 'flood,live-50,live-500' },
    /** Write a V8 CPU profile of every service process of every run under this folder. */
    'cpu-prof-dir': { type: 'string' },
  },
});

const TARGET_RATIO = 0.5;
const RUNS = ['flood', 'live-50', 'live-500'] as const;
const runs = new Set(values.runs.split(',').map((run) => run.trim()));
const unknownRuns = [...runs].filter((run) => !(RUNS as readonly string[]).includes(run));
if (unknownRuns.length > 0) {
  console.error(`--runs: unknown ${unknownRuns.join(', ')} (known: ${RUNS.join(', ')})`);
  process.exit(2);
}

/** The profile folder of one run, when `--cpu-prof-dir` is given. */
function profile(run: string): { profileDir?: string } {
  const dir = values['cpu-prof-dir'];
  return dir ? { profileDir: join(dir, run) } : {};
}
const TARGET_P99 = GRACE_MS + 50;

function liveLine(label: string, f: LiveFigures): string {
  const verdict = f.p99 <= TARGET_P99 ? 'met' : 'NOT met';
  return (
    `latency ${label} (${f.shards} shard${f.shards > 1 ? 's' : ''}): final 1m bars on the channel after their minute ends ` +
    `p50 ${f.p50} ms, p99 ${f.p99} ms, max ${f.max} ms over ${f.bars} bars (slowest per minute from ${new Date(f.firstMinute).toISOString().slice(11, 16)} UTC: ${f.worstByMinute.join(', ')} ms); ` +
    `target p99 ≤ grace + 50 = ${TARGET_P99} ms ${verdict}; ${f.repeated} repeated, exited: ${f.exited.join(', ') || 'none'}`
  );
}

/** Per measured minute: where its latency went, ms after the minute's end. */
function stagesLine(label: string, f: LiveFigures): string {
  const ms = (n: number | undefined): string => (n === undefined ? '?' : `+${n}`);
  const minutes = f.stages.map(
    (s) =>
      `${new Date(s.minuteEnd - 60_000).toISOString().slice(11, 16)} watermark ${ms(s.watermark)}, ` +
      `bars stream ${ms(s.barsFirst)}…${ms(s.barsLast)} (${s.bars}), channel ${ms(s.channelFirst)}…${ms(s.channelLast)}`,
  );
  const cpu = Object.entries(f.cpu)
    .map(
      ([name, seconds]) =>
        `${name} ${seconds === undefined ? '?' : (seconds / f.cpuSpan).toFixed(2)}`,
    )
    .join(', ');
  return (
    `latency ${label}: stages per minute, ms after its end: ${minutes.join('; ')}; ` +
    `CPU over those ${Math.round(f.cpuSpan)} s, cores: ${cpu}`
  );
}

async function main(): Promise<void> {
  const redis = await PrivateRedis.start([...BENCH_REDIS_ARGS]);
  try {
    console.log(`machine: ${machineLine(await redisVersion(redis.url))}`);
    if (runs.has('flood')) await floodAndCeiling(redis.url);
    const minutes = Number(values['live-minutes']);
    if (runs.has('live-50')) {
      const at50 = await liveRun({
        redisUrl: redis.url,
        symbols: 50,
        ticksPerSecond: 20,
        shards: 1,
        minutes,
        ...profile('live-50'),
      });
      console.log(liveLine('50 × 20 ticks/s', at50));
      console.log(stagesLine('50 × 20 ticks/s', at50));
    }
    if (runs.has('live-500')) {
      const at500 = await liveRun({
        redisUrl: redis.url,
        symbols: 500,
        ticksPerSecond: 20,
        shards: Number(values['shards-500']),
        minutes,
        ...profile('live-500'),
      });
      console.log(liveLine('500 × 20 ticks/s', at500));
      console.log(stagesLine('500 × 20 ticks/s', at500));
    }
  } finally {
    await redis.stop();
  }
}

/** The flood end to end, then the ceiling on the same Redis, and their ratio. */
async function floodAndCeiling(redisUrl: string): Promise<void> {
  const flood = await floodRun({
    redisUrl,
    symbols: Number(values['flood-symbols']),
    minutes: Number(values['flood-minutes']),
    ticksPerSecond: 20,
    shards: 1,
    ...profile('flood'),
  });
  const ceiling = await xaddCeiling(redisUrl, flood.ticks);
  // Like the ceiling (a connected client, its entries encoded before its clock starts), the
  // sustained rate runs from the first tick on the stream; the gateway's start is its own phase.
  const ratio = flood.sustainedTicksPerSecond / ceiling;
  const { startup, writing, drain, gatewayWaited } = flood.phases;
  console.log(
    `ceiling: raw ioredis XADD, 512 per pipeline, ${flood.ticks} entries: ${ceiling} entries/s`,
  );
  console.log(
    `end to end: ${flood.ticks} ticks (${values['flood-symbols']} symbols × ${values['flood-minutes']} min) replayed at max, ` +
      `first tick on the stream → last final 1m bar on the channel ${((writing + drain) / 1000).toFixed(1)} s: ` +
      `${flood.sustainedTicksPerSecond} ticks/s = ${ratio.toFixed(2)} of the ceiling (target ≥ ${TARGET_RATIO} ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}); ` +
      `${flood.finals}/${flood.expectedFinals} finals, ${flood.exact ? 'exact' : 'NOT EXACT'} (Σ tick_count = ticks, none twice), ${flood.previews} previews`,
  );
  console.log(
    `end to end: phases: gateway start → its first tick on the stream ${startup} ms (process, modules, Redis checks), ` +
      `writing ${writing} ms (of it the feed waited ${gatewayWaited ?? '?'} ms for Redis to take its queue), ` +
      `last entry → last final ${drain} ms; from the gateway's start ${(flood.ms / 1000).toFixed(1)} s: ` +
      `${flood.ticksPerSecond} ticks/s = ${(flood.ticksPerSecond / ceiling).toFixed(2)} of the ceiling`,
  );
  const cpu = Object.entries(flood.cpu)
    .map(([name, seconds]) => `${name} ${seconds ?? '?'} s`)
    .join(', ');
  console.log(
    `end to end: CPU seconds spent in those ${(flood.ms / 1000).toFixed(1)} s (${cpus().length} cores): ${cpu}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

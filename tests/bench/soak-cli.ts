import { parseArgs } from 'node:util';
import { PrivateRedis } from '../harness/private-redis';
import { BENCH_REDIS_ARGS } from './bench-suite';
import { growth, mib } from './bench-figures';
import { GRACE_MS, machineLine, redisVersion } from './pipeline-runs';
import { soakRun, type SoakFigures } from './soak-run';

// `pnpm soak`: 30 minutes (after a 5-minute warm-up) of the simulator in wall-clock time at
// 50 symbols × 20 ticks/s through all five services on a private redis-server. Prints figures;
// asserts nothing (the short form in npm test checks a few minutes of it).

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    'warmup-minutes': { type: 'string', default: '5' },
    symbols: { type: 'string', default: '50' },
    rate: { type: 'string', default: '20' },
  },
});

const RSS_TARGET_PCT = 10;

/** One line per process, start → end; returns the largest growth in percent and whose. */
function growthLines(
  start: Record<string, number | undefined>,
  end: Record<string, number | undefined>,
): { name: string; pct: number } {
  let worst = { name: '', pct: -Infinity };
  for (const [name, after] of Object.entries(end)) {
    const before = start[name];
    console.log(`  ${name}: ${mib(before)} → ${mib(after)} (${growth(before, after)})`);
    if (before !== undefined && after !== undefined && (after - before) / before > worst.pct / 100)
      worst = { name, pct: ((after - before) / before) * 100 };
  }
  return worst;
}

function report(f: SoakFigures, label: string): void {
  console.log(`RSS per process, after warm-up → end (target: growth ≤ ${RSS_TARGET_PCT} %):`);
  const worst = growthLines(f.rssAfterWarmup, f.rssAtEnd);
  console.log('V8 heap in use per process, same windows (young generation included):');
  growthLines(f.heapAfterWarmup, f.heapAtEnd);
  console.log('V8 old generation in use per process, same windows (what survives collections):');
  growthLines(f.oldAfterWarmup, f.oldAtEnd);
  console.log(
    `Redis used_memory: ${mib(f.redisAfterWarmup.usedMemory)} → ${mib(f.redisAtEnd.usedMemory)} (${growth(f.redisAfterWarmup.usedMemory, f.redisAtEnd.usedMemory)})`,
  );
  for (const [stream, length] of Object.entries(f.redisAtEnd.streams))
    console.log(`  ${stream}: ${f.redisAfterWarmup.streams[stream] ?? 0} → ${length} entries`);
  const errors = Object.values(f.errors).reduce((a, b) => a + b, 0);
  console.log(
    `final 1m bars after their minute ends: p50 ${f.latency.p50} ms, p99 ${f.latency.p99} ms, max ${f.latency.max} ms over ${f.latency.bars} bars (grace ${GRACE_MS} ms)`,
  );
  console.log(
    `errors: ${errors} error log lines (${Object.entries(f.errors)
      .map(([n, c]) => `${n} ${c}`)
      .join(
        ', ',
      )}), ${f.missing} finals missing, ${f.repeated} repeated, ${f.unreadable} unreadable messages, exited: ${f.exited.join(', ') || 'none'}`,
  );
  console.log(
    `${label}: RSS growth after warm-up at most ${worst.pct.toFixed(1)} % (${worst.name}; target ≤ ${RSS_TARGET_PCT} % ${worst.pct <= RSS_TARGET_PCT ? 'met' : 'NOT met'}), ` +
      `final-bar p99 ${f.latency.p99} ms, ${errors} errors, ${f.missing} missing, ${f.repeated} repeated`,
  );
}

async function main(): Promise<void> {
  const redis = await PrivateRedis.start([...BENCH_REDIS_ARGS]);
  const opts = {
    redisUrl: redis.url,
    symbols: Number(values.symbols),
    ticksPerSecond: Number(values.rate),
    warmupMinutes: Number(values['warmup-minutes']),
    minutes: Number(values.minutes),
  };
  try {
    console.log(`machine: ${machineLine(await redisVersion(redis.url))}`);
    const figures = await soakRun(opts, (line) => console.log(line));
    report(
      figures,
      `soak ${opts.minutes} min after ${opts.warmupMinutes} min warm-up, ${opts.symbols} × ${opts.ticksPerSecond} ticks/s, 5 services`,
    );
  } finally {
    await redis.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

#!/usr/bin/env node
// Runs the five services on this machine as separate processes, replaying the bundled real day
// (data/EURUSD_20140505_ticks.csv.gz) at a demo speed. Started by `npm start` after the build;
// logs go to .run/logs/<service>.log. Ctrl-C stops everything.
//
// Environment: REDIS_URL (set by the bootstrap), DEMO_SPEED (replay factor, default 60: a 1m bar
// closes every second), DEMO_PRICE_MODE (mid|bid|ask, default mid), FXCM_HMAC_SECRET (optional).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runDir = join(root, '.run');
const namespace = 'fxcm_demo';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const services = ['scheduler', 'publisher', 'ingestor', 'bar-builder', 'fxcm-gateway'];

/** The demo starts clean: its own namespace, an empty store, no publish marks from a previous run. */
async function resetDemoState() {
  rmSync(join(runDir, 'cache'), { recursive: true, force: true });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

async function main() {
  mkdirSync(join(runDir, 'logs'), { recursive: true });
  await resetDemoState();
  const common = {
    ...process.env,
    REDIS_URL: redisUrl,
    FXCM_NAMESPACE: namespace,
    FXCM_LOG_LEVEL: process.env.FXCM_LOG_LEVEL ?? 'info',
  };
  const perService = {
    'fxcm-gateway': {
      FXCM_PROVIDER: 'replay',
      FXCM_REPLAY_FILES: join(root, 'data', 'EURUSD_20140505_ticks.csv.gz'),
      FXCM_REPLAY_SPEED: process.env.DEMO_SPEED ?? '60',
    },
    'bar-builder': {
      FXCM_PRICE_MODE: process.env.DEMO_PRICE_MODE ?? 'mid',
      FXCM_CACHE_DIR: join(runDir, 'cache'),
    },
    scheduler: { FXCM_TELEMETRY_INTERVAL_SECONDS: '5' },
    publisher: {},
    ingestor: { FXCM_INGEST_ALLOWED_SYMBOLS: 'EURUSD,XAUUSD' },
  };

  const children = [];
  services.forEach((service, i) => {
    const log = createWriteStream(join(runDir, 'logs', `${service}.log`), { flags: 'w' });
    const child = spawn(process.execPath, [join(root, 'services', service, 'dist', 'main.js')], {
      cwd: root,
      env: { ...common, FXCM_METRICS_PORT: String(9201 + i), ...perService[service] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    child.on('exit', (code, signal) => {
      if (!stopping)
        console.log(
          `[run-local] ${service} exited (${code ?? signal}); see .run/logs/${service}.log`,
        );
    });
    children.push({ service, child, port: 9201 + i });
  });

  console.log(
    [
      '',
      `The suite is running (namespace ${namespace}, Redis ${redisUrl}), replaying EUR/USD 2014-05-05`,
      `at ${process.env.DEMO_SPEED ?? '60'}x: a complete 1m bar about every second.`,
      '',
      '  watch the bars:     npm run watch            (fxcm:ohlcv, complete bars; --all for previews)',
      '  or raw:             redis-cli subscribe fxcm:ohlcv fxcm:status',
      ...children.map(
        ({ service, port }) =>
          `  ${service.padEnd(14)} http://127.0.0.1:${port}/metrics  /healthz  /readyz`,
      ),
      '  logs:               .run/logs/<service>.log',
      '',
      'Ctrl-C stops everything.',
    ].join('\n'),
  );

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const { child } of children) child.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await Promise.all(children.map(({ child }) => new Promise((r) => child.on('exit', r))));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

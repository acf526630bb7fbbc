#!/usr/bin/env node
// Runs the five services on this machine as separate processes. Started by `npm start` after
// the build; logs go to .run/logs/<service>.log.
//
// Modes: by default the bundled real day (data/EURUSD_20140505_ticks.csv.gz) is replayed in real
// time, shifted so its first tick lands now — a live-looking market whose prices a consumer
// accepts; `--sim` (or DEMO_MODE=sim) runs the simulator for XAUUSD and EURUSD in real time.
//
// Environment: REDIS_URL (set by the bootstrap); DEMO_SPEED (replay factor, default 1; above 1
// the day is shifted by whole weeks into the past instead, as a live feed cannot run ahead of
// now); DEMO_PRICE_MODE (mid|bid|ask, default mid); FXCM_METRICS_PORT (first metrics port,
// default 9201 for the first service, each one the next free port); FXCM_API_PORT (the viewer,
// default 8090 or a free one when taken); FXCM_HMAC_SECRET (optional).
//
// SIGINT or SIGTERM stops every service (each logs `stopped`) within STOP_DEADLINE_MS, then
// SIGKILLs what is left; a second signal kills at once.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, openSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { nodeFlagsOf } from './node-flags.mjs';
import { portOrFree } from './ports.mjs';
import { onStopSignals } from './stop-signals.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runDir = join(root, '.run');
const namespace = 'fxcm_demo';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const services = ['scheduler', 'publisher', 'ingestor', 'bar-builder', 'fxcm-gateway'];
const STOP_DEADLINE_MS = 12_000; // each service gives itself 10 s
const sim = process.argv.includes('--sim') || process.env.DEMO_MODE === 'sim';
const speed = Number(process.env.DEMO_SPEED ?? '1');
const say = (line) => console.log(`[run-local] ${line}`);

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

/** A distinct port per service: from FXCM_METRICS_PORT (or 9201) up, each free or any free one. */
async function metricsPorts() {
  const base = process.env.FXCM_METRICS_PORT;
  if (base === '0') return services.map(() => 0);
  const first = base === undefined ? 9201 : Number(base);
  const chosen = [];
  for (let i = 0; i < services.length; i += 1) {
    let port = await portOrFree(first + i);
    while (chosen.includes(port)) port = await portOrFree(0);
    chosen.push(port);
  }
  return chosen;
}

function providerEnv() {
  if (sim) return { FXCM_PROVIDER: 'sim', FXCM_STREAM_CONFIG: 'XAU/USD:m1,EUR/USD:m1' };
  return {
    FXCM_PROVIDER: 'replay',
    FXCM_REPLAY_FILES: join(root, 'data', 'EURUSD_20140505_ticks.csv.gz'),
    FXCM_REPLAY_SPEED: String(speed),
    FXCM_REPLAY_SHIFT: process.env.DEMO_SHIFT ?? (speed > 1 ? 'weeks' : 'now'),
  };
}

async function main() {
  mkdirSync(join(runDir, 'logs'), { recursive: true });
  await resetDemoState();
  const ports = await metricsPorts();
  const apiPort = process.env.FXCM_API_PORT ?? String(await portOrFree(8090));
  const common = {
    ...process.env,
    REDIS_URL: redisUrl,
    FXCM_NAMESPACE: namespace,
    FXCM_LOG_LEVEL: process.env.FXCM_LOG_LEVEL ?? 'info',
  };
  const perService = {
    'fxcm-gateway': providerEnv(),
    'bar-builder': {
      FXCM_PRICE_MODE: process.env.DEMO_PRICE_MODE ?? 'mid',
      FXCM_CACHE_DIR: join(runDir, 'cache'),
    },
    scheduler: { FXCM_TELEMETRY_INTERVAL_SECONDS: '5' },
    publisher: {},
    ingestor: { FXCM_INGEST_ALLOWED_SYMBOLS: 'EURUSD,XAUUSD', FXCM_API_PORT: apiPort },
  };

  let stopping = false;
  const children = services.map((service, i) => {
    // Opened (and truncated) now, before the banner: a reader never sees an earlier run's log.
    const log = createWriteStream('', {
      fd: openSync(join(runDir, 'logs', `${service}.log`), 'w'),
    });
    // Its own process group: a terminal's Ctrl-C reaches it only through this runner, once.
    const main = join(root, 'services', service, 'dist', 'main.js');
    const child = spawn(process.execPath, [...nodeFlagsOf(root, service), main], {
      cwd: root,
      env: { ...common, FXCM_METRICS_PORT: String(ports[i]), ...perService[service] },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        if (!stopping) say(`${service} exited (${code ?? signal}); see .run/logs/${service}.log`);
        resolve();
      }),
    );
    return { service, child, port: ports[i], exited };
  });

  const redisCli = `redis-cli -u ${redisUrl}`;
  console.log(
    [
      '',
      sim
        ? `The suite is running the simulator for XAUUSD and EURUSD in real time.`
        : `The suite is running, replaying EUR/USD 2014-05-05 at ${speed}x, ${
            speed > 1 ? 'shifted by whole weeks into the past' : 'shifted so its ticks land now'
          }.`,
      `Namespace ${namespace}, Redis ${redisUrl}.`,
      '',
      `  viewer:             http://127.0.0.1:${apiPort}/`,
      `  read API:           http://127.0.0.1:${apiPort}/bars?symbol=EURUSD&tf=1m&limit=5   /symbols   /status`,
      `  operator CLI:       REDIS_URL=${redisUrl} FXCM_NAMESPACE=${namespace} pnpm fxcm status`,
      `  watch the bars:     REDIS_URL=${redisUrl} npm run watch   (complete bars; --all for previews)`,
      `  or raw:             ${redisCli} subscribe fxcm:ohlcv fxcm:status`,
      `  status snapshot:    ${redisCli} get ${namespace}:status:snapshot`,
      ...children.map(
        ({ service, port }) =>
          `  ${service.padEnd(18)}  http://127.0.0.1:${port}/metrics  /healthz  /readyz`,
      ),
      '  logs:               .run/logs/<service>.log',
      '',
      'Ctrl-C stops everything (a second Ctrl-C kills at once).',
    ].join('\n'),
  );

  const alive = () =>
    children.filter(({ child }) => child.exitCode === null && child.signalCode === null);
  const kill = (signal) => {
    for (const { child } of alive()) {
      try {
        process.kill(-child.pid, signal); // the group: the service and anything it started
      } catch {
        // already gone
      }
    }
  };
  onStopSignals({
    stop: (reason) => {
      stopping = true;
      say(`stopping (${reason})`);
      kill('SIGTERM');
      setTimeout(() => {
        const left = alive().map(({ service }) => service);
        if (left.length > 0) say(`stop deadline passed; killing ${left.join(', ')}`);
        kill('SIGKILL');
      }, STOP_DEADLINE_MS).unref();
    },
    force: (reason) => {
      say(`forced (${reason}): killing every service`);
      kill('SIGKILL');
    },
  });
  await Promise.all(children.map(({ exited }) => exited));
  say('stopped');
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

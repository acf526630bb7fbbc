import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HISTORY_QUEUE, keys, queuePrefix, type HistoryJob } from '@fxcm/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SimMarket } from '../../services/fxcm-gateway/src/providers/sim/sim-market';
import { IsolatedSuite } from '../harness/isolated-suite';
import { ROOT, waitFor } from '../harness/suite';

// The operator CLI (`fxcm`, packages/cli) as an operator runs it, against the five services
// running on the simulator in real time: each command's output is checked against what the
// test itself reads from Redis and the channels.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'cli-secret';
const SEED = 11;
const CLI = join(ROOT, 'packages', 'cli', 'dist', 'main.js');
const ns = `e2e_cli_${randomUUID().slice(0, 8)}`;
const cacheDir = mkdtempSync(join(tmpdir(), 'fxcm-cli-cache-'));
const suite = new IsolatedSuite(REDIS_URL, ns, (service) => {
  const own: Record<string, Record<string, string>> = {
    'fxcm-gateway': {
      FXCM_PROVIDER: 'sim',
      FXCM_SIM_SEED: String(SEED),
      FXCM_HISTORY_WORKER: 'true',
    },
    'bar-builder': { FXCM_PRICE_MODE: 'bid', FXCM_CACHE_DIR: cacheDir },
    scheduler: { FXCM_TELEMETRY_INTERVAL_SECONDS: '0.5' },
    publisher: { FXCM_PRICE_SNAP_INTERVAL_SECONDS: '0.5' },
    ingestor: { FXCM_INGEST_ALLOWED_SYMBOLS: 'EURUSD' },
  };
  return { FXCM_STREAM_CONFIG: 'EUR/USD:m1', FXCM_HMAC_SECRET: SECRET, ...own[service] };
});
const cliEnv = {
  REDIS_URL,
  FXCM_NAMESPACE: ns,
  FXCM_CHANNEL_PREFIX: ns,
  FXCM_MARKET_STATUS_CHANNEL: `${ns}:market_status`,
  FXCM_HMAC_SECRET: SECRET,
  FXCM_STREAM_CONFIG: 'EUR/USD:m1',
};

const redis = new Redis(REDIS_URL);
const sub = new Redis(REDIS_URL);
const queueConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue(HISTORY_QUEUE, { connection: queueConnection, prefix: queuePrefix(ns) });
/** Non-tick final EURUSD bars seen on the ohlcv channel: "tf open_time" → wall ms seen. */
const historyBars = new Map<string, number>();

function fxcm(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...cliEnv, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  sub.on('message', (_channel: string, text: string) => {
    const msg = JSON.parse(text) as {
      symbol: string;
      tf: string;
      source?: string;
      bars: { open_time: number; complete?: boolean; source?: string }[];
    };
    for (const bar of msg.bars) {
      if (bar.complete === false || (bar.source ?? msg.source) === 'tick_agg') continue;
      historyBars.set(`${msg.tf} ${bar.open_time}`, Date.now());
    }
  });
  await sub.subscribe(`${ns}:ohlcv`);
  suite.start();
  await waitFor(
    async () => (await redis.get(keys(ns).statusSnapshot)) !== null,
    60_000,
    () => suite.logs(),
  );
}, 90_000);

afterAll(async () => {
  await sub.quit();
  await queue.close();
  await queueConnection.quit();
  await suite.stop();
  await redis.quit();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('fxcm', () => {
  it('warmup shows the history job progress and ends with the count of bars published', async () => {
    const startedAt = Date.now();
    const run = await fxcm(['warmup', 'EURUSD', '1m', '--bars', '20', '--settle', '3']);
    expect(`${run.code} ${run.stderr.slice(-400)}`).toMatch(/^0 /);
    const summary = /published (\d+) bars \((\d+) history jobs, (\d+) bars fetched\)/.exec(
      run.stdout,
    );
    expect(summary).not.toBeNull();
    expect(run.stderr).toMatch(/history \|.*\| \d+% \| \d+\/\d+ min \| jobs \d+\/\d+/);
    // the count the CLI reports is what an independent subscriber saw published meanwhile
    const seen = [...historyBars].filter(([, at]) => at >= startedAt).map(([k]) => k);
    expect(Number(summary![1])).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(0);
    // and every minute the simulator quoted in the jobs' windows is among them
    const jobs = (await queue.getJobs(['completed'], 0, 100)).filter(
      (j) => j.timestamp >= startedAt - 1_000,
    );
    expect(Number(summary![2])).toBe(jobs.length);
    // The CLI counts every history job of the symbol meanwhile; the bar builder's own cold-start
    // warm-up (reason "warmup") may be one of them, and its minutes older than the engine's
    // memory are dropped as history_stale (docs/bars.md §6) — near a weekly open it reaches back
    // to the start of Friday's trading day. What the command asked for is all published.
    const asked = jobs.filter((j) => (j.data as HistoryJob).reason === 'fxcm_warmup');
    expect(asked.length).toBeGreaterThan(0);
    const market = new SimMarket({ seed: SEED });
    for (const job of asked) {
      const { from, to } = job.data as HistoryJob;
      const quoted = market.candles('EURUSD', from, to).map((c) => `1m ${c.ts}`);
      expect(quoted.filter((k) => !seen.includes(k))).toEqual([]);
    }
  }, 120_000);

  it('status prints one screen with what the snapshot and the store hold', async () => {
    await waitFor(
      async () => (await redis.zcard(`${keys(ns).store('EURUSD', '1m')}:index`)) > 0,
      60_000,
      () => suite.logs(),
    );
    const run = await fxcm(['status']);
    expect(run.code).toBe(0);
    const snapshot = JSON.parse((await redis.get(keys(ns).statusSnapshot))!) as {
      status: { market: string };
    };
    expect(run.stdout).toMatch(
      new RegExp(`^market ${snapshot.status.market} +price \\w+ +ohlcv \\w+`),
    );
    expect(run.stdout).toMatch(/session .*next open/);
    expect(run.stdout).toMatch(/EURUSD 1m +\d{4}-\d\d-\d\d \d\d:\d\d +[\d.]+(s|min|h)/);
    expect(run.stdout).toMatch(/services .*scheduler:ok/);
  });

  it('watch prints channel messages, pretty or raw', async () => {
    const raw = await fxcm(['watch', 'status', '--raw', '--count', '2']);
    expect(raw.code).toBe(0);
    const lines = raw.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('market');
    const pretty = await fxcm(['watch', 'heartbeat', 'status', '--count', '3']);
    expect(pretty.stdout).toMatch(new RegExp(`^${ns}:(heartbeat  heartbeat|status  market) `, 'm'));
  });

  it('bars prints the newest stored bars', async () => {
    const run = await fxcm(['bars', 'EURUSD', '1m', '--last', '3', '--json']);
    expect(run.code).toBe(0);
    const printed = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { open_time: number });
    const index = `${keys(ns).store('EURUSD', '1m')}:index`;
    const newest = (await redis.zrevrange(index, 0, 2)).map(Number).reverse();
    expect(printed.map((b) => b.open_time)).toEqual(newest);
    const unknown = await fxcm(['bars', 'EURUSD', '7m']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/7m/);
  });

  it('sends V2 envelopes signed with the configured secret; a wrong secret is refused', async () => {
    const signed = await fxcm([
      'warmup',
      'EURUSD',
      '--v2',
      '--lookback-hours',
      '1',
      '--settle',
      '2',
    ]);
    expect(signed.stdout).toMatch(
      /"auth":\{"kid":"default","nonce":"[^"]+","sig":"[0-9a-f]{64}"\}/,
    );
    expect(`${signed.code} ${signed.stderr.slice(-400)}`).toMatch(/^0 /);
    expect(signed.stdout).toMatch(/published \d+ bars/);
    const forged = await fxcm(['warmup', 'EURUSD', '--v2', '--settle', '2'], {
      FXCM_HMAC_SECRET: 'not-the-secret',
    });
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/refused the command: rejected \(auth_failed/);
  }, 120_000);

  it('backfill, universe and tail-guard each end in the outcome the wire shows', async () => {
    const backfill = await fxcm([
      'backfill',
      'EURUSD',
      '--lookback-minutes',
      '10',
      '--settle',
      '2',
    ]);
    expect(`${backfill.code} ${backfill.stderr.slice(-400)}`).toMatch(/^0 /);
    expect(backfill.stdout).toMatch(/published \d+ bars \([1-9]\d* history jobs/);

    const universe = await fxcm(['universe', 'EUR/USD:m1', 'XAUUSD:5m']);
    expect(universe.code).toBe(0);
    expect(universe.stdout).toContain(
      '"targets":[{"symbol":"EURUSD","tf":"1m"},{"symbol":"XAUUSD","tf":"5m"}],"type":"fxcm_set_universe"',
    );

    const guard = await fxcm(['tail-guard', 'EURUSD', '--settle', '2']);
    expect(guard.stdout).toContain('"cmd":"fxcm_tail_guard"');
    // refused while the scheduler does not run it; done with a count once it does
    expect(`${guard.stdout}${guard.stderr}`).toMatch(
      /published \d+ bars|refused the command: \w+ \(\w+/,
    );
  }, 120_000);
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parse } from 'yaml';
import { freePort } from '../harness/free-port';
import { ROOT, ServiceProcess, waitFor, type ServiceName } from '../harness/suite';

// The five services as processes on a real Redis, replaying the bundled real day: their
// /metrics expose every metric name of the seed (section 9) and the SLO metrics, every PromQL
// expression of the alert rules and of the dashboard names a metric they expose, and 10 000
// junk commands and stream entries add no series.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TICKS = join(ROOT, 'data', 'EURUSD_20140505_ticks.csv.gz');
const ORDER: ServiceName[] = ['scheduler', 'publisher', 'ingestor', 'bar-builder', 'fxcm-gateway'];

const SEED_METRICS = [
  'fxcm_ohlcv_bars_total',
  'fxcm_stream_lag_seconds',
  'fxcm_stream_staleness_seconds',
  'fxcm_stream_last_close_ms',
  'fxcm_dropped_bars_total',
  'fxcm_connector_errors_total',
  'fxcm_pricehistory_not_ready_total',
  'fxcm_market_status',
  'fxcm_next_open_seconds',
  'fxcm_connector_heartbeat_timestamp',
  'ai_one_fxcm_ohlcv_lag_seconds',
  'ai_one_fxcm_ohlcv_msg_age_seconds',
  'ai_one_fxcm_ohlcv_gaps_total',
  'fxcm_commands_total',
];
const SLO_METRICS = [
  'fxcm_tick_lag_seconds',
  'fxcm_final_bar_freshness_seconds',
  'fxcm_history_jobs_active',
  'fxcm_gaps_repaired_total',
  'fxcm_nomix_conflicts_total',
  'fxcm_command_bus_up',
];

/** Metric names a PromQL text refers to (histogram series mapped to their metric). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:fxcm|ai_one)_[a-z0-9_]+)\b/g)].map((m) =>
    m[1]!.replace(/_(bucket|sum|count)$/, ''),
  );
}

const alerts = parse(readFileSync(join(ROOT, 'infra', 'prometheus', 'alerts.yml'), 'utf8')) as {
  groups: { rules: { expr: string }[] }[];
};
const dashboard = JSON.parse(
  readFileSync(join(ROOT, 'infra', 'grafana', 'dashboards', 'fxcm-suite.json'), 'utf8'),
) as { panels: { targets: { expr: string }[] }[] };
const QUERIES = [
  ...alerts.groups.flatMap((g) => g.rules.map((r) => r.expr)),
  ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
];

describe('the running suite’s /metrics', () => {
  const ns = `e2e_tm_${randomUUID().slice(0, 8)}`;
  const cacheDir = mkdtempSync(join(tmpdir(), 'fxcm-e2e-tm-'));
  const ports = new Map<ServiceName, number>();
  const services: ServiceProcess[] = [];
  const redis = new Redis(REDIS_URL);

  const scrape = async (): Promise<string> => {
    const texts = await Promise.all(
      [...ports.values()].map(async (port) => {
        try {
          return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        } catch {
          return '';
        }
      }),
    );
    return texts.join('\n');
  };
  const names = (text: string): Set<string> =>
    new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  const series = (text: string): Set<string> =>
    new Set(
      text
        .split('\n')
        .filter((l) => /^(fxcm|ai_one)_/.test(l))
        .map((l) => l.replace(/ [^ ]+$/, '')),
    );
  const logs = (): string => services.map((p) => `--- ${p.service}\n${p.tail(10)}`).join('\n');

  beforeAll(async () => {
    for (const service of ORDER) {
      const port = await freePort();
      ports.set(service, port);
      const own: Record<ServiceName, Record<string, string>> = {
        'fxcm-gateway': {
          FXCM_PROVIDER: 'replay',
          FXCM_REPLAY_FILES: TICKS,
          FXCM_REPLAY_SPEED: '120',
        },
        'bar-builder': { FXCM_CACHE_DIR: cacheDir, FXCM_INSTANCE: 'bar-builder-0' },
        scheduler: { FXCM_TELEMETRY_INTERVAL_SECONDS: '0.5', FXCM_MARKET_SYMBOL: 'EURUSD' },
        publisher: { FXCM_PRICE_SNAP_INTERVAL_SECONDS: '0.5' },
        ingestor: { FXCM_INGEST_ALLOWED_SYMBOLS: 'EURUSD' },
      };
      services.push(
        new ServiceProcess(service, {
          REDIS_URL,
          FXCM_NAMESPACE: ns,
          FXCM_CHANNEL_PREFIX: ns,
          FXCM_MARKET_STATUS_CHANNEL: `${ns}:market_status`,
          FXCM_METRICS_PORT: String(port),
          FXCM_METRICS_HOST: '127.0.0.1',
          FXCM_STREAM_CONFIG: 'EUR/USD:m1',
          FXCM_STATUS_INTERVAL_MS: '500',
          FXCM_LOG_LEVEL: 'warn',
          ...own[service],
        }),
      );
    }
    // Bars have reached the publisher and the ingestor: every series family has had a value.
    await waitFor(
      async () =>
        /^fxcm_ohlcv_bars_total\{/m.test(await scrape()) &&
        /^ai_one_fxcm_ohlcv_lag_seconds\{/m.test(await scrape()),
      90_000,
      logs,
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    const found = await redis.keys(`${ns}:*`);
    for (let i = 0; i < found.length; i += 500) await redis.del(...found.slice(i, i + 500));
    await redis.quit();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('exposes every seed metric name and the SLO metrics', async () => {
    const exposed = names(await scrape());
    expect([...SEED_METRICS, ...SLO_METRICS].filter((n) => !exposed.has(n))).toEqual([]);
  });

  it('every PromQL expression of the alerts and the dashboard names exposed metrics only', async () => {
    const exposed = names(await scrape());
    const unknown = [...new Set(QUERIES.flatMap(metricsIn))].filter((n) => !exposed.has(n));
    expect(QUERIES.length).toBeGreaterThan(20);
    expect(unknown).toEqual([]);
  });

  it('adds no series under 10 000 junk commands and stream entries', async () => {
    const before = series(await scrape());
    const pipe = redis.pipeline();
    for (let i = 0; i < 5_000; i += 1) {
      pipe.publish(
        `${ns}:commands`,
        JSON.stringify({ type: `junk_${i}`, symbol: `J${i}`, tf: '1m' }),
      );
      pipe.xadd(`${ns}:x:ticks:{0}`, '*', 'type', `junk_${i}`, 'data', `{"symbol":"JUNK${i}"}`);
    }
    await pipe.exec();
    // the services have read them all: the scheduler counted its rejected commands
    await waitFor(
      async () => {
        const m = /^fxcm_commands_total\{type="unknown",result="rejected"[^}]*\} (\d+)/m.exec(
          await scrape(),
        );
        return m !== null && Number(m[1]) >= 5_000;
      },
      60_000,
      logs,
    );
    const after = series(await scrape());
    const added = [...after].filter((s) => !before.has(s));
    // New series may only be the replay's own progress (a new timeframe, a first rejection code,
    // a histogram's first bucket), never a junk value: 5,000 distinct junk types and symbols would
    // add thousands, the replay adds a few dozen at most.
    expect(added.filter((s) => /junk|JUNK|J\d/.test(s))).toEqual([]);
    expect(added.length).toBeLessThan(100);
  }, 120_000);
});

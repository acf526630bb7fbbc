import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig, type ConfigOf, type ConfigSpec } from '@fxcm/config';
import { encodeStreamEntry, GROUPS, keys, streamNames } from '@fxcm/contracts';
import { createLogger } from '@fxcm/logging';
import { createMetrics } from '@fxcm/metrics';
import { createRedis, listDeadLetters, type DeadLetter } from '@fxcm/redis-streams';
import { redisConnector, type ServiceApp, type ServiceDeps } from '@fxcm/service-runtime';
import { Redis } from 'ioredis';
import { createApp as createBarBuilder } from '../../services/bar-builder/src/app';
import { configSpec as barBuilderSpec } from '../../services/bar-builder/src/config';
import { createApp as createPublisher } from '../../services/publisher/src/app';
import { configSpec as publisherSpec } from '../../services/publisher/src/config';
import { createApp as createScheduler } from '../../services/scheduler/src/app';
import { configSpec as schedulerSpec } from '../../services/scheduler/src/config';
import { waitFor } from '../harness/suite';

// Every stream consumer of the suite, run as the services wire it, on a real Redis: a poison
// entry on its input ends in that stream's dead-letter stream (with its code, acknowledged),
// and the service goes on consuming what comes after it.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const T = Date.UTC(2014, 4, 5, 12, 0); // a Monday, the market open

const ns = `poison_${randomUUID().slice(0, 8)}`;
const names = streamNames(ns);
const cacheDir = mkdtempSync(join(tmpdir(), 'poison-cache-'));
const redis = createRedis(REDIS_URL, { name: 'poison-entries-test' });
const sub = new Redis(REDIS_URL);
const apps: ServiceApp[] = [];
const received = new Map<string, string[]>();

function start<S extends ConfigSpec>(
  service: string,
  spec: S,
  env: Record<string, string>,
  create: (deps: ServiceDeps<ConfigOf<S>>) => ServiceApp,
): ServiceApp {
  const config = buildConfig(spec, {
    env: {
      REDIS_URL,
      FXCM_NAMESPACE: ns,
      FXCM_CHANNEL_PREFIX: ns,
      FXCM_METRICS_PORT: '0',
      FXCM_STATUS_INTERVAL_MS: '200',
      ...env,
    },
    settings: {},
  }) as ConfigOf<S>;
  const logger = createLogger({ service, level: 'error' });
  const metrics = createMetrics({ service, defaultMetrics: false });
  const app = create({
    config,
    logger,
    metrics,
    connect: redisConnector(service, REDIS_URL, logger, metrics),
  });
  apps.push(app);
  return app;
}

const POISON = [
  'type',
  'tick',
  'data',
  '{"symbol":"EURUSD","ts":"yesterday","bid":-1}', // wrong types, missing fields
];

async function deadLetters(stream: string, group: string): Promise<DeadLetter[]> {
  return (await listDeadLetters(redis, stream)).filter((l) => l.group === group);
}

async function pending(stream: string, group: string): Promise<number> {
  return ((await redis.xpending(stream, group)) as [number])[0];
}

beforeAll(async () => {
  sub.on('message', (channel: string, text: string) =>
    received.set(channel, [...(received.get(channel) ?? []), text]),
  );
  await sub.subscribe(`${ns}:ohlcv`, `${ns}:status`);
  await start(
    'scheduler',
    schedulerSpec,
    { FXCM_TELEMETRY_INTERVAL_SECONDS: '0.2', FXCM_WARMUP_ON_START: 'false' },
    createScheduler,
  ).start();
  await start(
    'publisher',
    publisherSpec,
    { FXCM_PRICE_SNAP_INTERVAL_SECONDS: '0' },
    createPublisher,
  ).start();
  await start(
    'bar-builder',
    barBuilderSpec,
    { FXCM_PRICE_MODE: 'bid', FXCM_CACHE_DIR: cacheDir, FXCM_INSTANCE: 'bar-builder-0' },
    createBarBuilder,
  ).start();
});

afterAll(async () => {
  for (const app of apps.reverse()) await app.stop();
  await sub.quit();
  const found = await redis.keys(`${ns}:*`);
  if (found.length > 0) await redis.del(...found);
  await redis.quit();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('a poison entry on every stream consumer', () => {
  it('bar-builder (ticks, history) and publisher (bars): dead-lettered at once, and the next bar still goes out', async () => {
    const ticks = names.ticks(0);
    const history = names.history(0);
    const bars = names.bars(0);
    await redis.xadd(ticks, '*', ...POISON);
    await redis.xadd(history, '*', 'type', 'history_bar', 'data', '{"symbol":"EURUSD"}');
    await redis.xadd(bars, '*', 'type', 'bar', 'data', 'not json');
    await redis.xadd(bars, '*', 'type', 'tick', 'data', '{}', 'extra', 'field');

    // then a real minute: three ticks and the watermark past it
    const bids = [1.3871, 1.3875, 1.3869];
    for (const [i, bid] of bids.entries()) {
      const ts = T + 1_000 + i * 10_000;
      await redis.xadd(
        ticks,
        '*',
        ...encodeStreamEntry('tick', {
          symbol: 'EURUSD',
          ts,
          bid,
          ask: bid + 0.0001,
          recv_ts: ts,
          source: 'replay',
        }),
      );
    }
    await redis.xadd(
      ticks,
      '*',
      ...encodeStreamEntry('watermark', { ts: T + 60_000, feed: 'alive', source: 'replay' }),
    );

    const finals = (): {
      open_time: number;
      open: number;
      high: number;
      low: number;
      close: number;
    }[] =>
      (received.get(`${ns}:ohlcv`) ?? [])
        .map(
          (text) =>
            JSON.parse(text) as {
              tf: string;
              bars: {
                complete?: boolean;
                open_time: number;
                open: number;
                high: number;
                low: number;
                close: number;
              }[];
            },
        )
        .filter((m) => m.tf === '1m')
        .flatMap((m) => m.bars)
        .filter((b) => b.complete !== false);
    await waitFor(
      () => finals().length > 0,
      20_000,
      () => 'no final 1m bar on the channel',
    );
    expect(finals()).toMatchObject([
      { open_time: T, open: 1.3871, high: 1.3875, low: 1.3869, close: 1.3869 },
    ]);

    for (const [stream, group, count] of [
      [ticks, GROUPS.barBuilder, 1],
      [history, GROUPS.barBuilder, 1],
      [bars, GROUPS.publisher, 2],
    ] as const) {
      await waitFor(
        async () => (await deadLetters(stream, group)).length === count,
        10_000,
        () => `${stream}: no dead letter of group ${group}`,
      );
      for (const letter of await deadLetters(stream, group)) {
        expect(letter).toMatchObject({
          stream,
          class: 'poison',
          code: 'STREAM_ENTRY_INVALID',
          deliveries: 0,
        });
        expect(letter.fields.length).toBeGreaterThan(0);
      }
    }
    // the publisher acked everything; the bar builder holds nothing but ticks of open minutes
    await waitFor(
      async () => (await pending(bars, GROUPS.publisher)) === 0,
      10_000,
      () => 'bars pending',
    );
    expect(await pending(history, GROUPS.barBuilder)).toBe(0);
    const letters = await listDeadLetters(redis, ticks);
    expect(letters[0]!.fields).toEqual(POISON);
  }, 60_000);

  it('scheduler and publisher (status): dead-lettered once per group (a record from 2100 too), and status keeps flowing', async () => {
    const poisonedAt = Date.now();
    await redis.xadd(names.status, '*', 'type', 'service_status', 'data', '{"service":1}');
    await redis.xadd(
      names.status,
      '*',
      'type',
      'public_status',
      'data',
      '{"kind":"status","payload":{}}',
    );
    // a well-formed record of the running bar builder, dated 2100: it would hide every later one
    const y2100 = Date.UTC(2100, 0, 4, 12, 0);
    const future = { service: 'bar-builder', instance: 'bar-builder-0', ts: y2100, state: 'ok' };
    await redis.xadd(
      names.status,
      '*',
      'type',
      'service_status',
      'data',
      JSON.stringify({ ...future, errors: [], degraded: [] }),
    );
    for (const group of [GROUPS.scheduler, GROUPS.publisher]) {
      await waitFor(
        async () =>
          (await deadLetters(names.status, group)).length >= (group === GROUPS.scheduler ? 3 : 2),
        10_000,
        () => `status: no dead letter of group ${group}`,
      );
    }
    // both groups read every entry of the status stream, so each rejects both bad records
    expect((await deadLetters(names.status, GROUPS.scheduler)).map((l) => l.code)).toEqual([
      'STREAM_ENTRY_INVALID',
      'STREAM_ENTRY_INVALID',
      'STREAM_ENTRY_FUTURE',
    ]);
    expect((await deadLetters(names.status, GROUPS.publisher)).map((l) => l.code)).toEqual([
      'STREAM_ENTRY_INVALID',
      'STREAM_ENTRY_INVALID',
    ]);

    // after the poison: the scheduler still folds records into the snapshot, the publisher still publishes
    const seenBefore = (received.get(`${ns}:status`) ?? []).length;
    await waitFor(
      () => (received.get(`${ns}:status`) ?? []).length > seenBefore,
      10_000,
      () => 'no fxcm:status after the poison',
    );
    await waitFor(
      async () => {
        const snapshot = await redis.get(keys(ns).statusSnapshot);
        const services = snapshot
          ? (JSON.parse(snapshot) as { services: { service: string; ts: number }[] }).services
          : [];
        return services.some(
          (s) => s.service === 'bar-builder' && s.ts > poisonedAt + 500 && s.ts < y2100,
        );
      },
      10_000,
      () => 'the snapshot never took a bar-builder record written after the poison',
    );
  }, 60_000);
});

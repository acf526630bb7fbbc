import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { encodeStreamEntry } from '@fxcm/contracts';
import { createLogger } from '@fxcm/logging';
import { createMetrics } from '@fxcm/metrics';
import { createRedis, type StreamEntry } from '@fxcm/redis-streams';
import { StatusReporter } from '@fxcm/service-runtime';
import type { Redis } from 'ioredis';
import { StatusPublisher } from '../src/status-publisher';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NOW = Date.UTC(2025, 11, 10, 15, 0);

let redis: Redis;
let sub: Redis;
let ns: string;
let received: { channel: string; message: string }[];

beforeAll(() => {
  redis = createRedis(REDIS_URL, { name: 'status-publisher-test' });
  sub = createRedis(REDIS_URL, { name: 'status-publisher-test-sub' });
  sub.on('message', (channel: string, message: string) => received.push({ channel, message }));
});
beforeEach(async () => {
  ns = `test_stpub_${randomUUID().slice(0, 8)}`;
  received = [];
  await sub.subscribe(`${ns}:status`, `${ns}:heartbeat`);
});
afterEach(async () => {
  await sub.unsubscribe();
  const found = await redis.keys(`${ns}:*`);
  if (found.length > 0) await redis.del(...found);
});
afterAll(async () => {
  await sub.quit();
  await redis.quit();
});

const status = (ts: number) => ({
  ts: ts / 1_000,
  process: 'stream',
  market: 'open',
  price: 'ok',
  ohlcv: 'ok',
  note: 'ok',
});
const heartbeat = (ts: number) => ({
  type: 'heartbeat',
  state: 'stream',
  ts: new Date(ts).toISOString().replace('.000Z', '+00:00'),
});
const entry = (at: number, seq: number, kind: string, payload: object): StreamEntry => ({
  stream: `${ns}:x:status`,
  id: `${at}-${seq}`,
  fields: encodeStreamEntry('public_status', { kind, payload } as never),
});

function publisher(): { pub: StatusPublisher; metrics: ReturnType<typeof createMetrics> } {
  const metrics = createMetrics({ service: 'publisher', defaultMetrics: false });
  const logger = createLogger({
    service: 'publisher',
    stream: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  const reporter = new StatusReporter({
    service: 'publisher',
    instance: 't',
    namespace: ns,
    redis,
  });
  const pub = new StatusPublisher({
    redis,
    channels: { status: `${ns}:status`, heartbeat: `${ns}:heartbeat`, market_status: `${ns}:ms` },
    logger,
    metrics,
    status: reporter,
    maxAgeMs: 10_000,
    now: () => NOW,
  });
  return { pub, metrics };
}

async function settle(count: number): Promise<void> {
  for (let i = 0; i < 50 && received.length < count; i += 1) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 50));
}

describe('StatusPublisher after an outage', () => {
  it('publishes one status and one heartbeat from a backlog of 60 of each, none of them stale', async () => {
    const { pub, metrics } = publisher();
    // What a 60 s outage leaves: a record per second of each kind, the last ones fresh.
    const backlog: StreamEntry[] = [];
    for (let s = 60; s >= 1; s -= 1) {
      const at = NOW - s * 1_000;
      backlog.push(entry(at, 0, 'status', status(at)), entry(at, 1, 'heartbeat', heartbeat(at)));
    }
    await pub.handle(backlog);
    await settle(2);
    expect(received.map((r) => r.channel).sort()).toEqual([`${ns}:heartbeat`, `${ns}:status`]);
    const published = JSON.parse(received.find((r) => r.channel === `${ns}:status`)!.message);
    expect(published.ts).toBe((NOW - 1_000) / 1_000);
    const text = await metrics.text();
    expect(text).toContain(
      'fxcm_publisher_status_dropped_total{kind="status",reason="stale",service="publisher"} 50',
    );
    expect(text).toContain(
      'fxcm_publisher_status_dropped_total{kind="status",reason="superseded",service="publisher"} 9',
    );
  });

  it('publishes nothing when every record of the batch aged past its interval', async () => {
    const { pub } = publisher();
    await pub.handle([entry(NOW - 30_000, 0, 'status', status(NOW - 30_000))]);
    await settle(1);
    expect(received).toEqual([]);
  });

  it('drops records made before an outage but added after it, by their own ts', async () => {
    const { pub, metrics } = publisher();
    // a client's offline queue sends them once Redis is back: fresh ids, old records
    const made = NOW - 12_000;
    await pub.handle([
      entry(NOW, 0, 'status', status(made)),
      entry(NOW, 1, 'heartbeat', heartbeat(made)),
    ]);
    await settle(1);
    expect(received).toEqual([]);
    const text = await metrics.text();
    for (const kind of ['status', 'heartbeat'])
      expect(text).toContain(
        `fxcm_publisher_status_dropped_total{kind="${kind}",reason="stale",service="publisher"} 1`,
      );
    // made within the interval: published
    await pub.handle([entry(NOW, 2, 'status', status(NOW - 9_000))]);
    await settle(1);
    expect(received.map((r) => r.channel)).toEqual([`${ns}:status`]);
  });
});

import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { encodeStreamEntry, keys, parseStreamTargets, verifyOhlcvSignature } from '@fxcm/contracts';
import { createLogger } from '@fxcm/logging';
import { createMetrics } from '@fxcm/metrics';
import { createRedis, type StreamEntry } from '@fxcm/redis-streams';
import { StatusReporter, TargetSet } from '@fxcm/service-runtime';
import type { Redis } from 'ioredis';
import { BarPublisher } from '../src/bar-publisher';
import { withPublishOnce } from '../src/publish-once';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const T = Date.UTC(2014, 4, 5, 5, 0);

let redis: Redis;
let sub: Redis;
let ns: string;
let received: string[];

beforeAll(() => {
  redis = createRedis(REDIS_URL, { name: 'publisher-test' });
  sub = createRedis(REDIS_URL, { name: 'publisher-test-sub' });
  sub.on('message', (_c: string, m: string) => received.push(m));
});
beforeEach(async () => {
  ns = `test_pub_${randomUUID().slice(0, 8)}`;
  received = [];
  await sub.subscribe(`${ns}:ohlcv`);
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

const bar = (open: number, complete: boolean) => ({
  open_time: open,
  close_time: open + 59_999,
  open: 1.38756,
  high: 1.38757,
  low: 1.38755,
  close: 1.38756,
  volume: 12,
  tick_count: 12,
  complete,
  synthetic: false,
  source: 'tick_agg' as const,
  tf: '1m' as const,
});
let seq = 0;
const entry = (fields: string[]): StreamEntry => ({
  stream: `${ns}:x:bars:{0}`,
  id: `1-${(seq += 1)}`,
  fields,
});
const barEntry = (open: number, complete: boolean) =>
  entry(encodeStreamEntry('bar', { symbol: 'EURUSD', tf: '1m', bar: bar(open, complete) }));

function publisher(universe?: TargetSet) {
  const metrics = createMetrics({ service: 'publisher' });
  const status = new StatusReporter({ service: 'publisher', instance: 't', namespace: ns, redis });
  const logger = createLogger({
    service: 'publisher',
    stream: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  const pub = new BarPublisher({
    redis: withPublishOnce(redis),
    namespace: ns,
    channel: `${ns}:ohlcv`,
    hmac: { secret: 'k', algo: 'sha256' },
    markTtlMs: 60_000,
    ...(universe ? { universe: () => universe } : {}),
    logger,
    metrics,
    status,
  });
  return { pub, metrics, status };
}

async function settle(count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (received.length < count && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
}

describe('BarPublisher on a real Redis', () => {
  it('publishes a final bar once however often it is redelivered, previews every time', async () => {
    const { pub } = publisher();
    await pub.handle([barEntry(T, false), barEntry(T, true)]);
    await pub.handle([barEntry(T, true), barEntry(T, false)]); // a redelivery after a crash
    await pub.handle([barEntry(T, true)]);
    await settle(3);
    const bars = received.map(
      (m) => JSON.parse(m) as { bars: { complete: boolean }[]; source: string },
    );
    expect(bars.map((m) => m.bars[0]!.complete)).toEqual([false, true, false]);
    expect(bars.every((m) => m.source === 'tick_agg')).toBe(true);
    expect(received.every((m) => verifyOhlcvSignature(m, 'k', 'sha256'))).toBe(true);
    // floats on the wire the way Python writes them
    expect(received[1]).toContain('"volume":12.0');
    expect(received[1]).toContain('"open_time":1399266000000');
  });

  it('a run of finals goes out in one call, in stream order around the previews, each once', async () => {
    const { pub, metrics } = publisher();
    const M = 60_000;
    // finals of three minutes, a preview between them, and the first final again in the run
    await pub.handle([
      barEntry(T, true),
      barEntry(T + M, true),
      barEntry(T + 2 * M, false),
      barEntry(T + 2 * M, true),
      barEntry(T, true),
      barEntry(T + 3 * M, false),
    ]);
    await settle(5);
    expect(
      received.map((m) => {
        const b = (JSON.parse(m) as { bars: { open_time: number; complete: boolean }[] }).bars[0]!;
        return `${(b.open_time - T) / M}${b.complete ? 'F' : 'p'}`;
      }),
    ).toEqual(['0F', '1F', '2p', '2F', '3p']);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'fxcm_publisher_bars_total{tf="1m",kind="final",outcome="duplicate",service="publisher"} 1',
    );
    expect(text).toContain(
      'fxcm_publisher_bars_total{tf="1m",kind="final",outcome="published",service="publisher"} 3',
    );
  });

  it('a batch longer than a pipeline goes out in pipelines that keep its order, a final repeated across them once', async () => {
    const { pub, metrics } = publisher();
    const M = 60_000;
    // 150 minutes, each a preview then its final (300 messages, several pipelines), then the
    // first final again: its mark was set by the first pipeline, which ran before the last
    const batch = Array.from({ length: 150 }, (_, i) => [
      barEntry(T + i * M, false),
      barEntry(T + i * M, true),
    ]).flat();
    await pub.handle([...batch, barEntry(T, true)]);
    await settle(300);
    const order = received.map((m) => {
      const b = (JSON.parse(m) as { bars: { open_time: number; complete: boolean }[] }).bars[0]!;
      return `${(b.open_time - T) / M}${b.complete ? 'F' : 'p'}`;
    });
    expect(order).toEqual(Array.from({ length: 150 }, (_, i) => [`${i}p`, `${i}F`]).flat());
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'fxcm_publisher_bars_total{tf="1m",kind="final",outcome="published",service="publisher"} 150',
    );
    expect(text).toContain(
      'fxcm_publisher_bars_total{tf="1m",kind="final",outcome="duplicate",service="publisher"} 1',
    );
  });

  it('publishes again a final whose mark an earlier Redis run left (its message may be lost)', async () => {
    const { pub } = publisher();
    const mark = keys(ns).published('EURUSD', '1m', T);
    // What a server killed after writing the mark to its append-only file leaves behind.
    await redis.set(mark, 'f'.repeat(40), 'PX', 60_000);
    await pub.handle([barEntry(T, true)]); // the redelivery to the restarted server
    // a redelivery within this run, then a preview: it shows the final was not sent twice
    await pub.handle([barEntry(T, true), barEntry(T, false)]);
    await settle(2);
    expect(
      received.map((m) => (JSON.parse(m) as { bars: { complete: boolean }[] }).bars[0]!.complete),
    ).toEqual([true, false]);
    const runId = /run_id:(\w+)/.exec(await redis.info('server'))![1];
    expect(await redis.get(mark)).toBe(runId);
  });

  it('publishes a republished batch as one history_s3 message, once per request and part', async () => {
    const { pub } = publisher(new TargetSet(parseStreamTargets('XAUUSD:1m')));
    const bars = [bar(T, true), bar(T + 60_000, true), bar(T + 120_000, true)];
    const batch = (reqId: string) =>
      entry(
        encodeStreamEntry('bar_batch', {
          symbol: 'EURUSD',
          tf: '1m',
          source: 'history_s3',
          req_id: reqId,
          part: 0,
          bars: bars as [(typeof bars)[0], ...typeof bars],
        }),
      );
    await pub.handle([batch('w-1'), batch('w-1'), batch('w-2')]);
    await settle(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(2);
    const msg = JSON.parse(received[0]!) as { source: string; bars: { open_time: number }[] };
    expect(msg.source).toBe('history_s3');
    expect(msg.bars.map((b) => b.open_time)).toEqual([T, T + 60_000, T + 120_000]);
    expect(verifyOhlcvSignature(received[0]!, 'k', 'sha256')).toBe(true);
  });

  it('publishes live bars of the active targets only, and counts the others', async () => {
    const { pub, metrics } = publisher(new TargetSet(parseStreamTargets('XAUUSD:1m')));
    const xau = entry(encodeStreamEntry('bar', { symbol: 'XAUUSD', tf: '1m', bar: bar(T, true) }));
    await pub.handle([barEntry(T, true), xau, barEntry(T + 60_000, false)]);
    await settle(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(received.map((m) => (JSON.parse(m) as { symbol: string }).symbol)).toEqual(['XAUUSD']);
    expect(await metrics.registry.metrics()).toMatch(
      /fxcm_publisher_bars_total\{tf="1m",kind="final",outcome="filtered",service="publisher"\} 1/,
    );
  });

  it('publishes each revision of a rebuilt final bar once', async () => {
    const { pub } = publisher();
    const revised = (revision: number) =>
      entry(encodeStreamEntry('bar', { symbol: 'EURUSD', tf: '1m', bar: bar(T, true), revision }));
    await pub.handle([barEntry(T, true), revised(1), revised(1), revised(2)]);
    await settle(3);
    expect(received).toHaveLength(3);
  });

  it('rejects a bad entry with its reason and still publishes the rest of the batch', async () => {
    const { pub, status, metrics } = publisher();
    const bad = entry(['type', 'bar', 'data', '{"symbol":"EURUSD","tf":"1m"}']);
    const notJson = entry(['type', 'bar', 'data', '{oops']);
    await pub.handle([bad, barEntry(T + 60_000, true), notJson]);
    await settle(1);
    expect(received).toHaveLength(1);
    expect(status.snapshot().errors.map((e) => e.code)).toEqual([
      'STREAM_ENTRY_INVALID',
      'STREAM_ENTRY_INVALID',
    ]);
    expect(await metrics.registry.metrics()).toMatch(
      /fxcm_publisher_rejected_total\{entry="bar",reason="STREAM_ENTRY_INVALID",service="publisher"\} 2/,
    );
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeStreamEntry, encodeStreamEntry } from '@fxcm/contracts';
import { createRedis, StreamProducer, type StreamEntry } from '@fxcm/redis-streams';
import type { Redis } from 'ioredis';
import { loadEurusdDay } from '../bench/fxcm-archive';
import { openStore } from '../src/store';
import { readWatermarkCheckpoint } from '../src/watermark-checkpoint';
import { inputsOf, pipelineOn, type PipelineRig } from './pipeline-harness';

// One real FXCM EUR/USD day (Monday 2014-05-05, 58 143 ticks) through the shard pipeline over a
// real Redis and store, with entries dated 2100 slipped onto both input streams half-way.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const day = loadEurusdDay('20140505');
const Y2100 = Date.UTC(2100, 0, 4, 12, 0);

let redis: Redis;
let rig: PipelineRig;

beforeAll(() => {
  redis = createRedis(REDIS_URL, { name: 'clock-rails-test' });
});
beforeEach(async () => {
  const ns = `test_rails_${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'clock-rails-'));
  rig = {
    redis,
    ns,
    dir,
    store: await openStore({ dir, maxBars: 10_000 }),
    producer: new StreamProducer({ redis, maxLen: 100_000 }),
    acked: [],
  };
});
afterEach(async () => {
  await rig.producer.close();
  await rig.store.close();
  rmSync(rig.dir, { recursive: true, force: true });
  const found = await redis.keys(`${rig.ns}:*`);
  if (found.length > 0) await redis.del(...found);
});
afterAll(() => redis.quit());

const ids = new Map<string, number>();
function entry(stream: string, fields: string[], id?: string): StreamEntry {
  const n = (ids.get(stream) ?? 0) + 1;
  ids.set(stream, n);
  return { stream, id: id ?? `1-${n}`, fields };
}
const historyBar = (open_time: number, price: number) =>
  encodeStreamEntry('history_bar', {
    symbol: 'EURUSD',
    tf: '1m',
    open_time,
    bid_open: price,
    bid_high: price,
    bid_low: price,
    bid_close: price,
    ask_open: price + 0.0001,
    ask_high: price + 0.0001,
    ask_low: price + 0.0001,
    ask_close: price + 0.0001,
    volume: 10,
    source: 'history',
  });
const poison = (): string[][] => [
  encodeStreamEntry('watermark', { ts: Y2100, feed: 'alive', source: 'replay' }),
  historyBar(Y2100, 1.3),
  encodeStreamEntry('service_status', {
    service: 'fxcm-gateway',
    instance: 'x',
    ts: Y2100,
    state: 'ok',
    errors: [],
    degraded: [],
  }),
];

/** The value of counter `name` for the series whose labels include `label` (0 when absent). */
async function metric(
  rigMetrics: { registry: { metrics(): Promise<string> } },
  name: string,
  label: string,
): Promise<number> {
  const text = await rigMetrics.registry.metrics();
  const found = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && l.slice(0, l.indexOf('}')).includes(label));
  return found === undefined ? 0 : Number(found.slice(found.indexOf('}') + 1).trim());
}

describe('clock rails on every input stream', () => {
  it('rejects and counts entries from 2100, keeps the day exact and persists nothing of them', async () => {
    const { ticks: ticksStream, history: historyStream } = inputsOf(rig.ns);
    const { pipe, status, metrics } = pipelineOn(rig, { timeframes: ['1m', '5m', '1h'] });
    const t = day.ticks;
    const half = Math.floor(t.length / 2);
    let collisionId: string | undefined;
    for (let from = 0; from < t.length; from += 1_000) {
      const batch: StreamEntry[] = [];
      for (let i = from; i < Math.min(from + 1_000, t.length); i++) {
        const ts = t.ts[i] as number;
        const tick = { symbol: 'EURUSD', ts, bid: t.bid[i]!, ask: t.ask[i]!, recv_ts: ts };
        batch.push(entry(ticksStream, encodeStreamEntry('tick', { ...tick, source: 'replay' })));
        if (i % 20 === 0) {
          batch.push(
            entry(
              ticksStream,
              encodeStreamEntry('watermark', { ts, feed: 'alive', source: 'replay' }),
            ),
          );
        }
      }
      await pipe.handle(batch);
      if (from <= half && half < from + 1_000) {
        for (const fields of poison()) await pipe.handle([entry(ticksStream, fields)]);
        const onHistory = [
          ...poison(),
          encodeStreamEntry('tick', {
            symbol: 'EURUSD',
            ts: Y2100,
            bid: 1.3,
            ask: 1.3001,
            recv_ts: Y2100,
            source: 'replay',
          }),
        ];
        for (const fields of onHistory) await pipe.handle([entry(historyStream, fields)]);
        // a tick entry on the history stream, in the past: the wrong kind for that stream
        const last = batch[batch.length - 1] as StreamEntry;
        await pipe.handle([entry(historyStream, last.fields)]);
        // a history entry whose id equals a held tick's: another entry, handled and acked
        const held = [...batch]
          .reverse()
          .find((b) => decodeStreamEntry(b.fields).type === 'tick') as StreamEntry;
        expect(pipe.detail().held_ticks).toBeGreaterThan(0); // its minute is still open
        collisionId = held.id;
        const minute = day.reference[0]!.open_time;
        await pipe.handle([entry(historyStream, historyBar(minute, 1.3), collisionId)]);
      }
    }
    const last = t.ts[t.length - 1] as number;
    const end = last - (last % 60_000) + 60_000;
    await pipe.handle([
      entry(
        ticksStream,
        encodeStreamEntry('watermark', { ts: end, feed: 'alive', source: 'replay' }),
      ),
    ]);

    // every 1m final equals the reference, each once; nothing after the day
    const rows = await redis.xrange(`${rig.ns}:x:bars:{0}`, '-', '+');
    const finals = rows
      .map(([, f]) => decodeStreamEntry(f))
      .flatMap((e) => (e.type === 'bar' && e.data.bar.complete ? [e.data.bar] : []));
    const real1m = finals.filter((b) => b.tf === '1m' && !b.synthetic);
    expect(real1m).toHaveLength(day.reference.length);
    const mismatches = day.reference.filter((ref, i) => {
      const b = real1m[i];
      return (
        b?.open_time !== ref.open_time || [b.open, b.high, b.low, b.close].join() !== ref.bid.join()
      );
    });
    expect(mismatches).toEqual([]);
    expect(finals.every((b) => b.close_time < end)).toBe(true);

    // rejected with a code, counted by reason and by type, reported
    expect(
      await metric(metrics, 'fxcm_bar_builder_rejected_total', 'reason="STREAM_ENTRY_FUTURE"'),
    ).toBe(7);
    expect(
      await metric(metrics, 'fxcm_bar_builder_rejected_total', 'reason="STREAM_ENTRY_UNEXPECTED"'),
    ).toBe(1);
    for (const [type, n] of [
      ['watermark', 2],
      ['history_bar', 2],
      ['service_status', 2],
      ['tick', 1],
    ] as const)
      expect({
        type,
        n: await metric(metrics, 'fxcm_bar_builder_future_entries_total', `type="${type}"`),
      }).toEqual({ type, n });
    expect(new Set(status.snapshot().errors.map((e) => e.code))).toEqual(
      new Set(['STREAM_ENTRY_FUTURE', 'STREAM_ENTRY_UNEXPECTED']),
    );
    expect(rig.acked).toContain(`${historyStream} ${collisionId}`);
    expect(pipe.detail()).toMatchObject({ held_ticks: 0, watermark: end });

    // nothing of 2100 persisted: checkpoint and store end with the day, so a restart starts there
    expect(readWatermarkCheckpoint(rig.dir)).toBe(end);
    const stored = await rig.store.read('EURUSD', '1m');
    expect(stored[stored.length - 1]!.close_time).toBeLessThan(end);
    const restarted = pipelineOn(rig, { timeframes: ['1m', '5m', '1h'] }).pipe;
    expect(await restarted.restore()).toEqual({ symbols: 1, bars: expect.any(Number) });
  }, 120_000);
});

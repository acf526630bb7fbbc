import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeStreamEntry, encodeStreamEntry, parseStreamTargets } from '@fxcm/contracts';
import { createRedis, StreamProducer, type StreamEntry } from '@fxcm/redis-streams';
import { TargetSet, type StatusReporter } from '@fxcm/service-runtime';
import type { Redis } from 'ioredis';
import type { ShardPipeline } from '../src/shard-pipeline';
import { openStore, type BarStore } from '../src/store';
import { readWatermarkCheckpoint } from '../src/watermark-checkpoint';
import { calendarFor } from '@fxcm/calendar';
import { createBarEngine } from '../src/domain';
import type { WarmupNeed } from '../src/warmup-requests';
import { pipelineOn } from './pipeline-harness';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const T = Date.UTC(2014, 4, 5, 12, 0); // a Monday, FX open

let redis: Redis;
let ns: string;
let dir: string;
let store: BarStore;
let producer: StreamProducer;
let acked: string[];
let seq: number;

beforeAll(() => {
  redis = createRedis(REDIS_URL, { name: 'shard-pipeline-test' });
});
beforeEach(async () => {
  ns = `test_sp_${randomUUID().slice(0, 8)}`;
  dir = mkdtempSync(join(tmpdir(), 'shard-pipeline-'));
  store = await openStore({ dir, maxBars: 10_000 });
  producer = new StreamProducer({ redis, maxLen: 10_000 });
  acked = [];
  seq = 0;
});
afterEach(async () => {
  await producer.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  const found = await redis.keys(`${ns}:*`);
  if (found.length > 0) await redis.del(...found);
});
afterAll(() => redis.quit());

function pipeline(): { pipe: ShardPipeline; status: StatusReporter } {
  return pipelineOn({ redis, ns, dir, store, producer, acked }, { timeframes: ['1m', '5m'] });
}

/** The ids of `stream id` acks (these tests use one stream). */
const ids = (a: string[]): string[] => a.map((x) => x.split(' ')[1] as string);

const entry = (fields: string[]): StreamEntry => ({
  stream: `${ns}:x:ticks:{0}`,
  id: `0-${(seq += 1)}`,
  fields,
});
const tick = (ts: number, bid: number, symbol = 'EURUSD') =>
  entry(
    encodeStreamEntry('tick', {
      symbol,
      ts,
      bid,
      ask: bid + 0.00002,
      recv_ts: ts,
      source: 'replay',
    }),
  );
/** An entry of the history stream (the tests' first and only one there). */
const historyEntry = (fields: string[]): StreamEntry => ({
  stream: `${ns}:x:history:{0}`,
  id: '0-1',
  fields,
});
const watermark = (ts: number) =>
  entry(encodeStreamEntry('watermark', { ts, feed: 'alive', source: 'replay' }));

async function barsOut(): Promise<
  { tf: string; open_time: number; close: number; complete: boolean }[]
> {
  const rows = await redis.xrange(`${ns}:x:bars:{0}`, '-', '+');
  return rows.map(([, fields]) => {
    const e = decodeStreamEntry(fields);
    if (e.type !== 'bar') throw new Error(e.type);
    return {
      tf: e.data.tf,
      open_time: e.data.bar.open_time,
      close: e.data.bar.close,
      complete: e.data.bar.complete,
    };
  });
}

describe('ShardPipeline', () => {
  it('writes previews only of the targets on the wire, and all of them without a target list', async () => {
    let targets = new TargetSet(parseStreamTargets('EUR/USD:m5'));
    const { pipe } = pipelineOn(
      { redis, ns, dir, store, producer, acked },
      { timeframes: ['1m', '5m'] },
      { previewTargets: () => targets },
    );
    await pipe.handle([tick(T + 1_000, 1.1)]);
    expect(pipe.flushPreviews(T + 1_500)).toBe(1);
    await producer.flush();
    expect((await barsOut()).map((b) => b.tf)).toEqual(['5m']);

    targets = new TargetSet(parseStreamTargets('EUR/USD:m1,EUR/USD:m5')); // a set_universe
    await pipe.handle([tick(T + 2_000, 1.2)]);
    expect(pipe.flushPreviews(T + 2_500)).toBe(2);
    await producer.flush();
    expect((await barsOut()).map((b) => b.tf).sort()).toEqual(['1m', '5m', '5m']);

    const all = pipeline().pipe; // no target list: every preview
    await all.handle([tick(T + 3_000, 1.3)]);
    expect(all.flushPreviews(T + 3_500)).toBe(2);
  });

  it('acks a tick only once its minute is final and durable, and rejects poison without stopping', async () => {
    const { pipe, status } = pipeline();
    const t1 = tick(T + 1_000, 1.1);
    const t2 = tick(T + 30_000, 1.2);
    const bad = entry(['type', 'tick', 'data', '{"symbol":"EURUSD"}']);
    const t3 = tick(T + 61_000, 1.3);
    await pipe.handle([t1, t2, bad]);
    expect(ids(acked)).toEqual([bad.id]); // minute still open: ticks held
    expect(status.snapshot().errors.map((e) => e.code)).toEqual(['STREAM_ENTRY_INVALID']);

    const wm = watermark(T + 61_000);
    await pipe.handle([wm, t3]);
    expect((await barsOut()).filter((b) => b.complete)).toEqual([
      { tf: '1m', open_time: T, close: 1.2, complete: true },
    ]);
    expect(await store.read('EURUSD', '1m')).toMatchObject([{ open_time: T, close: 1.2 }]);
    expect(ids(acked).sort()).toEqual([bad.id, t1.id, t2.id, wm.id].sort()); // t3's minute is open
    expect(readWatermarkCheckpoint(dir)).toBe(T + 61_000);
  });

  it("starts writing a watermark's finals before it applies the rest of its batch", async () => {
    const steps: string[] = [];
    // the real producer, its flushes noted in the order of the pipeline's steps
    const noting = new (class extends StreamProducer {
      override flush(): Promise<void> {
        steps.push('flush');
        return super.flush();
      }
    })({ redis, maxLen: 10_000 });
    const { pipe } = pipelineOn(
      { redis, ns, dir, store, producer: noting, acked },
      { timeframes: ['1m'] },
      {
        now: () => {
          steps.push('admit');
          return T + 61_000;
        },
      },
    );
    await pipe.handle([tick(T + 1_000, 1.1), watermark(T + 61_000), tick(T + 61_000, 1.3)]);
    // tick, watermark (its final goes out), the next minute's tick, the batch made durable (the
    // clock is read again after it, for the released ticks)
    expect(steps.join(' ')).toMatch(/^admit admit flush admit flush( admit)*$/);
    expect((await barsOut()).filter((b) => b.complete)).toEqual([
      { tf: '1m', open_time: T, close: 1.1, complete: true },
    ]);
    await noting.close();
  });

  it("writes the first finals of a minute's end before encoding the others, all once and in order", async () => {
    const symbols = Array.from({ length: 300 }, (_, i) => `S${String(i).padStart(3, '0')}USD`);
    // the real producer; at each flush, how many entries had been queued
    let queued = 0;
    const flushedAt: number[] = [];
    const noting = new (class extends StreamProducer {
      override add(...args: Parameters<StreamProducer['add']>): boolean {
        queued += 1;
        return super.add(...args);
      }
      override flush(): Promise<void> {
        flushedAt.push(queued);
        return super.flush();
      }
    })({ redis, maxLen: 10_000 });
    const { pipe } = pipelineOn(
      { redis, ns, dir, store, producer: noting, acked },
      { timeframes: ['1m'] },
      { now: () => T + 61_000 },
    );
    await pipe.handle(symbols.map((symbol, i) => tick(T + 1_000 + i, 1.1, symbol)));
    flushedAt.length = 0;
    await pipe.handle([watermark(T + 61_000)]);
    // the early write at 128 finals, then the rest
    expect(flushedAt.slice(0, 2)).toEqual([128, 300]);
    const rows = await redis.xrange(`${ns}:x:bars:{0}`, '-', '+');
    const finals = rows
      .map(([, fields]) => decodeStreamEntry(fields))
      .filter((e) => e.type === 'bar');
    expect(finals.map((e) => (e.type === 'bar' ? e.data.symbol : ''))).toEqual(symbols);
    await noting.close();
  });

  it("while live, stores a minute's finals after the delay and reads on; acks wait for the store", async () => {
    const { pipe } = pipelineOn(
      { redis, ns, dir, store, producer, acked },
      { timeframes: ['1m'] },
      { now: () => T + 61_000, storeDelayMs: 150 }, // the watermark is a second old: live
    );
    const ticks = [tick(T + 1_000, 1.1), tick(T + 2_000, 1.2)];
    const wm = watermark(T + 60_000);
    const started = Date.now();
    await pipe.handle([...ticks, wm]);
    // the final is on the bars stream; the store, the acks and the checkpoint wait
    expect((await barsOut()).filter((b) => b.complete)).toEqual([
      { tf: '1m', open_time: T, close: 1.2, complete: true },
    ]);
    expect(await store.read('EURUSD', '1m')).toEqual([]);
    expect(readWatermarkCheckpoint(dir)).toBeUndefined();
    // the next batch is read meanwhile; what it settles waits behind the store
    const next = tick(T + 61_000, 1.3);
    const late = tick(T + 30_000, 1.0); // its minute is final: acked at once
    await pipe.handle([next, late]);
    expect(ids(acked)).toEqual([late.id]);
    expect(pipe.detail()).toMatchObject({ held_ticks: 3 });

    await pipe.drain();
    expect(Date.now() - started).toBeLessThan(150); // drain cut the delay short
    expect(await store.read('EURUSD', '1m')).toMatchObject([{ open_time: T, close: 1.2 }]);
    expect(readWatermarkCheckpoint(dir)).toBe(T + 60_000);
    expect(pipe.detail()).toMatchObject({ held_ticks: 1 }); // the next minute's tick
    await pipe.ackReleased();
    expect(ids(acked).sort()).toEqual([late.id, wm.id, ...ticks.map((t) => t.id)].sort());
  });

  it('queues one store step at most: the next batch with bars waits for the one queued', async () => {
    const { pipe } = pipelineOn(
      { redis, ns, dir, store, producer, acked },
      { timeframes: ['1m'] },
      { now: () => T + 121_000, storeDelayMs: 100 },
    );
    await pipe.handle([tick(T + 1_000, 1.1), watermark(T + 60_000)]);
    expect(await store.read('EURUSD', '1m')).toEqual([]);
    await pipe.handle([tick(T + 61_000, 1.2), watermark(T + 120_000)]);
    // the first minute's step was waited for; the second's is queued
    expect(await store.read('EURUSD', '1m')).toMatchObject([{ open_time: T, close: 1.1 }]);
    await pipe.drain();
    expect(await store.read('EURUSD', '1m')).toMatchObject([
      { open_time: T, close: 1.1 },
      { open_time: T + 60_000, close: 1.2 },
    ]);
    expect(readWatermarkCheckpoint(dir)).toBe(T + 120_000);
  });

  it('waits out the delay before the store appends when nothing cuts it short', async () => {
    const { pipe } = pipelineOn(
      { redis, ns, dir, store, producer, acked },
      { timeframes: ['1m'] },
      { now: () => T + 61_000, storeDelayMs: 100 },
    );
    const handled = Date.now();
    await pipe.handle([tick(T + 1_000, 1.1), watermark(T + 60_000)]);
    // a timer due before the delay's runs first
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await store.read('EURUSD', '1m')).toEqual([]);
    let stored: unknown[] = [];
    while (stored.length === 0 && Date.now() - handled < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      stored = await store.read('EURUSD', '1m');
    }
    expect(stored).toMatchObject([{ open_time: T, close: 1.1 }]);
    expect(Date.now() - handled).toBeGreaterThanOrEqual(100);
    await pipe.drain();
  });

  it('a replay (a watermark far behind the clock) stores at once, the input waiting', async () => {
    const { pipe } = pipelineOn(
      { redis, ns, dir, store, producer, acked },
      { timeframes: ['1m'] },
      { now: () => T + 3_600_000, storeDelayMs: 10_000 },
    );
    const t1 = tick(T + 1_000, 1.1);
    const wm = watermark(T + 60_000);
    await pipe.handle([t1, wm]);
    expect(await store.read('EURUSD', '1m')).toMatchObject([{ open_time: T, close: 1.1 }]);
    expect(ids(acked).sort()).toEqual([t1.id, wm.id].sort());
  });

  it('a batch redelivered while its ticks are still held neither re-applies nor releases them', async () => {
    const { pipe } = pipeline();
    const t1 = tick(T + 1_000, 1.1);
    const t2 = tick(T + 2_000, 1.2);
    await pipe.handle([t1, t2]);
    await pipe.handle([t1, t2]); // e.g. the acks of a batch failed and it came back
    expect(ids(acked)).toEqual([]);
    const wm = watermark(T + 60_000);
    await pipe.handle([wm]);
    expect(ids(acked).sort()).toEqual([t1.id, t2.id, wm.id].sort());
    expect(await store.read('EURUSD', '1m')).toMatchObject([{ open_time: T, tick_count: 2 }]);
  });

  it('acknowledges released ticks only after the release delay; a failed ack keeps them queued', async () => {
    let now = T + 120_000;
    let failing = true;
    const { pipe } = pipelineOn(
      { redis, ns, dir, store, producer, acked },
      { timeframes: ['1m'] },
      {
        now: () => now,
        releaseAckDelayMs: 2_000,
        ack: async (stream, ackIds) => {
          if (failing && ackIds.length === 2) throw new Error('connection lost');
          acked.push(...ackIds.map((id) => `${stream} ${id}`));
        },
      },
    );
    const ticks = [tick(T + 1_000, 1.1), tick(T + 2_000, 1.2)];
    const wm = watermark(T + 60_000);
    await pipe.handle([...ticks, wm]);
    expect(ids(acked)).toEqual([wm.id]); // the minute is final and durable; its ticks wait
    expect(pipe.detail()).toMatchObject({ held_ticks: 0, released_unacked: 2 });

    now += 1_999;
    await pipe.ackReleased();
    expect(ids(acked)).toEqual([wm.id]);
    now += 1;
    await expect(pipe.ackReleased()).rejects.toThrow('connection lost');
    expect(pipe.detail()).toMatchObject({ released_unacked: 2 });
    failing = false;
    await pipe.ackReleased();
    expect(ids(acked).sort()).toEqual([wm.id, ...ticks.map((t) => t.id)].sort());
    expect(pipe.detail()).toMatchObject({ released_unacked: 0 });
  });

  it('restores from the store: re-delivered ticks of final minutes are recognised, not rebuilt', async () => {
    const first = pipeline().pipe;
    const ticks = [tick(T + 1_000, 1.1), tick(T + 2_000, 1.15)];
    await first.handle([...ticks, watermark(T + 60_000)]);
    const before = (await barsOut()).filter((b) => b.complete).length;

    const { pipe } = pipeline(); // a restart over the same store
    expect(await pipe.restore()).toEqual({ symbols: 1, bars: 1 });
    acked.length = 0;
    await pipe.handle(ticks); // the crash happened before these were acked
    expect(ids(acked).sort()).toEqual(ticks.map((t) => t.id).sort());
    expect((await barsOut()).filter((b) => b.complete)).toHaveLength(before);
  });

  it('a minute the gateway saw only in part gets its history bar as its one final', async () => {
    const { pipe } = pipeline();
    const gap = entry(encodeStreamEntry('feed_gap', { from: T, to: T + 20_000, source: 'sim' }));
    const t1 = tick(T + 25_000, 1.1);
    await pipe.handle([gap, t1, watermark(T + 61_000)]);
    // the minute waits: no final from its ticks
    expect((await barsOut()).filter((b) => b.complete && b.tf === '1m')).toEqual([]);
    expect(pipe.detail()).toMatchObject({ held_ticks: 0 });
    const history = historyEntry(
      encodeStreamEntry('history_bar', {
        symbol: 'EURUSD',
        tf: '1m',
        open_time: T,
        bid_open: 1.105,
        bid_high: 1.11,
        bid_low: 1.1,
        bid_close: 1.1,
        ask_open: 1.1051,
        ask_high: 1.1101,
        ask_low: 1.1001,
        ask_close: 1.1001,
        volume: 40,
        source: 'history',
      }),
    );
    await pipe.handle([history]);
    const finals = (await barsOut()).filter((b) => b.complete && b.tf === '1m');
    expect(finals).toEqual([{ tf: '1m', open_time: T, close: 1.1, complete: true }]);
    expect(await store.read('EURUSD', '1m')).toMatchObject([{ open_time: T, source: 'history' }]);
  });
  it('looks at warm-up needs when a symbol appears, coverage input arrives or the minute moves, not after every batch', async () => {
    const engine = createBarEngine({
      priceMode: 'bid',
      calendarFor,
      timeframes: ['1m', '1h'],
      holdUncoveredWindows: true,
    });
    const looked = jest.spyOn(engine, 'warmupNeeds');
    const asked: WarmupNeed[] = [];
    const { pipe } = pipelineOn(
      { redis, ns, dir, store, producer, acked },
      {},
      { engine, requestHistory: (need) => asked.push(need) },
    );
    const at = (symbol: string, ts: number) =>
      entry(
        encodeStreamEntry('tick', {
          symbol,
          ts,
          bid: 1.1,
          ask: 1.10002,
          recv_ts: ts,
          source: 'replay',
        }),
      );
    const M37 = T + 37 * 60_000; // the builder starts inside the 12:00 hour
    const M = 60_000;
    await pipe.handle([at('EURUSD', M37 + 1_000), watermark(M37 + M)]);
    // the hour's window began before what the builder saw: it asks history for 12:00–12:37
    expect(asked).toEqual([{ symbol: 'EURUSD', from: T, to: M37 }]);
    expect(looked).toHaveBeenCalledTimes(1);
    for (let i = 2; i <= 6; i += 1) await pipe.handle([at('EURUSD', M37 + M + i * 1_000)]);
    expect(looked).toHaveBeenCalledTimes(1); // ticks of a known symbol in the same minute

    await pipe.handle([watermark(M37 + 2 * M)]); // the minute moves
    expect(looked).toHaveBeenCalledTimes(2);
    await pipe.handle([at('GBPUSD', M37 + 2 * M + 5_000)]); // a symbol appears
    expect(looked).toHaveBeenCalledTimes(3);
    await pipe.handle([at('GBPUSD', M37 + 2 * M + 6_000)]);
    expect(looked).toHaveBeenCalledTimes(3);
    await pipe.handle([watermark(M37 + 3 * M)]); // GBPUSD's first minute is final
    expect(looked).toHaveBeenCalledTimes(4);
    expect(asked).toEqual([
      { symbol: 'EURUSD', from: T, to: M37 },
      { symbol: 'GBPUSD', from: T, to: M37 },
    ]);

    // history covers EURUSD's hour: its need goes, GBPUSD's stays
    const range = historyEntry(
      encodeStreamEntry('history_range', {
        symbol: 'EURUSD',
        tf: '1m',
        from: T,
        to: M37,
        bars: 0,
        source: 'history',
      }),
    );
    await pipe.handle([range]);
    expect(looked).toHaveBeenCalledTimes(5);
    expect(pipe.detail()['warming']).toEqual([{ symbol: 'GBPUSD', from: T, to: M37 }]);
  });
});

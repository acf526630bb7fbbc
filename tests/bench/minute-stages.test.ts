import { randomUUID } from 'node:crypto';
import { encodeStreamEntry, streamNames } from '@fxcm/contracts';
import { Redis } from 'ioredis';
import { dropNamespace } from '../harness/suite';
import { readMinuteStages } from './minute-stages';

// The benchmark's per-minute stages, read back from entries written with chosen ids (an id's ms
// is when the entry reached its stream) on the shared Redis, in a namespace of the test's own.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MINUTE = 60_000;
const END = Date.UTC(2026, 10, 18, 10, 1); // the minute 10:00 ends here
const ns = `stages_${randomUUID().slice(0, 8)}`;
const names = streamNames(ns);
let redis: Redis;

const bar = (open: number, tf: '1m' | '5m', complete: boolean) => ({
  open_time: open,
  close_time: open + (tf === '1m' ? MINUTE : 5 * MINUTE) - 1,
  open: 1.1,
  high: 1.1,
  low: 1.1,
  close: 1.1,
  volume: 3,
  tick_count: 3,
  complete,
  synthetic: false,
  source: 'tick_agg' as const,
  tf,
});
const add = (stream: string, atMs: number, fields: string[]): Promise<string | null> =>
  redis.xadd(stream, `${atMs}-0`, ...fields);
const watermark = (ts: number): string[] =>
  encodeStreamEntry('watermark', { ts, feed: 'alive', source: 'sim' });
const barAt = (symbol: string, open: number, tf: '1m' | '5m', complete: boolean): string[] =>
  encodeStreamEntry('bar', { symbol, tf, bar: bar(open, tf, complete) });

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await dropNamespace(redis, ns);
  await redis.quit();
});

describe('minute stages of the pipeline benchmark', () => {
  it('times the closing watermark (latest shard) and the minute’s final 1m bars (all shards)', async () => {
    const t0 = names.ticks(0);
    const t1 = names.ticks(1);
    await add(t0, END + 950, watermark(END - 50)); // before the minute's end: not the closing one
    await add(t0, END + 1_003, watermark(END));
    await add(t0, END + 1_100, watermark(END + 100));
    await add(t1, END + 1_010, watermark(END));
    const b0 = names.bars(0);
    const b1 = names.bars(1);
    await add(b0, END + 200, barAt('EURUSD', END - MINUTE, '1m', false)); // a preview
    await add(b0, END + 1_020, barAt('EURUSD', END - MINUTE, '1m', true));
    await add(b0, END + 1_030, barAt('XAUUSD', END - MINUTE, '1m', true));
    await add(b0, END + 1_031, barAt('EURUSD', END - 5 * MINUTE, '5m', true)); // not 1m
    await add(b0, END + 1_040, barAt('EURUSD', END, '1m', false)); // the next minute's preview
    await add(b1, END + 1_050, barAt('GBPUSD', END - MINUTE, '1m', true));

    expect(await readMinuteStages(redis, ns, 2, END, 1_000)).toEqual({
      minuteEnd: END,
      watermark: 1_010,
      barsFirst: 1_020,
      barsLast: 1_050,
      bars: 3,
    });
  });

  it('leaves a stage unknown when a shard has no closing watermark or no final came', async () => {
    const later = END + 10 * MINUTE;
    await add(names.ticks(0), later + 1_005, watermark(later));
    await add(names.bars(0), later + 800, barAt('EURUSD', later, '1m', false));
    expect(await readMinuteStages(redis, ns, 2, later, 1_000)).toEqual({
      minuteEnd: later,
      watermark: undefined, // shard 1 wrote none
      barsFirst: undefined,
      barsLast: undefined,
      bars: 0,
    });
  });
});

import { decodeStreamEntry, streamNames } from '@fxcm/contracts';
import { streamIdMs } from '@fxcm/redis-streams';
import type { Redis } from 'ioredis';

// Where a minute's final-bar latency goes, read from the internal streams' entry ids (each id's
// ms is Redis's clock when the entry was added): when the gateway's closing watermark of the
// minute reached the tick stream, and when the minute's final 1m bars reached the bars stream.
// The rest, up to the channel, is the publisher's and the subscriber's.

const MINUTE = 60_000;
/** Entries read from each stream per minute: a few seconds of 500 symbols × 20 ticks/s. */
const READ_COUNT = 30_000;

/** One minute's stages, ms after the minute's end (undefined: not found in what was read). */
export interface MinuteStages {
  minuteEnd: number;
  /** The first watermark at or past the minute's end on a tick stream (latest over shards). */
  watermark: number | undefined;
  /** The minute's first and last final 1m bar on a bars stream (over all shards). */
  barsFirst: number | undefined;
  barsLast: number | undefined;
  /** Final 1m bars of the minute found on the bars streams. */
  bars: number;
}

type Entries = [id: string, fields: string[]][];

/** The first watermark entry at or past `minuteEnd` among `entries`: its id's ms. */
export function watermarkAt(entries: Entries, minuteEnd: number): number | undefined {
  for (const [id, fields] of entries) {
    const entry = decodeStreamEntry(fields);
    if (entry.type === 'watermark' && entry.data.ts >= minuteEnd) return streamIdMs(id);
  }
  return undefined;
}

/** Id ms of each final 1m bar of the minute that ends at `minuteEnd` among `entries`. */
export function finalBarTimes(entries: Entries, minuteEnd: number): number[] {
  const times: number[] = [];
  for (const [id, fields] of entries) {
    const entry = decodeStreamEntry(fields);
    if (entry.type !== 'bar') continue;
    const { bar } = entry.data;
    if (bar.tf === '1m' && bar.open_time === minuteEnd - MINUTE && bar.complete !== false) {
      times.push(streamIdMs(id));
    }
  }
  return times;
}

/** Reads the stages of the minute ending at `minuteEnd` (call a few seconds after its finals). */
export async function readMinuteStages(
  redis: Redis,
  namespace: string,
  shards: number,
  minuteEnd: number,
  graceMs: number,
): Promise<MinuteStages> {
  const names = streamNames(namespace);
  const watermarks: (number | undefined)[] = [];
  const barTimes: number[] = [];
  for (let shard = 0; shard < shards; shard += 1) {
    // the closing watermark is written at the minute's end plus grace: read from a little before
    const ticks = (await redis.xrange(
      names.ticks(shard),
      `${minuteEnd + graceMs - 100}-0`,
      '+',
      'COUNT',
      READ_COUNT,
    )) as Entries;
    watermarks.push(watermarkAt(ticks, minuteEnd));
    const bars = (await redis.xrange(
      names.bars(shard),
      `${minuteEnd}-0`,
      '+',
      'COUNT',
      READ_COUNT,
    )) as Entries;
    barTimes.push(...finalBarTimes(bars, minuteEnd));
  }
  const after = (ms: number | undefined): number | undefined =>
    ms === undefined ? undefined : ms - minuteEnd;
  const found = watermarks.filter((w): w is number => w !== undefined);
  return {
    minuteEnd,
    watermark: found.length === shards ? after(Math.max(...found)) : undefined,
    barsFirst: barTimes.length > 0 ? after(Math.min(...barTimes)) : undefined,
    barsLast: barTimes.length > 0 ? after(Math.max(...barTimes)) : undefined,
    bars: barTimes.length,
  };
}

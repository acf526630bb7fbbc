import type { StoredBar } from '../../src/store';

export const MINUTE = 60_000;
/** 2014-05-05 00:00 UTC, the first minute the crash writer writes. */
export const CRASH_BASE = 1_399_248_000_000;

/** The one bar the crash writer ever writes for `openTime`: a function of the minute only. */
export function crashBar(openTime: number): StoredBar {
  const m = (openTime - CRASH_BASE) / MINUTE;
  const price = 1.38 + ((m * 7919) % 1000) / 1e5;
  const bar: StoredBar = {
    open_time: openTime,
    close_time: openTime + MINUTE - 1,
    open: price,
    high: price + 0.00021,
    low: price - 0.00013,
    close: price + 0.00005,
    volume: m % 97,
    tick_count: m % 97,
    complete: true,
    synthetic: m % 11 === 0,
    source: m % 5 === 0 ? 'history' : 'tick_agg',
  };
  if (bar.source === 'tick_agg') bar.avg_spread = (m % 13) / 1e5;
  return bar;
}

/** A small seeded generator (mulberry32), so a failing run can be replayed. */
export function crashRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

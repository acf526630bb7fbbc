import { readFileSync } from 'node:fs';

/** One row of a reference m1 file (`open_time_ms,bid_open,…,ask_close`). */
export interface ReferenceBar {
  open_time: number;
  bid: { open: number; high: number; low: number; close: number };
  ask: { open: number; high: number; low: number; close: number };
}

/** Reads a reference m1 CSV: the exact aggregation of the matching tick file, per minute. */
export function readReferenceBars(path: string): ReferenceBar[] {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  if (
    header !==
    'open_time_ms,bid_open,bid_high,bid_low,bid_close,ask_open,ask_high,ask_low,ask_close'
  ) {
    throw new Error(`${path}: unexpected header ${header}`);
  }
  return rows.map((row) => {
    const v = row.split(',').map(Number);
    return {
      open_time: v[0]!,
      bid: { open: v[1]!, high: v[2]!, low: v[3]!, close: v[4]! },
      ask: { open: v[5]!, high: v[6]!, low: v[7]!, close: v[8]! },
    };
  });
}

/** A final 1m bar as received on the channel (bid prices in the tests' price mode). */
export interface ReceivedBar {
  open_time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** What a run got wrong against the reference, by open_time: the figures the suites print. */
export interface BarVerdict {
  /** Reference minutes that never arrived. */
  lost: number[];
  /** Minutes that arrived more than once. */
  duplicated: number[];
  /** Minutes whose first arrival differs from the reference (bid side). */
  wrong: number[];
  /** Minutes that arrived but are not in the reference. */
  extra: number[];
}

/** Judges received final 1m bars against the reference bars (bid prices). */
export function judgeBars(
  bars: readonly ReceivedBar[],
  reference: readonly ReferenceBar[],
): BarVerdict {
  const byOpen = new Map<number, ReceivedBar[]>();
  for (const bar of bars) byOpen.set(bar.open_time, [...(byOpen.get(bar.open_time) ?? []), bar]);
  const known = new Set(reference.map((r) => r.open_time));
  const lost: number[] = [];
  const wrong: number[] = [];
  for (const ref of reference) {
    const bar = byOpen.get(ref.open_time)?.[0];
    if (!bar) lost.push(ref.open_time);
    else if (
      bar.open !== ref.bid.open ||
      bar.high !== ref.bid.high ||
      bar.low !== ref.bid.low ||
      bar.close !== ref.bid.close
    )
      wrong.push(ref.open_time);
  }
  return {
    lost,
    duplicated: [...byOpen].filter(([, b]) => b.length > 1).map(([t]) => t),
    wrong,
    extra: [...byOpen.keys()].filter((t) => !known.has(t)),
  };
}

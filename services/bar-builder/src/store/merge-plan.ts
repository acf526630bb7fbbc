/*
 * Merge by open_time and retention, as pure functions of sorted open_time lists: which incoming
 * bars are new, which meet a stored bar, and which open_time is the oldest one kept.
 */

/** An incoming bar whose open_time is already stored. */
export interface Overlap {
  /** Index into the incoming (sorted) batch. */
  incoming: number;
  /** Index into the stored (logical) open_times. */
  stored: number;
}

/** How a sorted incoming batch meets the stored series. */
export interface MergePlan {
  /** Indexes of incoming bars with an open_time not stored yet, ascending. */
  fresh: number[];
  /** Incoming bars that meet a stored bar. */
  overlaps: Overlap[];
  /**
   * Oldest open_time kept after merging the fresh bars and keeping the newest `maxBars`
   * (`-Infinity` when nothing is dropped). Fresh bars older than it are expired, never written.
   */
  cutoff: number;
  /** True when every kept fresh bar is newer than the newest stored bar: a plain tail append. */
  appendOnly: boolean;
}

/**
 * Plans the merge of `incomingTimes` (sorted, unique) into `storedTimes` (sorted, unique)
 * under a retention of `maxBars`.
 */
export function planMerge(
  storedTimes: ArrayLike<number>,
  incomingTimes: ArrayLike<number>,
  maxBars: number,
): MergePlan {
  const fresh: number[] = [];
  const overlaps: Overlap[] = [];
  let s = 0;
  for (let i = 0; i < incomingTimes.length; i++) {
    const t = incomingTimes[i]!;
    while (s < storedTimes.length && storedTimes[s]! < t) s++;
    if (s < storedTimes.length && storedTimes[s] === t) overlaps.push({ incoming: i, stored: s });
    else fresh.push(i);
  }
  const cutoff = retentionCutoff(
    storedTimes,
    fresh.map((i) => incomingTimes[i]!),
    maxBars,
  );
  const newest = storedTimes.length > 0 ? storedTimes[storedTimes.length - 1]! : -Infinity;
  const appendOnly = fresh.every((i) => incomingTimes[i]! < cutoff || incomingTimes[i]! > newest);
  return { fresh, overlaps, cutoff, appendOnly };
}

/**
 * The oldest open_time kept when the union of two sorted, disjoint lists is cut to its newest
 * `maxBars`; `-Infinity` when the union fits.
 */
export function retentionCutoff(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  maxBars: number,
): number {
  const drop = a.length + b.length - maxBars;
  if (drop <= 0) return -Infinity;
  let i = 0;
  let j = 0;
  // Skip the `drop` oldest of the union; the next one is the oldest kept.
  for (let k = 0; k < drop; k++) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) i++;
    else j++;
  }
  if (j >= b.length) return a[i]!;
  if (i >= a.length) return b[j]!;
  return Math.min(a[i]!, b[j]!);
}

/** Index of the first element of sorted `times[from, to)` that is `>= value` (`to` when none). */
export function lowerBound(
  times: ArrayLike<number>,
  value: number,
  from: number,
  to: number,
): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How long a feed may be silent while the calendar is open before it counts as stale, by the
 * hour of the day (UTC). Chosen from the natural tick gaps of the real FXCM EUR/USD archive
 * (bench/tick-gaps.py over ../shared/fxcm-data/eurusd-2014-05, 1.2 M gaps in two trading
 * weeks): the largest gap was 79 s in 06–15 UTC (London and New York), 155 s in 16–20 and
 * 00–05 UTC (late New York, Asia), and 325 s in 21–23 UTC (the daily roll and the Sunday open).
 * Each threshold is above the largest quiet gap of its hours with some margin, so a quiet market
 * is not resubscribed; a dead feed in the busy hours is still found within 90 s.
 */
export const SESSION_STALE_MS: readonly { fromHour: number; toHour: number; staleMs: number }[] = [
  { fromHour: 0, toHour: 6, staleMs: 180_000 },
  { fromHour: 6, toHour: 16, staleMs: 90_000 },
  { fromHour: 16, toHour: 21, staleMs: 180_000 },
  { fromHour: 21, toHour: 24, staleMs: 360_000 },
];

/** The stale threshold at `ts` (epoch ms) from {@link SESSION_STALE_MS}. */
export function sessionStaleMs(ts: number): number {
  const hour = new Date(ts).getUTCHours();
  const row = SESSION_STALE_MS.find((r) => hour >= r.fromHour && hour < r.toHour);
  return row?.staleMs ?? 360_000;
}

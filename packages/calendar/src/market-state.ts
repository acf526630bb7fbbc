/**
 * The V1 status vocabulary for a closed market: how long until it reopens decides whether the
 * pause is a weekend, an overnight closure or a short intraday break.
 */

/** V1 `session.state_detail` values, reported only while the market is closed. */
export type StateDetail = 'weekend' | 'overnight' | 'intrabreak';

/** Closed for at least this long (seconds to the next open) is a weekend: 36 h. */
export const WEEKEND_MIN_SECONDS = 36 * 3600;
/** Closed for at least this long (and less than a weekend) is overnight: 6 h. */
export const OVERNIGHT_MIN_SECONDS = 6 * 3600;

/**
 * Classifies a closed market by the time left until it reopens (V1 rule): `weekend` when
 * ≥ 36 h, `overnight` when ≥ 6 h, otherwise `intrabreak`.
 */
export function stateDetail(secondsToNextOpen: number): StateDetail {
  if (secondsToNextOpen >= WEEKEND_MIN_SECONDS) return 'weekend';
  if (secondsToNextOpen >= OVERNIGHT_MIN_SECONDS) return 'overnight';
  return 'intrabreak';
}

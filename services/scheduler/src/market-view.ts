import type { MarketStatus as MarketStatusPayload, Status } from '@fxcm/contracts';
import type { SessionInfo, TradingCalendar } from '@fxcm/calendar';
import type { SessionStats } from './telemetry/session-stats';
import { sessionSchedule } from './telemetry/session-schedule';

/** The V1 `session` block of `fxcm:status`. */
export type StatusSession = NonNullable<Status['session']>;

/** The V1 session context of `fxcm:market_status` (and of the heartbeat). */
export type MarketSession = MarketStatusPayload['session'];

/** What the calendar says about `now`, in the shapes of the V1 payloads. */
export interface MarketView {
  market: 'open' | 'closed';
  /** Next session open after now, whatever the state (epoch ms, whole seconds). */
  nextOpenMs: number;
  /** Whole-second seconds to {@link MarketView.nextOpenMs}. */
  secondsToNextOpen: number;
  /** The session window in force, if any. */
  window: SessionInfo | null;
  session: StatusSession;
  marketStatus: MarketStatusPayload;
}

/** V1 tag when no session window contains now (FXCM_SESSION_TAG=AUTO with no match). */
export const FALLBACK_SESSION_TAG = 'NY_METALS';

/** V1 time stamps: ISO UTC without fractions, `+00:00`. */
export function isoUtc(ms: number): string {
  return new Date(Math.floor(ms / 1_000) * 1_000).toISOString().replace('.000Z', '+00:00');
}

/**
 * The next session open after `now`: while open, the reopening after the coming pause (a daily
 * break or the weekly close); while closed, the next open. V1 reported the same in both states
 * (its example: 7200 s while open, a break of 30 min after a close 5400 s away).
 */
export function nextSessionOpen(calendar: TradingCalendar, now: number): number {
  return calendar.isOpen(now) ? calendar.nextOpen(calendar.nextPause(now)) : calendar.nextOpen(now);
}

/**
 * Reads the calendar at `now` into the V1 market fields: `market` for `fxcm:status`, its
 * `session` block (the Tokyo/London/New York window in force), and the `fxcm:market_status`
 * payload with the schedule and the per-session statistics. Times are counted from `now`
 * floored to the second (the `ts` written), so every `seconds_*` is whole. Pure.
 */
export function marketView(
  calendar: TradingCalendar,
  now: number,
  stats?: SessionStats,
): MarketView {
  const at = Math.floor(now / 1_000) * 1_000;
  const status = calendar.marketStatus(at);
  const open = status.open;
  const s = status.session;
  const nextOpenMs = nextSessionOpen(calendar, at);
  const secondsToNextOpen = (nextOpenMs - at) / 1_000;
  const tag = s?.tag ?? FALLBACK_SESSION_TAG;
  const symbols = s && stats ? stats.symbolsOf(s) : [];
  const session: StatusSession = {
    ...(s ? { name: s.name } : {}),
    tag,
    state: open ? 'open' : 'closed',
    ...(s ? { current_open_utc: isoUtc(s.openMs), current_close_utc: isoUtc(s.closeMs) } : {}),
    next_open_utc: isoUtc(nextOpenMs),
    ...(open ? { seconds_to_close: (status.nextPauseMs - at) / 1_000 } : {}),
    seconds_to_next_open: secondsToNextOpen,
    ...(!open && status.stateDetail ? { state_detail: status.stateDetail } : {}),
    ...(symbols.length > 0 ? { symbols } : {}),
  };
  const marketSession: MarketSession = {
    tag,
    timezone: s?.timeZone ?? 'UTC',
    ...(s ? { session_open_utc: isoUtc(s.openMs), session_close_utc: isoUtc(s.closeMs) } : {}),
    ...sessionSchedule(calendar, at),
    next_open_utc: isoUtc(nextOpenMs),
    next_open_ms: nextOpenMs,
    next_open_seconds: secondsToNextOpen,
    stats: stats ? stats.snapshot(at) : {},
  };
  const marketStatus: MarketStatusPayload = {
    type: 'market_status',
    state: open ? 'open' : 'closed',
    ts: isoUtc(at),
    ...(open
      ? {}
      : {
          next_open_utc: isoUtc(nextOpenMs),
          next_open_ms: nextOpenMs,
          next_open_in_seconds: secondsToNextOpen,
        }),
    session: marketSession,
  };
  return {
    market: open ? 'open' : 'closed',
    nextOpenMs,
    secondsToNextOpen,
    window: s,
    session,
    marketStatus,
  };
}

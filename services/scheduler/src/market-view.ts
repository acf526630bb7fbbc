import type { Heartbeat, MarketStatus as MarketStatusPayload, Status } from '@fxcm/contracts';
import type { TradingCalendar } from '@fxcm/calendar';

/** The V1 `session` block of `fxcm:status`. */
export type StatusSession = NonNullable<Status['session']>;

/** What the calendar says about `now`, in the shapes of the V1 payloads. */
export interface MarketView {
  market: 'open' | 'closed';
  secondsToNextOpen?: number;
  session: StatusSession;
  marketStatus: MarketStatusPayload;
}

/** V1 time stamps: ISO UTC without fractions, `+00:00`. */
export function isoUtc(ms: number): string {
  return new Date(Math.floor(ms / 1_000) * 1_000).toISOString().replace('.000Z', '+00:00');
}

/**
 * Reads the calendar at `now` into the V1 market fields: `market` for `fxcm:status`, its
 * `session` block (the Tokyo/London/New York window in force), and the `fxcm:market_status`
 * payload. Pure: the calendar is a function of time.
 */
export function marketView(calendar: TradingCalendar, now: number): MarketView {
  const status = calendar.marketStatus(now);
  const open = status.open;
  const s = status.session;
  const secondsToNextOpen = open ? undefined : status.secondsToNextOpen;
  const session: StatusSession = {
    tag: s?.tag ?? calendar.profile.id,
    state: open ? 'open' : 'closed',
    ...(s ? { name: s.name } : {}),
    ...(s ? { current_open_utc: isoUtc(s.openMs), current_close_utc: isoUtc(s.closeMs) } : {}),
    next_open_utc: isoUtc(status.nextOpenMs),
    ...(open ? { seconds_to_close: (status.nextPauseMs - now) / 1_000 } : {}),
    seconds_to_next_open: status.secondsToNextOpen,
    ...(!open && status.stateDetail ? { state_detail: status.stateDetail } : {}),
  };
  const marketStatus: MarketStatusPayload = {
    type: 'market_status',
    state: open ? 'open' : 'closed',
    ts: isoUtc(now),
    ...(open
      ? {}
      : {
          next_open_utc: isoUtc(status.nextOpenMs),
          next_open_ms: status.nextOpenMs,
          next_open_in_seconds: status.secondsToNextOpen,
        }),
    session: {
      tag: s?.tag ?? calendar.profile.id,
      timezone: s?.timeZone ?? 'UTC',
      next_open_utc: isoUtc(status.nextOpenMs),
      next_open_ms: status.nextOpenMs,
      next_open_seconds: status.secondsToNextOpen,
      ...(s ? { session_open_utc: isoUtc(s.openMs), session_close_utc: isoUtc(s.closeMs) } : {}),
    },
  };
  return { market: open ? 'open' : 'closed', secondsToNextOpen, session, marketStatus };
}

/** The V1 heartbeat: `stream` while the feed streams, else `idle` with the reason. */
export function heartbeat(
  now: number,
  view: MarketView,
  feed: { streaming: boolean; lastFinalClose?: number },
): Heartbeat {
  const idleReason = view.market === 'closed' ? 'calendar_closed' : 'market_closed';
  return {
    type: 'heartbeat',
    state: feed.streaming ? 'stream' : 'idle',
    ts: isoUtc(now),
    ...(feed.lastFinalClose !== undefined ? { last_bar_close_ms: feed.lastFinalClose } : {}),
    ...(view.market === 'closed'
      ? { next_open_utc: view.session.next_open_utc, sleep_seconds: view.secondsToNextOpen }
      : {}),
    context: {
      mode: feed.streaming ? 'stream' : 'idle',
      calendar_open: view.market === 'open',
      ticks_alive: feed.streaming,
      effective_market_open: view.market === 'open' || feed.streaming,
      ...(feed.streaming ? {} : { idle_reason: idleReason }),
      ...(view.secondsToNextOpen !== undefined
        ? { next_open_seconds: view.secondsToNextOpen }
        : {}),
      ...(feed.lastFinalClose !== undefined
        ? { lag_seconds: (now - feed.lastFinalClose) / 1_000 }
        : {}),
      session: view.session,
    },
  };
}

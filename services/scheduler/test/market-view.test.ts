import { calendarFor } from '@fxcm/calendar';
import { checkContract } from '@fxcm/contracts';
import { heartbeat, isoUtc, marketView } from '../src/market-view';

// Expected values worked out by hand from the FXCM metals rules: Sunday 18:01 → Friday 16:45
// America/New_York with a daily break 17:00–18:01 New York (EST = UTC−5 in December).
const metals = calendarFor('XAUUSD');
const TO_SUNDAY_OPEN = 37 * 3_600 + 60; // Saturday 10:00Z → Sunday 23:01Z

describe('marketView (calendar → V1 market fields)', () => {
  it('a Saturday morning is a weekend: closed until Sunday 23:01 UTC', () => {
    const now = Date.UTC(2025, 11, 6, 10, 0);
    const view = marketView(metals, now);
    expect(view.market).toBe('closed');
    expect(view.secondsToNextOpen).toBe(TO_SUNDAY_OPEN);
    expect(view.session).toMatchObject({
      state: 'closed',
      next_open_utc: '2025-12-07T23:01:00+00:00',
      seconds_to_next_open: TO_SUNDAY_OPEN,
      state_detail: 'weekend',
    });
    expect(view.marketStatus).toMatchObject({
      type: 'market_status',
      state: 'closed',
      ts: '2025-12-06T10:00:00+00:00',
      next_open_utc: '2025-12-07T23:01:00+00:00',
      next_open_ms: Date.UTC(2025, 11, 7, 23, 1),
      next_open_in_seconds: TO_SUNDAY_OPEN,
    });
    expect(checkContract('market-status', view.marketStatus)).toMatchObject({ ok: true });
  });

  it('a Wednesday afternoon is open in the London window, closing at the 22:00 UTC break', () => {
    const now = Date.UTC(2025, 11, 10, 15, 0);
    const view = marketView(metals, now);
    expect(view.market).toBe('open');
    expect(view.session).toMatchObject({
      tag: 'LDN_METALS',
      state: 'open',
      current_open_utc: '2025-12-10T08:00:00+00:00',
      current_close_utc: '2025-12-10T16:30:00+00:00',
      seconds_to_close: 7 * 3_600,
    });
    expect(view.session.state_detail).toBeUndefined();
    expect(view.marketStatus.next_open_ms).toBeUndefined();
  });

  it('the daily break is an intrabreak of 31 minutes at 22:30 UTC', () => {
    const view = marketView(metals, Date.UTC(2025, 11, 10, 22, 30));
    expect(view.market).toBe('closed');
    expect(view.session).toMatchObject({ seconds_to_next_open: 1_860, state_detail: 'intrabreak' });
  });

  it('builds a valid V1 heartbeat: idle with the reason while closed, stream while ticks flow', () => {
    const now = Date.UTC(2025, 11, 6, 10, 0);
    const idle = heartbeat(now, marketView(metals, now), { streaming: false });
    expect(idle).toMatchObject({ type: 'heartbeat', state: 'idle', sleep_seconds: TO_SUNDAY_OPEN });
    expect(idle.context).toMatchObject({ calendar_open: false, idle_reason: 'calendar_closed' });
    expect(checkContract('heartbeat', idle)).toMatchObject({ ok: true });

    const open = Date.UTC(2025, 11, 10, 15, 0);
    const live = heartbeat(open, marketView(metals, open), {
      streaming: true,
      lastFinalClose: open - 30_000,
    });
    expect(live).toMatchObject({ state: 'stream', last_bar_close_ms: open - 30_000 });
    expect(live.context).toMatchObject({ lag_seconds: 30, effective_market_open: true });
    expect(checkContract('heartbeat', live)).toMatchObject({ ok: true });
  });

  it('writes V1 time stamps without fractions', () => {
    expect(isoUtc(Date.UTC(2025, 10, 30, 22, 29, 0, 987))).toBe('2025-11-30T22:29:00+00:00');
  });
});

import { calendarFor } from '@fxcm/calendar';
import { checkContract } from '@fxcm/contracts';
import { isoUtc, marketView, nextSessionOpen } from '../src/market-view';

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

  it('a Wednesday afternoon is open in the London window; next open is after the 22:00 break', () => {
    const now = Date.UTC(2025, 11, 10, 15, 0);
    const view = marketView(metals, now);
    expect(view.market).toBe('open');
    expect(view.session).toMatchObject({
      name: 'London',
      tag: 'LDN_METALS',
      state: 'open',
      current_open_utc: '2025-12-10T08:00:00+00:00',
      current_close_utc: '2025-12-10T16:30:00+00:00',
      seconds_to_close: 7 * 3_600,
      // the break 22:00–23:00 UTC ends 8 h from now: the next open, even while open (V1)
      next_open_utc: '2025-12-10T23:01:00+00:00',
      seconds_to_next_open: 8 * 3_600 + 60,
    });
    expect(view.session.state_detail).toBeUndefined();
    expect(view.marketStatus.next_open_ms).toBeUndefined();
    expect(view.marketStatus.session).toMatchObject({
      tag: 'LDN_METALS',
      timezone: 'Europe/London',
      next_open_ms: Date.UTC(2025, 11, 10, 23, 1),
      next_open_seconds: 8 * 3_600 + 60,
      weekly_open: '18:01@America/New_York',
      weekly_close: '16:45@America/New_York',
      daily_breaks: [{ start: '17:00', end: '18:01', tz: 'America/New_York' }],
    });
    expect(checkContract('market-status', view.marketStatus)).toMatchObject({ ok: true });
  });

  it('counts next-open seconds from the whole second it stamps, so they are whole', () => {
    const now = Date.UTC(2025, 11, 10, 15, 0, 7, 654);
    const view = marketView(metals, now);
    expect(Number.isInteger(view.secondsToNextOpen)).toBe(true);
    expect(view.secondsToNextOpen).toBe(8 * 3_600 + 60 - 7);
    expect(view.nextOpenMs % 1_000).toBe(0);
    expect(nextSessionOpen(metals, now)).toBe(Date.UTC(2025, 11, 10, 23, 1));
  });

  it('outside every session window the tag is the V1 default, not the profile name', () => {
    // 22:30 UTC: after New York's 16:55 close, before Tokyo's 08:00 JST (23:00 UTC)
    const view = marketView(metals, Date.UTC(2025, 11, 10, 22, 30));
    expect(view.session.tag).toBe('NY_METALS');
    expect(view.session.name).toBeUndefined();
  });

  it('the daily break is an intrabreak of 31 minutes at 22:30 UTC', () => {
    const view = marketView(metals, Date.UTC(2025, 11, 10, 22, 30));
    expect(view.market).toBe('closed');
    expect(view.session).toMatchObject({ seconds_to_next_open: 1_860, state_detail: 'intrabreak' });
  });

  it('writes V1 time stamps without fractions', () => {
    expect(isoUtc(Date.UTC(2025, 10, 30, 22, 29, 0, 987))).toBe('2025-11-30T22:29:00+00:00');
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { FakeFxcmServer } from '../../services/fxcm-gateway/test/fake-fxcm-server';
import { IsolatedSuite, isolatedEnv } from '../harness/isolated-suite';
import { readReferenceBars, type ReferenceBar } from '../harness/reference-bars';
import type { Received } from '../harness/suite-run';
import { ROOT, ServiceProcess, waitFor, type ServiceName } from '../harness/suite';

// The feed killed mid-minute, end to end: the gateway (FXCM REST provider) listens to a local
// FXCM stand-in that pushes the real EUR/USD ticks of 2014-05-05 moved to now (by whole
// minutes, so every minute keeps its ticks) and serves the matching real 1m bars as candles.
// The stand-in drops the connection mid-minute and refuses reconnects for a few seconds. The
// gateway marks what it did not observe (its start, the outage) as feed_gap, backfills the
// touched minutes from the candles, and the bar builder publishes each of those minutes once,
// from history, on the public ohlcv channel. The first minute after the start is partial too.
// The calendar is a file opening the week the day before today (any weekday works).
// The default form drops the feed 3 s after the start, often inside the start minute
// (45-90 s); the long form keeps the outage in the next minute, apart from the start minute
// (about 105 s).

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MINUTE = 60_000;
const TOKEN = 'e2e-feed-gap-token';
const DATA_START = Date.UTC(2014, 4, 5, 12, 0); // London/New York overlap: ticks every second
const TICKS = join(ROOT, 'data', 'EURUSD_20140505_ticks.csv.gz');
const REFERENCE = join(ROOT, 'data', 'EURUSD_20140505_m1.csv');
/** Long form (`pnpm e2e:feed-gap`): the outage in the minute after the start minute. */
const SEPARATE = process.env.FXCM_FEED_GAP_SEPARATE === '1';
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Tick {
  ts: number;
  bid: number;
  ask: number;
}

/** The day's ticks from the FXCM tick archive (gzip of UTF-16LE `MM/DD/YYYY HH:MM:SS.mmm,Bid,Ask`). */
function readTicks(from: number, to: number): Tick[] {
  const rows = gunzipSync(readFileSync(TICKS)).toString('utf16le').split(/\r?\n/);
  const out: Tick[] = [];
  for (const row of rows) {
    const m = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3}),([\d.]+),([\d.]+)/.exec(row);
    if (!m) continue;
    const [, mo, d, y, h, mi, s, ms] = m.slice(0, 8).map(Number) as number[];
    const ts = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!);
    if (ts >= from && ts < to) out.push({ ts, bid: Number(m[8]), ask: Number(m[9]) });
  }
  return out;
}

/** A calendar (project format) whose week opens yesterday 00:00 UTC and closes in 4 days. */
function openWeekCalendar(now: number): string {
  const today = new Date(now).getUTCDay();
  return JSON.stringify({
    version: 1,
    default_profile: 'e2e_open_week',
    symbol_profiles: {},
    session_windows: [],
    profiles: [
      {
        id: 'e2e_open_week',
        description: 'a week around now, for a live run on any weekday',
        source: 'test fixture',
        tz: 'UTC',
        weekly_open: { day: DAYS[(today + 6) % 7], time: '00:00' },
        weekly_close: { day: DAYS[(today + 4) % 7], time: '00:00', lead_minutes: 0 },
        trading_day_roll: '00:00',
        daily_breaks: [],
        closed_intervals_utc: [],
        holiday_rules: [],
      },
    ],
  });
}

type Published = Received['msg'];

describe('the feed killed mid-minute, end to end', () => {
  it('every minute the gateway did not fully observe comes out once, equal to its history bar', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fxcm-feed-gap-'));
    const calendarFile = join(dir, 'calendar.json');
    const t0 = Date.now();
    writeFileSync(calendarFile, openWeekCalendar(t0));
    // Data minute DATA_START lands in the current minute; everything moves by whole minutes.
    const shift = t0 - (t0 % MINUTE) - DATA_START;
    const ticks = readTicks(DATA_START, DATA_START + 10 * MINUTE).map((t) => ({
      ...t,
      ts: t.ts + shift,
    }));
    const reference = new Map<number, ReferenceBar>(
      readReferenceBars(REFERENCE)
        .filter((r) => r.open_time >= DATA_START && r.open_time < DATA_START + 10 * MINUTE)
        .map((r) => [r.open_time + shift, { ...r, open_time: r.open_time + shift }]),
    );
    const perMinute = new Map<number, number>();
    for (const t of ticks) {
      const m = t.ts - (t.ts % MINUTE);
      perMinute.set(m, (perMinute.get(m) ?? 0) + 1);
    }
    // FXCM candle rows: [epoch s, BO, BC, BH, BL, AO, AC, AH, AL, TickQty]
    const candles = [...reference.values()].map((r) => [
      r.open_time / 1000,
      r.bid.open,
      r.bid.close,
      r.bid.high,
      r.bid.low,
      r.ask.open,
      r.ask.close,
      r.ask.high,
      r.ask.low,
      perMinute.get(r.open_time) ?? 1,
    ]);
    let next = 0; // next tick to push
    let down = false;
    const current = (): Tick | undefined => ticks[next - 1];
    const server = new FakeFxcmServer({
      token: TOKEN,
      offers: [{ offerId: 1, currency: 'EUR/USD' }],
      candles: new Map([[1, candles]]),
      subscribeQuote: () => {
        const t = current() ?? ticks[0]!;
        return { Updated: t.ts, Rates: [t.bid, t.ask, t.bid, t.bid] };
      },
    });
    const url = await server.listen();
    const subscribedAt: number[] = [];
    const pusher = setInterval(() => {
      const now = Date.now();
      if (subscribedAt.length < server.subscriptions.size) subscribedAt.push(now);
      while (next < ticks.length && ticks[next]!.ts <= now) {
        const t = ticks[next]!;
        // ticks while the connection is down are lost to the gateway
        if (!down) server.push('EUR/USD', t.ts, [t.bid, t.ask, t.bid, t.bid]);
        next++;
      }
    }, 10);

    const ns = `e2e_gap_${randomUUID().slice(0, 8)}`;
    const calendarEnv = { FXCM_CALENDAR_FILE: calendarFile };
    const own: Partial<Record<ServiceName, Record<string, string>>> = {
      'bar-builder': {
        ...calendarEnv,
        FXCM_PRICE_MODE: 'bid',
        FXCM_CACHE_DIR: dir,
        FXCM_INSTANCE: 'bar-builder-0',
        FXCM_TIMEFRAMES: '1m',
        FXCM_PARTIAL_HISTORY_WAIT_MS: '600000',
      },
      publisher: { FXCM_HMAC_SECRET: 'feed-gap-secret' },
      'fxcm-gateway': {
        ...calendarEnv,
        FXCM_PROVIDER: 'fxcm-rest',
        FXCM_REST_URL: url,
        FXCM_ACCESS_TOKEN: TOKEN,
        FXCM_STREAM_CONFIG: 'EUR/USD:m1',
        FXCM_HISTORY_WORKER: 'true',
        FXCM_STALE_SECONDS: '60',
      },
    };
    const suite = new IsolatedSuite(REDIS_URL, ns, (s) => ({
      FXCM_HMAC_SECRET: 'feed-gap-secret',
      ...own[s],
    }));
    const sub = new Redis(REDIS_URL);
    const received: Published[] = [];
    sub.on('message', (_c: string, text: string) => received.push(JSON.parse(text) as Published));
    const finals1m = (m: number): Published['bars'] =>
      received
        .filter((r) => r.tf === '1m')
        .flatMap((r) => r.bars)
        .filter((b) => b.open_time === m && b.complete !== false);
    try {
      await sub.subscribe(`${ns}:ohlcv`);
      for (const s of ['publisher', 'bar-builder', 'fxcm-gateway'] as ServiceName[])
        suite.services.set(
          s,
          new ServiceProcess(s, {
            ...isolatedEnv(REDIS_URL, ns),
            FXCM_HMAC_SECRET: 'feed-gap-secret',
            ...own[s],
          }),
        );
      await waitFor(
        () => subscribedAt.length >= 1,
        30_000,
        () => `no subscription\n${suite.logs()}`,
      );
      const start = subscribedAt[0]!;
      const first = start - (start % MINUTE);
      // Kill the connection mid-minute and refuse reconnects for 5 s: 3 s after the start
      // (usually in the start minute), or, in the long form, 5 s into the next minute so the start
      // minute and the outage are apart.
      let dropAt = SEPARATE ? first + MINUTE + 5_000 : start + 3_000;
      if ((dropAt + 3_000) % MINUTE < 6_000) dropAt += 6_000; // never on a minute boundary
      await new Promise((r) => setTimeout(r, dropAt - Date.now()));
      down = true;
      server.refusing = true;
      server.kick();
      const drop = Date.now();
      await new Promise((r) => setTimeout(r, 5_000));
      server.refusing = false;
      await waitFor(
        () => subscribedAt.length >= 2,
        40_000,
        () => `no resubscription\n${suite.logs()}`,
      );
      down = false;
      const resumed = subscribedAt[1]!;
      const touched = [first];
      for (let m = drop - (drop % MINUTE); m <= resumed; m += MINUTE)
        if (m !== first) touched.push(m);
      if (SEPARATE) expect(touched.length).toBeGreaterThanOrEqual(2);
      for (const m of touched) expect(reference.has(m)).toBe(true);

      await waitFor(
        () => touched.every((m) => finals1m(m).length > 0),
        120_000,
        () =>
          `${touched.filter((m) => finals1m(m).length > 0).length}/${touched.length} touched minutes published\n${suite.logs()}`,
      );
      await new Promise((r) => setTimeout(r, 1_500)); // a second final or a revision would show now
      for (const m of touched) {
        const ref = reference.get(m)!;
        const got = finals1m(m);
        expect({ m, bars: got.map((b) => [b.source, b.open, b.high, b.low, b.close]) }).toEqual({
          m,
          bars: [['history', ref.bid.open, ref.bid.high, ref.bid.low, ref.bid.close]],
        });
      }
      // the minutes the feed saw whole, between and after, are tick-built and equal the reference
      const seenWhole = [...reference.keys()].filter(
        (m) => m > first && m < Date.now() - 2 * MINUTE && !touched.includes(m),
      );
      for (const m of seenWhole) {
        const got = finals1m(m).filter((b) => b.synthetic !== true);
        const ref = reference.get(m)!;
        expect(got.map((b) => [b.open, b.high, b.low, b.close])).toEqual([
          [ref.bid.open, ref.bid.high, ref.bid.low, ref.bid.close],
        ]);
      }
    } finally {
      clearInterval(pusher);
      await suite.stop();
      await sub.quit();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

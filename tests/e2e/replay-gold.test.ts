import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeStreamEntry, streamNames, type OhlcvBar } from '@fxcm/contracts';
import { unzipSync } from 'fflate';
import { Redis } from 'ioredis';
import { dropNamespace, ROOT, ServiceProcess, waitFor, type ServiceName } from '../harness/suite';

// Real gold end to end: OANDA's XAU/USD ticks of Sunday 2014-05-04 (the weekly open) and Monday
// 2014-05-05 (a daily break), as Lean ships them (zips, UTC, fractional ms), go in at the
// gateway's replay; the bar builder runs on a calendar loaded at start from a V1 override file
// for OANDA's session; what comes out on fxcm:ohlcv must be exactly Lean's 1m bars of the days.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LEAN = join(ROOT, '..', 'shared', 'fxcm-data', 'lean-2014-05', 'oanda', 'cfd');
const DAYS = ['20140504', '20140505'];

/**
 * OANDA's gold session as its 2014 data shows it (minute bars of all 13 days): Sunday's first
 * bar 22:00Z (18:00 EDT), no bar 21:15-21:59Z on any weekday (17:15-18:00 EDT), Friday's last
 * bar 20:59Z (16:59 EDT). Lean's current Cfd-oanda-XAUUSD hours (shipped as `oanda_metals`)
 * are later ones: they would drop OANDA's 2014 ticks of 16:58-17:15 New York.
 */
const OANDA_2014_V1 = {
  weekly_open_utc: '18:00@ny',
  weekly_close_utc: '17:00@ny',
  daily_breaks: ['17:15-18:00@ny'],
  holidays: [],
  closed_intervals_utc: [],
};

/** The price part of a bar: enough to compare with Lean's bid bars. */
type Bar = Pick<
  OhlcvBar,
  'open_time' | 'open' | 'high' | 'low' | 'close' | 'complete' | 'synthetic'
>;

/** Lean's 1m bars of a day (bid side): `<ms since midnight>,BidOpen,BidHigh,BidLow,BidClose,…`. */
function leanMinutes(day: string): Bar[] {
  const zip = join(LEAN, 'minute', 'xauusd', `${day}_quote.zip`);
  const [csv] = Object.values(unzipSync(readFileSync(zip)));
  const midnight = Date.UTC(
    Number(day.slice(0, 4)),
    Number(day.slice(4, 6)) - 1,
    Number(day.slice(6)),
  );
  return Buffer.from(csv!)
    .toString('utf8')
    .trim()
    .split('\n')
    .map((row) => {
      const v = row.split(',').map(Number);
      return { open_time: midnight + v[0]!, open: v[1]!, high: v[2]!, low: v[3]!, close: v[4]! };
    });
}

describe('real gold end to end (OANDA XAU/USD, Lean zips)', () => {
  it("publishes exactly OANDA's 1m bars, on the calendar loaded from the override file", async () => {
    const reference = DAYS.flatMap(leanMinutes);
    const namespace = `e2e_gold_${randomUUID().slice(0, 8)}`;
    const work = mkdtempSync(join(tmpdir(), 'fxcm-e2e-gold-'));
    const calendarFile = join(work, 'calendar_overrides.json');
    writeFileSync(calendarFile, JSON.stringify(OANDA_2014_V1));
    const common = {
      REDIS_URL,
      FXCM_NAMESPACE: namespace,
      FXCM_CHANNEL_PREFIX: namespace,
      FXCM_MARKET_STATUS_CHANNEL: `${namespace}:market_status`,
      FXCM_METRICS_PORT: '0',
      FXCM_STATUS_INTERVAL_MS: '500',
      FXCM_LOG_LEVEL: 'warn',
      FXCM_STREAM_CONFIG: 'XAU/USD:m1',
      FXCM_CALENDAR_FILE: calendarFile,
      FXCM_CALENDAR_SYMBOLS: 'XAU/USD=v1_overrides',
    };
    const own: Partial<Record<ServiceName, Record<string, string>>> = {
      publisher: {},
      'bar-builder': {
        FXCM_PRICE_MODE: 'bid',
        FXCM_CACHE_DIR: join(work, 'cache'),
        FXCM_INSTANCE: 'bar-builder-0',
      },
      'fxcm-gateway': {
        FXCM_PROVIDER: 'replay',
        FXCM_REPLAY_FILES: DAYS.map((d) => join(LEAN, 'tick', 'xauusd', `${d}_quote.zip`)).join(
          ',',
        ),
        FXCM_REPLAY_SPEED: 'max',
      },
    };
    const sub = new Redis(REDIS_URL);
    const redis = new Redis(REDIS_URL);
    const bars: Bar[] = [];
    const procs: ServiceProcess[] = [];
    const logs = (): string => procs.map((p) => `--- ${p.service}\n${p.tail()}`).join('\n');
    try {
      sub.on('message', (_channel: string, text: string) => {
        const msg = JSON.parse(text) as { symbol: string; tf: string; bars: Bar[] };
        if (msg.tf === '1m') bars.push(...msg.bars);
      });
      await sub.subscribe(`${namespace}:ohlcv`);
      for (const [service, env] of Object.entries(own))
        procs.push(new ServiceProcess(service as ServiceName, { ...common, ...env }));

      const finals = (): Bar[] => bars.filter((b) => b.complete !== false && b.synthetic !== true);
      await waitFor(
        () => new Set(finals().map((b) => b.open_time)).size >= reference.length,
        240_000,
        () =>
          `${new Set(finals().map((b) => b.open_time)).size}/${reference.length} final 1m bars\n${logs()}`,
      );
      await new Promise((r) => setTimeout(r, 1_000)); // a late duplicate would still arrive

      const got = new Map<number, Bar[]>();
      for (const b of finals()) got.set(b.open_time, [...(got.get(b.open_time) ?? []), b]);
      expect([...got].filter(([, list]) => list.length > 1).map(([t]) => t)).toEqual([]);
      const refTimes = new Set(reference.map((r) => r.open_time));
      expect([...got.keys()].filter((t) => !refTimes.has(t)).map((t) => new Date(t))).toEqual([]);
      const mismatches = reference.filter((r) => {
        const b = got.get(r.open_time)?.[0];
        return (
          !b || b.open !== r.open || b.high !== r.high || b.low !== r.low || b.close !== r.close
        );
      });
      expect(mismatches.slice(0, 5)).toEqual([]);
      expect(got.size).toBe(reference.length);
      // No synthetic minute in the daily break or before the Sunday open.
      const breakSynthetic = bars.filter(
        (b) =>
          b.synthetic === true &&
          new Date(b.open_time).getUTCHours() === 21 &&
          new Date(b.open_time).getUTCMinutes() >= 15,
      );
      expect(breakSynthetic).toEqual([]);

      // The bar builder's status record says which calendar is in force.
      const entries = await redis.xrevrange(streamNames(namespace).status, '+', '-', 'COUNT', 200);
      const calendars = entries
        .map(([, fields]) => decodeStreamEntry(fields))
        .filter((e) => e.type === 'service_status')
        .map((e) => e.data as { service: string; detail: { calendar?: unknown } })
        .filter((r) => r.service === 'bar-builder')
        .map((r) => r.detail.calendar);
      expect(calendars[0]).toEqual({
        file: calendarFile,
        format: 'v1',
        default_profile: 'fxcm_fx',
        symbol_profiles: { XAUUSD: 'v1_overrides', XAGUSD: 'fxcm_metals' },
      });
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
      await sub.quit();
      await dropNamespace(redis, namespace);
      await redis.quit();
      rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);
});

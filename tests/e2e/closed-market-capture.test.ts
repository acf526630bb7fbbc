import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCalendarInForce } from '@fxcm/calendar';
import { Redis } from 'ioredis';
import { v1ShapeProblems } from '../../services/scheduler/test/v1-shape-check';
import { IsolatedSuite } from '../harness/isolated-suite';
import { ROOT, waitFor } from '../harness/suite';

// A closed-market capture from a real run: the five services as processes, the simulator as the
// feed, on a calendar that is closed now whatever the day (the repository's V1 override file
// plus a closure from an hour ago to three hours ahead; on a real weekend the weekend is closed
// anyway). What the suite actually sends on fxcm:status, fxcm:heartbeat and fxcm:market_status
// is compared key by key with the V1 shapes (wire-contracts §2A), and its next open with the one
// the same calendar file gives.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const KINDS = ['status', 'heartbeat', 'market_status'] as const;
type Kind = (typeof KINDS)[number];

/** The repository's V1 override calendar with one more closure, around `now`. */
function closedCalendar(dir: string, now: number): string {
  const hour = 3_600_000;
  const doc = JSON.parse(readFileSync(join(ROOT, 'config', 'calendar_overrides.json'), 'utf8')) as {
    closed_intervals_utc: { start: string; end: string }[];
  };
  const at = Math.floor(now / hour) * hour;
  const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
  doc.closed_intervals_utc.push({ start: iso(at - hour), end: iso(at + 3 * hour) });
  const file = join(dir, 'closed-now.json');
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

describe('a closed market, captured from the running suite', () => {
  it('sends V1-shaped status, heartbeat and market_status that say closed and when it opens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fxcm-closed-'));
    const calendarFile = closedCalendar(dir, Date.now());
    const ns = `e2e_closed_${randomUUID().slice(0, 8)}`;
    const suite = new IsolatedSuite(REDIS_URL, ns, (service) => ({
      FXCM_CALENDAR_FILE: calendarFile,
      ...{
        'fxcm-gateway': { FXCM_PROVIDER: 'sim' },
        'bar-builder': { FXCM_CACHE_DIR: dir, FXCM_INSTANCE: 'bar-builder-0' },
        scheduler: {
          FXCM_TELEMETRY_INTERVAL_SECONDS: '0.5',
          FXCM_MARKET_STATUS_REPEAT_SECONDS: '1',
        },
        publisher: { FXCM_PRICE_SNAP_INTERVAL_SECONDS: '0' },
        ingestor: { FXCM_INGEST_ALLOWED_SYMBOLS: 'EURUSD' },
      }[service],
    }));
    const captured: Record<Kind, string[]> = { status: [], heartbeat: [], market_status: [] };
    const sub = new Redis(REDIS_URL);
    sub.on('message', (channel: string, text: string) => {
      captured[channel.slice(ns.length + 1) as Kind].push(text);
    });
    try {
      await sub.subscribe(...KINDS.map((k) => `${ns}:${k}`));
      suite.start();
      await waitFor(
        () =>
          captured.status.length >= 4 &&
          captured.heartbeat.length >= 4 &&
          captured.market_status.length >= 2,
        60_000,
        () =>
          `captured ${KINDS.map((k) => `${k} ${captured[k].length}`).join(', ')}\n${suite.logs()}`,
      );
      // every message, exactly as sent, against V1
      for (const kind of KINDS) {
        for (const text of captured[kind])
          expect([kind, v1ShapeProblems(kind, text)]).toEqual([kind, []]);
      }

      // ... and what they say: closed, opening when the calendar file says
      const calendar = loadCalendarInForce({ file: calendarFile }).book.calendarFor('XAUUSD');
      for (const text of captured.market_status) {
        const m = JSON.parse(text) as { state: string; ts: string; next_open_ms: number };
        const at = Date.parse(m.ts);
        expect(calendar.isOpen(at)).toBe(false);
        expect(m).toMatchObject({ state: 'closed', next_open_ms: calendar.nextOpen(at) });
      }
      for (const text of captured.status) {
        const s = JSON.parse(text) as {
          ts: number;
          market: string;
          process: string;
          session: { state: string; next_open_utc: string; seconds_to_next_open: number };
        };
        const at = Math.floor(s.ts) * 1_000;
        expect(s.market).toBe('closed');
        expect(s.session.state).toBe('closed');
        expect(Date.parse(s.session.next_open_utc)).toBe(calendar.nextOpen(at));
        expect(s.session.seconds_to_next_open).toBe((calendar.nextOpen(at) - at) / 1_000);
      }
      for (const text of captured.heartbeat) {
        const h = JSON.parse(text) as { state: string; ts: string; next_open_utc?: string };
        expect(h.state).toBe('idle');
        expect(Date.parse(h.next_open_utc!)).toBe(calendar.nextOpen(Date.parse(h.ts)));
      }
      console.log(
        `closed-market capture: ${KINDS.map((k) => `${captured[k].length} ${k}`).join(', ')}, next open ${JSON.parse(captured.market_status[0]!).next_open_utc}`,
      );
    } finally {
      sub.disconnect();
      await suite.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

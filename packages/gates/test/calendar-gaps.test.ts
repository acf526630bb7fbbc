import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCalendarInForce } from '@fxcm/calendar';
import { encodeStreamEntry, keys, streamNames } from '@fxcm/contracts';
import { Redis } from 'ioredis';
import { runGates } from '../src';
import { deploymentOn } from './deployment-on';

// calendar-gaps on a real Redis: stored 1m bars in the ingestor's index, quotes on the tick
// stream, at a pinned instant of an open Tuesday on the shipped calendar.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MINUTE = 60_000;
const T0 = Date.parse('2026-12-01T20:00:00Z');
/** Minutes T0, T0+1 and T0+2 have settled (settleMinutes 1); T0+3 is settling. */
const NOW = T0 + 4 * MINUTE + 10_000;
const iso = (t: number): string => new Date(t).toISOString();

describe('the calendar-gaps gate', () => {
  const redis = new Redis(REDIS_URL);
  const inForce = loadCalendarInForce();
  const namespaces: string[] = [];
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fxcm-gates-gaps-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(async () => {
    for (const ns of namespaces)
      await redis.del(streamNames(ns).ticks(0), `${keys(ns).store('EURUSD', '1m')}:index`);
    redis.disconnect();
  });

  /** A namespace holding the quotes `ticks` and the stored minutes `bars`; the gate's verdict. */
  async function gaps(ticks: number[], bars: number[]) {
    const namespace = `gates_gaps_${randomUUID().slice(0, 8)}`;
    namespaces.push(namespace);
    for (const ts of ticks) {
      const tick = {
        symbol: 'EURUSD',
        ts,
        bid: 1.3883,
        ask: 1.38831,
        recv_ts: ts,
        source: 'replay' as const,
      };
      await redis.xadd(
        streamNames(namespace).ticks(0),
        `${ts}-0`,
        ...encodeStreamEntry('tick', tick),
      );
    }
    const index = `${keys(namespace).store('EURUSD', '1m')}:index`;
    for (const t of bars) await redis.zadd(index, t, String(t));
    const deployment = deploymentOn(namespace, inForce);
    const [outcome] = await runGates(
      { gates: [{ gate: 'calendar-gaps', args: { minutes: 30, settleMinutes: 1 } }] },
      {
        context: { deployment, redis, now: () => NOW },
        packDir: dir,
        configHash: 'f'.repeat(64),
        print: () => {},
      },
    );
    return { verdict: outcome?.verdict, summary: outcome?.summary };
  }

  const quotes = [
    T0 + 5_000,
    T0 + MINUTE + 5_000,
    T0 + 2 * MINUTE + 5_000,
    T0 + 3 * MINUTE + 5_000,
  ];
  const minutes = [T0, T0 + MINUTE, T0 + 2 * MINUTE];

  it('passes when every settled open minute since the first quote has its bar', async () => {
    expect(await gaps(quotes, minutes)).toEqual({
      verdict: 'pass',
      summary: '1 target(s): no open minute without a bar in the last 30 min',
    });
  });

  it('fails on a deleted minute, and on quotes that never became bars', async () => {
    expect(await gaps(quotes, [T0, T0 + 2 * MINUTE])).toEqual({
      verdict: 'fail',
      summary: `EURUSD: 1 open minute(s) without a bar, first ${iso(T0 + MINUTE)}`,
    });
    // No bar at all: counted from the first quote, not passed for want of a first bar.
    expect(await gaps(quotes, [])).toEqual({
      verdict: 'fail',
      summary: `EURUSD: 3 open minute(s) without a bar, first ${iso(T0)}`,
    });
    // Neither a bar nor a quote through half an open hour.
    expect(await gaps([], [])).toEqual({
      verdict: 'fail',
      summary: 'EURUSD: 30 open minute(s), no stored bar and no tick',
    });
  });

  it('does not judge a deployment whose first quote has not settled yet', async () => {
    expect(await gaps([T0 + 3 * MINUTE + 5_000], [])).toEqual({
      verdict: 'skip',
      summary: 'no settled open minute in the window yet',
    });
  });
});

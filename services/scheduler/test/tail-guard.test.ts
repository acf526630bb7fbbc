import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { decodeStreamEntry, parseStreamTargets, type StreamControl } from '@fxcm/contracts';
import { createLogger } from '@fxcm/logging';
import { createRedis } from '@fxcm/redis-streams';
import type { ServiceStatusRecord } from '@fxcm/service-runtime';
import type { Redis } from 'ioredis';
import { ActiveUniverse } from '../src/active-universe';
import { ControlBus } from '../src/control-bus';
import { TailGuardSchedule } from '../src/tail-guard/tail-guard-schedule';
import { tailGuardBlock } from '../src/tail-guard/tail-guard-view';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MINUTE = 60_000;
const T = Date.UTC(2014, 4, 6, 1, 30);

/** A bar builder's status record carrying a tail-guard report. */
const record = (instance: string, tailGuard: unknown): ServiceStatusRecord =>
  ({
    service: 'bar-builder',
    instance,
    ts: T,
    state: 'ok',
    errors: [],
    degraded: [],
    counters: {},
    detail: { shard: 0, tail_guard: tailGuard },
  }) as ServiceStatusRecord;
const finding = (status: string, found: number, left: number, repaired: number) => ({
  from: T - 6 * 60 * MINUTE,
  to: T,
  expected: 360,
  present: 360 - left,
  synthetic: 0,
  missing: left,
  found_missing: found,
  holes_total: found > 0 ? 1 : 0,
  holes:
    found > 0
      ? [{ from: T - 60 * MINUTE, to: T - 60 * MINUTE + found * MINUTE, minutes: found }]
      : [],
  repaired,
  republished: repaired,
  status,
});
const report = (reqId: string, at: number, symbols: Record<string, unknown>) => ({
  req_id: reqId,
  last_audit_ts_ms: at,
  window_hours: 6,
  repair: true,
  state: 'done',
  symbols,
});

describe('tailGuardBlock', () => {
  it('is null before any run, and ignores other services', () => {
    expect(tailGuardBlock([])).toBeNull();
    expect(tailGuardBlock([{ ...record('x', undefined), service: 'publisher' }])).toBeNull();
  });

  it("merges the shards' reports of the latest request, worst status first", () => {
    const block = tailGuardBlock([
      record('bar-builder-0', report('r-2', T + 5, { EURUSD: finding('repaired', 30, 0, 30) })),
      record('bar-builder-1', report('r-2', T + 3, { XAUUSD: finding('partial', 4, 1, 3) })),
      record('bar-builder-2', report('r-1', T, { GBPUSD: finding('missing', 9, 9, 0) })),
    ]);
    expect(block).toEqual({
      last_audit_ts_ms: T + 5,
      req_id: 'r-2',
      window_hours: 6,
      repair: true,
      state: 'done',
      repaired: 33,
      tf_states_compact: { '1m': { status: 'partial', missing_bars: 1, skipped_by_ttl: 0 } },
      symbols: {
        EURUSD: {
          status: 'repaired',
          missing: 0,
          found_missing: 30,
          repaired: 30,
          holes_total: 1,
          first_hole: { from: T - 60 * MINUTE, to: T - 30 * MINUTE, minutes: 30 },
        },
        XAUUSD: {
          status: 'partial',
          missing: 1,
          found_missing: 4,
          repaired: 3,
          holes_total: 1,
          first_hole: { from: T - 60 * MINUTE, to: T - 56 * MINUTE, minutes: 4 },
        },
      },
    });
  });

  it('skips a malformed detail', () => {
    expect(tailGuardBlock([record('b', { symbols: 'x' }), record('c', 42)])).toBeNull();
  });
});

describe('TailGuardSchedule on a real Redis', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis(REDIS_URL, { name: 'tail-guard-schedule-test' });
  });
  afterAll(() => redis.quit());

  it('sends a tail guard for the active symbols on start, then on its interval', async () => {
    const stream = `test_tg_${randomUUID().slice(0, 8)}:x:control`;
    const errors: unknown[] = [];
    const schedule = new TailGuardSchedule({
      control: new ControlBus(redis, stream),
      universe: new ActiveUniverse(
        parseStreamTargets('XAU/USD:m1,XAU/USD:m5,EUR/USD:m1'),
        false,
        20,
      ),
      startDelayMs: 0,
      intervalMs: 100,
      windowHours: 48,
      repair: false,
      logger: createLogger({
        service: 'scheduler',
        stream: new Writable({ write: (_c, _e, cb) => cb() }),
      }),
      onError: (err) => errors.push(err),
    });
    try {
      schedule.start();
      const entries = async (): Promise<StreamControl[]> =>
        ((await redis.xrange(stream, '-', '+')) as [string, string[]][]).map(
          ([, fields]) => decodeStreamEntry(fields).data as StreamControl,
        );
      for (let i = 0; i < 100 && (await entries()).length < 2; i++)
        await new Promise((r) => setTimeout(r, 50));
      schedule.stop();
      const sent = await entries();
      expect(sent.length).toBeGreaterThanOrEqual(2);
      for (const c of sent) {
        expect(c).toMatchObject({
          cmd: 'tail_guard',
          target: 'bar-builder',
          args: { symbols: ['XAUUSD', 'EURUSD'], window_hours: 48, repair: false, republish: true },
        });
      }
      expect(new Set(sent.map((c) => c.req_id)).size).toBe(sent.length);
      expect(errors).toEqual([]);
    } finally {
      schedule.stop();
      await redis.del(stream);
    }
  });
});

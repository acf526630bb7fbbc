import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBarEngine, engineOptionsOf, type BarEvent } from '@fxcm/bar-builder';
import { calendarFor, loadCalendarInForce } from '@fxcm/calendar';
import { encodeOhlcvMessage, encodeStreamEntry, keys, streamNames } from '@fxcm/contracts';
import { Redis } from 'ioredis';
import { runGates } from '../src';
import { DEFAULT_ENGINE, deploymentOn } from './deployment-on';
import { recordedTicks } from './recorded-ticks';

// The whole proof on a real Redis: a deployment's tick stream (the recorded EUR/USD quotes, a
// watermark at each minute end, as the gateway writes them) and the store the ingestor filled from
// the bars the bar builder made of them. The gate backs both up, restores the inputs on a scratch
// namespace, replays them and compares; a stored bar altered or a quote gone from the stream fails.

const MINUTE = 60_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);
const ns = `gates_replay_${randomUUID().slice(0, 8)}`;
const ticksStream = streamNames(ns).ticks(0);
const hash = keys(ns).store('EURUSD', '1m');
const ticks = recordedTicks(1_500);
let dir: string;

/** The gateway's entries: each quote, and a watermark before the first quote of a new minute. */
function inputEntries(): string[][] {
  const entries: string[][] = [];
  let minute: number | undefined;
  for (const t of ticks) {
    const m = t.ts - (t.ts % MINUTE);
    if (minute !== undefined && m > minute)
      entries.push(encodeStreamEntry('watermark', { ts: m, feed: 'alive', source: 'replay' }));
    minute = m;
    entries.push(encodeStreamEntry('tick', { ...t, recv_ts: t.ts, source: 'replay' }));
  }
  return entries;
}

/** The 1m finals the bar builder made of the quotes, stored as the publisher and ingestor do. */
async function storeFinals(): Promise<number[]> {
  const engine = createBarEngine(engineOptionsOf(DEFAULT_ENGINE, calendarFor));
  const finals: BarEvent[] = [];
  for (const t of ticks) {
    finals.push(...engine.onWatermark({ ts: t.ts - (t.ts % MINUTE), feed: 'alive' }));
    engine.onTick(t);
  }
  const stored: number[] = [];
  for (const { tf, bar } of finals.filter((e) => e.tf === '1m')) {
    const message = encodeOhlcvMessage({ symbol: 'EURUSD', tf, bars: [bar], source: bar.source });
    const [text] = (JSON.parse(message) as { bars: unknown[] }).bars.map((b) => JSON.stringify(b));
    await redis.hset(hash, String(bar.open_time), text!);
    await redis.zadd(`${hash}:index`, bar.open_time, String(bar.open_time));
    stored.push(bar.open_time);
  }
  return stored;
}

const run = () =>
  runGates(
    { gates: [{ gate: 'replay-determinism', args: {} }] },
    {
      context: {
        deployment: deploymentOn(ns, loadCalendarInForce()),
        redis,
        now: () => Date.now(),
      },
      packDir: dir,
      configHash: '0'.repeat(64),
      print: () => {},
    },
  );

/** Keys of the scratch namespaces the gate made: none once it is done. */
async function scratchKeys(): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${ns}_gate_*`, 'COUNT', 1000);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

let stored: number[] = [];

beforeAll(async () => {
  for (const fields of inputEntries()) await redis.xadd(ticksStream, '*', ...fields);
  stored = await storeFinals();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fxcm-gates-replay-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
afterAll(async () => {
  await redis.del(ticksStream, hash, `${hash}:index`);
  redis.disconnect();
});

describe('replay-determinism: backup, restore, replay, compare', () => {
  it('passes the bars the deployment built, keeps the backup summary, removes its scratch', async () => {
    expect(stored.length).toBeGreaterThan(5);
    const [outcome] = await run();
    // The first minute opened before the first quote: the replay has not every input of it.
    expect(outcome?.summary).toBe(
      `${stored.length - 1} replayed bar(s) byte-identical to the deployment's`,
    );
    expect(outcome?.verdict).toBe('pass');
    const backup = JSON.parse(
      readFileSync(join(dir, 'replay-determinism', 'backup.json'), 'utf8'),
    ) as { streams: { stream: string; count: number }[]; stored: { count: number }[] };
    expect(backup.streams.find((s) => s.stream === ticksStream)?.count).toBe(inputEntries().length);
    expect(backup.stored[0]?.count).toBe(stored.length);
    const replay = JSON.parse(
      readFileSync(join(dir, 'replay-determinism', 'replay.json'), 'utf8'),
    ) as { applied: number; rejected: Record<string, number> };
    expect(replay).toMatchObject({ applied: inputEntries().length, rejected: {} });
    expect(await scratchKeys()).toEqual([]);
  });

  it('fails naming a stored bar that was altered', async () => {
    const at = stored[3]!;
    const text = (await redis.hget(hash, String(at)))!;
    await redis.hset(hash, String(at), text.replace('"volume":', '"volume":1'));
    try {
      const [outcome] = await run();
      expect(outcome?.verdict).toBe('fail');
      expect(outcome?.summary).toContain(
        `1 fault(s): EURUSD 1m ${new Date(at).toISOString()}: differs`,
      );
    } finally {
      await redis.hset(hash, String(at), text);
    }
    expect(await scratchKeys()).toEqual([]);
  });

  it('fails naming the minute whose quote is gone from the inputs', async () => {
    const at = stored[4]!;
    const entries = await redis.xrange(ticksStream, '-', '+');
    const [id] = entries.find(([, [, type, , data]]) => {
      const ts = (JSON.parse(data ?? '{}') as { ts?: number }).ts ?? NaN;
      return type === 'tick' && ts >= at && ts < at + MINUTE;
    }) ?? [undefined];
    expect(id).toBeDefined();
    await redis.xdel(ticksStream, id!);
    const [outcome] = await run();
    expect(outcome?.verdict).toBe('fail');
    expect(outcome?.summary).toContain(`EURUSD 1m ${new Date(at).toISOString()}: differs`);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calendarFor } from '@fxcm/calendar';
import { channelNames } from '@fxcm/contracts';
import { Redis } from 'ioredis';
import { intervalFaults, runGates, type Deployment } from '../src';

const deployment: Deployment = {
  namespace: 'gates_unit',
  shards: 1,
  channels: channelNames(),
  targets: [{ symbol: 'EURUSD', tf: '1m' }],
  metricsUrls: [],
};
const NOW = Date.parse('2026-12-01T20:00:00Z');

describe('the calendar gate', () => {
  let dir: string;
  // The calendar gate reads no Redis; the connection is never opened.
  const redis = new Redis({ lazyConnect: true });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fxcm-gates-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(() => redis.disconnect());

  const run = (instants: unknown[]) =>
    runGates(
      { gates: [{ gate: 'calendar', args: { days: 14, instants } }] },
      {
        context: { deployment, redis, now: () => NOW },
        packDir: dir,
        configHash: 'f'.repeat(64),
        print: () => {},
      },
    );

  it('finds the FXCM calendar sound over two weeks', () => {
    expect(intervalFaults(calendarFor('EURUSD'), NOW - 86_400_000, NOW + 14 * 86_400_000)).toEqual(
      [],
    );
  });

  it('passes known instants of the schedule and writes the evidence', async () => {
    const [outcome] = await run([
      { symbol: 'EURUSD', at: '2026-12-25T15:00:00Z', open: false },
      { symbol: 'EURUSD', at: '2026-12-07T12:00:00Z', open: true },
    ]);
    expect(outcome?.verdict).toBe('pass');
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as {
      passed: boolean;
    };
    expect(summary.passed).toBe(true);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('| calendar | PASS |');
  });

  it('fails on an instant the calendar gets wrong, and on bad arguments', async () => {
    const [wrong] = await run([{ symbol: 'EURUSD', at: '2026-12-05T12:00:00Z', open: true }]);
    expect(wrong?.verdict).toBe('fail');
    expect(wrong?.summary).toBe(
      '1 fault(s): EURUSD at 2026-12-05T12:00:00.000Z: calendar says closed, the schedule says open',
    );
    const [bad] = await run([{ symbol: 'EURUSD', at: 'soon' }]);
    expect(bad?.summary).toBe(
      'bad manifest arguments: instants[0] must be {symbol, at: ISO time, open: boolean}',
    );
  });
});

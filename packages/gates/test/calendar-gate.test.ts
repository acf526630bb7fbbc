import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calendarFor, loadCalendarInForce } from '@fxcm/calendar';
import { encodeStreamEntry, streamNames } from '@fxcm/contracts';
import { Redis } from 'ioredis';
import { isConfigError } from '@fxcm/config';
import { calendarMismatches, intervalFaults, loadDeployment, runGates } from '../src';
import { deploymentOn } from './deployment-on';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NOW = Date.parse('2026-12-01T20:00:00Z');

describe('the calendar gate', () => {
  let dir: string;
  const namespace = `gates_unit_${randomUUID().slice(0, 8)}`;
  const redis = new Redis(REDIS_URL);
  const shipped = loadCalendarInForce();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fxcm-gates-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(async () => {
    await redis.del(streamNames(namespace).status);
    redis.disconnect();
  });

  const run = (instants: unknown[], inForce = shipped) =>
    runGates(
      { gates: [{ gate: 'calendar', args: { days: 14, instants } }] },
      {
        context: { deployment: deploymentOn(namespace, inForce), redis, now: () => NOW },
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

  it('judges by the calendar file the deployment runs with, not the shipped one', async () => {
    // A V1 overrides file that forgot Christmas: the known instant of the schedule catches it.
    const file = join(dir, 'calendar_overrides.json');
    writeFileSync(file, JSON.stringify({ holidays: [] }));
    const wrong = loadCalendarInForce({ file });
    const [outcome] = await run(
      [{ symbol: 'EURUSD', at: '2026-12-25T15:00:00Z', open: false }],
      wrong,
    );
    expect(outcome?.summary).toMatch(
      /^1 fault\(s\): EURUSD at 2026-12-25T15:00:00\.000Z: calendar says open, the schedule says closed/,
    );
    const evidence = JSON.parse(
      readFileSync(join(dir, 'calendar', 'calendar-in-force.json'), 'utf8'),
    ) as { gates: { file: string; format: string } };
    expect(evidence.gates).toMatchObject({ file, format: 'v1' });
  });

  it("loads FXCM_CALENDAR_FILE with the services' loader, so a wrong file fails the gate", async () => {
    const christmas = Date.parse('2026-12-25T15:00:00Z');
    const file = join(dir, 'calendar_overrides.json');
    writeFileSync(file, JSON.stringify({ holidays: [] }));
    const env = { FXCM_NAMESPACE: namespace, FXCM_CALENDAR_FILE: file };
    const { deployment } = loadDeployment(env, dir, []);
    // The file the services would run on, not the shipped calendar (closed on Christmas).
    expect(deployment.calendar).toEqual(loadCalendarInForce({ file }).summary);
    expect(deployment.calendar).toMatchObject({ file, format: 'v1' });
    expect(deployment.calendarFor('EURUSD').isOpen(christmas)).toBe(true);
    expect(
      loadDeployment({ FXCM_NAMESPACE: namespace }, dir, [])
        .deployment.calendarFor('EURUSD')
        .isOpen(christmas),
    ).toBe(false);

    const [outcome] = await runGates(
      {
        gates: [
          {
            gate: 'calendar',
            args: { instants: [{ symbol: 'EURUSD', at: '2026-12-25T15:00:00Z', open: false }] },
          },
        ],
      },
      {
        context: { deployment, redis, now: () => NOW },
        packDir: dir,
        configHash: 'f'.repeat(64),
        print: () => {},
      },
    );
    expect(outcome?.verdict).toBe('fail');
    expect(outcome?.summary).toContain('calendar says open, the schedule says closed');

    // A file the services would refuse is refused here too, naming the setting.
    writeFileSync(file, '{"weekly_open_utc": 42}');
    let error: unknown;
    try {
      loadDeployment(env, dir, []);
    } catch (err) {
      error = err;
    }
    if (!isConfigError(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues.map((i) => i.name)).toEqual(['FXCM_CALENDAR_FILE weekly_open_utc']);
  });

  it('fails when a running service reports another calendar than the gates loaded', async () => {
    const record = (calendar: unknown, instance: string) =>
      encodeStreamEntry('service_status', {
        service: 'bar-builder',
        instance,
        ts: NOW,
        state: 'ok',
        errors: [],
        degraded: [],
        counters: {},
        detail: { calendar },
      });
    await redis.xadd(
      streamNames(namespace).status,
      `${NOW - 1_000}-0`,
      ...record(shipped.summary, 'bar-builder-0'),
    );
    const [same] = await run([]);
    expect(same?.verdict).toBe('pass');
    expect(same?.summary).toContain('1 service(s) on the same calendar');

    const other = { ...shipped.summary, file: '/etc/fxcm/stale-calendar.json', format: 'v1' };
    await redis.xadd(
      streamNames(namespace).status,
      `${NOW - 500}-0`,
      ...record(other, 'bar-builder-1'),
    );
    const [mismatch] = await run([]);
    expect(mismatch?.verdict).toBe('fail');
    expect(mismatch?.summary).toContain(
      '1 fault(s): bar-builder/bar-builder-1 runs calendar {"file":"/etc/fxcm/stale-calendar.json"',
    );
    expect(calendarMismatches(shipped.summary, [])).toEqual([]);
  });
});

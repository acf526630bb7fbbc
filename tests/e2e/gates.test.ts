import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { DEFAULT_CALENDAR_FILE } from '@fxcm/calendar';
import { loadManifest } from '../../packages/gates/src';
import { decodeStreamEntry, keys, streamNames } from '@fxcm/contracts';
import { Redis } from 'ioredis';
import { freePort } from '../harness/free-port';
import { dropNamespace, ROOT, ServiceProcess, waitFor, type ServiceName } from '../harness/suite';
import { splitTickArchive } from '../harness/tick-files';

// The gate runner against deployments started here, each replaying the bundled EUR/USD day in
// real time shifted so its ticks land now: a healthy one, one whose bar builder is stopped, and
// one whose services run on a wrong calendar file; then a stretch of the healthy store deleted.
// Nothing depends on the real market: every deployment runs on a calendar file that keeps
// EUR/USD open from two days before today (UTC) to two days after (the FXCM week moved onto
// today), so the test judges the same things on a Saturday as on a Tuesday, at any hour; the
// gates read that file from FXCM_CALENDAR_FILE as the services do.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUNNER = join(ROOT, 'packages', 'gates', 'dist', 'main.js');
const REPLAY_MANIFEST = loadManifest(join(ROOT, 'packages', 'gates', 'manifest.replay.json'));
const BUNDLED_DAY = join(ROOT, 'data', 'EURUSD_20140505_ticks.csv.gz');
const SECRET = `gates-${randomUUID()}`;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** The part of the bundled day replayed: from 13:00 UTC, its busiest hours (two quotes a second). */
const REPLAY_FROM = Date.UTC(2014, 4, 5, 13);

const scratch = mkdtempSync(join(tmpdir(), 'fxcm-gates-'));
const started = Date.now();
const today = started - (started % DAY);

/** Quote times (ms) of an FXCM tick archive (gzip of UTF-16LE CSV, `MM/DD/YYYY HH:MM:SS.mmm`). */
function quoteTimes(path: string): number[] {
  const rows = gunzipSync(readFileSync(path)).toString('utf16le').split(/\r?\n/).slice(1);
  return rows.flatMap((row) => {
    const m = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3}),/.exec(row);
    return m ? [Date.UTC(+m[3]!, +m[1]! - 1, +m[2]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!)] : [];
  });
}

/**
 * The replay of a deployment about to start its gateway: the bundled day from 13:00 UTC plus
 * the wall clock's current second, so that, shifted by whole minutes to now (FXCM_REPLAY_SHIFT=
 * now), its quotes run only the gateway's start-up behind the clock and each replayed minute
 * ends a few seconds after the wall clock's. Late in a minute it waits for the next one, so the
 * start-up cannot carry the replay over a minute end.
 */
async function replayFromNow(dir: string): Promise<string> {
  if (Date.now() % MINUTE > 45_000) await sleep(MINUTE - (Date.now() % MINUTE) + 200);
  const second = Math.floor((Date.now() % MINUTE) / 1_000) * 1_000;
  return splitTickArchive(BUNDLED_DAY, REPLAY_FROM + second, dir).after;
}

/**
 * The shipped calendar with the FX week moved onto today (UTC): open from two days before today
 * to two days after, closed the three days between. `closure` adds a closed span, dated UTC.
 */
function calendarFile(name: string, closure?: { start: number; end: number }): string {
  const doc = JSON.parse(readFileSync(DEFAULT_CALENDAR_FILE, 'utf8')) as {
    profiles: Record<string, unknown>[];
  };
  const fx = doc.profiles.find((p) => p.id === 'fxcm_fx')!;
  const weekday = (ms: number) => WEEKDAYS[new Date(ms).getUTCDay()]!;
  Object.assign(fx, {
    tz: 'UTC',
    weekly_open: { day: weekday(today - 2 * DAY), time: '00:00' },
    weekly_close: { day: weekday(today + 2 * DAY), time: '00:00', lead_minutes: 0 },
    trading_day_roll: '00:00',
    holiday_rules: [],
    closed_intervals_utc: closure
      ? [
          {
            kind: 'holiday',
            name: 'a trading day closed by mistake',
            start: new Date(closure.start).toISOString(),
            end: new Date(closure.end).toISOString(),
            source: 'a stale calendar file',
          },
        ]
      : [],
  });
  const path = join(scratch, `${name}.json`);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

const HEALTHY_CALENDAR = calendarFile('calendar');
// Closes a day around now, which the broker has open: the ticks of now fall in a closed
// interval, and so does the known instant below, even when the test starts just before midnight.
const closedFrom = started - (started % MINUTE) - HOUR;
const WRONG_CALENDAR = calendarFile('wrong-calendar', { start: closedFrom, end: closedFrom + DAY });
/** What the broker's schedule says (the manifest's known instants): open now, closed in 3 days. */
const INSTANTS = [
  { symbol: 'EURUSD', at: new Date(started + 10 * MINUTE).toISOString(), open: true },
  { symbol: 'EURUSD', at: new Date(today + 3 * DAY + DAY / 2).toISOString(), open: false },
];

/** One deployment: its namespace, environment, services and metrics ports. */
class Deployment {
  readonly ns = `e2e_gates_${randomUUID().slice(0, 8)}`;
  readonly env: Record<string, string>;
  readonly services = new Map<ServiceName, ServiceProcess>();
  readonly ports: number[] = [];

  constructor(calendar: string) {
    this.env = {
      REDIS_URL,
      FXCM_NAMESPACE: this.ns,
      FXCM_CHANNEL_PREFIX: this.ns,
      FXCM_MARKET_STATUS_CHANNEL: `${this.ns}:market_status`,
      FXCM_HMAC_SECRET: SECRET,
      FXCM_STREAM_CONFIG: 'EUR/USD:m1',
      FXCM_CALENDAR_FILE: calendar,
      // The profile every service and the gates read: a replay deployment.
      FXCM_PROVIDER: 'replay',
      FXCM_STATUS_INTERVAL_MS: '1000',
      FXCM_LOG_LEVEL: 'warn',
    };
  }

  /** Starts `names` in order, the gateway (the replay) once the bar builder reports. */
  async start(names: ServiceName[]): Promise<void> {
    const own: Record<ServiceName, Record<string, string>> = {
      'fxcm-gateway': {
        FXCM_PROVIDER: 'replay',
        FXCM_REPLAY_FILES: '',
        FXCM_REPLAY_SPEED: '1',
        FXCM_REPLAY_SHIFT: 'now',
      },
      'bar-builder': {
        FXCM_CACHE_DIR: join(scratch, this.ns, 'cache'),
        FXCM_INSTANCE: 'bar-builder-0',
      },
      scheduler: {},
      publisher: {},
      ingestor: {
        FXCM_INGEST_ALLOWED_SYMBOLS: 'EURUSD',
        FXCM_INGEST_HMAC_SECRET: SECRET,
        FXCM_API_PORT: '0',
      },
    };
    for (const name of names) {
      if (name === 'fxcm-gateway' && names.includes('bar-builder')) {
        await waitFor(
          () => this.reports('bar-builder'),
          60_000,
          () => this.logs(),
        );
      }
      if (name === 'fxcm-gateway')
        own[name].FXCM_REPLAY_FILES = await replayFromNow(join(scratch, this.ns, 'replay'));
      const port = await freePort();
      this.ports.push(port);
      const env = { ...this.env, ...own[name], FXCM_METRICS_PORT: String(port) };
      this.services.set(name, new ServiceProcess(name, env));
    }
  }

  /** The service wrote a status record (it is up and reading its streams). */
  async reports(service: ServiceName): Promise<boolean> {
    const entries = await redis.xrevrange(streamNames(this.ns).status, '+', '-', 'COUNT', 200);
    return entries.some(([, fields]) => {
      const entry = decodeStreamEntry(fields);
      return entry.type === 'service_status' && entry.data.service === service;
    });
  }

  logs(): string {
    return [...this.services].map(([name, p]) => `--- ${name}\n${p.tail()}`).join('\n');
  }

  /** Runs `pnpm gates` the way an operator does, with this deployment's environment. */
  gates(
    entries: { gate: string; args?: Readonly<Record<string, unknown>>; skip?: string }[],
    env: Record<string, string> = {},
  ): Promise<{ code: number | null; out: string; pack: () => string }> {
    const run = `${this.ns}-${randomUUID().slice(0, 8)}`;
    const manifest = join(scratch, `${run}.json`);
    writeFileSync(manifest, JSON.stringify({ gates: entries }));
    const urls = this.ports.map((p) => `http://127.0.0.1:${p}/metrics`).join(',');
    const audit = join(scratch, 'audit', run);
    const args = ['--manifest', manifest, '--out', audit];
    /** The proof pack this run wrote (`<audit>/<timestamp>/`). */
    const pack = (): string => join(audit, readdirSync(audit)[0]!);
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [RUNNER, ...args, '--metrics-urls', urls], {
        cwd: scratch,
        env: { PATH: process.env.PATH ?? '', ...this.env, ...env },
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      child.on('exit', (code) => resolve({ code, out, pack }));
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
    await dropNamespace(redis, this.ns);
  }
}

const redis = new Redis(REDIS_URL);
const healthy = new Deployment(HEALTHY_CALENDAR);
const noBarBuilder = new Deployment(HEALTHY_CALENDAR);
const wrongCalendar = new Deployment(WRONG_CALENDAR);

/**
 * The finals window: longer than a minute, so a replayed minute ends inside it and its final
 * arrives (the replay runs a few seconds behind the clock, a minute end passes every 60 s).
 */
const FINALS_SECONDS = 65;
/** The newest minutes are settling: a final arrives a few seconds after its minute ends. */
const SETTLE_MINUTES = 1;

/** Minutes of the healthy store's EUR/USD 1m series, oldest first. */
const storedMinutes = async (): Promise<number[]> =>
  (await redis.zrange(`${keys(healthy.ns).store('EURUSD', '1m')}:index`, 0, -1)).map(Number);

beforeAll(async () => {
  await Promise.all([
    healthy.start(['scheduler', 'publisher', 'ingestor', 'bar-builder', 'fxcm-gateway']),
    // A publisher waits for finals that never come: the bar builder reported, then went away.
    noBarBuilder.start(['publisher', 'bar-builder', 'fxcm-gateway']),
    wrongCalendar.start(['fxcm-gateway']),
  ]);
  await noBarBuilder.services.get('bar-builder')!.stop();
  await waitFor(
    async () => (await redis.xlen(streamNames(healthy.ns).ticks(0))) > 0,
    30_000,
    () => healthy.logs(),
  );
}, 150_000);

afterAll(async () => {
  await Promise.all([healthy, noBarBuilder, wrongCalendar].map((d) => d.stop()));
  redis.disconnect();
  rmSync(scratch, { recursive: true, force: true });
});

describe('pnpm gates', () => {
  it('replays a part of the day with quotes in every minute the gates judge', () => {
    // What lands on the clock: the bundled day from 13:00 UTC; the gates judge its first minutes.
    const times = quoteTimes(BUNDLED_DAY).filter((t) => t >= REPLAY_FROM);
    const perMinute = new Map<number, number>();
    for (const t of times)
      perMinute.set(
        Math.floor((t - REPLAY_FROM) / MINUTE),
        1 + (perMinute.get(Math.floor((t - REPLAY_FROM) / MINUTE)) ?? 0),
      );
    const firstTen = Array.from({ length: 10 }, (_, m) => perMinute.get(m) ?? 0);
    expect(firstTen.filter((n) => n < 20)).toEqual([]);
    // And it runs for hours after: a slow start cannot run out of quotes.
    expect(times[times.length - 1]! - REPLAY_FROM).toBeGreaterThan(12 * HOUR);
  });

  it('refuses a gate started on its own', () => {
    const gate = join(ROOT, 'packages', 'gates', 'dist', 'gates', 'final-invariants-gate.js');
    const result = spawnSync(process.execPath, [gate], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('runs only under the gate runner');
    expect(result.stderr).toContain('pnpm gates --only final-invariants');
  });

  it('passes a healthy deployment, fails the broken ones naming the gate', async () => {
    // The store holds a final and its minute will have settled by the time calendar-gaps runs:
    // that gate comes after final-invariants (FINALS_SECONDS) and judges the minutes that ended
    // SETTLE_MINUTES before its own whole minute, so it needs the clock at first + 120 s. The
    // replay's quotes can run a little ahead of the clock, so a stored final alone is not enough.
    await waitFor(
      async () => {
        const [first] = await storedMinutes();
        const settledBy = (SETTLE_MINUTES + 1) * MINUTE + 5_000;
        return first !== undefined && Date.now() + FINALS_SECONDS * 1_000 >= first + settledBy;
      },
      160_000,
      () => healthy.logs(),
    );
    const seconds = FINALS_SECONDS;
    const gaps = { minutes: 30, settleMinutes: SETTLE_MINUTES };
    // What the replay manifest says of the gates that need the real provider or restarts.
    const notApplicable = REPLAY_MANIFEST.gates.filter((e) => e.appliesTo !== undefined);
    const [good, operator, stopped, wrong] = await Promise.all([
      healthy.gates([
        { gate: 'calendar', args: { instants: INSTANTS } },
        { gate: 'final-invariants', args: { seconds } },
        // The replay keeps the recording's minute alignment: quotes trail the clock by < 1 min.
        { gate: 'tick-liveness', args: { seconds: 30, maxLagMs: 61_000 } },
        { gate: 'calendar-gaps', args: gaps },
        {
          gate: 'slo-minimum',
          args: {
            metrics: [
              'fxcm_gateway_ticks_total',
              'fxcm_bar_builder_bars_total',
              'fxcm_publisher_bars_total',
              'fxcm_ingestor_bars_stored_total',
            ],
          },
        },
        ...notApplicable,
        // The whole proof: the inputs backed up, restored on a scratch namespace and replayed.
        { gate: 'replay-determinism' },
      ]),
      // The replay's universe as the canary, then a short load smoke, beside the run above.
      healthy.gates([
        {
          gate: 'canary-profile',
          args: {
            targets: ['EUR/USD:m1'],
            args: {
              'tick-liveness': { seconds: 30, maxLagMs: 61_000 },
              'final-invariants': { seconds },
              'calendar-gaps': gaps,
            },
          },
        },
        { gate: 'load-smoke', args: { seconds: 9, intervalSeconds: 3, maxGrowthPct: 50 } },
      ]),
      noBarBuilder.gates([
        { gate: 'calendar', args: { instants: INSTANTS } },
        { gate: 'tick-liveness', args: { seconds: 10, maxLagMs: 61_000 } },
        { gate: 'final-invariants', args: { seconds } },
      ]),
      // The services and the gates both read the wrong file: the broker's schedule catches it.
      wrongCalendar.gates([{ gate: 'calendar', args: { instants: INSTANTS } }]),
    ]);

    expect({ code: good.code, out: good.out, logs: good.code === 0 ? '' : healthy.logs() }).toEqual(
      {
        logs: '',
        code: 0,
        out: expect.stringContaining('gates passed'),
      },
    );
    const pack = good.pack();
    const summary = JSON.parse(readFileSync(join(pack, 'summary.json'), 'utf8')) as {
      passed: boolean;
      configHash: string;
      gates: { gate: string; verdict: string }[];
    };
    expect(summary.configHash).toMatch(/^[0-9a-f]{64}$/);
    if (summary.gates.some((g) => g.verdict === 'fail' || g.verdict === 'skip'))
      console.log(good.out); // the verdict lines say why
    expect(summary.gates.map((g) => [g.gate, g.verdict])).toEqual([
      ['calendar', 'pass'],
      ['final-invariants', 'pass'],
      ['tick-liveness', 'pass'],
      ['calendar-gaps', 'pass'],
      ['slo-minimum', 'pass'],
      ['history-smoke', 'skip'],
      ['restart-safe', 'skip'],
      ['replay-determinism', 'pass'],
    ]);
    expect(good.out).toMatch(
      /^PASS {2}replay-determinism {2}\d+ replayed bar\(s\) byte-identical to the deployment's$/m,
    );
    expect(good.out).toMatch(
      /^SKIP {2}restart-safe {2}does not apply here: a replay deployment \(only fxcm-rest\): a restarted replay/m,
    );
    expect({ code: operator.code, out: operator.out }).toEqual({
      code: 0,
      out: expect.stringMatching(
        /^PASS {2}canary-profile {2}EURUSD:1m alone passed tick-liveness, final-invariants, calendar-gaps\nPASS {2}load-smoke {2}9 s, /,
      ),
    });
    expect(readdirSync(pack).sort()).toEqual([
      'calendar',
      'calendar-gaps',
      'final-invariants',
      'history-smoke',
      'manifest.json',
      'replay-determinism',
      'restart-safe',
      'slo-minimum',
      'summary.json',
      'summary.md',
      'tick-liveness',
    ]);
    // The gates judged by the deployment's calendar file, and every service with a calendar
    // (the ingestor and the publisher have none) runs that one.
    const inForce = JSON.parse(
      readFileSync(join(pack, 'calendar', 'calendar-in-force.json'), 'utf8'),
    ) as { gates: { file: string }; services: { service: string }[] };
    expect(inForce.gates.file).toBe(HEALTHY_CALENDAR);
    expect(inForce.services.map((s) => s.service).sort()).toEqual([
      'bar-builder',
      'fxcm-gateway',
      'scheduler',
    ]);

    expect(stopped.code).toBe(1);
    expect(stopped.out).toMatch(/^PASS {2}tick-liveness {2}/m);
    expect(stopped.out).toMatch(
      new RegExp(`^FAIL {2}final-invariants {2}0 final\\(s\\) in ${seconds} s, fewer than 1`, 'm'),
    );
    expect(stopped.out).toContain('gates FAILED: final-invariants —');

    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain(
      `FAIL  calendar  1 fault(s): EURUSD at ${INSTANTS[0]!.at}: calendar says closed, the schedule says open`,
    );
    expect(wrong.out).toContain('gates FAILED: calendar —');
  }, 300_000);

  it('fails the calendar gate when the services run another calendar than the one checked', async () => {
    // The operator checks the right file; the running gateway was started on a stale one.
    const run = await wrongCalendar.gates([{ gate: 'calendar', args: { instants: INSTANTS } }], {
      FXCM_CALENDAR_FILE: HEALTHY_CALENDAR,
    });
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^FAIL {2}calendar {2}1 fault\(s\): fxcm-gateway\/\S+ runs calendar /m);
    expect(run.out).toContain(WRONG_CALENDAR);
  }, 30_000);

  it('fails replay-determinism when a stored bar differs from what its inputs give', async () => {
    // The first stored minute may have opened before the first quote (not judged); the second
    // was judged by the healthy run above.
    await waitFor(
      async () => (await storedMinutes()).length >= 2,
      70_000,
      () => healthy.logs(),
    );
    const at = String((await storedMinutes())[1]);
    const hash = keys(healthy.ns).store('EURUSD', '1m');
    const text = (await redis.hget(hash, at))!;
    await redis.hset(hash, at, text.replace('"volume":', '"volume":1'));
    try {
      const run = await healthy.gates([{ gate: 'replay-determinism' }]);
      expect({ code: run.code, out: run.out }).toEqual({
        code: 1,
        out: expect.stringContaining(
          `FAIL  replay-determinism  1 fault(s): EURUSD 1m ${new Date(Number(at)).toISOString()}: differs`,
        ),
      });
    } finally {
      await redis.hset(hash, at, text);
    }
  }, 120_000);

  it('fails calendar-gaps when a stretch of stored bars is deleted', async () => {
    const index = `${keys(healthy.ns).store('EURUSD', '1m')}:index`;
    const stored = await storedMinutes();
    // The settled stretch since the replay's first quote: the healthy run above passed it.
    const settled = Math.floor(Date.now() / MINUTE) * MINUTE - SETTLE_MINUTES * MINUTE;
    const deleted = stored.filter((t) => t < settled);
    expect(deleted.length).toBeGreaterThan(0);
    await redis.zrem(index, ...deleted.map(String));
    const run = await healthy.gates([
      { gate: 'calendar-gaps', args: { minutes: 30, settleMinutes: SETTLE_MINUTES } },
    ]);
    expect(run.code).toBe(1);
    const line = new RegExp(
      `^FAIL {2}calendar-gaps {2}EURUSD: (\\d+) open minute\\(s\\) without a bar, first ${new Date(deleted[0]!).toISOString().replace(/\./g, '\\.')}$`,
      'm',
    ).exec(run.out);
    expect({ line: line?.[0], out: run.out }).toEqual({ line: expect.any(String), out: run.out });
    // Every deleted minute is missing, and only those.
    expect(Number(line![1])).toBe(deleted.length);
    expect(run.out).toContain('gates FAILED: calendar-gaps —');
  }, 30_000);
});

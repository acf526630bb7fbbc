import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../harness/free-port';
import { PrivateRedis } from '../harness/private-redis';
import { judgeBars, readReferenceBars, type ReceivedBar } from '../harness/reference-bars';
import { minuteForensics } from './chaos-forensics';
import { ROOT, SERVICE_NAMES, ServiceProcess, waitFor, type ServiceName } from '../harness/suite';

/** Options of {@link runChaos}. */
export interface ChaosOptions {
  /** SIGKILLs of services, each at a random moment, each service restarted at once. */
  kills: number;
  /** How long Redis stays dead after its one SIGKILL, ms. */
  redisDownMs: number;
  /** Pause after the killed service is ready again: uniformly random in [min, max] ms. */
  pauseMs: [number, number];
  /** `FXCM_REPLAY_SPEED` of the gateway (`max`, or a factor): how long the day lasts. */
  speed: string;
  /** Progress lines (the CLI prints them; the test keeps them for a failure message). */
  say?: (line: string) => void;
  random?: () => number;
  /** How long the day may take to complete after the last kill, ms (600,000). */
  settleMs?: number;
}

/** What a chaos run found. */
export interface ChaosResult {
  kills: number;
  /** Kills (Redis's included) that landed while reference minutes were still missing. */
  midReplay: number;
  byService: Record<ServiceName, number>;
  lost: number;
  duplicated: number;
  /**
   * Minutes published again, identically, because Redis died with them in flight: the mark of
   * such a bar survives in the AOF while its message may have reached no one, so the restarted
   * Redis gets it again. At most one run of consecutive minutes (one in-flight batch).
   */
  repeated: number;
  wrong: number;
  extra: number;
  /** Services answering 200 on /readyz at the end. */
  ready: ServiceName[];
  /** Services whose output shows an unhandled error (a crash that was not a SIGKILL). */
  crashed: ServiceName[];
  /** The final line: `N kills, 0 lost, 0 duplicated, 0 wrong` (and the repeats, if any). */
  summary: string;
}

const SERVICES = SERVICE_NAMES;
const TICKS = join(ROOT, 'data', 'EURUSD_20140505_ticks.csv.gz');
const REFERENCE = readReferenceBars(join(ROOT, 'data', 'EURUSD_20140505_m1.csv'));
const SECRET = 'chaos-secret';

/**
 * The chaos run: the whole suite on a private Redis (AOF, fsync always) replays the bundled real
 * day while random services are SIGKILLed at random moments and restarted, and Redis itself is
 * SIGKILLed once (at a random kill) and started again after `redisDownMs`. Then the final 1m
 * bars received on `fxcm:ohlcv` are judged against the reference, and every service must be
 * ready again.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const say = options.say ?? (() => undefined);
  const random = options.random ?? Math.random;
  const server = await PrivateRedis.start();
  const ns = `chaos_${randomUUID().slice(0, 8)}`;
  const cacheDir = mkdtempSync(join(tmpdir(), 'fxcm-chaos-cache-'));
  const ports = new Map<ServiceName, number>();
  for (const s of SERVICES) ports.set(s, await freePort());
  const procs = new Map<ServiceName, ServiceProcess>();
  const history: ServiceProcess[] = [];
  const received: ReceivedBar[] = [];
  /** Every 1m bar on the channel, partial and synthetic ones too: what a lost minute got. */
  const heard: ReceivedBar[] = [];
  // The judge's subscriber retries every 10 ms and skips ioredis's ready check (SUBSCRIBE is
  // served while Redis loads its AOF), so after a Redis restart it is subscribed again before a
  // service, with its 100 ms backoff and its ready check, can publish anything.
  const sub = new Redis(server.url, {
    retryStrategy: () => 10,
    maxRetriesPerRequest: null,
    enableReadyCheck: false,
  });
  sub.on('error', () => undefined);
  // A lapse of the judge would look like lost bars, so each one is reported.
  let lapsedAt: number | undefined;
  sub.on('close', () => (lapsedAt ??= Date.now()));
  sub.on('ready', () => {
    if (lapsedAt !== undefined) say(`judge's subscriber back after ${Date.now() - lapsedAt} ms`);
    lapsedAt = undefined;
  });

  const env = (service: ServiceName): Record<string, string> => ({
    REDIS_URL: server.url,
    FXCM_NAMESPACE: ns,
    FXCM_CHANNEL_PREFIX: ns,
    FXCM_MARKET_STATUS_CHANNEL: `${ns}:market_status`,
    FXCM_METRICS_PORT: String(ports.get(service)),
    FXCM_METRICS_HOST: '127.0.0.1',
    FXCM_HMAC_SECRET: SECRET,
    FXCM_STATUS_INTERVAL_MS: '500',
    FXCM_LOG_LEVEL: process.env.FXCM_TEST_LOG_LEVEL || 'warn',
    ...{
      'fxcm-gateway': {
        FXCM_PROVIDER: 'replay',
        FXCM_REPLAY_FILES: TICKS,
        FXCM_REPLAY_SPEED: options.speed,
      },
      'bar-builder': {
        FXCM_PRICE_MODE: 'bid',
        FXCM_CACHE_DIR: cacheDir,
        FXCM_INSTANCE: 'bar-builder-0',
      },
      scheduler: { FXCM_TELEMETRY_INTERVAL_SECONDS: '0.5' },
      publisher: { FXCM_PRICE_SNAP_INTERVAL_SECONDS: '0' },
      ingestor: { FXCM_INGEST_ALLOWED_SYMBOLS: 'EURUSD' },
    }[service],
  });
  const launch = (service: ServiceName): void => {
    const proc = new ServiceProcess(service, env(service));
    procs.set(service, proc);
    history.push(proc);
  };
  const logs = (): string =>
    [...procs.values()].map((p) => `--- ${p.service}\n${p.tail(15)}`).join('\n');
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const finals = () => judgeBars(received, REFERENCE);
  const isReady = async (service: ServiceName): Promise<boolean> => {
    const res = await fetch(`http://127.0.0.1:${ports.get(service)}/readyz`).catch(() => undefined);
    return res?.status === 200;
  };

  const byService = Object.fromEntries(SERVICES.map((s) => [s, 0])) as Record<ServiceName, number>;
  try {
    sub.on('message', (_channel: string, text: string) => {
      const msg = JSON.parse(text) as {
        tf: string;
        bars: (ReceivedBar & { complete?: boolean; synthetic?: boolean })[];
      };
      if (msg.tf !== '1m') return;
      for (const b of msg.bars) {
        heard.push(b);
        if (b.complete !== false && b.synthetic !== true) received.push(b);
      }
    });
    await sub.subscribe(`${ns}:ohlcv`);
    for (const s of SERVICES) launch(s);

    // the kills start once bars flow, so they land in the replay rather than in the start-up
    await waitFor(
      () => received.length >= 20,
      120_000,
      () => `no bars\n${logs()}`,
    );
    const redisKillAt = Math.floor(random() * options.kills);
    let midReplay = 0;
    for (let kill = 0; kill < options.kills; kill += 1) {
      const [min, max] = options.pauseMs;
      await sleep(min + random() * (max - min));
      if (finals().lost.length > 0) midReplay += kill === redisKillAt ? 2 : 1;
      if (kill === redisKillAt) {
        say(
          `kill ${kill + 1}: redis (down ${options.redisDownMs} ms), ${received.length} bars so far`,
        );
        await server.crash();
        await sleep(options.redisDownMs);
        await server.launch();
      }
      const service = SERVICES[Math.floor(random() * SERVICES.length)]!;
      const proc = procs.get(service)!;
      proc.kill('SIGKILL');
      await proc.exited;
      byService[service] += 1;
      say(`kill ${kill + 1}: ${service}, ${received.length} bars so far`);
      launch(service);
      // the next kill waits until this one is back, so kills land in a working pipeline
      await waitFor(
        () => isReady(service),
        60_000,
        () => `${service} not ready\n${logs()}`,
      );
    }

    const forensics = async (minute: number | undefined): Promise<void> => {
      if (minute === undefined) return;
      const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
      try {
        for (const line of await minuteForensics(redis, ns, 'EURUSD', minute)) say(line);
      } finally {
        redis.disconnect();
      }
    };
    try {
      await waitFor(
        () => finals().lost.length === 0,
        options.settleMs ?? 600_000,
        () =>
          `${finals().lost.length} reference minutes still missing (${spans(finals().lost)}), ${
            received.length
          } bars; heard for the first: ${JSON.stringify(
            heard.filter((b) => b.open_time === finals().lost[0]),
          )}\n${logs()}`,
      );
    } catch (err) {
      await forensics(finals().lost[0]);
      throw err;
    }
    let seen = -1;
    let quietSince = Date.now();
    await waitFor(
      () => {
        if (received.length !== seen) [seen, quietSince] = [received.length, Date.now()];
        return Date.now() - quietSince >= 2_000;
      },
      60_000,
      () => 'the channel never went quiet',
    );
    const ready: ServiceName[] = [];
    await waitFor(
      async () => {
        ready.length = 0;
        for (const s of SERVICES) if (await isReady(s)) ready.push(s);
        return ready.length === SERVICES.length;
      },
      30_000,
      () => `ready: ${ready.join(', ')}\n${logs()}`,
    );
    const verdict = finals();
    const { repeated, duplicated } = splitRepeats(received, verdict.duplicated);
    const crashed = [
      ...new Set(
        history
          .filter((p) =>
            /uncaughtException|unhandledRejection|Unhandled error event/.test(p.output.join('')),
          )
          .map((p) => p.service),
      ),
    ];
    if (verdict.lost.length > 0) say(`lost: ${spans(verdict.lost)}`);
    await forensics(verdict.wrong[0] ?? verdict.lost[0] ?? duplicated[0]);
    const summary = `${options.kills} kills (+1 Redis kill), ${verdict.lost.length} lost, ${duplicated.length} duplicated, ${verdict.wrong.length} wrong${
      repeated.length > 0
        ? `; ${repeated.length} repeated identically after the Redis restart (${spans(repeated)})`
        : ''
    }`;
    // what went wrong, bar by bar, so a failed run can be read without running it again
    for (const t of [...verdict.wrong, ...duplicated].slice(0, 5)) {
      const ref = REFERENCE.find((r) => r.open_time === t);
      const got = received.filter((b) => b.open_time === t);
      say(
        `${new Date(t).toISOString()}: reference ${JSON.stringify(ref?.bid)}, got ${JSON.stringify(got)}`,
      );
    }
    say(summary);
    return {
      kills: options.kills,
      midReplay,
      byService,
      lost: verdict.lost.length,
      duplicated: duplicated.length,
      repeated: repeated.length,
      wrong: verdict.wrong.length,
      extra: verdict.extra.length,
      ready,
      crashed,
      summary,
    };
  } finally {
    await Promise.all([...procs.values()].map((p) => p.stop()));
    sub.disconnect();
    await server.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** Minutes (open times) as runs of consecutive ones, `[first, last]` each, in time order. */
function minuteRuns(minutes: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const t of [...minutes].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && t - last[1] === 60_000) last[1] = t;
    else runs.push([t, t]);
  }
  return runs;
}

/** Minutes as runs of consecutive ones: `08:26–13:27 (302), 14:02 (1)`, the first ten runs. */
function spans(minutes: readonly number[]): string {
  const runs = minuteRuns(minutes);
  const hhmm = (t: number): string => new Date(t).toISOString().slice(11, 16);
  return runs
    .slice(0, 10)
    .map(([a, b]) => `${hhmm(a)}${a === b ? '' : `–${hhmm(b)}`} (${(b - a) / 60_000 + 1})`)
    .join(', ');
}

/**
 * The minutes received more than once, split: identical copies forming one run of
 * consecutive minutes are what a Redis restart repeats (see {@link ChaosResult.repeated});
 * anything else (copies that differ, or repeats scattered in more than one run) is duplicated.
 */
function splitRepeats(
  received: readonly ReceivedBar[],
  twice: readonly number[],
): { repeated: number[]; duplicated: number[] } {
  const identical = twice.filter((t) => {
    const copies = received.filter((b) => b.open_time === t).map((b) => JSON.stringify(b));
    return copies.every((c) => c === copies[0]);
  });
  const oneRun = identical.length === twice.length && minuteRuns(identical).length <= 1;
  return oneRun
    ? { repeated: [...twice], duplicated: [] }
    : { repeated: [], duplicated: [...twice] };
}

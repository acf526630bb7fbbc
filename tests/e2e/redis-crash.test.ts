import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeStreamEntry, streamNames } from '@fxcm/contracts';
import { Redis } from 'ioredis';
import { START_ORDER } from '../harness/isolated-suite';
import { freePort } from '../harness/free-port';
import { PrivateRedis } from '../harness/private-redis';
import { readReferenceBars } from '../harness/reference-bars';
import { ROOT, ServiceProcess, waitFor, type ServiceName } from '../harness/suite';

// Redis itself dies mid-replay (SIGKILL) and comes back a few seconds later with its append-only
// file. Every service must reconnect on its own and the day must still come out whole: every
// reference minute final, with the reference prices, and published exactly once (the publisher's
// marks are written with the messages, atomically). While Redis is away every service's /readyz
// answers 503, and 200 again once it is back; and what reaches fxcm:status and fxcm:heartbeat
// after the outage is fresh, at the telemetry cadence: no burst of records queued or left
// unpublished while Redis was down.

const REFERENCE = readReferenceBars(join(ROOT, 'data', 'EURUSD_20140505_m1.csv'));
const TICKS = join(ROOT, 'data', 'EURUSD_20140505_ticks.csv.gz');
const SERVICES = START_ORDER;
const OUTAGE_MS = 5_000;
const TELEMETRY_S = 0.5;
/** How long after the outage the public status records are counted, ms. */
const AFTER_MS = 6_000;

/** A public status record received, with when it arrived and the time it says it was made. */
interface Received {
  kind: 'status' | 'heartbeat';
  at: number;
  madeAt: number;
}

describe('a Redis crash mid-replay', () => {
  it('is survived by every service: all reference bars, each published once', async () => {
    const server = await PrivateRedis.start();
    const ns = `e2e_crash_${randomUUID().slice(0, 8)}`;
    const cacheDir = mkdtempSync(join(tmpdir(), 'fxcm-crash-cache-'));
    const common = {
      REDIS_URL: server.url,
      FXCM_NAMESPACE: ns,
      FXCM_CHANNEL_PREFIX: ns,
      FXCM_MARKET_STATUS_CHANNEL: `${ns}:market_status`,
      FXCM_METRICS_HOST: '127.0.0.1',
      FXCM_LOG_LEVEL: 'error',
    };
    const ports = new Map<ServiceName, number>();
    for (const s of SERVICES) ports.set(s, await freePort());
    const own: Record<ServiceName, Record<string, string>> = {
      scheduler: { FXCM_TELEMETRY_INTERVAL_SECONDS: String(TELEMETRY_S) },
      // a record is stale once it is older than 4 telemetry intervals
      publisher: { FXCM_STATUS_MAX_AGE_SECONDS: '2', FXCM_PRICE_SNAP_INTERVAL_SECONDS: '0' },
      ingestor: { FXCM_INGEST_ALLOWED_SYMBOLS: 'EURUSD' },
      'bar-builder': {
        FXCM_PRICE_MODE: 'bid',
        FXCM_CACHE_DIR: cacheDir,
        FXCM_INSTANCE: 'bar-builder-0',
      },
      'fxcm-gateway': {
        FXCM_PROVIDER: 'replay',
        FXCM_REPLAY_FILES: TICKS,
        FXCM_REPLAY_SPEED: '3000',
      },
    };
    const services = SERVICES.map(
      (s) =>
        new ServiceProcess(s, { ...common, FXCM_METRICS_PORT: String(ports.get(s)), ...own[s] }),
    );
    const ready = async (s: ServiceName): Promise<boolean> =>
      (await fetch(`http://127.0.0.1:${ports.get(s)}/readyz`).catch(() => undefined))?.status ===
      200;
    const readiness = async (): Promise<boolean[]> => Promise.all(SERVICES.map(ready));
    const logs = (): string => services.map((p) => `--- ${p.service}\n${p.tail(15)}`).join('\n');
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined); // expected while the server is down
    // Retries every 10 ms, well ahead of the services' backoff: subscribed again after the
    // restart before anything can be published.
    const sub = new Redis(server.url, { retryStrategy: () => 10, maxRetriesPerRequest: null });
    sub.on('error', () => undefined);
    const received: Received[] = [];
    sub.on('message', (channel: string, text: string) => {
      const msg = JSON.parse(text) as { ts: number | string };
      const kind = channel === `${ns}:status` ? 'status' : 'heartbeat';
      // status: float seconds; heartbeat: an ISO instant
      const madeAt = kind === 'status' ? Number(msg.ts) * 1_000 : Date.parse(String(msg.ts));
      received.push({ kind, at: Date.now(), madeAt });
    });
    await sub.subscribe(`${ns}:status`, `${ns}:heartbeat`);

    const marked = async (): Promise<number> => {
      let cursor = '0';
      let count = 0;
      do {
        const [next, found] = await client.scan(
          cursor,
          'MATCH',
          `${ns}:published:{EURUSD}:1m:*`,
          'COUNT',
          5000,
        );
        count += found.length;
        cursor = next;
      } while (cursor !== '0');
      return count;
    };
    try {
      await waitFor(async () => (await marked()) >= 400, 60_000, logs);
      await waitFor(
        async () => (await readiness()).every(Boolean),
        30_000,
        () => `not every service ready before the outage\n${logs()}`,
      );
      expect(received.some((r) => r.kind === 'status')).toBe(true);
      expect(received.some((r) => r.kind === 'heartbeat')).toBe(true);

      const downAt = Date.now();
      await server.crash();
      // every service says it is not ready while Redis is away
      const seenDown = new Set<ServiceName>();
      await waitFor(
        async () => {
          (await readiness()).forEach((ok, i) => ok || seenDown.add(SERVICES[i]!));
          return seenDown.size === SERVICES.length;
        },
        OUTAGE_MS - 500,
        () => `still ready while Redis is down: ${SERVICES.filter((s) => !seenDown.has(s))}`,
      );
      await new Promise((r) => setTimeout(r, downAt + OUTAGE_MS - Date.now()));
      expect((await readiness()).some(Boolean)).toBe(false);
      const relaunchAt = Date.now();
      await server.launch();
      await waitFor(
        async () => (await readiness()).every(Boolean),
        30_000,
        () => `not every service ready after the outage\n${logs()}`,
      );
      // the records published after the outage: made after Redis came back, at the cadence
      await new Promise((r) => setTimeout(r, relaunchAt + AFTER_MS - Date.now()));
      const after = received.filter((r) => r.at >= relaunchAt && r.at < relaunchAt + AFTER_MS);
      for (const kind of ['status', 'heartbeat'] as const) {
        const mine = after.filter((r) => r.kind === kind);
        expect(mine.length).toBeGreaterThan(0);
        expect(mine.length).toBeLessThanOrEqual(AFTER_MS / (TELEMETRY_S * 1_000) + 2);
        expect(mine.filter((r) => r.madeAt < relaunchAt)).toEqual([]);
      }
      console.log(
        `redis outage ${relaunchAt - downAt} ms: ${after.length} status+heartbeat records in the ${AFTER_MS} ms after, none older than the restart`,
      );
      // everything published: a mark per final 1m bar, synthetic ones included
      const finals = async (): Promise<
        Map<
          number,
          { open: number; high: number; low: number; close: number; synthetic: boolean }[]
        >
      > => {
        const out = new Map<
          number,
          { open: number; high: number; low: number; close: number; synthetic: boolean }[]
        >();
        for (const [, fields] of await client.xrange(streamNames(ns).bars(0), '-', '+')) {
          const e = decodeStreamEntry(fields);
          if (e.type !== 'bar' || e.data.tf !== '1m' || !e.data.bar.complete) continue;
          const b = e.data.bar;
          out.set(b.open_time, [
            ...(out.get(b.open_time) ?? []),
            {
              open: b.open,
              high: b.high,
              low: b.low,
              close: b.close,
              synthetic: b.synthetic === true,
            },
          ]);
        }
        return out;
      };
      await waitFor(
        async () =>
          [...(await finals()).values()].filter((v) => !v[0]!.synthetic).length >= REFERENCE.length,
        120_000,
        () => `not all final bars after the Redis restart\n${logs()}`,
      );
      const byOpen = await finals();
      await waitFor(
        async () => (await marked()) === byOpen.size,
        30_000,
        () => `marks ≠ finals\n${logs()}`,
      );

      const real = [...byOpen].filter(([, v]) => !v[0]!.synthetic);
      expect(real.map(([t]) => t).sort((a, b) => a - b)).toEqual(REFERENCE.map((r) => r.open_time));
      for (const ref of REFERENCE) {
        // a bar may sit on the stream twice (at-least-once inside the suite), always identical
        for (const copy of byOpen.get(ref.open_time)!) {
          expect(copy).toEqual({ ...ref.bid, synthetic: false });
        }
      }
      for (const p of services)
        expect(p.output.join('')).not.toMatch(
          /uncaughtException|unhandledRejection|Unhandled error event/,
        );
    } finally {
      await Promise.all(services.map((p) => p.stop()));
      client.disconnect();
      sub.disconnect();
      await server.stop();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 240_000);
});

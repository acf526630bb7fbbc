import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeStreamEntry, streamNames } from '@fxcm/contracts';
import { Redis } from 'ioredis';
import { PrivateRedis } from '../harness/private-redis';
import { readReferenceBars } from '../harness/reference-bars';
import { ROOT, ServiceProcess, waitFor, type ServiceName } from '../harness/suite';

// Redis itself dies mid-replay (SIGKILL) and comes back a second later with its append-only
// file. Every service must reconnect on its own and the day must still come out whole: every
// reference minute final, with the reference prices, and published exactly once (the publisher's
// marks are written with the messages, atomically).

const REFERENCE = readReferenceBars(join(ROOT, 'data', 'EURUSD_20140505_m1.csv'));
const TICKS = join(ROOT, 'data', 'EURUSD_20140505_ticks.csv.gz');

describe('a Redis crash mid-replay', () => {
  it('is survived by every service: all reference bars, each published once', async () => {
    const server = await PrivateRedis.start();
    const ns = `e2e_crash_${randomUUID().slice(0, 8)}`;
    const cacheDir = mkdtempSync(join(tmpdir(), 'fxcm-crash-cache-'));
    const common = {
      REDIS_URL: server.url,
      FXCM_NAMESPACE: ns,
      FXCM_CHANNEL_PREFIX: ns,
      FXCM_METRICS_PORT: '0',
      FXCM_LOG_LEVEL: 'error',
    };
    const own: Partial<Record<ServiceName, Record<string, string>>> = {
      publisher: {},
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
    const services = (Object.keys(own) as ServiceName[]).map(
      (s) => new ServiceProcess(s, { ...common, ...own[s] }),
    );
    const logs = (): string => services.map((p) => `--- ${p.service}\n${p.tail(15)}`).join('\n');
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined); // expected while the server is down

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
      await server.crash();
      await new Promise((r) => setTimeout(r, 1_000));
      await server.launch();
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
      await server.stop();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 240_000);
});

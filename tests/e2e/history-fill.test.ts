import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HISTORY_QUEUE, queuePrefix, verifyOhlcvSignature } from '@fxcm/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SimMarket } from '../../services/fxcm-gateway/src/providers/sim/sim-market';
import { ServiceProcess, waitFor, type ServiceName } from '../harness/suite';

// History on demand across the suite: a history job on the BullMQ queue (what the scheduler
// enqueues for an fxcm_backfill) → the gateway's worker fetches the minutes from its provider
// (the simulator, whose clock is set to a Wednesday so the run does not depend on today's
// date) → history bars on the history stream → the bar builder fills the minutes that have no
// final bar (NoMix) → the publisher signs and publishes them once.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'history-secret';
const SEED = 7;
const SIM_START = Date.UTC(2025, 11, 10, 14, 40); // Wednesday, New York session
const FROM = Date.UTC(2025, 11, 10, 14, 0);
const TO = Date.UTC(2025, 11, 10, 14, 30);

interface Msg {
  symbol: string;
  tf: string;
  source?: string;
  bars: {
    open_time: number;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
    complete?: boolean;
    source?: string;
  }[];
}

describe('history on demand, end to end', () => {
  it('fills the requested minutes from the provider history, published once with source "history"', async () => {
    const ns = `e2e_hist_${randomUUID().slice(0, 8)}`;
    const cacheDir = mkdtempSync(join(tmpdir(), 'fxcm-hist-cache-'));
    const common = {
      REDIS_URL,
      FXCM_NAMESPACE: ns,
      FXCM_CHANNEL_PREFIX: ns,
      FXCM_METRICS_PORT: '0',
      FXCM_HMAC_SECRET: SECRET,
      FXCM_LOG_LEVEL: 'warn',
      FXCM_STATUS_INTERVAL_MS: '500',
    };
    const own: Partial<Record<ServiceName, Record<string, string>>> = {
      publisher: {},
      'bar-builder': {
        FXCM_PRICE_MODE: 'bid',
        FXCM_CACHE_DIR: cacheDir,
        FXCM_INSTANCE: 'bar-builder-0',
      },
      'fxcm-gateway': {
        FXCM_PROVIDER: 'sim',
        FXCM_SIM_SEED: String(SEED),
        FXCM_SIM_START: new Date(SIM_START).toISOString(),
        FXCM_STREAM_CONFIG: 'EUR/USD:m1',
        FXCM_HISTORY_WORKER: 'true',
      },
    };
    const sub = new Redis(REDIS_URL);
    const redis = new Redis(REDIS_URL);
    const queueConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(HISTORY_QUEUE, {
      connection: queueConnection,
      prefix: queuePrefix(ns),
    });
    const received: { text: string; msg: Msg }[] = [];
    sub.on('message', (_c: string, text: string) =>
      received.push({ text, msg: JSON.parse(text) as Msg }),
    );
    const services = (Object.keys(own) as ServiceName[]).map(
      (s) => new ServiceProcess(s, { ...common, ...own[s] }),
    );
    const history = (): Msg['bars'] =>
      received
        .filter((r) => r.msg.tf === '1m')
        .flatMap((r) => r.msg.bars)
        // the bar builder's own cold-start warm-up also fills the earlier minutes of the day
        .filter(
          (b) =>
            b.complete !== false &&
            b.source === 'history' &&
            b.open_time >= FROM &&
            b.open_time < TO,
        );
    try {
      await sub.subscribe(`${ns}:ohlcv`);
      await queue.add(
        'fxcm_backfill',
        { symbol: 'EURUSD', tf: '1m', from: FROM, to: TO, reason: 'fxcm_backfill' },
        { jobId: 'e2e-backfill', attempts: 3 },
      );

      const expected = new SimMarket({ seed: SEED }).candles('EURUSD', FROM, TO);
      expect(expected.length).toBeGreaterThan(20); // an open session: nearly every minute quoted
      await waitFor(
        () => history().length >= expected.length,
        90_000,
        () =>
          `${history().length}/${expected.length} history bars\n${services.map((p) => `--- ${p.service}\n${p.tail()}`).join('\n')}`,
      );
      await new Promise((r) => setTimeout(r, 1_000)); // a late duplicate would show now

      const bars = history();
      expect(bars.map((b) => b.open_time)).toEqual(expected.map((c) => c.ts));
      expect(bars.map((b) => [b.open, b.high, b.low, b.close, b.volume])).toEqual(
        expected.map((c) => [c.bidOpen, c.bidHigh, c.bidLow, c.bidClose, c.tickQty]),
      );
      const messages = received.filter((r) => r.msg.bars.some((b) => b.source === 'history'));
      expect(messages.every((r) => r.msg.source === 'history')).toBe(true);
      expect(messages.every((r) => verifyOhlcvSignature(r.text, SECRET, 'sha256'))).toBe(true);
      expect((await queue.getJob('e2e-backfill'))?.finishedOn).toBeDefined();
    } finally {
      await Promise.all(services.map((p) => p.stop()));
      await sub.quit();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await queueConnection.quit();
      for (const pattern of [`${ns}:*`, `${queuePrefix(ns)}:*`]) {
        const found = await redis.keys(pattern);
        if (found.length > 0) await redis.del(...found);
      }
      await redis.quit();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 150_000);
});

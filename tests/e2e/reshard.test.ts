import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeStreamEntry, GROUPS, shardOf, streamNames } from '@fxcm/contracts';
import { Redis } from 'ioredis';
import { judgeBars, readReferenceBars } from '../harness/reference-bars';
import { ROOT, ServiceProcess, waitFor, type ServiceName } from '../harness/suite';
import { splitTickArchive } from '../harness/tick-files';

// The procedure of docs/operations.md, "Changing the shard count", step by step on the real
// day: half of it through one shard, the drain, the store move, the other half through two
// shards. Every reference minute must come out exactly once, and the hour that straddles the
// change must be the aggregate of all its minutes (the moved store carried the first part).

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TICKS = join(ROOT, 'data', 'EURUSD_20140505_ticks.csv.gz');
const REFERENCE = readReferenceBars(join(ROOT, 'data', 'EURUSD_20140505_m1.csv'));
const HOUR = 3_600_000;
const SPLIT = Date.UTC(2014, 4, 5, 16, 40); // mid-hour, so the 16:00 1h bar spans the change

interface Bar {
  open_time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  complete?: boolean;
  synthetic?: boolean;
}

describe('changing the shard count', () => {
  const ns = `reshard_${randomUUID().slice(0, 8)}`;
  const work = mkdtempSync(join(tmpdir(), 'reshard-'));
  const cacheDir = join(work, 'cache');
  const files = splitTickArchive(TICKS, SPLIT, work);
  const redis = new Redis(REDIS_URL);
  const sub = new Redis(REDIS_URL);
  const received: { tf: string; bars: Bar[] }[] = [];
  let running: ServiceProcess[] = [];

  const launch = (service: ServiceName, shards: number, own: Record<string, string> = {}) => {
    const proc = new ServiceProcess(service, {
      REDIS_URL,
      FXCM_NAMESPACE: ns,
      FXCM_CHANNEL_PREFIX: ns,
      FXCM_MARKET_STATUS_CHANNEL: `${ns}:market_status`,
      FXCM_METRICS_PORT: '0',
      FXCM_SHARDS: String(shards),
      FXCM_STATUS_INTERVAL_MS: '500',
      FXCM_LOG_LEVEL: 'warn',
      FXCM_PRICE_MODE: 'bid',
      FXCM_CACHE_DIR: cacheDir,
      FXCM_PRICE_SNAP_INTERVAL_SECONDS: '0',
      ...own,
    });
    running.push(proc);
    return proc;
  };
  const finals = (tf: string): Bar[] =>
    received
      .filter((m) => m.tf === tf)
      .flatMap((m) => m.bars)
      .filter((b) => b.complete !== false && b.synthetic !== true);
  const logs = () => running.map((p) => `--- ${p.service}\n${p.tail()}`).join('\n');
  const stopAll = async () => {
    await Promise.all(running.map((p) => p.stop()));
    running = [];
  };

  afterAll(async () => {
    await stopAll();
    await sub.quit();
    const found = await redis.keys(`${ns}:*`);
    if (found.length > 0) await redis.unlink(...found);
    await redis.quit();
    rmSync(work, { recursive: true, force: true });
  });

  it('moves a symbol to another shard with no bar lost or duplicated', async () => {
    sub.on('message', (_channel: string, text: string) =>
      received.push(JSON.parse(text) as { tf: string; bars: Bar[] }),
    );
    await sub.subscribe(`${ns}:ohlcv`);
    const names = streamNames(ns);
    const before = REFERENCE.filter((r) => r.open_time < SPLIT);

    // one shard: the first part of the day
    launch('scheduler', 1);
    launch('publisher', 1);
    launch('bar-builder', 1, { FXCM_INSTANCE: 'bar-builder-0' });
    const gateway = launch('fxcm-gateway', 1, {
      FXCM_PROVIDER: 'replay',
      FXCM_REPLAY_FILES: files.before,
      FXCM_REPLAY_SPEED: 'max',
    });
    await waitFor(
      () => new Set(finals('1m').map((b) => b.open_time)).size >= before.length,
      120_000,
      () => `${finals('1m').length}/${before.length} final 1m bars\n${logs()}`,
    );

    // 1. stop the gateway; 2. close the open minute with a dead-feed watermark on every tick
    // stream; 3. wait until the bar builders have nothing undelivered or pending
    await gateway.stop();
    for (let shard = 0; shard < 1; shard += 1) {
      await redis.xadd(
        names.ticks(shard),
        '*',
        ...encodeStreamEntry('watermark', { ts: SPLIT, feed: 'dead', source: 'replay' }),
      );
    }
    const drained = async (): Promise<boolean> => {
      const groups = (await redis.xinfo('GROUPS', names.ticks(0))) as unknown[][];
      const group = groups
        .map(
          (g) => new Map(Array.from({ length: g.length / 2 }, (_, i) => [g[2 * i], g[2 * i + 1]])),
        )
        .find((g) => g.get('name') === GROUPS.barBuilder)!;
      return group.get('pending') === 0 && group.get('lag') === 0;
    };
    await waitFor(drained, 30_000, () => `shard 0 not drained\n${logs()}`);

    // 4. stop everything; 5. move each symbol's store files to the shard that owns it now
    await stopAll();
    const shard0 = join(cacheDir, 'shard-0');
    let moved = 0;
    for (const file of readdirSync(shard0).filter((f) => f.endsWith('.bars'))) {
      const symbol = file.slice(0, file.indexOf('_'));
      const owner = shardOf(symbol, 2);
      if (owner === 0) continue;
      mkdirSync(join(cacheDir, `shard-${owner}`), { recursive: true });
      renameSync(join(shard0, file), join(cacheDir, `shard-${owner}`, file));
      moved += 1;
    }
    expect(shardOf('EURUSD', 2)).toBe(1);
    expect(moved).toBeGreaterThan(0);

    // 6. two shards: FXCM_SHARDS and the bar builders together, the gateway last
    launch('scheduler', 2);
    launch('publisher', 2);
    launch('bar-builder', 2, { FXCM_INSTANCE: 'bar-builder-0' });
    launch('bar-builder', 2, { FXCM_INSTANCE: 'bar-builder-1' });
    launch('fxcm-gateway', 2, {
      FXCM_PROVIDER: 'replay',
      FXCM_REPLAY_FILES: files.after,
      FXCM_REPLAY_SPEED: 'max',
    });
    await waitFor(
      () => new Set(finals('1m').map((b) => b.open_time)).size >= REFERENCE.length,
      120_000,
      () => `${finals('1m').length}/${REFERENCE.length} final 1m bars\n${logs()}`,
    );
    await new Promise((r) => setTimeout(r, 1_000)); // a late duplicate would show by now

    expect(judgeBars(finals('1m'), REFERENCE)).toEqual({
      lost: [],
      duplicated: [],
      wrong: [],
      extra: [],
    });

    const hourStart = Math.floor(SPLIT / HOUR) * HOUR;
    const minutes = REFERENCE.filter(
      (r) => r.open_time >= hourStart && r.open_time < hourStart + HOUR,
    );
    // The hour spanning the change is never published from part of its minutes: the new shard
    // holds it until its minutes are covered (here no history source can warm it), and when it
    // does come out it is the aggregate of all of them.
    const hour = finals('1h').filter((b) => b.open_time === hourStart);
    expect(hour.length).toBeLessThanOrEqual(1);
    for (const bar of hour) {
      expect(bar).toMatchObject({
        open: minutes[0]!.bid.open,
        high: Math.max(...minutes.map((m) => m.bid.high)),
        low: Math.min(...minutes.map((m) => m.bid.low)),
        close: minutes[minutes.length - 1]!.bid.close,
      });
    }
  }, 300_000);
});

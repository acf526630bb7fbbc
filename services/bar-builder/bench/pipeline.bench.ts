// The whole bar builder reading from Redis: real ticks written to a shard's tick stream as the
// gateway writes them (tick entries plus a watermark at every new minute), then read back by the
// service's own consumer and pipeline — decode, engine with all timeframes, bars stream, store,
// acknowledgements — until every entry is consumed. Prints ticks/s for the write and the read side.
// Run alone: pnpm exec tsx --conditions=source bench/pipeline.bench.ts [days]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { calendarFor } from '@fxcm/calendar';
import { encodeStreamEntry, GROUPS, streamNames } from '@fxcm/contracts';
import { createLogger } from '@fxcm/logging';
import { createMetrics } from '@fxcm/metrics';
import { createRedis, StreamConsumer, StreamProducer } from '@fxcm/redis-streams';
import { StatusReporter } from '@fxcm/service-runtime';
import { createBarEngine } from '../src/domain';
import { ShardPipeline } from '../src/shard-pipeline';
import { openStore } from '../src/store';
import { eurusdDays, loadEurusdDay } from './fxcm-archive';

const MINUTE = 60_000;

/** Figures of one pipeline run. */
export interface PipelineFigures {
  ticks: number;
  entries: number;
  writeMs: number;
  readMs: number;
  finals: number;
}

/** Writes `days` of real ticks to a fresh namespace and times the bar builder consuming them. */
export async function measurePipeline(
  days: readonly string[],
  redisUrl: string,
): Promise<PipelineFigures> {
  const ns = `bench_${randomUUID().slice(0, 8)}`;
  const names = streamNames(ns);
  const redis = createRedis(redisUrl, { name: 'pipeline-bench' });
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-bench-'));
  try {
    // ---- write, as the gateway does ----
    const writer = new StreamProducer({ redis, maxLen: 10_000_000, batchSize: 2_000 });
    const stream = names.ticks(0);
    let ticks = 0;
    let entries = 0;
    let lastWm = -Infinity;
    let lastTs = 0;
    const t0 = performance.now();
    for (const day of days) {
      const { ticks: t } = loadEurusdDay(day);
      for (let i = 0; i < t.length; i += 1) {
        const ts = t.ts[i]!;
        if (Math.floor(ts / MINUTE) > Math.floor(lastWm / MINUTE)) {
          writer.add(
            stream,
            encodeStreamEntry('watermark', { ts, feed: 'alive', source: 'replay' }),
          );
          lastWm = ts;
          entries += 1;
        }
        const tick = {
          symbol: 'EURUSD',
          ts,
          bid: t.bid[i]!,
          ask: t.ask[i]!,
          recv_ts: ts,
          source: 'replay' as const,
        };
        writer.add(stream, encodeStreamEntry('tick', tick));
        ticks += 1;
        entries += 1;
        lastTs = ts;
        if (writer.depth >= 20_000) await writer.flush();
      }
    }
    writer.add(
      stream,
      encodeStreamEntry('watermark', {
        ts: (Math.floor(lastTs / MINUTE) + 1) * MINUTE,
        feed: 'alive',
        source: 'replay',
      }),
    );
    entries += 1;
    await writer.close();
    const writeMs = performance.now() - t0;

    // ---- read, as the bar builder does ----
    const store = await openStore({ dir, maxBars: 100_000 });
    const producer = new StreamProducer({ redis, maxLen: 10_000_000 });
    const quiet = new Writable({ write: (_c, _e, cb) => cb() });
    const status = new StatusReporter({
      service: 'bar-builder',
      instance: 'bench',
      namespace: ns,
      redis,
    });
    let consumed = 0;
    let finals = 0;
    const pipeline = new ShardPipeline({
      engine: createBarEngine({ priceMode: 'mid', calendarFor }),
      store,
      producer,
      barsStream: names.bars(0),
      inputs: { ticks: names.ticks(0), history: names.history(0) },
      futureToleranceMs: 300_000,
      checkpoint: { read: () => undefined, write: () => undefined },
      ack: (s, ids) => consumer.ack(s, ids),
      metrics: createMetrics({ service: 'bar-builder' }),
      status,
      logger: createLogger({ service: 'bar-builder', stream: quiet }),
    });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const consumer = new StreamConsumer({
      redis,
      streams: [stream],
      group: GROUPS.barBuilder,
      consumer: 'shard-0',
      autoAck: false,
      claim: false,
      batchSize: 1_000,
      handler: async (batch) => {
        await pipeline.handle(batch);
        consumed += batch.length;
        if (consumed >= entries) done();
      },
    });
    const t1 = performance.now();
    await consumer.start();
    await finished;
    const readMs = performance.now() - t1;
    finals = await redis.xlen(names.bars(0));
    await consumer.close();
    await producer.close();
    await store.close();
    return { ticks, entries, writeMs, readMs, finals };
  } finally {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${ns}:*`, 'COUNT', 1000);
      if (found.length > 0) await redis.unlink(...found);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line of figures for the benchmark report. */
export function describePipeline(f: PipelineFigures): string {
  const rate = (n: number, ms: number): string =>
    `${Math.round((n / ms) * 1_000).toLocaleString('en-US')} ticks/s`;
  return (
    `whole bar builder reading from Redis (${f.ticks.toLocaleString('en-US')} ticks, ${f.entries.toLocaleString('en-US')} entries): ` +
    `read+build+store+ack ${rate(f.ticks, f.readMs)} (${f.readMs.toFixed(0)} ms); ` +
    `gateway-side XADD ${rate(f.ticks, f.writeMs)}; ${f.finals.toLocaleString('en-US')} bar entries out`
  );
}

if (require.main === module) {
  const count = Number(process.argv[2] ?? 3);
  const days = eurusdDays().slice(0, count);
  measurePipeline(days, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
    .then((f) => console.log(describePipeline(f)))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}

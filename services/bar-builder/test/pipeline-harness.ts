import { Writable } from 'node:stream';
import { calendarFor } from '@fxcm/calendar';
import { createLogger } from '@fxcm/logging';
import { createMetrics, type Metrics } from '@fxcm/metrics';
import type { StreamProducer } from '@fxcm/redis-streams';
import { StatusReporter } from '@fxcm/service-runtime';
import type { Redis } from 'ioredis';
import { createBarEngine, type BarEngineOptions } from '../src/domain';
import { ShardPipeline, type ShardPipelineOptions } from '../src/shard-pipeline';
import type { BarStore } from '../src/store';
import { readWatermarkCheckpoint, writeWatermarkCheckpoint } from '../src/watermark-checkpoint';

/** What a test needs to drive one shard pipeline over a real Redis and a real store. */
export interface PipelineRig {
  redis: Redis;
  ns: string;
  dir: string;
  store: BarStore;
  producer: StreamProducer;
  /** Every ack, as `stream id`. */
  acked: string[];
}

/** The shard's input streams in namespace `ns` (shard 0). */
export const inputsOf = (ns: string) => ({
  ticks: `${ns}:x:ticks:{0}`,
  history: `${ns}:x:history:{0}`,
});

/** A pipeline of shard 0 with a fresh engine (bid prices), its status reporter and metrics. */
export function pipelineOn(
  rig: PipelineRig,
  engine: Partial<BarEngineOptions> = {},
  options: Partial<ShardPipelineOptions> = {},
): { pipe: ShardPipeline; status: StatusReporter; metrics: Metrics } {
  const status = new StatusReporter({
    service: 'bar-builder',
    instance: 't',
    namespace: rig.ns,
    redis: rig.redis,
  });
  const metrics = createMetrics({ service: 'bar-builder' });
  const pipe = new ShardPipeline({
    engine: createBarEngine({ priceMode: 'bid', calendarFor, ...engine }),
    store: rig.store,
    producer: rig.producer,
    barsStream: `${rig.ns}:x:bars:{0}`,
    inputs: inputsOf(rig.ns),
    futureToleranceMs: 300_000,
    checkpoint: {
      read: () => readWatermarkCheckpoint(rig.dir),
      write: (w) => writeWatermarkCheckpoint(rig.dir, w),
    },
    ack: async (stream, ids) => void rig.acked.push(...ids.map((id) => `${stream} ${id}`)),
    releaseAckDelayMs: 0, // acked as soon as released; the delay has its own test
    metrics,
    status,
    logger: createLogger({
      service: 'bar-builder',
      stream: new Writable({ write: (_c, _e, cb) => cb() }),
    }),
    ...options,
  });
  return { pipe, status, metrics };
}

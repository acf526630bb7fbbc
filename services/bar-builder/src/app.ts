import { hostname } from 'node:os';
import {
  GROUPS,
  HISTORY_QUEUE,
  historyJobPriority,
  historyPriorityKeys,
  queuePrefix,
  shardOf,
  streamNames,
  type HistoryJob,
} from '@fxcm/contracts';
import { StreamConsumer, StreamProducer } from '@fxcm/redis-streams';
import {
  loadServiceCalendar,
  consumerReporting,
  everyPeriod,
  StatusReporter,
  type PeriodicTimer,
  type ServiceApp,
  type ServiceDeps,
} from '@fxcm/service-runtime';
import { Queue } from 'bullmq';
import { shardOfInstance, type BarBuilderConfig } from './config';
import { createBarEngine } from './domain';
import { engineOptionsOf } from './engine-settings';
import { BarBuilderControl } from './control/bar-builder-control';
import { PreviewGate } from './preview-gate';
import { TailGuard } from './control/tail-guard';
import { ShardPipeline } from './shard-pipeline';
import { createSloMetrics } from './slo-metrics';
import { readWatermarkCheckpoint, writeWatermarkCheckpoint } from './watermark-checkpoint';
import { warmupJobId } from './warmup-requests';
import { openStore, type BarStore } from './store';

/** Entries read per stream per round: a full read means the builder is behind its input. */
const INPUT_BATCH = 1_000;
/** How often released ticks are acknowledged while no batch comes in, ms. */
const RELEASE_ACK_IDLE_MS = 500;

/**
 * The bar builder of one shard: consumer `shard-<n>` of the `bar-builder` group on the shard's
 * tick and history streams, the pure engine, the final-bar store on its volume, and the bars
 * stream out. The consumer name is stable, so a restarted replica replays its own pending
 * entries: the ticks of minutes that were still open when it stopped.
 */
export function createApp({
  config,
  logger,
  metrics,
  connect,
}: ServiceDeps<BarBuilderConfig>): ServiceApp {
  const instance = config.instance ?? hostname();
  const shard = shardOfInstance(config, instance);
  const names = streamNames(config.namespace);
  const calendar = loadServiceCalendar(config);
  const redis = connect(`shard-${shard}`);
  const status = new StatusReporter({
    service: 'bar-builder',
    instance: `${instance}#${shard}`,
    namespace: config.namespace,
    redis,
    intervalMs: config.statusIntervalMs,
    constantDetail: { calendar: calendar.summary },
  });
  const previewsDropped = metrics.counter(
    'fxcm_bar_builder_previews_dropped_total',
    'Previews dropped under backpressure, by reason (backlog, queue_full)',
    ['reason'],
  );
  const previewGate = new PreviewGate(INPUT_BATCH, (reason, n) =>
    previewsDropped.inc({ reason }, n),
  );
  const producer = new StreamProducer({
    redis,
    maxLen: config.barsMaxLen,
    onDrop: () => previewGate.drop('queue_full'),
    onError: (err) => {
      metrics.errors.inc({ type: 'redis' });
      logger.warn('bars stream write failed; retrying', { err });
    },
  });
  const engine = createBarEngine(
    engineOptionsOf(config, (symbol) => calendar.book.calendarFor(symbol)),
  );
  // Warm-up jobs go through the gateway's history queue like every other history request.
  const queueConn = connect(`shard-${shard}:history-queue`, { blocking: true });
  const historyPriority = historyPriorityKeys(config.historyPriorityTargets);
  const historyQueue = new Queue<HistoryJob>(HISTORY_QUEUE, {
    connection: queueConn,
    prefix: queuePrefix(config.namespace),
  });

  let store: BarStore | undefined;
  const tailGuard = new TailGuard({
    store: () => store,
    calendarFor: (symbol) => calendar.book.calendarFor(symbol),
    enqueue: async (job, jobId) => {
      await historyQueue.add('tail_guard', job, {
        jobId,
        attempts: 3,
        backoff: { type: 'exponential', delay: 30_000 },
        removeOnComplete: 1_000,
        removeOnFail: 1_000,
      });
    },
    jobState: (jobId) => historyQueue.getJobState(jobId),
    producer,
    barsStream: names.bars(shard),
    historyWaitMs: config.tailGuardHistoryWaitSeconds * 1_000,
    settleMs: 15_000,
    maxSpanMs: 31 * 24 * 3_600_000,
    logger,
    metrics,
    status,
  });
  const control = new BarBuilderControl({
    redis,
    controlStream: names.control,
    barsStream: names.bars(shard),
    store: () => store,
    producer,
    calendarFor: (symbol) => calendar.book.calendarFor(symbol),
    maxBars: config.cacheMaxBars,
    ownsSymbol: (symbol) => shardOf(symbol, config.shardCount) === shard,
    baseTargets: config.streamTargets,
    tailGuard,
    logger,
    metrics,
    status,
  });
  let pipeline: ShardPipeline | undefined;
  let consumer: StreamConsumer | undefined;
  let previewTimer: PeriodicTimer | undefined;
  let releaseTimer: NodeJS.Timeout | undefined;
  const inputReporting = consumerReporting({ logger, metrics, status }, 'ticks');
  const slo = createSloMetrics(metrics);
  let statusTimer: PeriodicTimer | undefined;
  let stopping: Promise<void> | undefined;

  return {
    async start() {
      status.start();
      const storeDir = `${config.cacheDir}/shard-${shard}`;
      store = await openStore({
        dir: storeDir,
        maxBars: config.cacheMaxBars,
        onError: (err) => {
          metrics.errors.inc({ type: 'cache_io' });
          status.degrade('cache_read_only');
          status.error(err.code, err.message, { severity: 'critical' });
          logger.error('final-bar store I/O error: read-only from now on', { err });
        },
      });
      for (const r of store.recoveries) {
        status.error(
          'STORE_RECOVERED',
          `${r.file}: dropped a torn tail of ${r.droppedBytes} bytes`,
          { severity: 'warning' },
        );
        logger.warn('store recovered a torn tail', { ...r });
      }
      pipeline = new ShardPipeline({
        engine,
        store,
        producer,
        barsStream: names.bars(shard),
        previewTargets: () => control.universe,
        inputs: { ticks: names.ticks(shard), history: names.history(shard) },
        futureToleranceMs: config.futureToleranceMs,
        checkpoint: {
          read: () => readWatermarkCheckpoint(storeDir),
          write: (watermark) => {
            try {
              writeWatermarkCheckpoint(storeDir, watermark);
            } catch (err) {
              // Costs only a harmless re-emission after a restart; say so, keep going.
              metrics.errors.inc({ type: 'cache_io' });
              status.error('CHECKPOINT_WRITE_FAILED', String((err as Error).message), {
                severity: 'warning',
              });
            }
          },
        },
        ack: (stream, ids) => consumer!.ack(stream, ids),
        requestHistory: (need) => {
          historyQueue
            .add(
              'warmup',
              { symbol: need.symbol, from: need.from, to: need.to, reason: 'warmup' },
              {
                jobId: warmupJobId(need),
                // every job has a priority: BullMQ would serve an unprioritized one first
                priority: historyJobPriority(historyPriority, need.symbol, '1m'),
                attempts: 5,
                backoff: { type: 'exponential', delay: 30_000 },
              },
            )
            .catch((err: unknown) => {
              metrics.errors.inc({ type: 'redis' });
              status.error('WARMUP_ENQUEUE_FAILED', String((err as Error).message), {
                severity: 'warning',
              });
              logger.warn('cannot enqueue warm-up history', { ...need, err });
            });
        },
        previewGate,
        storeDelayMs: config.storeDelayMs,
        metrics,
        status,
        logger,
      });
      const restored = await pipeline.restore();
      logger.info('restored from the store', { shard, ...restored });

      consumer = new StreamConsumer({
        redis,
        streams: [names.ticks(shard), names.history(shard)],
        group: GROUPS.barBuilder,
        consumer: `shard-${shard}`,
        autoAck: false,
        claim: false,
        batchSize: INPUT_BATCH,
        handler: (entries, ctx) => pipeline!.handle(entries, ctx),
        ...inputReporting,
      });
      await consumer.start();
      await control.start();
      // Released ticks are acknowledged after each batch; this drains them while input is idle.
      releaseTimer = setInterval(() => {
        pipeline!.ackReleased().catch((err: unknown) => {
          inputReporting.onError?.(err, 'ack', 'transport');
        });
      }, RELEASE_ACK_IDLE_MS);
      if (config.previewsEnabled) {
        // Previews and the status below run mid-period (wall clock), clear of a minute's finals.
        previewTimer = everyPeriod(config.previewIntervalSeconds * 1_000, () =>
          pipeline!.flushPreviews(Date.now()),
        );
      }
      statusTimer = everyPeriod(1_000, () => {
        status.setDetail({ shard, ...pipeline!.detail(), ...control.detail() });
        const counters = engine.counters();
        status.setCounters(countersOf(counters));
        slo.observe(counters);
      });
      status.setState('ok');
    },
    readiness() {
      return store?.state === 'read_only'
        ? { ready: true, reasons: ['store read-only (degraded)'] }
        : { ready: true, reasons: [] };
    },
    stop() {
      stopping ??= (async () => {
        previewTimer?.stop();
        if (releaseTimer) clearInterval(releaseTimer);
        statusTimer?.stop();
        await control.close();
        await consumer?.close();
        // the store steps still queued, their delays cut short, before the store closes
        await pipeline?.drain().catch((err: unknown) => {
          logger.error('a store step failed', { err });
        });
        await producer.close();
        await historyQueue.close();
        await queueConn.quit();
        await store?.close();
        await status.stop();
        await redis.quit();
      })();
      return stopping;
    },
  };
}

/** Engine counters per symbol flattened for the status record (`EURUSD.late`, …). */
function countersOf(perSymbol: Record<string, object>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [symbol, counters] of Object.entries(perSymbol)) {
    for (const [name, value] of Object.entries(counters)) {
      if (typeof value === 'number') out[`${symbol}.${name}`] = value;
    }
  }
  return out;
}

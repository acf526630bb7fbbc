import { hostname } from 'node:os';
import { channelNames, GROUPS, keys, streamNames } from '@fxcm/contracts';
import { StreamConsumer } from '@fxcm/redis-streams';
import {
  channelEnvOf,
  consumerReporting,
  StatusReporter,
  type ServiceApp,
  type ServiceDeps,
} from '@fxcm/service-runtime';
import { BarPublisher } from './bar-publisher';
import type { PublisherConfig } from './config';
import { PriceSnapshots } from './price-snapshots';
import { PublishedUniverse } from './published-universe';
import { withPublishOnce } from './publish-once';
import { StatusPublisher } from './status-publisher';

/**
 * Bar entries read per round. A minute's end puts one final per symbol of the shard on its
 * stream at once (twice that at a five-minute boundary): read together, they go out as one
 * handled batch, instead of the last ones waiting for the first ones' publish replies and
 * another read.
 */
const BARS_READ_BATCH = 1_024;

/**
 * The publisher: one consumer per bar shard stream plus one on the status stream, all in the
 * `publisher` group, so replicas share the work and take over a dead replica's entries.
 */
export function createApp({
  config,
  logger,
  metrics,
  connect,
}: ServiceDeps<PublisherConfig>): ServiceApp {
  const instance = config.instance ?? hostname();
  const redis = withPublishOnce(connect(instance));
  const status = new StatusReporter({
    service: 'publisher',
    instance,
    namespace: config.namespace,
    redis,
    intervalMs: config.statusIntervalMs,
  });
  const channels = channelNames(channelEnvOf(config));
  const names = streamNames(config.namespace);
  const hmac = config.hmacSecret ? { secret: config.hmacSecret, algo: config.hmacAlgo } : undefined;
  if (!hmac) logger.warn('FXCM_HMAC_SECRET is not set: fxcm:ohlcv messages go out unsigned');

  const universe = new PublishedUniverse(config.streamTargets, {
    redis,
    stream: names.control,
    logger,
    metrics,
    status,
  });
  const bars = new BarPublisher({
    redis,
    namespace: config.namespace,
    channel: channels.ohlcv,
    hmac,
    markTtlMs: config.markTtlMs,
    universe: () => universe.active,
    logger,
    metrics,
    status,
  });
  const statuses = new StatusPublisher({
    redis,
    channels: {
      status: channels.status,
      heartbeat: channels.heartbeat,
      market_status: channels.marketStatus,
    },
    logger,
    metrics,
    status,
    maxAgeMs: config.statusMaxAgeSeconds * 1_000,
  });

  const prices =
    config.priceSnapIntervalSeconds > 0
      ? new PriceSnapshots({
          redis,
          tickStreams: Array.from({ length: config.shardCount }, (_, shard) => names.ticks(shard)),
          channel: channels.priceTik,
          lastKey: keys(config.namespace).priceLast,
          lockKey: keys(config.namespace).priceLock,
          intervalMs: config.priceSnapIntervalSeconds * 1_000,
          logger,
          metrics,
        })
      : undefined;

  const claim = { idleMs: config.claimIdleMs, everyMs: Math.ceil(config.claimIdleMs / 2) };
  const consumers = [
    ...Array.from({ length: config.shardCount }, (_, shard) => {
      const stream = names.bars(shard);
      return new StreamConsumer({
        redis,
        streams: [stream],
        group: GROUPS.publisher,
        consumer: instance,
        claim,
        batchSize: BARS_READ_BATCH,
        handler: (entries, ctx) => bars.handle(entries, ctx),
        ...consumerReporting({ logger, metrics, status }, 'bars'),
      });
    }),
    new StreamConsumer({
      redis,
      streams: [names.status],
      group: GROUPS.publisher,
      consumer: instance,
      claim,
      startId: '$', // status is about now: a new group starts at the tail
      handler: (entries, ctx) => statuses.handle(entries, ctx),
      ...consumerReporting({ logger, metrics, status }, 'status'),
    }),
  ];

  let stopping: Promise<void> | undefined;
  return {
    async start() {
      status.start();
      await universe.start();
      for (const consumer of consumers) await consumer.start();
      prices?.start();
      status.setState('ok');
      logger.info('publishing', {
        ohlcv: channels.ohlcv,
        status: channels.status,
        shards: config.shardCount,
      });
    },
    stop() {
      stopping ??= (async () => {
        await Promise.all(consumers.map((c) => c.close()));
        await universe.close();
        await prices?.close();
        await status.stop();
        await redis.quit();
      })();
      return stopping;
    },
  };
}

import { hostname } from 'node:os';
import { channelNames, normalizeSymbol, parseTimeframe } from '@fxcm/contracts';
import {
  channelEnvOf,
  StatusReporter,
  type ServiceApp,
  type ServiceDeps,
} from '@fxcm/service-runtime';
import { BarStore } from './bar-store';
import type { IngestorConfig } from './config';
import { OhlcvIngest } from './ohlcv-ingest';
import { LiveFeed, type LiveChannel } from './read-api/live-feed';
import { createReadApiServer } from './read-api/read-api-server';

/**
 * The ingestor: SUBSCRIBE to `fxcm:ohlcv`, verify, store. Messages are handled one at a time in
 * arrival order; a queue bounds memory if Redis writes stall (pub/sub cannot be paused).
 */
export function createApp({
  config,
  logger,
  metrics,
  connect,
}: ServiceDeps<IngestorConfig>): ServiceApp {
  const instance = config.instance ?? hostname();
  const redis = connect(instance);
  const subscriber = connect(`${instance}:sub`, { blocking: true });
  const status = new StatusReporter({
    service: 'ingestor',
    instance,
    namespace: config.namespace,
    redis,
    intervalMs: config.statusIntervalMs,
  });
  const channels = channelNames(channelEnvOf(config));
  const channel = channels.ohlcv;
  const store = new BarStore(redis, config.namespace);
  const secret = config.ingestHmacSecret ?? config.hmacSecret;
  const allowedSymbols = new Set(config.allowedSymbols.map((s) => normalizeSymbol(s)));
  const allowedTimeframes = new Set(config.allowedTimeframes.map((tf) => parseTimeframe(tf)));
  const live = new LiveFeed(allowedSymbols);
  const api = config.apiEnabled
    ? createReadApiServer({
        config,
        store,
        live,
        redis,
        allowedSymbols,
        allowedTimeframes,
        logger,
        metrics,
      })
    : undefined;
  // The viewer follows the other public channels too; each keeps only its last message.
  const followed = new Map<string, LiveChannel>([
    [channels.status, 'status'],
    [channels.heartbeat, 'heartbeat'],
    [channels.marketStatus, 'market_status'],
    [channels.priceTik, 'price'],
  ]);
  const liveRejected = metrics.counter(
    'fxcm_ingestor_live_rejected_total',
    'Messages of the followed status/heartbeat/market_status/price channels refused, by reason',
    ['channel', 'reason'],
  );
  const ingest = new OhlcvIngest({
    store,
    rails: () => ({ allowedSymbols, allowedTimeframes, maxBars: config.maxBars, now: Date.now() }),
    hmac: secret ? { secret, algo: config.ingestHmacAlgo ?? config.hmacAlgo } : undefined,
    hmacRequired: config.hmacRequired,
    onAccepted: (symbol, tf, source, bars) => live.onBars(symbol, tf, source, bars),
    logger,
    metrics,
    status,
  });
  const dropped = metrics.counter(
    'fxcm_ingestor_dropped_total',
    'Messages dropped because the queue was full',
  );
  const queueDepth = metrics.gauge('fxcm_ingestor_queue_depth', 'Messages waiting to be stored');

  let queued = 0;
  let chain: Promise<unknown> = Promise.resolve();
  const onMessage = (from: string, text: string): void => {
    const other = followed.get(from);
    if (other !== undefined) {
      const reason = live.onChannelMessage(other, text);
      if (reason !== undefined) {
        liveRejected.inc({ channel: other, reason });
        status.error('INGEST_LIVE_REJECTED', `${from}: ${reason}`, { severity: 'warning' });
        logger.warn('refused a message of a followed channel', { channel: from, reason });
      }
      return;
    }
    if (queued >= config.maxQueue) {
      dropped.inc();
      status.degrade('ingest_queue_full');
      return;
    }
    queued += 1;
    queueDepth.set(queued);
    chain = chain
      .then(() => ingest.onMessage(text))
      .catch((err: unknown) => {
        metrics.errors.inc({ type: 'redis' });
        status.error('INGEST_STORE_FAILED', String((err as Error).message));
        logger.error('could not store a message', { err });
      })
      .finally(() => {
        queued -= 1;
        queueDepth.set(queued);
        if (queued === 0) status.recover('ingest_queue_full');
      });
  };

  let stopping: Promise<void> | undefined;
  return {
    async start() {
      status.start();
      subscriber.on('message', onMessage);
      await subscriber.subscribe(channel, ...followed.keys());
      status.setState('ok');
      logger.info('ingesting', { channel, verify: Boolean(secret) });
      if (api) logger.info('viewer and read API', { url: await api.start() });
    },
    stop() {
      stopping ??= (async () => {
        await api?.stop();
        subscriber.off('message', onMessage);
        await subscriber.quit().catch(() => undefined);
        await chain;
        await status.stop();
        await redis.quit();
      })();
      return stopping;
    },
  };
}

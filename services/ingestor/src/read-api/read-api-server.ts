import { keys } from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import type { Redis } from 'ioredis';
import type { BarStore } from '../bar-store';
import type { IngestorConfig } from '../config';
import { buildReadApi } from './http-server';
import type { LiveFeed } from './live-feed';

/** Options of {@link createReadApiServer}. */
export interface ReadApiServerOptions {
  config: IngestorConfig;
  store: BarStore;
  live: LiveFeed;
  redis: Redis;
  allowedSymbols: ReadonlySet<string>;
  allowedTimeframes: ReadonlySet<string>;
  logger: Logger;
  metrics: Metrics;
}

/** The read API and viewer bound to the configured address; `start` resolves with its URL. */
export function createReadApiServer(opts: ReadApiServerOptions): {
  start(): Promise<string>;
  stop(): Promise<void>;
} {
  const { config, logger } = opts;
  const refused = opts.metrics.counter(
    'fxcm_ingestor_api_refused_total',
    'Read API requests refused, by code',
    ['code'],
  );
  const app = buildReadApi({
    store: opts.store,
    live: opts.live,
    limits: {
      allowedSymbols: opts.allowedSymbols,
      allowedTimeframes: opts.allowedTimeframes,
      maxBars: config.apiMaxBars,
      defaultLimit: config.apiDefaultLimit,
    },
    readSnapshot: () => opts.redis.get(keys(config.namespace).statusSnapshot),
    viewer: {
      lag_warn_seconds: config.viewerLagWarnSeconds,
      lag_error_seconds: config.viewerLagErrorSeconds,
      idle_warn_seconds: config.viewerIdleWarnSeconds,
      idle_error_seconds: config.viewerIdleErrorSeconds,
      heartbeat_alert_seconds: config.viewerHeartbeatAlertSeconds,
    },
    maxClients: config.apiMaxClients,
    onRefused: (err) => {
      refused.inc({ code: err.code });
      if (err.code === 'API_STORE_UNAVAILABLE') {
        opts.metrics.errors.inc({ type: 'redis' });
        logger.warn('read API could not read the store', { reason: err.reason });
      } else {
        logger.debug('read API refused a request', { code: err.code, reason: err.reason });
      }
    },
  });
  let closing: Promise<void> | undefined;
  return {
    async start() {
      await app.listen({ port: config.apiPort, host: config.apiHost });
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : config.apiPort;
      const host = config.apiHost === '0.0.0.0' ? '127.0.0.1' : config.apiHost;
      return `http://${host}:${port}/`;
    },
    stop() {
      closing ??= app.close();
      return closing;
    },
  };
}

import { hostname } from 'node:os';
import { ConfigError } from '@fxcm/config';
import { createRateLimitedLog } from '@fxcm/logging';
import { createRedis, StreamProducer } from '@fxcm/redis-streams';
import {
  redisUrlOf,
  StatusReporter,
  type ServiceApp,
  type ServiceDeps,
} from '@fxcm/service-runtime';
import { parseReplaySpeed, type GatewayConfig } from './config';
import type { FeedState, ProviderTick, QuoteProvider, TickSink } from './providers/provider';
import { ReplayProvider } from './providers/replay/replay-provider';
import { expandReplayFiles } from './replay-files';
import { checkTick } from './tick-rails';
import { TickWriter } from './tick-writer';

/**
 * The gateway: one provider feeding the tick streams through the same rails, whatever the
 * provider. Every rejected tick is counted by reason; every feed transition is logged
 * (rate-limited), counted and reported in the status record.
 */
export function createApp({ config, logger, metrics }: ServiceDeps<GatewayConfig>): ServiceApp {
  const instance = config.instance ?? hostname();
  const redis = createRedis(redisUrlOf(config), { name: `fxcm-gateway:${instance}` });
  const status = new StatusReporter({
    service: 'fxcm-gateway',
    instance,
    namespace: config.namespace,
    redis,
    intervalMs: config.statusIntervalMs,
  });
  const producer = new StreamProducer({
    redis,
    maxLen: config.tickMaxLen,
    onError: (err) => {
      metrics.errors.inc({ type: 'redis' });
      rateLimited('redis_write', 'warn', 'tick stream write failed; retrying', { err });
    },
  });
  const writer = new TickWriter({
    producer,
    namespace: config.namespace,
    shardCount: config.shardCount,
    source: config.provider,
  });
  const rateLimited = createRateLimitedLog(logger, { intervalMs: 10_000 });

  const ticks = metrics.counter('fxcm_gateway_ticks_total', 'Ticks written to the tick streams', [
    'symbol',
  ]);
  const crossed = metrics.counter(
    'fxcm_gateway_ticks_crossed_total',
    'Crossed quotes accepted (bid > ask within tolerance)',
    ['symbol'],
  );
  const rejected = metrics.counter(
    'fxcm_gateway_ticks_rejected_total',
    'Ticks rejected by the rails, by reason',
    ['reason'],
  );
  const badLines = metrics.counter(
    'fxcm_gateway_archive_bad_lines_total',
    'Unreadable lines in replayed archive files',
  );
  const watermark = metrics.gauge(
    'fxcm_gateway_watermark_ms',
    'Last event-time watermark written, epoch ms',
  );
  const transitions = metrics.counter(
    'fxcm_gateway_feed_transitions_total',
    'Feed state transitions',
    ['state'],
  );
  const counts = { ticks: 0, rejected: 0, crossed: 0, bad_lines: 0 };

  const rails = { maxCrossedRatio: config.maxCrossedRatio };
  const sink: TickSink = {
    tick(raw: ProviderTick) {
      const check = checkTick(raw, rails);
      if (!check.ok) {
        counts.rejected += 1;
        rejected.inc({ reason: check.reason });
        status.error(`TICK_${check.reason.toUpperCase()}`, check.detail, { severity: 'warning' });
        rateLimited(`reject:${check.reason}`, 'warn', 'tick rejected', {
          reason: check.reason,
          detail: check.detail,
        });
        return undefined;
      }
      counts.ticks += 1;
      ticks.inc({ symbol: check.tick.symbol });
      if (check.crossed) {
        counts.crossed += 1;
        crossed.inc({ symbol: check.tick.symbol });
      }
      return writer.tick(check.tick);
    },
    watermark(ts, feed) {
      watermark.set(ts);
      return writer.watermark(ts, feed);
    },
    state(state: FeedState, detail) {
      transitions.inc({ state });
      status.setDetail({ provider: provider.name, feed_state: state, ...detail });
      if (state === 'error')
        status.error(detail?.code ?? 'FEED_ERROR', detail?.message ?? 'feed error');
      rateLimited(`state:${state}`, state === 'error' ? 'error' : 'info', 'feed state', {
        state,
        ...detail,
      });
    },
  };

  const provider: QuoteProvider = createProvider();
  function createProvider(): QuoteProvider {
    const files = expandReplayFiles(config.replayFiles);
    if (files.length === 0) {
      throw new ConfigError('CONFIG_INVALID', [
        {
          name: 'FXCM_REPLAY_FILES',
          message: 'FXCM_REPLAY_FILES names no tick-archive file (SYMBOL_…_ticks.csv.gz)',
        },
      ]);
    }
    return new ReplayProvider({
      files,
      speed: parseReplaySpeed(config.replaySpeed),
      onBadLine: (err) => {
        counts.bad_lines += 1;
        badLines.inc();
        status.error(err.code, err.message, { severity: 'warning' });
        rateLimited('bad_line', 'warn', 'unreadable archive line', { error: err.message });
      },
    });
  }

  const reportCounts = setInterval(() => status.setCounters({ ...counts }), 1_000);
  reportCounts.unref();

  let stopping: Promise<void> | undefined;
  return {
    async start() {
      status.start();
      await provider.start(sink);
      status.setState('ok');
      provider.finished
        .then(async () => {
          await producer.flush();
          status.setCounters({ ...counts });
          logger.info('provider finished', { ...counts });
        })
        .catch((err: unknown) => logger.error('provider failed', { err }));
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(reportCounts);
        await provider.stop();
        await producer.close();
        status.setCounters({ ...counts });
        await status.stop();
        await redis.quit();
      })();
      return stopping;
    },
  };
}

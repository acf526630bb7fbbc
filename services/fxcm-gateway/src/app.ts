import { hostname } from 'node:os';
import { errorCodeOf, parseStreamTargets, reasonCode } from '@fxcm/contracts';
import { createRateLimitedLog } from '@fxcm/logging';
import { boundedLabel } from '@fxcm/metrics';
import { StreamProducer } from '@fxcm/redis-streams';
import {
  everyPeriod,
  loadServiceCalendar,
  StatusReporter,
  type ServiceApp,
  type ServiceDeps,
} from '@fxcm/service-runtime';
import { historyBackoffOf, historyQuotaOf, resolveProvider, type GatewayConfig } from './config';
import { GatewayUniverse } from './control/gateway-universe';
import {
  createHistoryService,
  historyMetrics,
  type HistoryService,
} from './history/history-service';
import { createProvider } from './provider-factory';
import { TickRecorder } from './recording/tick-recorder';
import type { FeedState, ProviderTick, TickSink } from './providers/provider';
import { checkTick } from './tick-rails';
import { TickWriter } from './tick-writer';

/**
 * The gateway: one provider feeding the tick streams through the same rails, whatever the
 * provider. Every rejected tick is counted by reason; every feed transition is logged
 * (rate-limited), counted and reported in the status record.
 */
export function createApp({
  config,
  logger,
  metrics,
  connect,
}: ServiceDeps<GatewayConfig>): ServiceApp {
  const instance = config.instance ?? hostname();
  const calendar = loadServiceCalendar(config);
  const redis = connect(instance);
  const status = new StatusReporter({
    service: 'fxcm-gateway',
    instance,
    namespace: config.namespace,
    redis,
    intervalMs: config.statusIntervalMs,
    constantDetail: { calendar: calendar.summary },
  });
  const producer = new StreamProducer({
    redis,
    maxLen: config.tickMaxLen,
    onError: (err) => {
      metrics.errors.inc({ type: 'redis' });
      rateLimited('redis_write', 'warn', 'tick stream write failed; retrying', { err });
    },
  });
  const backpressure = metrics.counter(
    'fxcm_gateway_backpressure_seconds_total',
    'Time the feed waited for the tick streams to take what it had queued (Redis slower than the feed)',
  );
  const writer = new TickWriter({
    producer,
    namespace: config.namespace,
    shardCount: config.shardCount,
    source: resolveProvider(config),
    onWait: (ms) => backpressure.inc(ms / 1_000),
  });
  const rateLimited = createRateLimitedLog(logger, { intervalMs: 10_000 });

  // Symbol labels: the configured targets, anything else (a replayed archive's) as `other`.
  const symbolLabel = boundedLabel({
    allowed: parseStreamTargets(config.streamTargets).map((t) => t.symbol),
  });
  const ticks = metrics.tally('fxcm_gateway_ticks_total', 'Ticks written to the tick streams', [
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
  const unobserved = metrics.counter(
    'fxcm_gateway_feed_gaps_total',
    'Spans the live feed was not observed (start, disconnect, dead feed), written as feed_gap',
  );
  const tickLag = metrics.histogram(
    'fxcm_tick_lag_seconds',
    'Receipt time of a quote minus its FXCM event time, seconds (SLO: p95/p99)',
    [],
    [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
  );
  const counts = { ticks: 0, rejected: 0, crossed: 0, bad_lines: 0 };
  // Wall-clock time of the last tick written: the scheduler's tick-cadence input.
  let lastTickAt = 0;
  let feedDetail: Record<string, unknown> = {};
  // The universe the provider streams (after a set_universe), beside the feed's state.
  let universeDetail: Record<string, unknown> = {};
  let history: HistoryService | undefined;
  const reportDetail = (): void =>
    status.setDetail({
      ...feedDetail,
      ...universeDetail,
      ...(lastTickAt ? { last_tick_at: lastTickAt } : {}),
      ...history?.detail(Date.now()),
    });

  const recorder = config.recordDir
    ? new TickRecorder({
        dir: config.recordDir,
        onSkip: (_tick, reason) =>
          rateLimited('record_skip', 'warn', 'quote not recorded', { reason }),
      })
    : undefined;
  const rails = { maxCrossedRatio: config.maxCrossedRatio };
  const sink: TickSink = {
    tick(raw: ProviderTick) {
      recorder?.record(raw);
      const check = checkTick(raw, rails);
      if (!check.ok) {
        counts.rejected += 1;
        rejected.inc({ reason: check.reason });
        status.error(reasonCode('TICK', check.reason), check.detail, { severity: 'warning' });
        rateLimited(`reject:${check.reason}`, 'warn', 'tick rejected', {
          reason: check.reason,
          detail: check.detail,
        });
        return undefined;
      }
      counts.ticks += 1;
      lastTickAt = Date.now();
      tickLag.observe(Math.max(0, check.tick.recv_ts - check.tick.ts) / 1_000);
      ticks.inc(symbolLabel(check.tick.symbol));
      if (check.crossed) {
        counts.crossed += 1;
        crossed.inc({ symbol: symbolLabel(check.tick.symbol) });
      }
      return writer.tick(check.tick);
    },
    watermark(ts, feed) {
      watermark.set(ts);
      return writer.watermark(ts, feed);
    },
    unobserved(fromMs, toMs) {
      // The bar builder makes history the final of every minute this touches.
      unobserved.inc();
      rateLimited('unobserved', 'info', 'feed not observed; minutes marked partial', {
        from: fromMs,
        to: toMs,
      });
      return writer.unobserved(fromMs, toMs);
    },
    state(state: FeedState, detail) {
      transitions.inc({ state });
      feedDetail = { provider: provider.name, feed_state: state, ...detail };
      reportDetail();
      if (state === 'error') {
        // Provider details carry their own codes; only registered ones reach the status record.
        const code = errorCodeOf(String(detail?.code ?? '').toUpperCase(), 'FEED_ERROR');
        status.error(code, detail?.message ?? 'feed error');
        status.setState('error');
      } else if (state === 'reconnecting' || state === 'stale' || state === 'resubscribing') {
        status.degrade(state === 'reconnecting' ? 'feed_down' : 'feed_stale');
      } else if (state === 'streaming' || state === 'sleeping' || state === 'subscribed') {
        status.recover('feed_down');
        status.recover('feed_stale');
        status.setState('ok');
      }
      status.report(); // a record per transition, even when the overall state stays the same
      rateLimited(`state:${state}`, state === 'error' ? 'error' : 'info', 'feed state', {
        state,
        ...detail,
      });
    },
  };

  const badInput = metrics.counter(
    'fxcm_gateway_bad_input_total',
    'Unreadable FXCM price updates or candle rows, by code',
    ['code'],
  );
  const duplicates = metrics.counter(
    'fxcm_gateway_ticks_duplicate_total',
    'Quotes dropped as repeats or out of order before the rails',
    ['symbol'],
  );
  historyMetrics(metrics);
  const { provider, candles } = createProvider(config, {
    calendarFor: (symbol) => calendar.book.calendarFor(symbol),
    onBackfill: (symbols, fromMs, toMs) => history?.backfill(symbols, fromMs, toMs),
    onBadLine: (err) => {
      counts.bad_lines += 1;
      badLines.inc();
      status.error(err.code, err.message, { severity: 'warning' });
      rateLimited('bad_line', 'warn', 'unreadable archive line', { error: err.message });
    },
    onBadInput: (err) => {
      badInput.inc({ code: err.code });
      status.error(err.code, err.message, { severity: 'warning' });
      rateLimited(`bad_input:${err.code}`, 'warn', 'unreadable FXCM input', { error: err.message });
    },
    onDuplicate: (symbol) => duplicates.inc({ symbol: symbolLabel(symbol) }),
    onSinkError: (err) => {
      metrics.errors.inc({ type: 'tick_sink' });
      rateLimited('tick_sink', 'error', 'writing a pushed quote failed', { err });
    },
  });
  if (candles && config.historyWorker) {
    history = createHistoryService({
      connect: (role, options) => connect(`${instance}:${role}`, options),
      instance,
      namespace: config.namespace,
      shardCount: config.shardCount,
      maxLen: config.historyMaxLen,
      source: candles,
      budget: { maxRequests: config.historyMaxRequests, maxMs: config.historyMaxSeconds * 1000 },
      quota: historyQuotaOf(config),
      backoff: historyBackoffOf(config),
      metrics,
      status,
      log: rateLimited,
    });
  }

  const universe = new GatewayUniverse({
    redis,
    namespace: config.namespace,
    provider,
    logger,
    metrics,
    status,
    onApplied: (detail) => {
      universeDetail = detail;
      reportDetail();
    },
  });

  const reportCounts = everyPeriod(
    1_000,
    () => {
      status.setCounters({ ...counts });
      // The history quota and backoff change without feed events: refreshed every second.
      reportDetail();
    },
    { unref: true },
  );

  let stopping: Promise<void> | undefined;
  return {
    async start() {
      status.start();
      await provider.start(sink);
      await universe.start();
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
        reportCounts.stop();
        await universe.close();
        await provider.stop();
        await recorder?.close();
        await history?.close();
        await producer.close();
        status.setCounters({ ...counts });
        await status.stop();
        await redis.quit();
      })();
      return stopping;
    },
  };
}

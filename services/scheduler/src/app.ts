import { hostname } from 'node:os';
import {
  ContractError,
  decodeStreamEntry,
  encodeStreamEntry,
  GROUPS,
  keys,
  parseStreamTargets,
  streamNames,
} from '@fxcm/contracts';
import { StreamConsumer, type EntryRejection, type StreamEntry } from '@fxcm/redis-streams';
import {
  channelEnvOf,
  consumerReporting,
  loadServiceCalendar,
  StatusReporter,
  type ServiceApp,
  type ServiceDeps,
  type ServiceStatusRecord,
} from '@fxcm/service-runtime';
import { ActiveUniverse } from './active-universe';
import { controlContext, createCommandListener } from './control-plane';
import type { SchedulerConfig } from './config';
import { heartbeat, marketView } from './market-view';
import { ServiceRecords } from './service-records';
import { deriveV1Status } from './v1-status';

/**
 * The scheduler: reads every service's status record and, on its telemetry cadence, writes the
 * V1 public status for the publisher and the full snapshot at `{ns}:status:snapshot`.
 */
export function createApp({
  config,
  logger,
  metrics,
  connect,
}: ServiceDeps<SchedulerConfig>): ServiceApp {
  const instance = config.instance ?? hostname();
  const redis = connect(instance);
  const names = streamNames(config.namespace);
  const calendarInForce = loadServiceCalendar(config);
  const status = new StatusReporter({
    service: 'scheduler',
    instance,
    namespace: config.namespace,
    redis,
    intervalMs: config.statusIntervalMs,
    constantDetail: { calendar: calendarInForce.summary },
  });
  const records = new ServiceRecords(config.recordMaxAgeSeconds * 1_000);
  const universe = new ActiveUniverse(
    parseStreamTargets(config.streamTargets),
    config.dynamicUniverseEnabled,
    config.dynamicUniverseMaxTargets,
  );
  const commands = config.commandsEnabled
    ? createCommandListener(config, { instance, redis, universe, connect, logger, metrics, status })
    : undefined;
  const published = metrics.counter(
    'fxcm_scheduler_public_status_total',
    'Public status records written',
    ['kind'],
  );

  const consumer = new StreamConsumer({
    redis,
    streams: [names.status],
    group: GROUPS.scheduler,
    consumer: instance,
    startId: '$',
    claim: false,
    handler: async (entries: StreamEntry[], ctx) => {
      const rejected: EntryRejection[] = [];
      for (const entry of entries) {
        try {
          const decoded = decodeStreamEntry(entry.fields);
          if (decoded.type === 'service_status')
            records.observe(decoded.data as ServiceStatusRecord);
        } catch (err) {
          if (!(err instanceof ContractError)) throw err;
          metrics.errors.inc({ type: 'contract' });
          status.error(err.code, err.message, { severity: 'warning' });
          rejected.push({ entry, code: err.code, message: err.message });
        }
      }
      await ctx.deadLetter(rejected);
    },
    ...consumerReporting({ logger, metrics, status }, 'status'),
  });

  const calendar = calendarInForce.book.calendarFor(config.marketSymbol);
  let lastMarketState: string | undefined;
  let lastMarketSentAt = -Infinity;
  const entry = (kind: 'status' | 'heartbeat' | 'market_status', payload: object): string[] =>
    encodeStreamEntry('public_status', { kind, payload: { ...payload } });

  /** One telemetry cycle: status and heartbeat always, market_status on change or every 30 s. */
  const publishStatus = async (): Promise<void> => {
    const now = Date.now();
    const view = marketView(calendar, now);
    const inputs = records.inputs(now);
    const v1 = {
      ...deriveV1Status({
        now,
        market: view.market,
        secondsToNextOpen: view.secondsToNextOpen,
        ...inputs,
      }),
      session: view.session,
    };
    const beat = heartbeat(now, view, {
      streaming: inputs.feedState === 'streaming',
      lastFinalClose: inputs.lastFinalClose,
    });
    beat.context = { ...beat.context, ...controlContext(universe, commands) };
    const sendMarket =
      view.marketStatus.state !== lastMarketState ||
      now - lastMarketSentAt >= config.marketStatusRepeatSeconds * 1_000;
    const tx = redis.multi();
    tx.xadd(names.status, 'MAXLEN', '~', 10_000, '*', ...entry('status', v1));
    tx.xadd(names.status, 'MAXLEN', '~', 10_000, '*', ...entry('heartbeat', beat));
    if (sendMarket) {
      tx.xadd(
        names.status,
        'MAXLEN',
        '~',
        10_000,
        '*',
        ...entry('market_status', view.marketStatus),
      );
    }
    tx.set(
      keys(config.namespace).statusSnapshot,
      JSON.stringify({
        status: v1,
        market_status: view.marketStatus,
        services: records.live(now),
        last_command: commands?.snapshot().last_command ?? null,
      }),
    );
    await tx.exec();
    published.inc({ kind: 'status' });
    published.inc({ kind: 'heartbeat' });
    if (sendMarket) {
      published.inc({ kind: 'market_status' });
      lastMarketState = view.marketStatus.state;
      lastMarketSentAt = now;
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  return {
    async start() {
      status.start();
      await consumer.start();
      await commands?.start();
      timer = setInterval(() => {
        publishStatus().catch((err: unknown) => {
          metrics.errors.inc({ type: 'redis' });
          logger.warn('could not write the public status', { err });
        });
      }, config.telemetryIntervalSeconds * 1_000);
      status.setState('ok');
    },
    stop() {
      stopping ??= (async () => {
        if (timer) clearInterval(timer);
        await consumer.close();
        await commands?.close();
        await status.stop();
        await redis.quit();
      })();
      return stopping;
    },
  };
}

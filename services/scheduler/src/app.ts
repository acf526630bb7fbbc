import { hostname } from 'node:os';
import { calendarFor } from '@fxcm/calendar';
import {
  ContractError,
  decodeStreamEntry,
  encodeStreamEntry,
  GROUPS,
  keys,
  streamNames,
} from '@fxcm/contracts';
import { createRedis, StreamConsumer, type StreamEntry } from '@fxcm/redis-streams';
import {
  redisUrlOf,
  StatusReporter,
  type ServiceApp,
  type ServiceDeps,
  type ServiceStatusRecord,
} from '@fxcm/service-runtime';
import type { SchedulerConfig } from './config';
import { heartbeat, marketView } from './market-view';
import { ServiceRecords } from './service-records';
import { deriveV1Status } from './v1-status';

/**
 * The scheduler: reads every service's status record and, on its telemetry cadence, writes the
 * V1 public status for the publisher and the full snapshot at `{ns}:status:snapshot`.
 */
export function createApp({ config, logger, metrics }: ServiceDeps<SchedulerConfig>): ServiceApp {
  const instance = config.instance ?? hostname();
  const redis = createRedis(redisUrlOf(config), { name: `scheduler:${instance}` });
  const names = streamNames(config.namespace);
  const status = new StatusReporter({
    service: 'scheduler',
    instance,
    namespace: config.namespace,
    redis,
    intervalMs: config.statusIntervalMs,
  });
  const records = new ServiceRecords(config.recordMaxAgeSeconds * 1_000);
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
    handler: async (entries: StreamEntry[]) => {
      for (const entry of entries) {
        try {
          const decoded = decodeStreamEntry(entry.fields);
          if (decoded.type === 'service_status')
            records.observe(decoded.data as ServiceStatusRecord);
        } catch (err) {
          if (!(err instanceof ContractError)) throw err;
          metrics.errors.inc({ type: 'contract' });
          status.error(err.code, err.message, { severity: 'warning' });
        }
      }
    },
    onError: (err, where) => {
      metrics.errors.inc({ type: 'redis' });
      logger.warn('status stream error', { where, err });
    },
  });

  const publishStatus = async (): Promise<void> => {
    const now = Date.now();
    const v1 = deriveV1Status({ now, market: 'unknown', ...records.inputs(now) });
    await redis
      .multi()
      .xadd(
        names.status,
        'MAXLEN',
        '~',
        10_000,
        '*',
        ...encodeStreamEntry('public_status', { kind: 'status', payload: { ...v1 } }),
      )
      .set(
        keys(config.namespace).statusSnapshot,
        JSON.stringify({ status: v1, services: records.live(now) }),
      )
      .exec();
    published.inc({ kind: 'status' });
  };

  let timer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  return {
    async start() {
      status.start();
      await consumer.start();
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
        await status.stop();
        await redis.quit();
      })();
      return stopping;
    },
  };
}

import { hostname } from 'node:os';
import {
  channelNames,
  ContractError,
  decodeStreamEntry,
  encodeStreamEntry,
  GROUPS,
  keys,
  parseStreamTargets,
  streamNames,
  type StreamBar,
} from '@fxcm/contracts';
import {
  multiBySlot,
  StreamConsumer,
  type EntryRejection,
  type StreamEntry,
} from '@fxcm/redis-streams';
import type { ChainableCommander } from 'ioredis';
import {
  channelEnvOf,
  consumerReporting,
  everyPeriod,
  loadServiceCalendar,
  StatusReporter,
  type PeriodicTimer,
  type ServiceApp,
  type ServiceDeps,
  type ServiceStatusRecord,
} from '@fxcm/service-runtime';
import { ActiveUniverse } from './active-universe';
import { controlContext, createCommandListener } from './control-plane';
import { ControlBus } from './control-bus';
import { TailGuardSchedule } from './tail-guard/tail-guard-schedule';
import { StartWarmup } from './warmup-on-start/start-warmup';
import { tailGuardBlock } from './tail-guard/tail-guard-view';
import type { SchedulerConfig } from './config';
import { marketView } from './market-view';
import { futureRecordRejection, ServiceRecords } from './service-records';
import { createSchedulerMetrics } from './telemetry/scheduler-metrics';
import { buildHeartbeat } from './telemetry/heartbeat';
import { buildStatusSnapshot, compactSnapshot } from './telemetry/status-snapshot';
import { TargetTracker, type TrackedBar } from './telemetry/target-tracker';
import {
  gatewayTelemetrySources,
  idleTelemetrySources,
  type TelemetrySources,
} from './telemetry/telemetry-sources';
import { deriveV1Status } from './v1-status';

/**
 * The scheduler: reads every service's status record and, on its telemetry cadence, writes the
 * V1 public status for the publisher and the full snapshot at `{ns}:status:snapshot`.
 */
export function createApp(
  { config, logger, metrics, connect, buildVersion }: ServiceDeps<SchedulerConfig>,
  extra: { sources?: TelemetrySources } = {},
): ServiceApp {
  const instance = config.instance ?? hostname();
  const startedAt = Date.now();
  const targets = parseStreamTargets(config.streamTargets);
  const calendarInForce = loadServiceCalendar(config);
  const calendar = calendarInForce.book.calendarFor(config.marketSymbol);
  const tracker = new TargetTracker(targets, calendar);
  const telemetry = createSchedulerMetrics(metrics, targets);
  const channels = channelNames(channelEnvOf(config));
  const redis = connect(instance);
  const names = streamNames(config.namespace);
  const status = new StatusReporter({
    service: 'scheduler',
    instance,
    namespace: config.namespace,
    redis,
    intervalMs: config.statusIntervalMs,
    constantDetail: { calendar: calendarInForce.summary },
  });
  const records = new ServiceRecords(config.recordMaxAgeSeconds * 1_000);
  const sources =
    extra.sources ??
    gatewayTelemetrySources(
      () => records.live(Date.now()),
      idleTelemetrySources(targets.map((t) => `${t.symbol}:${t.tf}`)),
    );
  const universe = new ActiveUniverse(
    targets,
    config.dynamicUniverseEnabled,
    config.dynamicUniverseMaxTargets,
  );
  const commandSubscriber = config.commandsEnabled
    ? connect(`${instance}:commands`, { blocking: true })
    : undefined;
  const commands = commandSubscriber
    ? createCommandListener(config, {
        instance,
        redis,
        subscriber: commandSubscriber,
        universe,
        calendarFor: (symbol) => calendarInForce.book.calendarFor(symbol),
        connect,
        logger,
        metrics,
        status,
      })
    : undefined;
  const tailSchedule = config.tailGuardScheduled
    ? new TailGuardSchedule({
        control: new ControlBus(redis, names.control),
        universe,
        startDelayMs: config.tailGuardStartDelaySeconds * 1_000,
        intervalMs: config.tailGuardIntervalMinutes * 60_000,
        windowHours: config.tailGuardWindowHours,
        repair: config.tailGuardRepair,
        logger,
        onError: (err) => {
          metrics.errors.inc({ type: 'redis' });
          logger.warn('could not send the scheduled tail guard', { err });
        },
      })
    : undefined;
  const startWarmup =
    commands && config.warmupOnStart
      ? new StartWarmup({
          control: new ControlBus(redis, names.control),
          universe,
          bars: config.warmupBars,
          window: (symbol, tf, bars, now) =>
            commands.interpreter.warmupWindow(symbol, tf, bars, now),
          records: () => records.live(Date.now()),
          warm: (symbol, tf, bars) => commands.warmupOnStart(symbol, tf, bars),
          logger,
          metrics,
        })
      : undefined;
  if (config.warmupOnStart && !commands) {
    logger.warn('no warmup on start: it runs through the command path (FXCM_COMMANDS_ENABLED)');
  }
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
          if (decoded.type !== 'service_status') continue;
          const record = decoded.data as ServiceStatusRecord;
          const future = futureRecordRejection(record, Date.now());
          if (future !== undefined) {
            metrics.errors.inc({ type: 'stream_poison' });
            status.error(future.code, future.message, { severity: 'warning' });
            rejected.push({ entry, ...future });
            continue;
          }
          records.observe(record);
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

  // The bar builders' output, followed for per-target staleness and per-session statistics.
  const barConsumers = Array.from({ length: config.shardCount }, (_, shard) => {
    return new StreamConsumer({
      redis,
      streams: [names.bars(shard)],
      group: GROUPS.scheduler,
      consumer: instance,
      startId: '$',
      claim: false,
      handler: async (entries: StreamEntry[], ctx) => {
        const seenAt = Date.now();
        const rejected: EntryRejection[] = [];
        for (const entry of entries) {
          try {
            const decoded = decodeStreamEntry(entry.fields);
            if (decoded.type !== 'bar') continue;
            const data = decoded.data as StreamBar;
            tracker.observe(
              { ...data.bar, symbol: data.symbol, tf: data.tf } as TrackedBar,
              seenAt,
            );
          } catch (err) {
            if (!(err instanceof ContractError)) throw err;
            metrics.errors.inc({ type: 'contract' });
            rejected.push({ entry, code: err.code, message: err.message });
          }
        }
        // Dead-lettered with its code like on every other consumer (which also acks it).
        await ctx.deadLetter(rejected);
      },
      ...consumerReporting({ logger, metrics, status }, 'bars'),
    });
  });

  let lastMarketState: string | undefined;
  let lastCycleMs = 0;
  let cycling = false;
  let lastMarketSentAt = -Infinity;
  const entry = (kind: 'status' | 'heartbeat' | 'market_status', payload: object): string[] =>
    encodeStreamEntry('public_status', { kind, payload: { ...payload } });

  /** One telemetry cycle: status and heartbeat always, market_status on change or every 30 s. */
  const publishStatus = async (): Promise<void> => {
    const cycleStart = Date.now();
    const now = cycleStart;
    const view = marketView(calendar, now, tracker.stats);
    const inputs = records.inputs(now);
    const v1 = {
      ...deriveV1Status({
        now,
        market: view.market,
        secondsToNextOpen: view.market === 'closed' ? view.secondsToNextOpen : undefined,
        ...inputs,
      }),
      session: view.session,
    };
    const beat = buildHeartbeat({
      now,
      view,
      feed: inputs,
      redisConnected: redis.status === 'ready',
      targetState: (symbol, tf) => tracker.state(symbol, tf),
      publishedBars: tracker.takeFinalCount(),
      cycleSeconds: lastCycleMs / 1_000,
      sources,
      settings: {
        channels: {
          heartbeat: channels.heartbeat,
          ohlcv: channels.ohlcv,
          price: channels.priceTik,
        },
        targets,
        telemetryIntervalSeconds: config.telemetryIntervalSeconds,
        priceIntervalSeconds: config.priceSnapIntervalSeconds,
        lookbackMinutes: config.historyLookbackMinutes,
        cacheEnabled: true,
      },
    });
    beat.context = { ...beat.context, ...controlContext(universe, commands) };
    const live = records.live(now);
    const tailGuard = tailGuardBlock(live);
    if (tailGuard) telemetry.observeTailGuard(tailGuard);
    const snapshot = compactSnapshot({
      ...buildStatusSnapshot({
        now,
        version: buildVersion ?? 'unknown',
        startedAt,
        pid: process.pid,
        view,
        calendarTag: calendar.id,
        v1,
        records: live,
        commandBus: {
          channel: channels.commands,
          state: !commandSubscriber
            ? 'disabled'
            : commandSubscriber.status === 'ready'
              ? 'running'
              : 'error',
          last_heartbeat_ts_ms: commandSubscriber?.status === 'ready' ? now : null,
        },
        lastCommand: commands?.snapshot().last_command ?? sources.lastCommand?.() ?? null,
        lastFinalClose: inputs.lastFinalClose,
        lastTickAt: inputs.lastTickAt,
        feedState: inputs.feedState,
      }),
      ...(tailGuard ? { tail_guard: tailGuard } : {}),
      ...(startWarmup?.snapshot() ? { warmup_on_start: startWarmup.snapshot() } : {}),
    });
    // The V1-era blocks beside the V2 ones: operators' tools (the CLI, the viewer) read them.
    const stored = {
      ...snapshot,
      status: v1,
      market_status: view.marketStatus,
      services: live.map(({ service, instance, state, ts, degraded, errors, detail }) => ({
        service,
        instance,
        state,
        ts,
        degraded,
        errors: errors.slice(-3),
        detail,
      })),
    };
    const sendMarket =
      view.marketStatus.state !== lastMarketState ||
      now - lastMarketSentAt >= config.marketStatusRepeatSeconds * 1_000;
    const statusEntries = [entry('status', v1), entry('heartbeat', beat)];
    if (sendMarket) statusEntries.push(entry('market_status', view.marketStatus));
    const snapshotText = JSON.stringify(stored);
    // One MULTI on a single Redis; on a cluster one per slot (the stream and the snapshot key).
    await multiBySlot(redis, [
      ...statusEntries.map((fields) => ({
        key: names.status,
        add: (tx: ChainableCommander) =>
          tx.xadd(names.status, 'MAXLEN', '~', 10_000, '*', ...fields),
      })),
      {
        key: keys(config.namespace).statusSnapshot,
        add: (tx: ChainableCommander) =>
          tx.set(keys(config.namespace).statusSnapshot, snapshotText),
      },
    ]);
    telemetry.observeCycle({
      now,
      view,
      v1,
      beat,
      tracker,
      records: live,
      commandBus: (snapshot['command_bus'] as { state: 'running' | 'error' | 'disabled' }).state,
      snapshotBytes: Buffer.byteLength(snapshotText),
    });
    published.inc({ kind: 'status' });
    published.inc({ kind: 'heartbeat' });
    if (sendMarket) {
      published.inc({ kind: 'market_status' });
      lastMarketState = view.marketStatus.state;
      lastMarketSentAt = now;
    }
    lastCycleMs = Date.now() - cycleStart;
  };

  let timer: PeriodicTimer | undefined;
  let stopping: Promise<void> | undefined;
  return {
    async start() {
      status.start();
      await consumer.start();
      await commands?.start();
      for (const consumer of barConsumers) await consumer.start();
      tailSchedule?.start();
      startWarmup?.start();
      logger.info('scheduling', { build_version: buildVersion ?? 'unknown' });
      // Mid-period of wall-clock time, clear of a minute's final bars.
      timer = everyPeriod(config.telemetryIntervalSeconds * 1_000, () => {
        // One cycle at a time: while Redis is away, cycles are skipped rather than queued, so
        // no burst of stale records follows the outage.
        if (cycling || redis.status !== 'ready') return;
        cycling = true;
        publishStatus()
          .catch((err: unknown) => {
            metrics.errors.inc({ type: 'redis' });
            logger.warn('could not write the public status', { err });
          })
          .finally(() => {
            cycling = false;
          });
      });
      status.setState('ok');
    },
    stop() {
      stopping ??= (async () => {
        timer?.stop();
        tailSchedule?.stop();
        await startWarmup?.stop();
        await consumer.close();
        await Promise.all(barConsumers.map((c) => c.close()));
        await commands?.close();
        await status.stop();
        await redis.quit();
      })();
      return stopping;
    },
  };
}

import type { TradingCalendar } from '@fxcm/calendar';
import {
  channelNames,
  historyJobPriority,
  historyPriorityKeys,
  streamNames,
} from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import { channelEnvOf, type ServiceDeps, type StatusReporter } from '@fxcm/service-runtime';
import type { Redis } from 'ioredis';
import type { ActiveUniverse } from './active-universe';
import { CommandListener } from './commands/command-listener';
import { CommandInterpreter, DEFAULT_COMMAND_RULES } from './commands/command-rules';
import type { SchedulerConfig } from './config';
import { ControlBus } from './control-bus';

/** What the command listener is built from besides the configuration. */
export interface ControlPlaneDeps {
  instance: string;
  /** The app's command connection (the control entries are plain XADDs). */
  redis: Redis;
  /** The subscriber on the commands channel (its state is the command bus's health). */
  subscriber: Redis;
  universe: ActiveUniverse;
  /** The calendar in force per symbol (warmup windows count open minutes). */
  calendarFor: (symbol: string) => TradingCalendar;
  connect: ServiceDeps<SchedulerConfig>['connect'];
  logger: Logger;
  metrics: Metrics;
  status: StatusReporter;
}

/**
 * The command listener with its rules from the configuration. `FXCM_COMMAND_AUTH=auto` (the
 * default) requires a signature on every envelope as soon as a secret is configured.
 */
export function createCommandListener(
  config: SchedulerConfig,
  deps: ControlPlaneDeps,
): CommandListener {
  const { instance, connect } = deps;
  const priority = historyPriorityKeys(config.historyPriorityTargets);
  const mode =
    config.commandAuth === 'auto'
      ? config.hmacSecret
        ? 'required'
        : 'verify'
      : config.commandAuth;
  return new CommandListener({
    subscriber: deps.subscriber,
    queueConnection: connect(`${instance}:queue`, { blocking: true }),
    namespace: config.namespace,
    channel: channelNames(channelEnvOf(config)).commands,
    control: new ControlBus(deps.redis, streamNames(config.namespace).control),
    interpreter: new CommandInterpreter({
      ...DEFAULT_COMMAND_RULES,
      universe: deps.universe,
      calendarFor: deps.calendarFor,
      backfillMinMinutes: config.backfillMinMinutes,
      backfillMaxMinutes: config.backfillMaxMinutes,
      warmupBars: config.warmupBars,
      auth: {
        mode,
        secrets: new Map(config.hmacSecret ? [[config.hmacKid, config.hmacSecret]] : []),
        maxSkewMs: DEFAULT_COMMAND_RULES.auth.maxSkewMs,
      },
    }),
    historyWaitMs: config.warmupHistoryWaitSeconds * 1_000,
    jobPriority: (job) => historyJobPriority(priority, job.symbol, job.target_tf ?? '1m'),
    logger: deps.logger,
    metrics: deps.metrics,
    status: deps.status,
  });
}

/** The heartbeat `context` keys the control plane owns: `universe` and `last_command`. */
export function controlContext(
  universe: ActiveUniverse,
  commands: CommandListener | undefined,
): Record<string, unknown> {
  return {
    universe: universe.snapshot(),
    ...(commands ? { last_command: commands.snapshot().last_command } : {}),
  };
}

import { engineSettingsOf } from '@fxcm/bar-builder';
import { channelNames, parseStreamTargets } from '@fxcm/contracts';
import {
  channelEnvOf,
  loadServiceCalendar,
  loadServiceConfig,
  redisUrlOf,
  resolveProvider,
  type ProviderKind,
} from '@fxcm/service-runtime';
import { configSpec } from './config';
import type { Deployment } from './gate';

/** The deployment as the gates see it, and what the runner needs beside it. */
export interface LoadedDeployment {
  readonly deployment: Deployment;
  readonly redisUrl: string;
  /** Where its quotes come from (`FXCM_PROVIDER`, `auto` resolved as the gateway does). */
  readonly provider: ProviderKind;
  /** The calendar in force, in full (its spec): part of the configuration hash. */
  readonly calendarSpec: unknown;
}

/**
 * Reads the deployment from the same configuration the services read (environment, `.env`,
 * the `AI_ONE_ENV_FILE` profile, the secrets file, `runtime_settings.json`) and loads its
 * calendar with the services' own loader (`FXCM_CALENDAR_FILE`, `FXCM_CALENDAR_SYMBOLS`), so
 * the gates judge minutes by the schedule the deployment runs on. A bad setting or calendar
 * file throws the services' `ConfigError`.
 */
export function loadDeployment(
  env: NodeJS.ProcessEnv,
  cwd: string,
  metricsUrls: readonly string[],
): LoadedDeployment {
  const { config } = loadServiceConfig('gates', configSpec, env, cwd);
  const calendar = loadServiceCalendar(config);
  return {
    deployment: {
      namespace: config.namespace,
      shards: config.shardCount,
      channels: channelNames(channelEnvOf(config)),
      targets: parseStreamTargets(config.streamTargets),
      ...(config.hmacSecret ? { hmacSecret: config.hmacSecret } : {}),
      metricsUrls,
      calendar: calendar.summary,
      calendarFor: (symbol: string) => calendar.book.calendarFor(symbol),
      engine: engineSettingsOf(config),
    },
    redisUrl: redisUrlOf(config),
    provider: resolveProvider(config),
    calendarSpec: calendar.book.spec(),
  };
}

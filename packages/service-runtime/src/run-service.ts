import { join } from 'node:path';
import {
  buildConfig,
  ConfigError,
  loadEnvFiles,
  loadRuntimeSettings,
  redactConfig,
  type ConfigSpec,
  type ConfigOf,
} from '@fxcm/config';
import { createLogger, createRateLimitedLog, type Logger } from '@fxcm/logging';
import { createMetrics, startHealthServer, type Metrics } from '@fxcm/metrics';
import { createRedis } from '@fxcm/redis-streams';
import type { Redis } from 'ioredis';
import { readBuildVersion } from './build-version';
import { redisClusterOf, redisUrlOf, type CommonConfig } from './common-config';
import { checkRedisSafety } from './redis-safety';
import { addStandingProblem } from './standing-problems';
import { trackConnections } from './redis-readiness';

/** Opens a named Redis connection of the service (`blocking` for readers and BullMQ). */
export type ConnectRedis = (name: string, options?: { blocking?: boolean }) => Redis;

/** What a service's `createApp` receives. */
export interface ServiceDeps<C> {
  config: C;
  logger: Logger;
  metrics: Metrics;
  /** The service's one way to open Redis connections: its URL, names, and loud connection errors. */
  connect: ConnectRedis;
  /** The suite's build version (root `VERSION` file), reported in the status snapshot. */
  buildVersion?: string;
}

/**
 * A {@link ConnectRedis} for `url` (a node of the cluster with `cluster`): every connection is
 * named `<service>:<name>`, and its
 * connection errors are counted (`fxcm_connector_errors_total{type="redis_connection"}`) and
 * logged at most once per 10 s per connection.
 */
export function redisConnector(
  service: string,
  url: string,
  logger: Logger,
  metrics: Metrics,
  cluster?: { seeds: readonly string[] },
): ConnectRedis {
  const log = createRateLimitedLog(logger, { intervalMs: 10_000 });
  return (name, options = {}) =>
    createRedis(url, {
      name: `${service}:${name}`,
      blocking: options.blocking,
      cluster,
      onError: (err) => {
        metrics.errors.inc({ type: 'redis_connection' });
        log(`redis:${name}`, 'warn', 'redis connection error; reconnecting', {
          connection: name,
          error: err.message,
        });
      },
    });
}

/** A service as its composition root returns it. */
export interface ServiceApp {
  start(): Promise<void>;
  /** Stops everything the app started; must be idempotent. */
  stop(): Promise<void>;
  /** Readiness for `/readyz` (default: ready once started). */
  readiness?(): { ready: boolean; reasons: string[] };
}

/** How to run one service. */
export interface ServiceDefinition<S extends ConfigSpec> {
  service: string;
  spec: S;
  createApp(deps: ServiceDeps<ConfigOf<S>>): ServiceApp;
  /** How long `stop()` may take after SIGTERM before the process exits anyway (default 10 s). */
  stopDeadlineMs?: number;
}

/** Exit code for a configuration the service refuses (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

/**
 * Loads the configuration the V1 way — environment, `.env` plus the `AI_ONE_ENV_FILE`
 * profile, `config/runtime_settings.json` (or `FXCM_RUNTIME_SETTINGS`) — and validates it
 * against the service's schema, exiting with a message naming every bad key.
 */
export function loadServiceConfig<S extends ConfigSpec>(
  service: string,
  spec: S,
  env: NodeJS.ProcessEnv,
  cwd: string,
): { config: ConfigOf<S>; warnings: string[] } {
  const merged = loadEnvFiles({ cwd, env });
  const settingsPath = merged.FXCM_RUNTIME_SETTINGS ?? join(cwd, 'config', 'runtime_settings.json');
  const settings = loadRuntimeSettings(settingsPath);
  const config = buildConfig(spec, { env: merged, settings }) as ConfigOf<S>;
  return { config, warnings: settings.warnings.map((w) => `${service}: ${w}`) };
}

/** Exits EX_CONFIG with every bad key of a configuration the service refuses. */
function refuseToStart(service: string, err: ConfigError): never {
  process.stderr.write(`${service}: refusing to start: ${err.message}\n`);
  process.exit(EXIT_CONFIG);
}

/**
 * The start-up Redis checks ({@link checkRedisSafety}). The probe connection waits for a Redis
 * that is down (a transport failure is not a verdict); an unsafe Redis is refused, or with
 * `FXCM_REDIS_SAFETY=warn` accepted loudly: an error line, `fxcm_connector_errors_total
 * {type="redis_unsafe"}` and the standing degradation `redis_unsafe` in every status record.
 */
export async function redisIsAcceptable(
  connect: ConnectRedis,
  mode: 'refuse' | 'warn',
  logger: Logger,
  metrics: Metrics,
): Promise<boolean> {
  const probe = connect('safety-check', { blocking: true });
  const problems = await checkRedisSafety(probe).finally(() => probe.disconnect());
  if (problems.length === 0) return true;
  for (const problem of problems) {
    if (mode === 'refuse') {
      logger.error('refusing to start: unsafe Redis (FXCM_REDIS_SAFETY=warn runs anyway)', {
        ...problem,
      });
    } else {
      logger.error('running on an unsafe Redis (FXCM_REDIS_SAFETY=warn)', { ...problem });
      metrics.errors.inc({ type: 'redis_unsafe' });
      addStandingProblem({ flag: 'redis_unsafe', ...problem });
    }
  }
  return mode === 'warn';
}

/**
 * The whole life of a service process: the only place that touches `process`. Builds the
 * config, logger and metrics, serves `/metrics` `/healthz` `/readyz`, starts the app, and wires
 * SIGTERM/SIGINT to an idempotent stop with a deadline. Uncaught errors are programmer errors:
 * logged, then the process exits non-zero for the orchestrator to restart it.
 */
export function runService<S extends ConfigSpec>(definition: ServiceDefinition<S>): void {
  const { service } = definition;
  let config: ConfigOf<S>;
  let warnings: string[];
  try {
    ({ config, warnings } = loadServiceConfig(
      service,
      definition.spec,
      process.env,
      process.cwd(),
    ));
  } catch (err) {
    if (err instanceof ConfigError) refuseToStart(service, err);
    throw err;
  }
  const common = config as unknown as CommonConfig;
  const secretValues = definition.spec.fields
    .filter((field) => field.secret)
    .map((field) => (config as Record<string, unknown>)[field.key])
    .filter((value): value is string => typeof value === 'string' && value.length > 0);
  const logger = createLogger({ service, level: common.logLevel, secrets: secretValues });
  for (const warning of warnings) logger.warn(warning);
  const metrics = createMetrics({ service });
  const buildVersion = readBuildVersion(process.env, process.cwd());
  const connections = trackConnections(
    redisConnector(service, redisUrlOf(common), logger, metrics, redisClusterOf(common)),
  );

  let app: ServiceApp | undefined;
  let started = false;
  let health: { close(): Promise<void> } | undefined;
  let stopping: Promise<void> | undefined;

  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info('stopping', { reason });
      const deadline = definition.stopDeadlineMs ?? 10_000;
      const timer = setTimeout(() => {
        logger.error('stop deadline passed; exiting', { deadlineMs: deadline });
        process.exit(1);
      }, deadline);
      timer.unref();
      try {
        await app?.stop();
        await health?.close();
        logger.info('stopped');
      } finally {
        clearTimeout(timer);
      }
    })();
    return stopping;
  };

  const crash = (kind: string) => (err: unknown) => {
    logger.error(kind, { err });
    process.exitCode = 1;
    void stop(kind).finally(() => process.exit(1));
  };
  process.on('uncaughtException', crash('uncaughtException'));
  process.on('unhandledRejection', crash('unhandledRejection'));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1); // a second signal: the operator means it
      void stop(signal).then(() => process.exit(0));
    });
  }

  void (async () => {
    if (common.metricsEnabled) {
      health = await startHealthServer({
        port: common.metricsPort,
        host: common.metricsHost,
        metrics,
        isLive: () => !stopping,
        isReady: () => {
          if (!started || stopping)
            return { ready: false, reasons: [started ? 'stopping' : 'starting'] };
          const own = app?.readiness?.() ?? { ready: true, reasons: [] };
          const redis = connections.notReady();
          return { ready: own.ready && redis.length === 0, reasons: [...redis, ...own.reasons] };
        },
      });
    }
    if (!(await redisIsAcceptable(connections.connect, common.redisSafety, logger, metrics))) {
      process.exit(EXIT_CONFIG);
    }
    try {
      app = definition.createApp({
        config,
        logger,
        metrics,
        connect: connections.connect,
        buildVersion,
      });
    } catch (err) {
      // A setting only the app can check (e.g. a calendar file) is still a configuration error.
      if (err instanceof ConfigError) refuseToStart(service, err);
      throw err;
    }
    await app.start();
    started = true;
    logger.info('started', {
      build_version: buildVersion,
      config: redactConfig(config, definition.spec),
    });
  })().catch(crash('startFailed'));
}

export {
  runService,
  loadServiceConfig,
  redisConnector,
  redisIsAcceptable,
  EXIT_CONFIG,
} from './run-service';
export type { ConnectRedis, ServiceApp, ServiceDefinition, ServiceDeps } from './run-service';
export {
  COMMON_FIELDS,
  CHANNEL_FIELDS,
  HMAC_FIELDS,
  TARGET_FIELDS,
  HISTORY_PRIORITY_FIELDS,
  CALENDAR_FIELDS,
  PROVIDER_FIELDS,
  PRICE_SNAP_FIELDS,
  resolveProvider,
  redisUrlOf,
  redisClusterOf,
  channelEnvOf,
} from './common-config';
export type {
  CommonConfig,
  ChannelConfig,
  CalendarConfig,
  ProviderConfig,
  ProviderKind,
} from './common-config';
export { loadServiceCalendar } from './service-calendar';
export { StatusReporter } from './status-reporter';
export type {
  ServiceState,
  ServiceStatusRecord,
  Severity,
  StatusError,
  StatusReporterOptions,
} from './status-reporter';
export { consumerReporting } from './consumer-reporting';
export { assessRedisInfo, checkRedisSafety, MIN_REDIS_VERSION } from './redis-safety';
export type { RedisSafetyProblem } from './redis-safety';
export { addStandingProblem, standingProblems } from './standing-problems';
export type { StandingProblem } from './standing-problems';
export { ControlReader, TargetSet, controlErrorReporter, universeOf } from './control-reader';
export type { ControlErrorSinks, ControlReaderOptions } from './control-reader';
export { trackConnections, type TrackedConnector } from './redis-readiness';
export { readBuildVersion, UNKNOWN_VERSION } from './build-version';
export { everyPeriod } from './periodic';
export type { PeriodicOptions, PeriodicTimer } from './periodic';

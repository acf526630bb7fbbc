export { runService, loadServiceConfig, redisConnector, EXIT_CONFIG } from './run-service';
export type { ConnectRedis, ServiceApp, ServiceDefinition, ServiceDeps } from './run-service';
export {
  COMMON_FIELDS,
  CHANNEL_FIELDS,
  HMAC_FIELDS,
  TARGET_FIELDS,
  PRICE_SNAP_FIELDS,
  redisUrlOf,
  channelEnvOf,
} from './common-config';
export type { CommonConfig, ChannelConfig } from './common-config';
export { StatusReporter } from './status-reporter';
export type {
  ServiceState,
  ServiceStatusRecord,
  Severity,
  StatusError,
  StatusReporterOptions,
} from './status-reporter';
export { trackConnections, type TrackedConnector } from './redis-readiness';
export { readBuildVersion, UNKNOWN_VERSION } from './build-version';

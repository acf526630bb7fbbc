export { runService, loadServiceConfig, redisConnector, EXIT_CONFIG } from './run-service';
export type { ConnectRedis, ServiceApp, ServiceDefinition, ServiceDeps } from './run-service';
export {
  COMMON_FIELDS,
  CHANNEL_FIELDS,
  HMAC_FIELDS,
  TARGET_FIELDS,
  CALENDAR_FIELDS,
  redisUrlOf,
  channelEnvOf,
} from './common-config';
export type { CommonConfig, ChannelConfig, CalendarConfig } from './common-config';
export { loadServiceCalendar } from './service-calendar';
export { StatusReporter } from './status-reporter';
export type {
  ServiceState,
  ServiceStatusRecord,
  Severity,
  StatusError,
  StatusReporterOptions,
} from './status-reporter';

/**
 * The bar builder as a library, for what must build bars exactly as the service does (the
 * replay-determinism gate): the engine, the settings it runs on, and the rails and mapping of
 * its input entries. The service itself starts from `main.ts`.
 */
export {
  createBarEngine,
  isBarEngineError,
  type Bar,
  type BarEngine,
  type BarEvent,
  type BarEngineOptions,
  type SessionCalendar,
} from './domain';
export {
  ENGINE_FIELDS,
  engineOptionsOf,
  engineSettingsOf,
  type EngineSettings,
} from './engine-settings';
export { admitEntry, type InputRole } from './input-admission';
export { applyInput } from './input-application';

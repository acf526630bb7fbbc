/**
 * `@fxcm/gates`: the exit gates an operator runs against a running deployment (`pnpm gates`),
 * each leaving its evidence in a proof pack under `audit/<timestamp>/`.
 *
 * @packageDocumentation
 */
export type { Deployment, Gate, GateContext, GateResult, Verdict } from './gate';
export { GATES } from './registry';
export { loadDeployment, type LoadedDeployment } from './deployment';
export {
  loadManifest,
  parseManifest,
  ManifestError,
  type Manifest,
  type ManifestEntry,
} from './manifest';
export { ProofPack, packStamp } from './proof-pack';
export { notApplicable, runGates, type GateOutcome, type RunOptions } from './runner';
export { FinalInvariants } from './gates/final-invariants-gate';
export { calendarMismatches, intervalFaults, type ReportedCalendar } from './gates/calendar-gate';
export { nonZeroMetrics } from './gates/slo-minimum-gate';
export { contractRejects, historyVerdict, warmupBars } from './gates/history-smoke-gate';
export { duplicateTicks, lostFinals } from './gates/restart-safe-gate';
export { finalsDiff, type StoredSeries } from './gates/replay-determinism-gate';
export { loadSample, loadVerdict, type LoadLimits, type LoadSample } from './gates/load-smoke-gate';
export { canaryVerdict, type CanaryOutcome } from './gates/canary-profile-gate';
export { parseMetricsPage, type MetricSample } from './metrics-page';

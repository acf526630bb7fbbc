/**
 * `@fxcm/gates`: the exit gates an operator runs against a running deployment (`pnpm gates`),
 * each leaving its evidence in a proof pack under `audit/<timestamp>/`.
 *
 * @packageDocumentation
 */
export type { Deployment, Gate, GateContext, GateResult, Verdict } from './gate';
export { GATES } from './registry';
export {
  loadManifest,
  parseManifest,
  ManifestError,
  type Manifest,
  type ManifestEntry,
} from './manifest';
export { ProofPack, packStamp } from './proof-pack';
export { runGates, type GateOutcome, type RunOptions } from './runner';
export { FinalInvariants } from './gates/final-invariants-gate';
export { intervalFaults } from './gates/calendar-gate';
export { nonZeroMetrics } from './gates/slo-minimum-gate';

import type { Gate } from './gate';
import { calendarGapsGate } from './gates/calendar-gaps-gate';
import { canaryProfileGate } from './gates/canary-profile-gate';
import { historySmokeGate } from './gates/history-smoke-gate';
import { loadSmokeGate } from './gates/load-smoke-gate';
import { replayDeterminismGate } from './gates/replay-determinism-gate';
import { restartSafeGate } from './gates/restart-safe-gate';
import { calendarGate } from './gates/calendar-gate';
import { finalInvariantsGate } from './gates/final-invariants-gate';
import { sloMinimumGate } from './gates/slo-minimum-gate';
import { tickLivenessGate } from './gates/tick-liveness-gate';

/** Every gate the runner knows, by name. */
export const GATES: ReadonlyMap<string, Gate> = new Map(
  [
    calendarGate,
    tickLivenessGate,
    finalInvariantsGate,
    calendarGapsGate,
    sloMinimumGate,
    historySmokeGate,
    restartSafeGate,
    replayDeterminismGate,
    loadSmokeGate,
    canaryProfileGate,
  ].map((gate) => [gate.name, gate]),
);

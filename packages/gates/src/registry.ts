import type { Gate } from './gate';
import { calendarGapsGate } from './gates/calendar-gaps-gate';
import { calendarGate } from './gates/calendar-gate';
import { finalInvariantsGate } from './gates/final-invariants-gate';
import { sloMinimumGate } from './gates/slo-minimum-gate';
import { tickLivenessGate } from './gates/tick-liveness-gate';

/** Every gate the runner knows, by name. */
export const GATES: ReadonlyMap<string, Gate> = new Map(
  [calendarGate, tickLivenessGate, finalInvariantsGate, calendarGapsGate, sloMinimumGate].map(
    (gate) => [gate.name, gate],
  ),
);

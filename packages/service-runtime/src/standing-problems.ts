import type { ErrorCode } from '@fxcm/contracts';

/** A problem of the whole process, known before the app started (e.g. an unsafe Redis). */
export interface StandingProblem {
  /** Degradation flag every status record of the process carries. */
  flag: string;
  code: ErrorCode;
  message: string;
}

const standing: StandingProblem[] = [];

/**
 * Records a process-wide problem: every {@link StatusReporter} of the process reports it from
 * its start on (`degraded[]` and `errors[]`), so an accepted risk stays visible in the status.
 */
export function addStandingProblem(problem: StandingProblem): void {
  standing.push(problem);
}

/** The process-wide problems recorded so far. */
export function standingProblems(): readonly StandingProblem[] {
  return standing;
}

/**
 * What happened to the inputs of one symbol. Every tick lands in exactly one of `applied`,
 * `late`, `duplicate`, `future`, `outside_session`, `already_final` (their sum is `ticks`), or in
 * `invalid`; every history bar in exactly one of the `history_*` counters or `invalid`.
 */
export interface SymbolCounters {
  /** Well-formed ticks received. */
  ticks: number;
  /** Ticks aggregated into a bar. */
  applied: number;
  /** Ticks for a minute already final while the watermark was past them (dropped). */
  late: number;
  /** Ticks equal (ts, bid, ask) to one already applied to the open bar (dropped). */
  duplicate: number;
  /** Ticks more than `futureToleranceMs` ahead of the watermark (rejected). */
  future: number;
  /** Ticks in a minute the calendar says is closed (dropped, no bar). */
  outside_session: number;
  /** Ticks re-delivered for a minute that was final before a restart (dropped). */
  already_final: number;
  /** Malformed ticks and history bars (rejected with an error). */
  invalid: number;
  /** Synthetic 1m bars made. */
  synthetic: number;
  /** 1m finals made from history bars (a hole filled, or a minute without ticks). */
  history_filled: number;
  /** History bars for a minute whose final came from ticks (or is synthetic): dropped. */
  history_conflicts: number;
  /** History bars for a minute already filled from history: dropped (first wins). */
  history_duplicate: number;
  /** History bars older than what the engine remembers of the symbol: dropped. */
  history_stale: number;
  /** History bars for a closed minute: dropped. */
  history_outside_session: number;
  /** History bars more than `futureToleranceMs` ahead of the watermark: dropped. */
  history_future: number;
  /** Watermark steps that failed on the symbol's calendar (its minutes wait for a retry). */
  calendar_errors: number;
  /** Minutes the feed saw only in part that got ticks: each waited for its history bar. */
  partial_waiting: number;
  /** Of those, minutes whose history bar came in time and became the final. */
  partial_repaired: number;
  /** Of those, minutes published from their ticks after `partialWaitMs` (loud fallback). */
  partial_unrepaired: number;
  /** Tick-built partial minutes revised once by a later history bar. */
  partial_revised: number;
}

/** A zeroed counter set. */
export function emptyCounters(): SymbolCounters {
  return {
    ticks: 0,
    applied: 0,
    late: 0,
    duplicate: 0,
    future: 0,
    outside_session: 0,
    already_final: 0,
    invalid: 0,
    synthetic: 0,
    history_filled: 0,
    history_conflicts: 0,
    history_duplicate: 0,
    history_stale: 0,
    history_outside_session: 0,
    history_future: 0,
    calendar_errors: 0,
    partial_waiting: 0,
    partial_repaired: 0,
    partial_unrepaired: 0,
    partial_revised: 0,
  };
}

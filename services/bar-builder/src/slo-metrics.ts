import type { Metrics } from '@fxcm/metrics';

/** The per-symbol engine counters the SLO metrics are read from. */
type EngineCounters = Record<string, { history_filled?: number; history_conflicts?: number }>;

/**
 * SLO counters of the bar builder, fed from the engine's own per-symbol counters:
 * `fxcm_gaps_repaired_total` (1m finals filled from FXCM history) and
 * `fxcm_nomix_conflicts_total` (history bars refused for a minute whose final came from ticks).
 * Unlabelled: the engine's symbols come from input.
 */
export function createSloMetrics(metrics: Metrics) {
  const repaired = metrics.counter(
    'fxcm_gaps_repaired_total',
    '1m final bars filled from FXCM history (gap repair)',
  );
  const conflicts = metrics.counter(
    'fxcm_nomix_conflicts_total',
    'History bars refused because the final of that minute has another source (NoMix)',
  );
  let seen = { filled: 0, conflicts: 0 };
  return {
    /** Adds what the engine counted since the previous call. */
    observe(perSymbol: EngineCounters): void {
      let filled = 0;
      let conflict = 0;
      for (const c of Object.values(perSymbol)) {
        filled += c.history_filled ?? 0;
        conflict += c.history_conflicts ?? 0;
      }
      if (filled > seen.filled) repaired.inc(filled - seen.filled);
      if (conflict > seen.conflicts) conflicts.inc(conflict - seen.conflicts);
      seen = {
        filled: Math.max(filled, seen.filled),
        conflicts: Math.max(conflict, seen.conflicts),
      };
    },
  };
}

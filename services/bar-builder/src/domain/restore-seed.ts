import { MINUTE_MS, minuteOf } from './bar';
import { MinuteFate } from './final-minute-memory';
import type { HigherTimeframes } from './htf-windows';
import type { RestoredBar } from './inputs';
import { followFinal, type SymbolState } from './symbol-state';

/**
 * Seeds a fresh symbol from its recent final 1m bars (oldest first) and the watermark they were
 * stored at: frontier, previous close, synthetic run, the minutes already final (within
 * `memoryMs` of the frontier) and the higher-timeframe windows in progress. Windows that ended
 * by the frontier count as emitted before the restart.
 */
export function seedSymbol(
  s: SymbolState,
  finals1m: readonly RestoredBar[],
  resume: number | undefined,
  memoryMs: number,
  windows: HigherTimeframes,
): void {
  const last = finals1m[finals1m.length - 1];
  let frontier = s.frontier;
  if (last !== undefined) frontier = Math.max(frontier, last.open_time + MINUTE_MS);
  if (resume !== undefined) frontier = Math.max(frontier, minuteOf(resume));
  s.frontier = frontier;
  const first = finals1m[0];
  if (first === undefined) return;
  s.knownFrom = first.open_time;
  s.coveredFrom = first.open_time;
  const horizon = frontier - memoryMs;
  for (const b of finals1m) {
    const fate =
      b.source === 'history'
        ? MinuteFate.History
        : b.synthetic
          ? MinuteFate.Synthetic
          : MinuteFate.Tick;
    if (b.open_time >= horizon) s.memory.set(b.open_time, fate);
    followFinal(s, b.open_time, b.close, fate === MinuteFate.Synthetic);
    if (fate !== MinuteFate.History) s.hasTickBar = true;
    windows.restore(s, b);
  }
  windows.retireEnded(s, frontier);
}

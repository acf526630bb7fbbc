import { MINUTE_MS } from './bar';
import type { SymbolState } from './symbol-state';

/**
 * Cold-start coverage: from which minute every minute of a symbol is known (ticks, history or
 * the store), so a higher-timeframe window that began before it is held, not final, until
 * warm-up history covers it (`holdUncoveredWindows`; docs/bars.md §5).
 */
export class ColdStartCoverage {
  /** Minute of the engine's first tick or watermark: what a fresh symbol is covered from. */
  private origin = Infinity;

  constructor(
    readonly holds: boolean,
    private readonly memoryMs: number,
  ) {}

  /** The engine saw its first input at minute `minute` (later calls change nothing). */
  start(minute: number): void {
    if (this.origin === Infinity) this.origin = minute;
  }

  /** The minute from which every minute of `s` is covered (ticks, history or the store). */
  of(s: SymbolState): number {
    return s.coveredFrom ?? this.origin;
  }

  /** True when a window starting at `start` has minutes before the coverage of `s` (held). */
  uncovered(s: SymbolState, start: number): boolean {
    return this.holds && start < this.of(s);
  }

  /** The earliest start of a held or in-progress window of `s` not yet covered, or Infinity. */
  warmFloor(s: SymbolState): number {
    const cov = this.of(s);
    let floor = Infinity;
    for (const series of s.htf) {
      const first = series.held[0];
      if (first !== undefined && first.start < floor) floor = first.start;
      const cur = series.current;
      if (cur !== undefined && cur.start < cov && cur.start < floor) floor = cur.start;
    }
    return floor < cov ? floor : Infinity;
  }

  /** True when a history bar of minute `m` warms a window the engine holds for coverage. */
  warms(s: SymbolState, m: number): boolean {
    return (
      this.holds && m >= this.warmFloor(s) && m < this.of(s) && m >= s.frontier - this.memoryMs
    );
  }

  /**
   * History delivered every bar of `[from, to)` for `s`: when that reaches its coverage, the
   * coverage moves back to `from`. True when it moved.
   */
  extend(s: SymbolState, from: number, to: number): boolean {
    if (!this.holds) return false;
    // Its bars older than the engine's memory were dropped as history_stale: they cover nothing
    // (a window begun before then stays held; made final, it would lack those minutes).
    const start = Math.max(from, this.memoryFloor(s));
    const cov = this.of(s);
    if (!(start < cov && to >= cov)) return false;
    s.coveredFrom = start;
    if (s.knownFrom === -Infinity || start < s.knownFrom) s.knownFrom = start;
    return true;
  }

  /**
   * What `s` still needs from history (`[from, to)`, `to` = its coverage), if anything: nothing
   * once the whole span is older than the engine's memory (no bar of it could be taken).
   */
  need(s: SymbolState): { symbol: string; from: number; to: number } | undefined {
    if (!this.holds) return undefined;
    const floor = this.warmFloor(s);
    const to = this.of(s);
    if (floor === Infinity || to <= this.memoryFloor(s)) return undefined;
    return { symbol: s.symbol, from: floor, to };
  }

  /** The first minute of `s` the engine still takes a history bar for. */
  private memoryFloor(s: SymbolState): number {
    return Math.ceil((s.frontier - this.memoryMs) / MINUTE_MS) * MINUTE_MS;
  }
}

import { MINUTE_MS } from './bar';

/** What the engine decided for a past minute. */
export const MinuteFate = {
  /** No final bar (closed, dead feed, gap beyond the synthetic bound) or not known. */
  None: 0,
  Tick: 1,
  Synthetic: 2,
  History: 3,
  /** From ticks of a minute the feed saw only in part: its history bar may revise it once. */
  TickPartial: 4,
} as const;
export type MinuteFate = (typeof MinuteFate)[keyof typeof MinuteFate];

/**
 * What became of each of the last `size` minutes of one symbol, in a fixed ring of one byte per
 * minute: enough to tell a history bar whether its minute already has a final, with memory that
 * does not grow with time. The caller writes every minute it decides, holes included.
 */
export class FinalMinuteMemory {
  private readonly fates: Uint8Array;
  readonly size: number;

  constructor(minutes: number) {
    this.size = minutes;
    this.fates = new Uint8Array(minutes);
  }

  private slot(minute: number): number {
    return Math.floor(minute / MINUTE_MS) % this.size;
  }

  get(minute: number): MinuteFate {
    return this.fates[this.slot(minute)] as MinuteFate;
  }

  set(minute: number, fate: MinuteFate): void {
    this.fates[this.slot(minute)] = fate;
  }

  /** Marks `[from, to)` (minute starts) as having no final. */
  clear(from: number, to: number): void {
    if (to <= from) return;
    const minutes = (to - from) / MINUTE_MS;
    if (minutes >= this.size) {
      this.fates.fill(0);
      return;
    }
    const a = this.slot(from);
    const b = a + minutes;
    if (b <= this.size) this.fates.fill(0, a, b);
    else {
      this.fates.fill(0, a, this.size);
      this.fates.fill(0, 0, b - this.size);
    }
  }

  /** Synthetic minutes in `[from, to)`. */
  countSynthetic(from: number, to: number): number {
    let n = 0;
    for (let m = from; m < to; m += MINUTE_MS) if (this.get(m) === MinuteFate.Synthetic) n++;
    return n;
  }
}

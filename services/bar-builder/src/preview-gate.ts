/** Why previews were dropped: the label of `fxcm_bar_builder_previews_dropped_total`. */
export type PreviewDropReason = 'backlog' | 'queue_full';

/**
 * Load shedding of previews. Finals are never dropped; previews are, when
 * - `backlog`: the last read of the input came back full (`fullBatch` entries), so more ticks
 *   wait in the stream than the builder has taken: previews of minutes it is still catching up
 *   on would be stale before they are published, and writing them slows the catching up;
 * - `queue_full`: the bars producer's queue is over its bound (Redis writes stall).
 * Counts every dropped preview by reason. Pure: the caller reports batch sizes and drops.
 */
export class PreviewGate {
  private behind = false;
  private readonly dropped: Record<PreviewDropReason, number> = { backlog: 0, queue_full: 0 };

  constructor(
    private readonly fullBatch: number,
    private readonly onDropped: (reason: PreviewDropReason, count: number) => void = () =>
      undefined,
  ) {}

  /** Records the size of the batch just read from the input. */
  observeBatch(size: number): void {
    this.behind = size >= this.fullBatch;
  }

  /** True while the builder is behind its input: previews are dropped. */
  get backlogged(): boolean {
    return this.behind;
  }

  /** Counts `count` previews dropped for `reason`. */
  drop(reason: PreviewDropReason, count = 1): void {
    if (count <= 0) return;
    this.dropped[reason] += count;
    this.onDropped(reason, count);
  }

  /** Dropped previews so far, by reason (for the status record). */
  totals(): Readonly<Record<PreviewDropReason, number>> {
    return { ...this.dropped };
  }
}

/**
 * Tick entries applied to minutes that are still open, grouped by minute and stream: each is
 * acknowledged only once its minute is final and durable. A minute's end releases its group
 * whole, so the cost of a release is the ticks released, not the ticks still held (at 5,000
 * ticks/s a shard holds 300,000 of them at every minute's end).
 */
export class HeldTicks {
  /** minute → stream → ids, in arrival order. */
  private readonly byMinute = new Map<number, Map<string, Set<string>>>();
  private count = 0;

  /** Ticks held. */
  get size(): number {
    return this.count;
  }

  /** The earliest minute with a held tick (Infinity when none). */
  oldestMinute(): number {
    let oldest = Infinity;
    for (const minute of this.byMinute.keys()) oldest = Math.min(oldest, minute);
    return oldest;
  }

  /**
   * True when this entry is held (a batch redelivered while this process still holds it). Ids
   * are unique per stream only, so the stream is part of the identity.
   */
  has(stream: string, id: string): boolean {
    for (const streams of this.byMinute.values()) {
      if (streams.get(stream)?.has(id)) return true;
    }
    return false;
  }

  /** Holds an entry until `minute` is final. */
  add(stream: string, id: string, minute: number): void {
    let streams = this.byMinute.get(minute);
    if (!streams) {
      streams = new Map();
      this.byMinute.set(minute, streams);
    }
    let ids = streams.get(stream);
    if (!ids) {
      ids = new Set();
      streams.set(stream, ids);
    }
    if (ids.has(id)) return;
    ids.add(id);
    this.count += 1;
  }

  /** Removes and returns, by stream, every tick of the minutes before `frontier`. */
  releaseBefore(frontier: number): Map<string, string[]> {
    const released = new Map<string, string[]>();
    for (const [minute, streams] of this.byMinute) {
      if (minute >= frontier) continue;
      this.byMinute.delete(minute);
      for (const [stream, ids] of streams) {
        const out = released.get(stream);
        if (out) for (const id of ids) out.push(id);
        else released.set(stream, [...ids]);
        this.count -= ids.size;
      }
    }
    return released;
  }
}

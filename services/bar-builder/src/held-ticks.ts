import { parseStreamId, streamIdAfter, type StreamIdParts } from '@fxcm/redis-streams';

/**
 * Tick entries applied to minutes that are still open, grouped by minute and stream: each is
 * acknowledged only once its minute is final and durable. A minute's end releases its group
 * whole, so the cost of a release is the ticks released, not the ticks still held (at 5,000
 * ticks/s a shard holds 300,000 of them at every minute's end).
 *
 * A stream's entries arrive in id order, so each group is a sorted array (no hashing per tick)
 * and an entry newer than every one held of its stream cannot be held; only a redelivered one
 * (older) is looked up, by binary search.
 */
export class HeldTicks {
  /** minute → stream → ids, in stream (= arrival) order. */
  private readonly byMinute = new Map<number, Map<string, string[]>>();
  /** stream → the newest id ever held. */
  private readonly newest = new Map<string, StreamIdParts>();
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
    const newest = this.newest.get(stream);
    if (newest === undefined) return false;
    const key = parseStreamId(id);
    if (streamIdAfter(key, newest)) return false;
    for (const streams of this.byMinute.values()) {
      const ids = streams.get(stream);
      if (ids && ids[insertionPoint(ids, key)] === id) return true;
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
      ids = [];
      streams.set(stream, ids);
    }
    const key = parseStreamId(id);
    const newest = this.newest.get(stream);
    if (newest === undefined || streamIdAfter(key, newest)) {
      this.newest.set(stream, key);
      ids.push(id);
    } else {
      // Out of order (a redelivered entry that was not held): keep the group sorted, once.
      const at = insertionPoint(ids, key);
      if (ids[at] === id) return;
      ids.splice(at, 0, id);
    }
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
        else released.set(stream, ids);
        this.count -= ids.length;
      }
    }
    return released;
  }
}

/** The index of the first id in sorted `ids` not before `key`. */
function insertionPoint(ids: readonly string[], key: StreamIdParts): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (streamIdAfter(key, parseStreamId(ids[mid]!))) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Ids of one stream to acknowledge together. */
export interface AckChunk {
  stream: string;
  ids: string[];
}

interface Released extends AckChunk {
  /** When the ids may be acknowledged, epoch ms. */
  dueAt: number;
}

/**
 * Acknowledgements of released ticks, paced. A minute's end releases all its ticks at once
 * (300,000 a shard at 5,000 ticks/s); acknowledging them in one burst keeps Redis busy for
 * ~80 ms exactly when the minute's finals are being published. Here they wait `delayMs`, then
 * go out a bounded chunk at a time. Waiting is safe: an unacknowledged tick of a final
 * minute is only read again after a restart, and then refused as late and acknowledged.
 */
export class ReleasedAcks {
  private readonly queue: Released[] = [];
  private count = 0;

  constructor(private readonly delayMs: number) {}

  /** Ids waiting to be acknowledged. */
  get size(): number {
    return this.count;
  }

  /** Queues released ids; they are due `delayMs` after `now`. */
  add(released: ReadonlyMap<string, string[]>, now: number): void {
    for (const [stream, ids] of released) {
      if (ids.length === 0) continue;
      this.queue.push({ stream, ids, dueAt: now + this.delayMs });
      this.count += ids.length;
    }
  }

  /** Takes up to `max` due ids of one stream, oldest first; undefined when none is due. */
  take(now: number, max: number): AckChunk | undefined {
    const head = this.queue[0];
    if (!head || head.dueAt > now) return undefined;
    const ids = head.ids.length <= max ? head.ids : head.ids.splice(0, max);
    if (ids === head.ids) this.queue.shift();
    this.count -= ids.length;
    return { stream: head.stream, ids };
  }

  /** Puts back a chunk whose acknowledgement failed: it is the next one taken. */
  putBack(chunk: AckChunk): void {
    this.queue.unshift({ ...chunk, dueAt: -Infinity });
    this.count += chunk.ids.length;
  }
}

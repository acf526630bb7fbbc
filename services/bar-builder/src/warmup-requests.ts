/** A span of 1m history a symbol needs before its held windows can be final. */
export interface WarmupNeed {
  symbol: string;
  /** First minute, epoch ms (inclusive). */
  from: number;
  /** End, epoch ms (exclusive): the symbol's coverage, where its own minutes begin. */
  to: number;
}

/**
 * Asks history once for each warm-up span the engine reports (cold start: the minutes of the
 * windows in progress that lie before what the builder saw), through the history job path every
 * other history request takes. Remembers only the spans still needed, so memory stays bounded by
 * the symbols.
 */
export class WarmupRequests {
  private asked = new Map<string, WarmupNeed>();

  constructor(private readonly enqueue: (need: WarmupNeed) => void) {}

  /** Requests the spans of `needs` not requested before; returns how many were requested. */
  request(needs: readonly WarmupNeed[]): number {
    const next = new Map<string, WarmupNeed>();
    let added = 0;
    for (const need of needs) {
      const key = `${need.symbol}-${need.from}-${need.to}`;
      next.set(key, need);
      if (this.asked.has(key)) continue;
      this.enqueue(need);
      added++;
    }
    this.asked = next;
    return added;
  }

  /** The spans asked for and not yet delivered (for the status record). */
  pending(): WarmupNeed[] {
    return [...this.asked.values()];
  }
}

/** The BullMQ job id of a warm-up span: the same span is one job, however often it is asked. */
export function warmupJobId(need: WarmupNeed): string {
  return `warmup-${need.symbol}-${need.from}-${need.to}`;
}

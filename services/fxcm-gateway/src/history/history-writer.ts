import {
  encodeStreamEntry,
  shardOf,
  streamNames,
  type StreamHistoryBar,
  type StreamHistoryRange,
} from '@fxcm/contracts';
import type { StreamProducer } from '@fxcm/redis-streams';

/** Writes history bars to `{ns}:x:history:{shard}` of their symbol's shard. */
export class HistoryWriter {
  private readonly names: ReturnType<typeof streamNames>;

  constructor(
    private readonly producer: StreamProducer,
    namespace: string,
    private readonly shardCount: number,
  ) {
    this.names = streamNames(namespace);
  }

  /**
   * Says that every bar of `symbol` for `[from, to)` has been written (after them, on the same
   * stream): the bar builder may treat the range as covered. Resolves once written.
   */
  async range(r: Omit<StreamHistoryRange, 'tf' | 'source'>): Promise<void> {
    this.producer.add(
      this.names.history(shardOf(r.symbol, this.shardCount)),
      encodeStreamEntry('history_range', { ...r, tf: '1m', source: 'history' }),
    );
    await this.producer.flush();
  }

  /** Queues the bars and resolves once they are written. */
  async write(bars: readonly StreamHistoryBar[]): Promise<void> {
    for (const bar of bars) {
      this.producer.add(
        this.names.history(shardOf(bar.symbol, this.shardCount)),
        encodeStreamEntry('history_bar', bar),
      );
    }
    await this.producer.flush();
  }
}

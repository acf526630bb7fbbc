import { encodeStreamEntry, shardOf, streamNames, type StreamHistoryBar } from '@fxcm/contracts';
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

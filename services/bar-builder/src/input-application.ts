import type { StreamEntry as DecodedEntry } from '@fxcm/contracts';
import type { BarEngine, BarEvent, TickDisposition } from './domain';
import { minuteOf } from './domain/bar';

/** What one admitted input entry did to the engine: the caller holds or acknowledges it. */
export type AppliedInput =
  /** A tick: held until `minute` is final when `applied`, else done at once. */
  | { kind: 'tick'; symbol: string; disposition: TickDisposition; minute: number }
  /** A feed gap: held until `minute` (its last) is final, so a restart reads it again. */
  | { kind: 'partial'; minute: number }
  /** A watermark, history bar or history range: done once its `events` are durable. */
  | { kind: 'events'; events: readonly BarEvent[] };

/**
 * Applies one entry that passed {@link admitEntry} to the engine: the one place that maps input
 * kinds to engine calls, for the shard pipeline and for a replay of its inputs alike. Throws the
 * engine's `BarEngineError` on poison input (the engine state is then unchanged).
 */
export function applyInput(engine: BarEngine, entry: DecodedEntry): AppliedInput {
  switch (entry.type) {
    case 'tick': {
      const { symbol, ts, bid, ask } = entry.data;
      const disposition = engine.onTick({ symbol, ts, bid, ask });
      return { kind: 'tick', symbol, disposition, minute: minuteOf(ts) };
    }
    case 'watermark':
      return {
        kind: 'events',
        events: engine.onWatermark({ ts: entry.data.ts, feed: entry.data.feed }),
      };
    case 'history_bar':
      return { kind: 'events', events: engine.onHistoryBar({ ...entry.data }) };
    case 'feed_gap':
      engine.onPartialMinutes({ from: entry.data.from, to: entry.data.to });
      return { kind: 'partial', minute: minuteOf(entry.data.to) };
    case 'history_range': {
      const { symbol, from, to } = entry.data;
      return { kind: 'events', events: engine.onHistoryRange({ symbol, from, to }) };
    }
    default:
      // admitEntry lets only the kinds handled above through.
      throw new Error(`no handler for admitted entry type ${entry.type}`);
  }
}

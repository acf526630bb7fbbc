import type { CandleSource } from '../../history/candle-source';
import type { FxcmCandle } from '../fxcm-rest/candles';
import type { ArchiveLineError } from './tick-archive';
import { replayFilesBySymbol, replayTicks } from './replay-provider';

const MINUTE = 60_000;

/**
 * History from the recording being replayed: the m1 candles of the same ticks (bid and ask
 * OHLC, tick count), moved by the replay's time shift, finished minutes only. A replayed day
 * can then be repaired from history as the live suite repairs from FXCM's `/candles`. Each
 * symbol's files are read once, on its first request.
 */
export class ReplayCandleSource implements CandleSource {
  readonly maxCandlesPerRequest = 10_000;
  private readonly bySymbol: Map<string, string[]>;
  private readonly loaded = new Map<string, Promise<FxcmCandle[]>>();

  constructor(
    files: readonly string[],
    private readonly shiftMs: () => number,
    private readonly onBadLine: (err: ArchiveLineError) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.bySymbol = replayFilesBySymbol(files);
  }

  async fetchM1(symbol: string, fromMs: number, toMs: number): Promise<FxcmCandle[]> {
    const key = symbol.replace(/[/-]/g, '').toUpperCase();
    const files = this.bySymbol.get(key);
    if (!files) return [];
    let candles = this.loaded.get(key);
    if (!candles) {
      candles = candlesOf(replayTicks(files, this.onBadLine));
      this.loaded.set(key, candles);
    }
    const shift = this.shiftMs();
    const finished = Math.floor(this.now() / MINUTE) * MINUTE;
    const end = Math.min(toMs, finished);
    return (await candles)
      .map((c) => ({ ...c, ts: c.ts + shift }))
      .filter((c) => c.ts >= fromMs && c.ts < end);
  }
}

/** m1 candles of a tick sequence in time order (in chunks): bid and ask OHLC and the tick count. */
export async function candlesOf(
  chunks: AsyncIterable<readonly { ts: number; bid: number; ask: number }[]>,
): Promise<FxcmCandle[]> {
  const out: FxcmCandle[] = [];
  let c: FxcmCandle | undefined;
  for await (const chunk of chunks) {
    for (const { ts, bid, ask } of chunk) {
      const m = Math.floor(ts / MINUTE) * MINUTE;
      if (c && m < c.ts) continue; // out of order across minutes: the live rails drop it too
      if (!c || m > c.ts) {
        c = {
          ts: m,
          bidOpen: bid,
          bidHigh: bid,
          bidLow: bid,
          bidClose: bid,
          askOpen: ask,
          askHigh: ask,
          askLow: ask,
          askClose: ask,
          tickQty: 0,
        };
        out.push(c);
      }
      c.bidHigh = Math.max(c.bidHigh, bid);
      c.bidLow = Math.min(c.bidLow, bid);
      c.bidClose = bid;
      c.askHigh = Math.max(c.askHigh, ask);
      c.askLow = Math.min(c.askLow, ask);
      c.askClose = ask;
      c.tickQty++;
    }
  }
  return out;
}

import type { FxcmCandle } from '../fxcm-rest/candles';
import type { CandleSource } from '../../history/candle-source';
import type { SimMarket } from './sim-market';

/** History from the simulator: the candles of the same quotes it streams, finished minutes only. */
export class SimCandleSource implements CandleSource {
  readonly maxCandlesPerRequest = 10_000;

  constructor(
    private readonly market: SimMarket,
    private readonly now: () => number,
  ) {}

  async fetchM1(symbol: string, fromMs: number, toMs: number): Promise<FxcmCandle[]> {
    const finished = Math.floor(this.now() / 60_000) * 60_000;
    return this.market.candles(symbol, fromMs, Math.min(toMs, finished));
  }
}

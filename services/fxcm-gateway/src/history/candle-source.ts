import type { FxcmCandle } from '../providers/fxcm-rest/candles';

/** Where history comes from: FXCM's `/candles`, the simulator, or a bridge. */
export interface CandleSource {
  /** Most m1 candles one request may return (FXCM: 10 000). */
  readonly maxCandlesPerRequest: number;
  /**
   * One request: the finished m1 candles with open time in `[fromMs, toMs)`, in time order.
   * Rejects with a coded error whose `transient` flag says whether a retry can help.
   */
  fetchM1(symbol: string, fromMs: number, toMs: number): Promise<FxcmCandle[]>;
}

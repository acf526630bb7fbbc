import { decodeStreamEntry, encodeOhlcvMessage, encodeStreamEntry } from '@fxcm/contracts';
import type { Bar } from '@fxcm/bar-builder';
import { checkOhlcvPayload, type IngestedBar } from '@fxcm/ingestor';

/**
 * Final bars of one `(symbol, tf)` as the ingestor stores them, taking the path the live bars
 * take: the bars-stream entry the bar builder writes, the `fxcm:ohlcv` message the publisher
 * renders from it (one bar a message, its `source`), and the bars the ingestor's rails accept
 * from that text. The ingestor's `BarStore` then writes them as it writes every bar. Bars the
 * rails refuse are returned apart with the reason. Pure but for `now` (the rails' clock).
 */
export function storedForm(
  symbol: string,
  tf: string,
  bars: readonly Bar[],
  now: number,
): { stored: IngestedBar[]; refused: string[] } {
  const stored: IngestedBar[] = [];
  const refused: string[] = [];
  for (const bar of bars) {
    const entry = decodeStreamEntry(encodeStreamEntry('bar', { symbol, tf: bar.tf, bar }));
    if (entry.type !== 'bar') throw new Error(`a bar entry decoded as ${entry.type}`);
    const wire = entry.data.bar;
    const text = encodeOhlcvMessage({
      symbol,
      tf: entry.data.tf,
      bars: [wire],
      source: wire.source,
    });
    const check = checkOhlcvPayload(JSON.parse(text), {
      allowedSymbols: new Set([symbol]),
      allowedTimeframes: new Set([tf]),
      maxBars: 1,
      now,
    });
    if (check.ok) stored.push(...check.bars);
    else refused.push(`${symbol} ${tf} ${new Date(bar.open_time).toISOString()}: ${check.reason}`);
  }
  return { stored, refused };
}

import type { StoredBar } from './stored-bar';

/** Header of the CSV export: the V1 cache columns. */
export const CSV_HEADER = 'symbol,tf,open_time,close_time,open,high,low,close,volume';

/**
 * Formats bars as CSV with the V1 cache columns, `\n` line ends, times as int ms and numbers in
 * their shortest exact decimal form (so parsing the text gives back the stored float64).
 */
export function formatCsv(symbol: string, tf: string, bars: readonly StoredBar[]): string {
  const lines = [CSV_HEADER];
  for (const b of bars) {
    lines.push(
      `${symbol},${tf},${b.open_time},${b.close_time},${b.open},${b.high},${b.low},${b.close},${b.volume}`,
    );
  }
  return lines.join('\n') + '\n';
}

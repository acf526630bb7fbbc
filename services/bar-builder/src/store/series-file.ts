import { join } from 'node:path';

/*
 * Naming of series files in the store directory: `{SYMBOL}_{tf}.bars` as the V1 cache named its
 * CSV files, with every symbol character outside [A-Za-z0-9-] escaped as %XX so that any symbol
 * (`XAU/USD`, `US_30`) gives one safe, reversible file name.
 */

/** Extension of a series file. */
export const SERIES_EXT = '.bars';
/** Extension of the temporary file a rewrite goes through before its rename. */
export const TEMP_EXT = '.bars.tmp';

/** The file name (no directory) of the series `(symbol, tf)`. */
export function seriesFileName(symbol: string, tf: string): string {
  const escaped = symbol.replace(
    /[^A-Za-z0-9-]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return `${escaped}_${tf}${SERIES_EXT}`;
}

/** The path of the series `(symbol, tf)` under `dir`. */
export function seriesPath(dir: string, symbol: string, tf: string): string {
  return join(dir, seriesFileName(symbol, tf));
}

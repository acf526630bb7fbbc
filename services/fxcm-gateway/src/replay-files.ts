import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Expands `FXCM_REPLAY_FILES` entries: a file stays as it is, a folder gives its
 * `*_ticks.csv.gz` files (FXCM tick-archive naming) or `*_quote.zip` files (Lean tick zips) in
 * name order, which is time order.
 */
export function expandReplayFiles(entries: readonly string[]): string[] {
  const files: string[] = [];
  for (const entry of entries) {
    if (statSync(entry).isDirectory()) {
      files.push(
        ...readdirSync(entry)
          .filter((name) => name.endsWith('_ticks.csv.gz') || name.endsWith('_quote.zip'))
          .sort()
          .map((name) => join(entry, name)),
      );
    } else {
      files.push(entry);
    }
  }
  return files;
}

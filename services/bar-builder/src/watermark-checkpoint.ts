import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = 'watermark.json';

/**
 * The watermark the bar builder had reached when its last finals became durable, kept beside
 * the store so a restart knows which windows already closed on an empty stretch (and does not
 * emit them again). Written atomically (temp file + rename); a missing or unreadable file means
 * "unknown", which only costs a harmless re-emission.
 */
export function readWatermarkCheckpoint(dir: string): number | undefined {
  try {
    const { watermark } = JSON.parse(readFileSync(join(dir, FILE), 'utf8')) as {
      watermark?: unknown;
    };
    return typeof watermark === 'number' && Number.isSafeInteger(watermark) ? watermark : undefined;
  } catch {
    return undefined;
  }
}

/** Records `watermark` (int ms) atomically. */
export function writeWatermarkCheckpoint(dir: string, watermark: number): void {
  const tmp = join(dir, `${FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify({ watermark }));
  renameSync(tmp, join(dir, FILE));
}

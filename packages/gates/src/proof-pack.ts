import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The folder an operator keeps: `audit/<timestamp>/` with one folder of evidence per gate and a
 * summary. Everything is JSON but the summary's Markdown twin.
 */
export class ProofPack {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Writes `<dir>/<gate>/<name>.json`. */
  write(gate: string, name: string, data: unknown): void {
    const folder = join(this.dir, gate);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
  }

  /** Writes a file at the top of the pack (the summary, the manifest). */
  writeTop(name: string, text: string): void {
    writeFileSync(join(this.dir, name), text);
  }
}

/** `audit/2026-12-01T20-31-05Z`: sortable and safe in a file name. */
export function packStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(':', '-');
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Version reported when no `VERSION` file is found. */
export const UNKNOWN_VERSION = 'unknown';

/**
 * The suite's build version: `FXCM_BUILD_VERSION` when set, else the first line of the nearest
 * `VERSION` file at or above `from` (the repository root holds it), else `unknown`.
 */
export function readBuildVersion(env: NodeJS.ProcessEnv, from: string): string {
  const fromEnv = env['FXCM_BUILD_VERSION']?.trim();
  if (fromEnv) return fromEnv;
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'VERSION');
    if (existsSync(file))
      return readFileSync(file, 'utf8').split('\n')[0]!.trim() || UNKNOWN_VERSION;
    if (dirname(dir) === dir) return UNKNOWN_VERSION;
  }
}

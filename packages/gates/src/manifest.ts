import { readFileSync } from 'node:fs';
import { GATES } from './registry';

/** One line of a manifest: a gate and its arguments. */
export interface ManifestEntry {
  readonly gate: string;
  readonly args: Readonly<Record<string, unknown>>;
}

/** Which gates to run, in order. */
export interface Manifest {
  readonly gates: readonly ManifestEntry[];
}

/** A manifest that cannot be run as written; the message names the entry. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** Parses and checks a manifest's JSON text: known gates, object arguments. */
export function parseManifest(text: string, source: string): Manifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(`${source}: not JSON (${(err as Error).message})`);
  }
  const gates = (doc as { gates?: unknown })?.gates;
  if (!Array.isArray(gates)) throw new ManifestError(`${source}: expected {"gates": [...]}`);
  return {
    gates: gates.map((item, i) => {
      const entry = item as { gate?: unknown; args?: unknown };
      if (typeof entry?.gate !== 'string' || !GATES.has(entry.gate)) {
        throw new ManifestError(
          `${source}: gates[${i}]: unknown gate ${JSON.stringify(entry?.gate)} (known: ${[...GATES.keys()].join(', ')})`,
        );
      }
      const args = entry.args ?? {};
      if (typeof args !== 'object' || args === null || Array.isArray(args)) {
        throw new ManifestError(`${source}: gates[${i}] (${entry.gate}): args must be an object`);
      }
      return { gate: entry.gate, args: args as Record<string, unknown> };
    }),
  };
}

/** Reads a manifest file. */
export function loadManifest(path: string): Manifest {
  return parseManifest(readFileSync(path, 'utf8'), path);
}

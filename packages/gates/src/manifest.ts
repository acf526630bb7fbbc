import { readFileSync } from 'node:fs';
import type { ProviderKind } from '@fxcm/service-runtime';
import { GATES } from './registry';

/** One line of a manifest: a gate and its arguments. */
export interface ManifestEntry {
  readonly gate: string;
  readonly args: Readonly<Record<string, unknown>>;
  /**
   * Why the gate does not apply to this deployment (a replay cannot be restarted without
   * starting its file over, has no real provider to warm up from): the runner reports it as
   * `SKIP` with this reason instead of running it.
   */
  readonly skip?: string;
  /**
   * The providers the gate applies to (`fxcm-rest`, `replay`, `sim`); on a deployment of another
   * provider the runner reports `SKIP` with `reason` instead of running it. Unset: every one.
   */
  readonly appliesTo?: readonly ProviderKind[];
  /** Why the gate applies only to `appliesTo` (required with it). */
  readonly reason?: string;
}

const PROVIDERS: readonly ProviderKind[] = ['fxcm-rest', 'replay', 'sim'];

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
      const entry = item as {
        gate?: unknown;
        args?: unknown;
        skip?: unknown;
        appliesTo?: unknown;
        reason?: unknown;
      };
      if (typeof entry?.gate !== 'string' || !GATES.has(entry.gate)) {
        throw new ManifestError(
          `${source}: gates[${i}]: unknown gate ${JSON.stringify(entry?.gate)} (known: ${[...GATES.keys()].join(', ')})`,
        );
      }
      const args = entry.args ?? {};
      if (typeof args !== 'object' || args === null || Array.isArray(args)) {
        throw new ManifestError(`${source}: gates[${i}] (${entry.gate}): args must be an object`);
      }
      if (
        entry.skip !== undefined &&
        (typeof entry.skip !== 'string' || entry.skip.trim() === '')
      ) {
        throw new ManifestError(
          `${source}: gates[${i}] (${entry.gate}): skip must say why the gate does not apply`,
        );
      }
      const appliesTo = entry.appliesTo;
      if (
        appliesTo !== undefined &&
        (!Array.isArray(appliesTo) ||
          appliesTo.length === 0 ||
          !appliesTo.every((p) => PROVIDERS.includes(p as ProviderKind)) ||
          typeof entry.reason !== 'string' ||
          entry.reason.trim() === '')
      ) {
        throw new ManifestError(
          `${source}: gates[${i}] (${entry.gate}): appliesTo must list providers (${PROVIDERS.join(', ')}) and reason say why the gate applies only to them`,
        );
      }
      return {
        gate: entry.gate,
        args: args as Record<string, unknown>,
        ...(entry.skip !== undefined ? { skip: entry.skip } : {}),
        ...(appliesTo !== undefined
          ? { appliesTo: appliesTo as ProviderKind[], reason: entry.reason as string }
          : {}),
      };
    }),
  };
}

/** Reads a manifest file. */
export function loadManifest(path: string): Manifest {
  return parseManifest(readFileSync(path, 'utf8'), path);
}

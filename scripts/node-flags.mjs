// The options node itself starts a service with, declared once per service in its package.json
// (`fxcm.nodeFlags`, e.g. a small young generation for the low-rate ingestor and scheduler).
// Every launch path passes them: `npm start` (its start script), the image (its ENTRYPOINT),
// scripts/run-local.mjs, the systemd units (FXCM_NODE_FLAGS, written by install.mjs) and the
// test harness; tests/infra/deploy-files.test.ts checks they all agree.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The node flags of `services/<service>` under `root` (none when it declares none). */
export function nodeFlagsOf(root, service) {
  const pkg = JSON.parse(readFileSync(join(root, 'services', service, 'package.json'), 'utf8'));
  const flags = pkg.fxcm?.nodeFlags ?? [];
  if (!Array.isArray(flags) || flags.some((f) => typeof f !== 'string' || !f.startsWith('--'))) {
    throw new Error(`services/${service}/package.json: fxcm.nodeFlags must be a list of --flags`);
  }
  return flags;
}

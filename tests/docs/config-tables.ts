// Writes each service's configuration table into its README, between the markers
// <!-- config:start --> and <!-- config:end -->, from the service's own config declaration.
// `pnpm docs:config` regenerates; config-tables.test.ts beside this file fails when a README drifts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigTable, type ConfigSpec } from '@fxcm/config';
import { configSpec as barBuilder } from '../../services/bar-builder/src/config';
import { configSpec as gateway } from '../../services/fxcm-gateway/src/config';
import { configSpec as ingestor } from '../../services/ingestor/src/config';
import { configSpec as publisher } from '../../services/publisher/src/config';
import { configSpec as scheduler } from '../../services/scheduler/src/config';

export const SERVICE_SPECS: Record<string, ConfigSpec> = {
  'fxcm-gateway': gateway,
  'bar-builder': barBuilder,
  scheduler,
  publisher,
  ingestor,
};

const START = '<!-- config:start -->';
const END = '<!-- config:end -->';

/** The README text with its configuration section replaced by the current table. */
export function withConfigTable(readme: string, spec: ConfigSpec, path: string): string {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from === -1 || to === -1 || to < from) throw new Error(`${path}: missing ${START} … ${END}`);
  return `${readme.slice(0, from + START.length)}\n\n${renderConfigTable(spec)}\n\n${readme.slice(to)}`;
}

export function readmePath(service: string): string {
  return join(__dirname, '..', '..', 'services', service, 'README.md');
}

if (require.main === module) {
  for (const [service, spec] of Object.entries(SERVICE_SPECS)) {
    const path = readmePath(service);
    writeFileSync(path, withConfigTable(readFileSync(path, 'utf8'), spec, path));
    console.log(`updated ${path}`);
  }
}

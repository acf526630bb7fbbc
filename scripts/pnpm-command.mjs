// How to run the pinned pnpm: the one on PATH when it is pnpm 10, else the pinned version
// through npx (corepack is not assumed). Plain Node with no dependencies.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The command (program and leading arguments) that runs the workspace's pnpm.
 * @param say - optional logger for the fallback line
 */
export function pnpmCommand(say = () => {}) {
  const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
  const version = pinned.split('@')[1];
  const local = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (local.status === 0 && local.stdout.trim().startsWith('10.')) return ['pnpm'];
  say(`pnpm 10 not on PATH; using ${pinned} through npx`);
  return ['npx', '-y', `pnpm@${version}`];
}

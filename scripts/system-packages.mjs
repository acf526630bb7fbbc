// Installs the Debian packages whose programs the test suite drives (scripts/system-packages.json).
// Plain Node with no dependencies: it runs before the workspace is installed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The declared programs, each `{ command, debian, for }`. */
export function declaredPackages() {
  return JSON.parse(readFileSync(join(root, 'scripts', 'system-packages.json'), 'utf8')).packages;
}

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * Makes every declared program available: returns the list still missing afterwards
 * (empty when all are there). Installs with apt-get only when running as root.
 */
export function ensureSystemPackages(say) {
  const missing = declaredPackages().filter((p) => !onPath(p.command));
  if (missing.length === 0) return [];
  const names = [...new Set(missing.map((p) => p.debian))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) {
    say(`missing programs: ${missing.map((p) => `${p.command} (${p.debian})`).join(', ')}`);
    return missing;
  }
  say(`installing Debian packages: ${names.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) say('apt-get update failed; trying the install anyway');
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], {
    stdio: 'inherit',
    env,
  });
  const still = missing.filter((p) => !onPath(p.command));
  if (still.length > 0)
    say(`still missing after install: ${still.map((p) => p.command).join(', ')}`);
  return still;
}

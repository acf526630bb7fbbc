#!/usr/bin/env node
// The two commands a newcomer runs: `npm start` and `npm test`.
// Plain Node with no dependencies, because it runs before anything is installed:
// it finds pnpm (or fetches the pinned one through npx), installs the workspace,
// makes sure a Redis is reachable, then builds and either starts the suite or
// runs every check. CI runs `npm test` through .ci/run, exactly as a newcomer does.
// `npm start` runs this with `exec` (package.json): npm forwards SIGINT/SIGTERM to its direct
// child only, and without `exec` that child is a shell that never passes them on.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRedis, startPrivateRedis } from './redis-local.mjs';
import { pnpmCommand } from './pnpm-command.mjs';
import { onStopSignals } from './stop-signals.mjs';
import { ensureSystemPackages } from './system-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2];
if (mode !== 'start' && mode !== 'test') {
  console.error('usage: node scripts/bootstrap.mjs start|test');
  process.exit(2);
}

const say = (line) => console.log(`[bootstrap] ${line}`);

function run(cmd, args, env = process.env) {
  say(`$ ${[...cmd, ...args].join(' ')}`);
  const result = spawnSync(cmd[0], [...cmd.slice(1), ...args], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  if (result.status !== 0) {
    say(`failed: ${[...cmd, ...args].join(' ')} (exit ${result.status ?? result.signal})`);
    return false;
  }
  return true;
}

function needsInstall() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  if (!existsSync(marker)) return true;
  const lock = join(root, 'pnpm-lock.yaml');
  return existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs;
}

async function main() {
  const pnpm = pnpmCommand(say);
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
  if (needsInstall() && !run(pnpm, ['install', '--frozen-lockfile'], env)) process.exit(1);

  if (mode === 'test') ensureSystemPackages(say);

  let redis = await findRedis(process.env.REDIS_URL);
  let privateRedis;
  if (!redis) {
    privateRedis = await startPrivateRedis(join(root, '.run'));
    if (!privateRedis) {
      console.error(
        [
          '[bootstrap] No Redis is reachable and no redis-server is on PATH.',
          '  Set REDIS_URL to a Redis >= 6.2, start one on 127.0.0.1:6379,',
          '  or install one: `apt-get install redis-server` (Debian/Ubuntu), `brew install redis` (macOS).',
        ].join('\n'),
      );
      process.exit(1);
    }
    redis = privateRedis.url;
    say(`started a private redis-server at ${redis}`);
  }
  say(`Redis: ${redis}`);
  env.REDIS_URL = redis;

  const stopRedis = () => privateRedis?.stop();
  process.on('exit', stopRedis);

  if (!run(pnpm, ['run', 'build'], env)) process.exit(1);

  if (mode === 'test') {
    const steps = [
      ['run', 'typecheck'],
      ['run', 'lint'],
      ['run', 'contracts:check'],
      ['exec', 'jest', '--ci'],
    ];
    for (const step of steps) {
      if (!run(pnpm, step, env)) process.exit(1);
    }
    say('all checks passed');
    return;
  }

  // The runner has its own process group, so a terminal's Ctrl-C reaches it once, from here.
  const child = spawn(
    process.execPath,
    [join(root, 'scripts', 'run-local.mjs'), ...process.argv.slice(3)],
    { cwd: root, stdio: 'inherit', env, detached: true },
  );
  onStopSignals({
    stop: () => child.kill('SIGTERM'),
    force: () => child.kill('SIGUSR2'),
  });
  child.on('exit', (code) => process.exit(code ?? 0));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PrivateRedis } from '../harness/private-redis';
import { commandLine, descendants, isRunning } from '../harness/process-tree';
import { ROOT, waitFor } from '../harness/suite';

// `npm start` as a user runs it, on a Redis of its own: one SIGINT or SIGTERM to the npm process
// stops the bootstrap, the runner and all five services — each logging `stopped` — and leaves
// nothing of the suite running.

const SERVICES = ['scheduler', 'publisher', 'ingestor', 'bar-builder', 'fxcm-gateway'];
const logOf = (service: string): string => {
  try {
    return readFileSync(join(ROOT, '.run', 'logs', `${service}.log`), 'utf8');
  } catch {
    return '';
  }
};

let redis: PrivateRedis;
beforeAll(async () => {
  redis = await PrivateRedis.start();
});
afterAll(() => redis.stop());

describe.each(['SIGINT', 'SIGTERM'] as const)('npm start, then %s to npm', (signal) => {
  it('stops every process of the suite, each service logging stopped', async () => {
    // no earlier run's log may stand in for this run's
    rmSync(join(ROOT, '.run', 'logs'), { recursive: true, force: true });
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: redis.url, FXCM_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own group, so the cleanup below can reach whatever is left
    });
    let out = '';
    npm.stdout.on('data', (c: Buffer) => (out += c.toString()));
    npm.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<void>((resolve) => npm.on('exit', () => resolve()));
    let tree: number[] = [];
    try {
      // the runner prints its banner after it truncated the logs of any earlier run
      await waitFor(
        () => /viewer: +http:\/\/127\.0\.0\.1:\d+\//.test(out),
        240_000,
        () => `no banner:\n${out.slice(-3000)}`,
      );
      await waitFor(
        () => SERVICES.every((s) => /"msg":"started"/.test(logOf(s))),
        60_000,
        () => `not every service started:\n${out.slice(-3000)}`,
      );
      expect(out).toContain(`redis-cli -u ${redis.url}`);
      tree = descendants(npm.pid!);
      const services = tree.filter((pid) =>
        /services\/[a-z-]+\/dist\/main\.js/.test(commandLine(pid)),
      );
      expect(services).toHaveLength(SERVICES.length);

      process.kill(npm.pid!, signal);
      await waitFor(
        () => !isRunning(npm.pid!) && tree.every((pid) => !isRunning(pid)),
        15_000,
        () =>
          `still running: ${[npm.pid!, ...tree]
            .filter(isRunning)
            .map((pid) => `${pid} ${commandLine(pid)}`)
            .join('; ')}`,
      );
      await exited;
      for (const service of SERVICES)
        expect(`${service}: ${logOf(service)}`).toMatch(/"msg":"stopped"/);
      expect(out).toMatch(/\[run-local\] stopped/);
    } finally {
      for (const pid of [npm.pid!, ...tree]) {
        if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      }
    }
  });
});

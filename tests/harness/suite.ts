import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';

/** Root of the repository (tests/ sits directly under it). */
export const ROOT = join(__dirname, '..', '..');

/** The five services, by folder name. */
export type ServiceName = 'fxcm-gateway' | 'bar-builder' | 'scheduler' | 'publisher' | 'ingestor';

/** The five services in start order (consumers first, the gateway that feeds them last). */
export const SERVICE_NAMES: readonly ServiceName[] = [
  'scheduler',
  'publisher',
  'ingestor',
  'bar-builder',
  'fxcm-gateway',
];

/** The options node starts `service` with, as every launch path does (`scripts/node-flags.mjs`). */
export function nodeFlagsOf(service: ServiceName): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'services', service, 'package.json'), 'utf8')) as {
    fxcm?: { nodeFlags?: string[] };
  };
  return pkg.fxcm?.nodeFlags ?? [];
}

/**
 * A service running as its own process from its build output, logs kept for failure reports.
 * With FXCM_TEST_LOG_DIR set, every line is also appended to `<dir>/<service>.log`, so a failed
 * long run (chaos, fuzz) can be read in full afterwards.
 */
export class ServiceProcess {
  readonly output: string[] = [];
  /** Log lines at level error and warn written so far (a long run's tally, not only the tail). */
  readonly logged = { error: 0, warn: 0 };
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(
    readonly service: ServiceName,
    env: Record<string, string>,
    /** Options for node itself (e.g. `--cpu-prof`). */
    nodeArgs: readonly string[] = [],
  ) {
    const main = join(ROOT, 'services', service, 'dist', 'main.js');
    if (!existsSync(main))
      throw new Error(`${main} is missing: run \`pnpm build\` first (npm test does)`);
    this.child = spawn(process.execPath, [...nodeFlagsOf(service), ...nodeArgs, main], {
      cwd: ROOT,
      // No warmup on start unless a test asks for it: the suites replay a recorded day, so
      // every target's store is below cache.warmup_bars of today and each run would warm it.
      // The ingestor's read API takes any free port unless a test names one: suites run side
      // by side, and a fixed port would make a restarted ingestor fail to start.
      env: {
        PATH: process.env.PATH ?? '',
        FXCM_WARMUP_ON_START: 'false',
        ...(service === 'ingestor' ? { FXCM_API_PORT: '0' } : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logDir = process.env.FXCM_TEST_LOG_DIR;
    const keep = (chunk: Buffer): void => {
      if (logDir) appendFileSync(join(logDir, `${service}.log`), chunk);
      const text = chunk.toString();
      this.logged.error += text.split('"level":"error"').length - 1;
      this.logged.warn += text.split('"level":"warn"').length - 1;
      this.output.push(text);
      if (this.output.length > 400) this.output.splice(0, this.output.length - 400);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The process id (to read its memory from /proc). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends a signal (SIGKILL to simulate a crash, SIGTERM for a clean stop). */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** True while the process has neither exited nor been killed. */
  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Stops with SIGTERM and waits; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }

  /** The last lines the process wrote, for an assertion message. */
  tail(lines = 30): string {
    return this.output.join('').split('\n').slice(-lines).join('\n');
  }
}

/** Resolves once `predicate` holds; rejects after `ms` with `describe()` in the message. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  ms: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Deletes every key of a test's namespace on the shared Redis (never FLUSHDB). */
export async function dropNamespace(redis: Redis, namespace: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
    if (found.length > 0) await redis.unlink(...found);
    cursor = next;
  } while (cursor !== '0');
}

/**
 * Resolves once `channel` has `count` subscribers (default one). fxcm:commands is pub/sub, as in
 * V1: a command published before the scheduler has subscribed is lost, so a test waits for this
 * first; the same holds for the ingestor on fxcm:ohlcv.
 */
export async function untilSubscribed(
  redis: Redis,
  channel: string,
  ms: number,
  count = 1,
): Promise<void> {
  let seen = 0;
  await waitFor(
    async () =>
      (seen = Number(((await redis.pubsub('NUMSUB', channel)) as [string, number])[1])) >= count,
    ms,
    () => `${channel} has ${seen} of ${count} subscribers`,
  );
}

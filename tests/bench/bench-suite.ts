import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../harness/free-port';
import { SERVICE_NAMES, ServiceProcess, waitFor, type ServiceName } from '../harness/suite';

// The services of a benchmark or soak as processes on one Redis, and the subscriber that times
// every final 1m bar on the channel. Pure figures (percentiles, spans) live in bench-figures.ts.

const SECRET = 'bench-secret';

/**
 * The benchmarks' Redis, configured as `docs/operations.md` says to run it: AOF fsynced every
 * second, rewritten only past 1 GB (at 10,000 ticks/s the defaults fork it every 10–20 s).
 */
export const BENCH_REDIS_ARGS = [
  '--appendfsync',
  'everysec',
  '--auto-aof-rewrite-min-size',
  '1gb',
] as const;

/** A final, real 1m bar as it arrived on `<prefix>:ohlcv`. */
export interface FinalArrival {
  symbol: string;
  openTime: number;
  tickCount: number;
  /** Wall time it arrived at the subscriber, epoch ms. */
  arrivedAt: number;
}

/** Options of {@link BenchSuite}. */
export interface BenchSuiteOptions {
  redisUrl: string;
  symbols: readonly string[];
  /** Bar-builder shards (one process each). */
  shards: number;
  /** Services to run besides the gateway and the bar builders (publisher at least). */
  others: readonly Exclude<ServiceName, 'fxcm-gateway' | 'bar-builder'>[];
  /** The gateway's provider settings (sim or replay). */
  gateway: Record<string, string>;
  /** Environment every service gets on top of the defaults (e.g. a calendar file). */
  common?: Record<string, string>;
  /** Write a V8 CPU profile of every process into `<profileDir>/<process>/` at its exit. */
  profileDir?: string;
}

/** `B001USD`, `B002USD` … : symbols the simulator quotes at a level derived from the name. */
export function benchSymbols(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `B${String(i + 1).padStart(3, '0')}USD`);
}

/** The resident set of a process in bytes (Linux /proc), undefined once it is gone. */
export function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** CPU time a process has used so far, seconds (Linux /proc, 100 ticks a second). */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // fields after the command name (which may hold spaces) start at the state, field 3
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Redis' own CPU time so far (user + system), seconds. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`${name}:(\\S+)`).exec(info)?.[1]);
  return field('used_cpu_user') + field('used_cpu_sys');
}

export class BenchSuite {
  readonly namespace = `bench_${randomUUID().slice(0, 8)}`;
  readonly finals: FinalArrival[] = [];
  /** Preview (complete=false) bars seen on the channel. */
  previews = 0;
  /** Messages on the channel that did not parse as an ohlcv batch. */
  unreadable = 0;
  readonly processes = new Map<string, ServiceProcess>();
  private readonly ports = new Map<string, number>();
  private readonly cacheDir = mkdtempSync(join(tmpdir(), 'fxcm-bench-cache-'));
  private readonly sub: Redis;
  readonly redis: Redis;

  constructor(private readonly opts: BenchSuiteOptions) {
    this.sub = new Redis(opts.redisUrl);
    this.redis = new Redis(opts.redisUrl);
  }

  /** Subscribes, then starts every service but the gateway and waits until each is ready. */
  async start(): Promise<void> {
    const channel = `${this.namespace}:ohlcv`;
    this.sub.on('message', (_channel: string, text: string) => this.receive(text));
    await this.sub.subscribe(channel);
    for (const service of SERVICE_NAMES) {
      if (service === 'bar-builder') {
        for (let shard = 0; shard < this.opts.shards; shard += 1) {
          await this.launch(`bar-builder-${shard}`, 'bar-builder', {
            FXCM_INSTANCE: `bar-builder-${shard}`,
            FXCM_CACHE_DIR: join(this.cacheDir, String(shard)),
          });
        }
      } else if (service !== 'fxcm-gateway' && this.opts.others.includes(service)) {
        await this.launch(service, service, {});
      }
    }
    await this.untilReady([...this.processes.keys()]);
  }

  /** Starts the gateway (the load) and waits until it is ready; resolves with its start time. */
  async startGateway(): Promise<number> {
    const startedAt = Date.now();
    await this.launch('fxcm-gateway', 'fxcm-gateway', this.opts.gateway);
    await this.untilReady(['fxcm-gateway']);
    return startedAt;
  }

  /** Resident memory of every process, bytes, by process name. */
  rss(): Record<string, number | undefined> {
    return Object.fromEntries([...this.processes].map(([name, p]) => [name, rssOf(p.pid)]));
  }

  /**
   * V8 memory of every process, bytes, by process name, from one read of its /metrics (undefined
   * when it cannot be read): the heap in use (`nodejs_heap_size_used_bytes`) — with the resident
   * memory, it tells a heap that keeps growing from one whose process keeps the pages it once
   * needed — and the old generation in use (`nodejs_heap_space_size_used_bytes` of space `old`):
   * what has survived collections, so a leak grows there whatever the young generation does.
   */
  async heap(): Promise<{
    used: Record<string, number | undefined>;
    old: Record<string, number | undefined>;
  }> {
    const names = [...this.processes.keys()];
    const texts = await Promise.all(names.map((name) => this.metricsText(name)));
    const read = (metric: string, label?: string): Record<string, number | undefined> =>
      Object.fromEntries(names.map((name, i) => [name, sampleOf(texts[i], metric, label)]));
    return {
      used: read('nodejs_heap_size_used_bytes'),
      old: read('nodejs_heap_space_size_used_bytes', 'space="old"'),
    };
  }

  /** One sample of a process's /metrics (see {@link sampleOf}); undefined when it cannot be read. */
  async metric(name: string, metric: string, label?: string): Promise<number | undefined> {
    return sampleOf(await this.metricsText(name), metric, label);
  }

  /** A process's /metrics text; undefined when it cannot be read. */
  private async metricsText(name: string): Promise<string | undefined> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.ports.get(name)}/metrics`, {
        signal: AbortSignal.timeout(2_000),
      });
      return await res.text();
    } catch {
      return undefined;
    }
  }

  /** CPU seconds every process has used, by process name. */
  cpu(): Record<string, number | undefined> {
    return Object.fromEntries([...this.processes].map(([name, p]) => [name, cpuSecondsOf(p.pid)]));
  }

  /** Processes that exited on their own. */
  exited(): string[] {
    return [...this.processes].filter(([, p]) => !p.alive()).map(([name]) => name);
  }

  logs(): string {
    return [...this.processes].map(([name, p]) => `--- ${name}\n${p.tail(15)}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => p.stop()));
    this.sub.disconnect();
    this.redis.disconnect();
    rmSync(this.cacheDir, { recursive: true, force: true });
  }

  private receive(text: string): void {
    const arrivedAt = Date.now();
    let msg: {
      symbol?: string;
      tf?: string;
      bars?: { open_time: number; complete?: boolean; synthetic?: boolean; tick_count?: number }[];
    };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      this.unreadable += 1;
      return;
    }
    if (msg.tf !== '1m' || typeof msg.symbol !== 'string' || !Array.isArray(msg.bars)) return;
    for (const bar of msg.bars) {
      if (bar.complete === false) this.previews += 1;
      else if (bar.synthetic !== true) {
        this.finals.push({
          symbol: msg.symbol,
          openTime: bar.open_time,
          tickCount: bar.tick_count ?? 0,
          arrivedAt,
        });
      }
    }
  }

  private async launch(
    name: string,
    service: ServiceName,
    own: Record<string, string>,
  ): Promise<void> {
    const port = await freePort();
    this.ports.set(name, port);
    const symbols = this.opts.symbols;
    this.processes.set(
      name,
      new ServiceProcess(
        service,
        {
          REDIS_URL: this.opts.redisUrl,
          FXCM_NAMESPACE: this.namespace,
          FXCM_CHANNEL_PREFIX: this.namespace,
          FXCM_MARKET_STATUS_CHANNEL: `${this.namespace}:market_status`,
          FXCM_METRICS_PORT: String(port),
          FXCM_METRICS_HOST: '127.0.0.1',
          FXCM_HMAC_SECRET: SECRET,
          FXCM_HMAC_ALGO: 'sha256',
          FXCM_LOG_LEVEL: 'warn',
          FXCM_SHARDS: String(this.opts.shards),
          FXCM_STREAM_CONFIG: symbols.map((s) => `${s}:m1`).join(','),
          FXCM_INGEST_ALLOWED_SYMBOLS: symbols.join(','),
          ...this.opts.common,
          ...own,
        },
        this.opts.profileDir
          ? ['--cpu-prof', `--cpu-prof-dir=${join(this.opts.profileDir, name)}`]
          : [],
      ),
    );
  }

  private async untilReady(names: readonly string[]): Promise<void> {
    const ready = async (name: string): Promise<boolean> => {
      const url = `http://127.0.0.1:${this.ports.get(name)}/readyz`;
      return (await fetch(url).catch(() => undefined))?.status === 200;
    };
    await waitFor(
      async () => (await Promise.all(names.map(ready))).every(Boolean),
      60_000,
      () => `not ready: ${names.join(', ')}\n${this.logs()}`,
    );
  }
}

/**
 * The first sample of `metric` in a Prometheus text exposition (with `label` among its labels,
 * when given); undefined when there is none.
 */
function sampleOf(text: string | undefined, metric: string, label?: string): number | undefined {
  const line = text
    ?.split('\n')
    .find((l) =>
      label === undefined
        ? l.startsWith(`${metric} `) || l.startsWith(`${metric}{`)
        : l.startsWith(`${metric}{`) && l.slice(0, l.indexOf('}')).includes(label),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

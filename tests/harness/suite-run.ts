import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyOhlcvSignature } from '@fxcm/contracts';
import { Redis } from 'ioredis';
import type { ReferenceBar } from './reference-bars';
import { ROOT, SERVICE_NAMES, ServiceProcess, waitFor, type ServiceName } from './suite';

// The whole suite as processes on a real Redis, fed the bundled real day by the replay gateway.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TICKS = join(ROOT, 'data', 'EURUSD_20140505_ticks.csv.gz');
const SECRET = 'e2e-secret-ключ';

/** A message received on fxcm:ohlcv, raw and parsed. */
export interface Received {
  text: string;
  msg: {
    symbol: string;
    tf: string;
    source?: string;
    sig?: string;
    bars: {
      open_time: number;
      open: number;
      high: number;
      low: number;
      close: number;
      complete?: boolean;
      synthetic?: boolean;
      source?: string;
    }[];
  };
}

/** The five services of one namespace, what they published, and their logs. */
export class SuiteRun {
  /** The HMAC secret every service of the run signs with. */
  static readonly SECRET = SECRET;
  readonly namespace = `e2e_${randomUUID().slice(0, 8)}`;
  readonly prefix = this.namespace;
  readonly cacheDir = mkdtempSync(join(tmpdir(), 'fxcm-e2e-cache-'));
  readonly ohlcv: Received[] = [];
  readonly status: string[] = [];
  readonly prices: string[] = [];
  readonly services = new Map<string, ServiceProcess>();
  private readonly sub: Redis;
  /** A plain connection to the run's Redis (on a cluster: to the node its URL names). */
  readonly redis: Redis;
  private readonly redisUrl: string;

  /**
   * @param speed replay speed (`max` or a factor)
   * @param expectedMinutes final 1m bars {@link untilComplete} waits for
   * @param extraEnv per-service environment added to (and overriding) the defaults
   * @param options which messages to keep, which services to start later, and where Redis is
   *   (one server by URL, or a Redis Cluster by its seeds)
   */
  constructor(
    private readonly speed: string,
    private readonly expectedMinutes: number,
    private readonly extraEnv: Partial<Record<ServiceName, Record<string, string>>> = {},
    private readonly options: {
      /** Keep only fxcm:ohlcv messages signed with the run's secret (others publish there too). */
      signedOnly?: boolean;
      /** Services {@link start} leaves out (launch them later with {@link launch}). */
      deferred?: readonly ServiceName[];
      /** The run's Redis (default `REDIS_URL`, the shared server). */
      url?: string;
      /** Seeds of a Redis Cluster: every service gets FXCM_REDIS_CLUSTER=1 and these nodes. */
      clusterSeeds?: readonly string[];
      /** Environment every service gets (e.g. FXCM_SHARDS). */
      common?: Record<string, string>;
    } = {},
  ) {
    this.redisUrl = options.url ?? REDIS_URL;
    this.sub = new Redis(this.redisUrl);
    this.redis = new Redis(this.redisUrl);
  }

  env(service: ServiceName): Record<string, string> {
    const cluster: Record<string, string> = this.options.clusterSeeds
      ? {
          FXCM_REDIS_CLUSTER: 'true',
          FXCM_REDIS_CLUSTER_NODES: this.options.clusterSeeds.join(','),
        }
      : {};
    const common = {
      REDIS_URL: this.redisUrl,
      ...cluster,
      FXCM_NAMESPACE: this.namespace,
      FXCM_CHANNEL_PREFIX: this.prefix,
      FXCM_MARKET_STATUS_CHANNEL: `${this.prefix}:market_status`,
      FXCM_METRICS_PORT: '0',
      FXCM_HMAC_SECRET: SECRET,
      FXCM_HMAC_ALGO: 'sha256',
      FXCM_STATUS_INTERVAL_MS: '500',
      FXCM_LOG_LEVEL: 'warn',
      ...this.options.common,
    };
    const own: Record<ServiceName, Record<string, string>> = {
      'fxcm-gateway': {
        FXCM_PROVIDER: 'replay',
        FXCM_REPLAY_FILES: TICKS,
        FXCM_REPLAY_SPEED: this.speed,
      },
      'bar-builder': {
        FXCM_PRICE_MODE: 'bid',
        FXCM_CACHE_DIR: this.cacheDir,
        FXCM_INSTANCE: 'bar-builder-0',
      },
      scheduler: { FXCM_TELEMETRY_INTERVAL_SECONDS: '0.5' },
      publisher: { FXCM_PRICE_SNAP_INTERVAL_SECONDS: '0.5' },
      ingestor: { FXCM_INGEST_ALLOWED_SYMBOLS: 'EURUSD' },
    };
    return { ...common, ...own[service], ...this.extraEnv[service] };
  }

  async start(): Promise<void> {
    this.sub.on('message', (channel: string, text: string) => {
      if (channel === `${this.prefix}:ohlcv`) {
        if (this.options.signedOnly && !verifyOhlcvSignature(text, SECRET, 'sha256')) return;
        this.ohlcv.push({ text, msg: JSON.parse(text) as Received['msg'] });
      } else if (channel === `${this.prefix}:price_tik`) {
        this.prices.push(text);
      } else {
        this.status.push(text);
      }
    });
    await this.sub.subscribe(
      `${this.prefix}:ohlcv`,
      `${this.prefix}:status`,
      `${this.prefix}:price_tik`,
    );
    for (const service of SERVICE_NAMES) {
      if (!this.options.deferred?.includes(service)) this.launch(service);
    }
  }

  /**
   * Starts a service; `as` names a second process of the same service (e.g. `bar-builder-1`,
   * with `env` overriding its instance), kept under that name in {@link services}.
   */
  launch(service: ServiceName, as?: { name: string; env: Record<string, string> }): ServiceProcess {
    const proc = new ServiceProcess(service, { ...this.env(service), ...as?.env });
    this.services.set(as?.name ?? service, proc);
    return proc;
  }

  /** Final, real (non-synthetic) 1m bars received, in arrival order. */
  finals1m(): Received['msg']['bars'] {
    return this.ohlcv
      .filter((r) => r.msg.tf === '1m' && r.msg.source !== 'history_s3') // not a warmup's repeat
      .flatMap((r) => r.msg.bars)
      .filter((b) => b.complete !== false && b.synthetic !== true);
  }

  logs(): string {
    return [...this.services.values()].map((p) => `--- ${p.service}\n${p.tail()}`).join('\n');
  }

  /** Waits until every reference minute has arrived, then until the channel has been quiet a while. */
  async untilComplete(ms: number): Promise<void> {
    await waitFor(
      () => new Set(this.finals1m().map((b) => b.open_time)).size >= this.expectedMinutes,
      ms,
      () =>
        `${new Set(this.finals1m().map((b) => b.open_time)).size}/${this.expectedMinutes} final 1m bars\n${this.logs()}`,
    );
    // then a full second with nothing new, so a late duplicate would still be seen
    let seen = -1;
    let quietSince = Date.now();
    await waitFor(
      () => {
        if (this.ohlcv.length !== seen) {
          seen = this.ohlcv.length;
          quietSince = Date.now();
        }
        return Date.now() - quietSince >= 1_000;
      },
      30_000,
      () => 'the channel never went quiet',
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((p) => p.stop()));
    await this.sub.quit();
    if (this.options.clusterSeeds) {
      // the test owns the cluster and throws it away whole
      this.redis.disconnect();
      rmSync(this.cacheDir, { recursive: true, force: true });
      return;
    }
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(
        cursor,
        'MATCH',
        `${this.namespace}:*`,
        'COUNT',
        1000,
      );
      if (found.length > 0) await this.redis.unlink(...found);
      cursor = next;
    } while (cursor !== '0');
    await this.redis.quit();
    rmSync(this.cacheDir, { recursive: true, force: true });
  }
}

/** The Python consumer's verdict on the signatures (verify_sig.py), or undefined without python3. */
export function pythonVerdict(
  messages: string[],
  secret: string,
): { checked: number; valid: number; invalid: string[] } | undefined {
  if (spawnSync('python3', ['--version']).status !== 0) return undefined;
  const result = spawnSync('python3', [join(ROOT, 'tests', 'harness', 'verify_sig.py')], {
    input: messages.join('\n'),
    env: {
      ...process.env,
      FXCM_HMAC_SECRET: secret,
      FXCM_HMAC_ALGO: 'sha256',
      PYTHONIOENCODING: 'utf-8',
    },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`verify_sig.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { checked: number; valid: number; invalid: string[] };
}

/** Every reference minute exactly once, with the reference bid prices; nothing else real. */
export function expectExactlyTheReference(run: SuiteRun, reference: readonly ReferenceBar[]): void {
  const finals = run.finals1m();
  const byOpen = new Map<number, typeof finals>();
  for (const bar of finals) byOpen.set(bar.open_time, [...(byOpen.get(bar.open_time) ?? []), bar]);
  const duplicated = [...byOpen].filter(([, bars]) => bars.length > 1).map(([t]) => t);
  expect(duplicated).toEqual([]);
  const referenceTimes = new Set(reference.map((r) => r.open_time));
  expect([...byOpen.keys()].filter((t) => !referenceTimes.has(t))).toEqual([]);
  const mismatches = reference.filter((ref) => {
    const bar = byOpen.get(ref.open_time)?.[0];
    return (
      !bar ||
      bar.open !== ref.bid.open ||
      bar.high !== ref.bid.high ||
      bar.low !== ref.bid.low ||
      bar.close !== ref.bid.close
    );
  });
  expect(mismatches.slice(0, 5)).toEqual([]);
  expect(byOpen.size).toBe(reference.length);
}

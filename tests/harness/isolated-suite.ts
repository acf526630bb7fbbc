import { queuePrefix } from '@fxcm/contracts';
import { Redis } from 'ioredis';
import { ServiceProcess, type ServiceName } from './suite';

/** The order the services start in: consumers first, the feed last. */
export const START_ORDER: ServiceName[] = [
  'scheduler',
  'publisher',
  'ingestor',
  'bar-builder',
  'fxcm-gateway',
];

/**
 * Environment every service of a test suite shares on the shared Redis: its own namespace and
 * channel prefix (channels included, so nothing crosses between tests), metrics on any port,
 * status records twice a second.
 */
export function isolatedEnv(redisUrl: string, ns: string): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    FXCM_NAMESPACE: ns,
    FXCM_CHANNEL_PREFIX: ns,
    FXCM_MARKET_STATUS_CHANNEL: `${ns}:market_status`,
    FXCM_METRICS_PORT: '0',
    FXCM_STATUS_INTERVAL_MS: '500',
    FXCM_LOG_LEVEL: 'warn',
  };
}

/** Deletes every key of namespace `ns` (and only those), its BullMQ queues' included. */
export async function unlinkNamespace(redisUrl: string, ns: string): Promise<void> {
  const redis = new Redis(redisUrl);
  for (const pattern of [`${ns}:*`, `${queuePrefix(ns)}:*`]) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (found.length > 0) await redis.unlink(...found);
      cursor = next;
    } while (cursor !== '0');
  }
  await redis.quit();
}

/** The five services as processes in one namespace; `stop()` stops them and clears the keys. */
export class IsolatedSuite {
  readonly services = new Map<ServiceName, ServiceProcess>();

  constructor(
    readonly redisUrl: string,
    readonly ns: string,
    private readonly own: (service: ServiceName) => Record<string, string>,
  ) {}

  start(): void {
    for (const service of START_ORDER) {
      const env = { ...isolatedEnv(this.redisUrl, this.ns), ...this.own(service) };
      this.services.set(service, new ServiceProcess(service, env));
    }
  }

  get(service: ServiceName): ServiceProcess {
    const proc = this.services.get(service);
    if (!proc) throw new Error(`${service} was not started`);
    return proc;
  }

  /** The last lines of every service, for a failure message. */
  logs(): string {
    return [...this.services.values()].map((p) => `--- ${p.service}\n${p.tail()}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((p) => p.stop()));
    await unlinkNamespace(this.redisUrl, this.ns);
  }
}

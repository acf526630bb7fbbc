import type { StreamCode } from '@fxcm/redis-streams';
import type { Cluster, Redis } from 'ioredis';

/** The oldest Redis the suite runs on: XAUTOCLAIM and `XPENDING … IDLE` arrived in 6.2. */
export const MIN_REDIS_VERSION = '6.2.0';

/** One reason a Redis is unsafe for the suite. */
export interface RedisSafetyProblem {
  code: Extract<
    StreamCode,
    'REDIS_VERSION_UNSUPPORTED' | 'REDIS_EVICTION_UNSAFE' | 'REDIS_CHECK_FAILED'
  >;
  message: string;
}

/** Reads `key:value` lines of an `INFO` reply. */
function infoField(info: string, key: string): string | undefined {
  const line = info.split(/\r?\n/).find((l) => l.startsWith(`${key}:`));
  return line?.slice(key.length + 1).trim();
}

function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const b = min.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/**
 * What is unsafe about a Redis, judged from its `INFO server` and `INFO memory` text (pure):
 * a version below {@link MIN_REDIS_VERSION}, or a `maxmemory_policy` other than `noeviction`
 * (an evicting Redis silently drops stream entries and publish-once marks).
 */
export function assessRedisInfo(info: string, node = 'redis'): RedisSafetyProblem[] {
  const problems: RedisSafetyProblem[] = [];
  const version = infoField(info, 'redis_version');
  if (!version) {
    problems.push({ code: 'REDIS_CHECK_FAILED', message: `${node}: INFO has no redis_version` });
  } else if (!versionAtLeast(version, MIN_REDIS_VERSION)) {
    problems.push({
      code: 'REDIS_VERSION_UNSUPPORTED',
      message: `${node}: Redis ${version} is older than ${MIN_REDIS_VERSION}`,
    });
  }
  const policy = infoField(info, 'maxmemory_policy');
  if (!policy) {
    problems.push({ code: 'REDIS_CHECK_FAILED', message: `${node}: INFO has no maxmemory_policy` });
  } else if (policy !== 'noeviction') {
    problems.push({
      code: 'REDIS_EVICTION_UNSAFE',
      message: `${node}: maxmemory-policy is ${policy}; set it to noeviction (evicted stream entries are lost silently)`,
    });
  }
  return problems;
}

/**
 * Checks the Redis a service is about to use (every master of a cluster). Uses `INFO` only,
 * which managed Redis services allow where `CONFIG GET` is often disabled.
 */
export async function checkRedisSafety(redis: Redis | Cluster): Promise<RedisSafetyProblem[]> {
  const nodes: Redis[] = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
  const problems: RedisSafetyProblem[] = [];
  for (const node of nodes) {
    const name = `${node.options.host ?? 'redis'}:${node.options.port ?? ''}`;
    try {
      const info = `${await node.info('server')}\n${await node.info('memory')}`;
      problems.push(...assessRedisInfo(info, name));
    } catch (err) {
      problems.push({
        code: 'REDIS_CHECK_FAILED',
        message: `${name}: INFO failed: ${(err as Error).message}`,
      });
    }
  }
  return problems;
}

import type { Redis } from 'ioredis';
import type { ConnectRedis } from './run-service';

/** A {@link ConnectRedis} that remembers its connections, and what they say about readiness. */
export interface TrackedConnector {
  connect: ConnectRedis;
  /** Reasons the service cannot reach Redis now (empty when every open connection is ready). */
  notReady(): string[];
}

/**
 * Wraps `connect` so that `/readyz` goes false while any of the service's Redis connections is
 * not `ready` (connecting, reconnecting after an outage) and back once they all are. Connections
 * closed on purpose (`end`) are forgotten.
 */
export function trackConnections(connect: ConnectRedis): TrackedConnector {
  const open = new Map<string, Redis>();
  return {
    connect: (name, options) => {
      const redis = connect(name, options);
      open.set(name, redis);
      redis.once('end', () => {
        if (open.get(name) === redis) open.delete(name);
      });
      return redis;
    },
    notReady: () =>
      [...open]
        .filter(([, redis]) => redis.status !== 'ready')
        .map(([name, redis]) => `redis ${name}: ${redis.status}`)
        .sort(),
  };
}

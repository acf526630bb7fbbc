import { channelNames, DEFAULT_NAMESPACE, type ChannelNames } from '@fxcm/contracts';

/** Where the suite is and how to speak to it, from the same variables the services read. */
export interface CliConfig {
  redisUrl: string;
  namespace: string;
  channels: ChannelNames;
  /** Secret and key id for V2 envelopes (`FXCM_HMAC_SECRET`, `FXCM_HMAC_KID`). */
  hmacSecret?: string;
  hmacKid: string;
  /** V1 stream targets (`FXCM_STREAM_CONFIG`), for the per-target lag of `status`. */
  streamTargets: string;
}

/** Reads the configuration from an environment-like object (pure). */
export function cliConfig(env: Readonly<Record<string, string | undefined>>): CliConfig {
  const host = env.FXCM_REDIS_HOST ?? '127.0.0.1';
  const port = env.FXCM_REDIS_PORT ?? '6379';
  const password = env.FXCM_REDIS_PASSWORD;
  return {
    redisUrl:
      env.REDIS_URL ??
      `redis://${password ? `:${encodeURIComponent(password)}@` : ''}${host}:${port}`,
    namespace: env.FXCM_NAMESPACE ?? DEFAULT_NAMESPACE,
    channels: channelNames(env),
    hmacSecret: env.FXCM_HMAC_SECRET || undefined,
    hmacKid: env.FXCM_HMAC_KID ?? 'default',
    streamTargets: env.FXCM_STREAM_CONFIG ?? 'XAU/USD:m1,EUR/USD:m1',
  };
}

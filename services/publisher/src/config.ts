import { defineConfig, type ConfigOf } from '@fxcm/config';
import { CHANNEL_FIELDS, COMMON_FIELDS, HMAC_FIELDS, TARGET_FIELDS } from '@fxcm/service-runtime';

/** The publisher's configuration; nothing else in the service reads the environment. */
export const configSpec = defineConfig([
  ...COMMON_FIELDS,
  ...CHANNEL_FIELDS,
  ...HMAC_FIELDS,
  ...TARGET_FIELDS,
  {
    key: 'markTtlMs',
    env: 'FXCM_PUBLISH_MARK_TTL_MS',
    type: 'int',
    min: 60_000,
    default: 2 * 24 * 3_600_000,
    description:
      'How long a final bar stays marked as published (redeliveries within it are dropped), ms.',
  },
  {
    key: 'priceSnapIntervalSeconds',
    env: 'FXCM_PRICE_SNAP_INTERVAL_SECONDS',
    setting: 'stream.price_snap_interval_seconds',
    type: 'number',
    min: 0,
    default: 3,
    description:
      'fxcm:price_tik cadence: the last quote of every symbol, re-sent even when unchanged (V1: 3 s); 0 = off.',
  },
  {
    key: 'claimIdleMs',
    env: 'FXCM_PUBLISH_CLAIM_IDLE_MS',
    type: 'int',
    min: 1_000,
    default: 30_000,
    description:
      'Entries a dead publisher replica left pending this long are taken over (XAUTOCLAIM), ms.',
  },
] as const);

/** The validated configuration object. */
export type PublisherConfig = ConfigOf<typeof configSpec>;

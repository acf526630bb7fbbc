import { defineConfig, type ConfigOf } from '@fxcm/config';
import {
  CHANNEL_FIELDS,
  COMMON_FIELDS,
  HMAC_FIELDS,
  PRICE_SNAP_FIELDS,
  TARGET_FIELDS,
} from '@fxcm/service-runtime';

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
  ...PRICE_SNAP_FIELDS,
  {
    key: 'statusMaxAgeSeconds',
    env: 'FXCM_STATUS_MAX_AGE_SECONDS',
    type: 'number',
    min: 1,
    default: 10,
    description:
      'A status/heartbeat/market_status record older than this is dropped, not published (after an outage), seconds.',
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

import { defineConfig, type ConfigOf } from '@fxcm/config';
import { CHANNEL_FIELDS, COMMON_FIELDS, HMAC_FIELDS } from '@fxcm/service-runtime';

/** The ingestor's configuration (V1 names of the fxcm_ingestor whitelist and limits). */
export const configSpec = defineConfig([
  ...COMMON_FIELDS,
  ...CHANNEL_FIELDS,
  ...HMAC_FIELDS,
  {
    key: 'ingestHmacSecret',
    env: 'FXCM_INGEST_HMAC_SECRET',
    type: 'string',
    secret: true,
    description: 'Secret to verify sig with; defaults to FXCM_HMAC_SECRET.',
  },
  {
    key: 'ingestHmacAlgo',
    env: 'FXCM_INGEST_HMAC_ALGO',
    type: 'enum',
    values: ['sha256', 'sha384', 'sha512', 'sha1'],
    description: 'Digest to verify with; defaults to FXCM_HMAC_ALGO.',
  },
  {
    key: 'hmacRequired',
    env: 'FXCM_HMAC_REQUIRED',
    type: 'bool',
    default: true,
    description: 'With a secret set, refuse unsigned messages (V1 fxcm_hmac_required).',
  },
  {
    key: 'allowedSymbols',
    env: 'FXCM_INGEST_ALLOWED_SYMBOLS',
    type: 'list',
    default: ['XAU/USD', 'EUR/USD'],
    min: 1,
    description: 'Whitelist of symbols (either spelling), comma-separated.',
  },
  {
    key: 'allowedTimeframes',
    env: 'FXCM_INGEST_ALLOWED_TIMEFRAMES',
    type: 'list',
    default: ['1m', '5m', '15m', '30m', '1h', '4h', '1d'],
    min: 1,
    description: 'Whitelist of timeframes (either spelling), comma-separated.',
  },
  {
    key: 'maxBars',
    env: 'FXCM_INGEST_MAX_BATCH',
    type: 'int',
    min: 1,
    default: 5_000,
    description: 'Most bars one payload may carry; larger payloads are refused whole.',
  },
  {
    key: 'maxQueue',
    env: 'FXCM_INGEST_MAX_QUEUE',
    type: 'int',
    min: 1,
    default: 10_000,
    description:
      'Messages waiting to be stored before new ones are dropped (counted and reported).',
  },
] as const);

/** The validated configuration object. */
export type IngestorConfig = ConfigOf<typeof configSpec>;

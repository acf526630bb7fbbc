import { ENGINE_FIELDS } from '@fxcm/bar-builder';
import type { CalendarInForce } from '@fxcm/calendar';
import { buildConfig, defineConfig } from '@fxcm/config';
import { channelNames } from '@fxcm/contracts';
import type { Deployment } from '../src';

/** The bar builder's engine settings with nothing configured: the defaults it runs on. */
export const DEFAULT_ENGINE = buildConfig(defineConfig(ENGINE_FIELDS), { env: {} });

/** A one-shard EUR/USD 1m deployment in `namespace`, on the calendar `inForce`. */
export const deploymentOn = (namespace: string, inForce: CalendarInForce): Deployment => ({
  namespace,
  shards: 1,
  channels: channelNames(),
  targets: [{ symbol: 'EURUSD', tf: '1m' }],
  metricsUrls: [],
  calendar: inForce.summary,
  calendarFor: (symbol) => inForce.book.calendarFor(symbol),
  engine: DEFAULT_ENGINE,
});

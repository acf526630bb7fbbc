import type { CalendarInForce } from '@fxcm/calendar';
import { channelNames } from '@fxcm/contracts';
import type { Deployment } from '../src';

/** A one-shard EUR/USD 1m deployment in `namespace`, on the calendar `inForce`. */
export const deploymentOn = (namespace: string, inForce: CalendarInForce): Deployment => ({
  namespace,
  shards: 1,
  channels: channelNames(),
  targets: [{ symbol: 'EURUSD', tf: '1m' }],
  metricsUrls: [],
  calendar: inForce.summary,
  calendarFor: (symbol) => inForce.book.calendarFor(symbol),
});

/**
 * Prints throughput figures of the gateway's pure live-path pieces:
 *   pnpm exec tsx --conditions=source services/fxcm-gateway/bench/live-path.ts
 */
import { ConnectionMachine } from '../src/connection/connection-machine';
import { parseCandleRows } from '../src/providers/fxcm-rest/candles';
import { parsePriceEvent } from '../src/providers/fxcm-rest/price-event';
import { SimMarket } from '../src/providers/sim/sim-market';

const MINUTE = 60_000;

function time<T>(label: string, units: string, run: () => { n: number; value: T }): T {
  const t0 = process.hrtime.bigint();
  const { n, value } = run();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(
    `${label.padEnd(44)} ${String(n).padStart(9)} ${units} in ${ms.toFixed(1).padStart(8)} ms = ${Math.round((n / ms) * 1000).toLocaleString('en-US')} ${units}/s`,
  );
  return value;
}

const symbols = [
  'EURUSD',
  'GBPUSD',
  'USDJPY',
  'USDCHF',
  'AUDUSD',
  'USDCAD',
  'NZDUSD',
  'EURGBP',
  'EURJPY',
  'GBPJPY',
  'EURCHF',
  'AUDJPY',
  'EURAUD',
  'GBPCHF',
  'CADJPY',
  'NZDJPY',
  'AUDCAD',
  'EURCAD',
  'XAUUSD',
  'XAGUSD',
];
const start = Date.UTC(2026, 10, 18, 12, 0);

time('sim: 20 symbols x 1 h of quotes (London/NY)', 'ticks', () => {
  const market = new SimMarket({ seed: 1 });
  let n = 0;
  for (const s of symbols)
    for (let m = start; m < start + 60 * MINUTE; m += MINUTE)
      n += market.ticksInMinute(s, m).length;
  return { n, value: n };
});

const rows = new SimMarket({ seed: 2 })
  .candles('EURUSD', start - 10_000 * MINUTE, start)
  .map((c) => [
    c.ts / 1000,
    c.bidOpen,
    c.bidClose,
    c.bidHigh,
    c.bidLow,
    c.askOpen,
    c.askClose,
    c.askHigh,
    c.askLow,
    c.tickQty,
  ]);
time('candles: parse 20 full /candles answers', 'rows', () => {
  let n = 0;
  for (let i = 0; i < 20; i += 1) {
    const parsed = parseCandleRows(rows, { periodMs: MINUTE, now: start });
    n += parsed.candles.length + parsed.forming;
  }
  return { n, value: n };
});

const events = Array.from({ length: 200_000 }, (_, i) =>
  JSON.stringify({
    Updated: start + i * 50,
    Rates: [1.0851, 1.08513, 1.09, 1.08],
    Symbol: 'EUR/USD',
  }),
);
time('price events: parse JSON-string pushes', 'events', () => {
  let n = 0;
  for (const e of events) n += parsePriceEvent(e).ts > 0 ? 1 : 0;
  return { n, value: n };
});

time('connection machine: tick + timer events', 'events', () => {
  let now = start;
  const machine = new ConnectionMachine({
    now: () => now,
    random: Math.random,
    isOpen: () => true,
    nextOpen: (t) => t,
  });
  machine.handle({ type: 'start' });
  machine.handle({ type: 'logged_in' });
  machine.handle({ type: 'subscribed' });
  const n = 1_000_000;
  for (let i = 0; i < n / 2; i += 1) {
    now += 50;
    machine.handle({ type: 'tick', ts: now });
    machine.handle({ type: 'timer' });
  }
  return { n, value: n };
});

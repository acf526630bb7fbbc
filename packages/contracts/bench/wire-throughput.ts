/**
 * Throughput of the hot paths (validation, Python-compatible encoding + signing, verification,
 * stream entry decoding), in CPU time per operation. Prints figures; asserts nothing.
 *
 *   pnpm exec tsx --conditions=source packages/contracts/bench/wire-throughput.ts
 */
import {
  compileAllValidators,
  decodeStreamEntry,
  encodeOhlcvMessage,
  encodeStreamEntry,
  pyFloatRepr,
  validate,
  verifyOhlcvSignature,
  type OhlcvBar,
} from '../src';

function bars(n: number): OhlcvBar[] {
  return Array.from({ length: n }, (_, i) => {
    const open = 1.38756 + i * 1e-5;
    return {
      open_time: 1399248000000 + i * 60000,
      close_time: 1399248059999 + i * 60000,
      open,
      high: open + 0.0002,
      low: open - 0.0001,
      close: open + 0.00005,
      volume: 37,
      tick_count: 37,
      bar_range: 0.0003,
      body_size: 0.00005,
      upper_wick: 0.00015,
      lower_wick: 0.0001,
      avg_spread: 0.00002,
      max_spread: 0.00004,
      complete: true,
      synthetic: false,
      source: 'tick_agg',
      tf: '1m',
    };
  });
}

/** Times `iterations` calls in CPU time (user + system), which a busy machine distorts less than wall time. */
function measure(label: string, iterations: number, fn: () => unknown): void {
  for (let i = 0; i < Math.min(iterations, 1000); i++) fn();
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) fn();
  const used = process.cpuUsage(start);
  const perOpUs = (used.user + used.system) / iterations;
  console.log(
    `${label.padEnd(48)} ${(1e6 / perOpUs).toFixed(0).padStart(10)} ops/s  ${perOpUs.toFixed(2).padStart(9)} µs/op (CPU)`,
  );
}

const t0 = process.hrtime.bigint();
compileAllValidators();
console.log(
  `compile all validators (lazy, once)               ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms`,
);

const one = { symbol: 'EURUSD', tf: '1m' as const, bars: bars(1), source: 'tick_agg' };
const many = { symbol: 'EURUSD', tf: '1m' as const, bars: bars(500), source: 'history_s3' };
const signedOne = encodeOhlcvMessage(one, { secret: 's3cr3t' });
const signedMany = encodeOhlcvMessage(many, { secret: 's3cr3t' });
const tickFields = encodeStreamEntry('tick', {
  symbol: 'EURUSD',
  ts: 1399248000123,
  bid: 1.38756,
  ask: 1.38758,
  recv_ts: 1399248000130,
  source: 'replay',
});
const doubles = Array.from({ length: 1000 }, (_, i) => (i + 1) * 1.2345e-3 * 10 ** ((i % 30) - 10));

measure('validate.ohlcv (1 bar)', 200_000, () => validate.ohlcv(one));
measure('validate.ohlcv (500 bars)', 2_000, () => validate.ohlcv(many));
measure('encodeOhlcvMessage signed sha256 (1 bar)', 50_000, () =>
  encodeOhlcvMessage(one, { secret: 's3cr3t' }),
);
measure('encodeOhlcvMessage signed sha256 (500 bars)', 300, () =>
  encodeOhlcvMessage(many, { secret: 's3cr3t' }),
);
measure('verifyOhlcvSignature (1 bar)', 50_000, () => verifyOhlcvSignature(signedOne, 's3cr3t'));
measure('verifyOhlcvSignature (500 bars)', 300, () => verifyOhlcvSignature(signedMany, 's3cr3t'));
measure('decodeStreamEntry (tick)', 200_000, () => decodeStreamEntry(tickFields));
measure('pyFloatRepr (1000 doubles per op)', 2_000, () => doubles.map(pyFloatRepr));
console.log(`message sizes: 1 bar ${signedOne.length} B, 500 bars ${signedMany.length} B`);

#!/usr/bin/env node
// One-line view of fxcm:ohlcv: `npm run watch` (complete bars) or `npm run watch -- --all`
// (previews too). Honours REDIS_URL, FXCM_CHANNEL_PREFIX and FXCM_OHLCV_CHANNEL.
import { Redis } from 'ioredis';

const all = process.argv.includes('--all');
const channel =
  process.env.FXCM_OHLCV_CHANNEL ?? `${process.env.FXCM_CHANNEL_PREFIX ?? 'fxcm'}:ohlcv`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const iso = (ms) => new Date(ms).toISOString().replace(':00.000Z', 'Z');

redis.on('message', (_ch, text) => {
  let msg;
  try {
    msg = JSON.parse(text);
  } catch {
    console.log(`(not JSON) ${text.slice(0, 100)}`);
    return;
  }
  for (const bar of msg.bars ?? []) {
    if (bar.complete === false && !all) continue;
    const kind = bar.complete === false ? 'preview' : bar.synthetic ? 'synthetic' : 'final';
    console.log(
      `${msg.symbol} ${msg.tf.padEnd(3)} ${iso(bar.open_time)}  O ${bar.open} H ${bar.high} L ${bar.low} C ${bar.close}  V ${bar.volume}  ${kind}${msg.sig ? '  signed' : ''}`,
    );
  }
});
await redis.subscribe(channel);
console.log(`watching ${channel} (Ctrl-C to stop)${all ? ', previews included' : ''}`);

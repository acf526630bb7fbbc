// Prints logging throughput with and without redaction work; run:
// pnpm exec tsx --conditions=source packages/logging/bench/log-lines.ts
import { Writable } from 'node:stream';
import { createLogger, createRateLimitedLog } from '../src';

let bytes = 0;
const sink = new Writable({
  write(chunk: Buffer | string, _enc, cb) {
    bytes += chunk.length;
    cb();
  },
});

function rate(label: string, lines: number, fn: (i: number) => void): void {
  for (let i = 0; i < 1_000; i++) fn(i); // warm-up
  bytes = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < lines; i++) fn(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perSec = Math.round(lines / seconds);
  console.log(
    `${label.padEnd(46)} ${perSec.toLocaleString('en-US').padStart(10)} lines/s  ${(bytes / lines).toFixed(0)} B/line`,
  );
}

const plain = createLogger({ service: 'bench', stream: sink });
const secretive = createLogger({
  service: 'bench',
  stream: sink,
  secrets: ['hmac-secret-0123456789abcdef', 'fxcm-token-abcdef0123456789', 'redis-pass'],
});
const meta = {
  symbol: 'XAU/USD',
  tf: '1m',
  bar: { open: 2331.12, high: 2332.4, low: 2330.9, close: 2331.8, volume: 412, complete: true },
  redis: { url: 'redis://127.0.0.1:6379', password: 'redis-pass' },
  attempts: [1, 2, 3],
};
const err = Object.assign(new Error('publish failed (sig hmac-secret-0123456789abcdef)'), {
  code: 'PUBLISH_FAILED',
});

rate('info, no meta', 100_000, (i) => plain.info(`tick ${i}`));
rate('info, nested meta, no secrets', 100_000, () => plain.info('bar closed', meta));
rate('info, nested meta, 3 secret literals', 100_000, () => secretive.info('bar closed', meta));
rate('error with Error + 3 secret literals', 50_000, () =>
  secretive.error('publish failed', { err }),
);
rate('debug filtered out (level info)', 1_000_000, () => plain.debug('noise', meta));
const limited = createRateLimitedLog(plain, { intervalMs: 60_000 });
rate('rate-limited, same key (all but first dropped)', 1_000_000, () =>
  limited('redis-down', 'warn', 'redis down', meta),
);

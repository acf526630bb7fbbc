// Prints metric update cost and /metrics scrape latency; run:
// pnpm exec tsx --conditions=source packages/metrics/bench/scrape.ts
import { request } from 'node:http';
import { createMetrics, startHealthServer } from '../src';

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let size = 0;
      res.on('data', (chunk: Buffer) => (size += chunk.length));
      res.on('end', () => resolve(size));
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const metrics = createMetrics({ service: 'bench' });
  const bars = metrics.counter('fxcm_bench_bars_total', 'Bars', ['symbol', 'tf']);
  const symbols = Array.from({ length: 100 }, (_, i) => `SYM${i}/USD`);
  const tfs = ['1m', '5m', '15m', '30m', '1h', '4h', '1d'];

  const updates = 1_000_000;
  let start = process.hrtime.bigint();
  for (let i = 0; i < updates; i++) {
    bars.inc({ symbol: symbols[i % symbols.length] ?? '', tf: tfs[i % tfs.length] ?? '' });
  }
  const ns = Number(process.hrtime.bigint() - start);
  console.log(
    `counter.inc with 2 labels: ${(ns / updates).toFixed(0)} ns/op (${updates} ops, 700 series)`,
  );

  const server = await startHealthServer({ port: 0, host: '127.0.0.1', metrics });
  const scrapes = 200;
  let size = 0;
  await get(server.port, '/metrics');
  start = process.hrtime.bigint();
  for (let i = 0; i < scrapes; i++) size = await get(server.port, '/metrics');
  const scrapeMs = Number(process.hrtime.bigint() - start) / 1e6 / scrapes;
  console.log(
    `GET /metrics (700 series + process metrics): ${scrapeMs.toFixed(2)} ms/scrape, ${size} bytes`,
  );

  start = process.hrtime.bigint();
  for (let i = 0; i < scrapes; i++) await get(server.port, '/readyz');
  const probeMs = Number(process.hrtime.bigint() - start) / 1e6 / scrapes;
  console.log(`GET /readyz: ${probeMs.toFixed(2)} ms/request (new connection each)`);
  await server.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

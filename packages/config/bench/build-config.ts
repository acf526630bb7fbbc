// Prints how long configuration loading takes; run:
// pnpm exec tsx --conditions=source packages/config/bench/build-config.ts
import { join } from 'node:path';
import { buildConfig, defineConfig, loadRuntimeSettings } from '../src';

const fixture = join(__dirname, '..', 'test', 'fixtures', 'runtime-settings.v1.json');

function time(label: string, runs: number, fn: () => unknown): void {
  fn(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) fn();
  const perRunUs = Number(process.hrtime.bigint() - start) / 1_000 / runs;
  console.log(`${label.padEnd(44)} ${perRunUs.toFixed(1).padStart(9)} µs/run  (${runs} runs)`);
}

const fields = Array.from({ length: 40 }, (_, i) => ({
  key: `field${i}`,
  env: `FXCM_FIELD_${i}`,
  setting: `stream.field_${i}`,
  type: 'int' as const,
  default: i,
  min: 0,
  max: 1_000_000,
  description: `field ${i}`,
}));
const env = Object.fromEntries(fields.map((f, i) => [f.env, String(i * 2)]));

time('defineConfig (40 fields, schema compile)', 50, () => defineConfig(fields));
const spec = defineConfig(fields);
time('buildConfig (40 fields from env)', 5_000, () => buildConfig(spec, { env }));
time('loadRuntimeSettings (V1 example file)', 2_000, () => loadRuntimeSettings(fixture));

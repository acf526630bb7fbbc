/*
 * The long fuzz run: `pnpm fuzz [--count 100000] [--speed 200] [--seed 1]` (after `pnpm build`).
 * Prints progress and ends with `N entries, 0 crashes, 0 pending, 0 wrong bars`; exits 1 when a
 * service crashed, something stayed pending, a rejection went uncounted or under a code outside
 * the registry, or a bar was lost, duplicated or wrong.
 */
import { parseArgs } from 'node:util';
import { runFuzz } from './fuzz-run';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: process.env.FXCM_FUZZ_ENTRIES ?? '100000' },
    speed: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
  },
});
const started = Date.now();
runFuzz({
  count: Number(values.count),
  speed: values.speed,
  seed: Number(values.seed),
  say: (line) => console.log(`[${((Date.now() - started) / 1_000).toFixed(1)} s] ${line}`),
}).then(
  (r) => {
    console.log(`by target: ${JSON.stringify(r.byTarget)}`);
    console.log(`rejections counted under registry codes: ${r.counted}/${r.expected}`);
    if (r.unregistered.length > 0) console.log(`codes outside the registry: ${r.unregistered}`);
    if (r.crashes.length > 0) console.log(`crashed: ${r.crashes.join(', ')}`);
    if (r.pending.length > 0) console.log(`pending: ${r.pending.join('; ')}`);
    console.log(r.summary);
    const bad =
      r.crashes.length + r.pending.length + r.unregistered.length + r.wrongBars > 0 ||
      r.counted !== r.expected;
    process.exit(bad ? 1 : 0);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

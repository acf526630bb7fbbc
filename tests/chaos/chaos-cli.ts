/*
 * The long chaos run: `pnpm chaos [--kills 100] [--redis-down-ms 60000] [--speed 300] [--settle-ms 600000]` (after
 * `pnpm build`; at speed 300 the day lasts about 5 minutes, so the kills land in it).
 * Prints each kill and ends with `N kills (+1 Redis kill), 0 lost, 0 duplicated, 0 wrong`;
 * exits 1 when anything was lost, duplicated, wrong, crashed or not ready again.
 */
import { parseArgs } from 'node:util';
import { runChaos } from './chaos-run';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '100' },
    'redis-down-ms': { type: 'string', default: '60000' },
    speed: { type: 'string', default: '300' },
    'settle-ms': { type: 'string', default: '600000' },
  },
});
const started = Date.now();
runChaos({
  kills: Number(values.kills),
  redisDownMs: Number(values['redis-down-ms']),
  pauseMs: [0, 1_500],
  speed: values.speed,
  settleMs: Number(values['settle-ms']),
  say: (line) => console.log(`[${((Date.now() - started) / 1_000).toFixed(1)} s] ${line}`),
}).then(
  (r) => {
    console.log(
      `kills by service: ${JSON.stringify(r.byService)}; mid-replay: ${r.midReplay}; ready again: ${r.ready.length}/5`,
    );
    if (r.crashed.length > 0) console.log(`unhandled errors in: ${r.crashed.join(', ')}`);
    console.log(r.summary);
    const bad =
      r.lost + r.duplicated + r.wrong + r.extra + r.crashed.length > 0 || r.ready.length < 5;
    process.exit(bad ? 1 : 0);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

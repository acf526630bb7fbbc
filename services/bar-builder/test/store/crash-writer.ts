/*
 * Writer process of the SIGKILL test (crash.test.ts): appends deterministic bars forever and
 * prints `D <open_time,…>` after each append resolves (= durable). Tail appends leave holes that
 * later gap fills close out of order, so kills land in tail writes and in rewrites alike.
 * Usage: crash-writer <dir> <maxBars> <seed>
 */
import { openStore } from '../../src/store';
import { crashBar, crashRandom, CRASH_BASE, MINUTE } from './crash-bars';

async function main(): Promise<void> {
  const [dir, maxBarsText, seedText] = process.argv.slice(2);
  const store = await openStore({ dir: dir!, maxBars: Number(maxBarsText) });
  const random = crashRandom(Number(seedText));
  const stored = await store.read('EURUSD', '1m');
  const present = new Set(stored.map((b) => b.open_time));
  const holes: number[] = [];
  if (stored.length > 0) {
    for (let t = stored[0]!.open_time; t < stored[stored.length - 1]!.open_time; t += MINUTE) {
      if (!present.has(t)) holes.push(t);
    }
  }
  let next = stored.length > 0 ? stored[stored.length - 1]!.open_time + MINUTE : CRASH_BASE;
  process.stdout.write('READY\n');
  for (;;) {
    const times: number[] = [];
    if (holes.length > 0 && random() < 0.25) {
      const n = 1 + Math.floor(random() * Math.min(holes.length, 40));
      for (let i = 0; i < n; i++)
        times.push(holes.splice(Math.floor(random() * holes.length), 1)[0]!);
    } else {
      const n = 1 + Math.floor(random() * 300);
      for (let i = 0; i < n; i++, next += MINUTE) {
        if (random() < 0.05) holes.push(next);
        else times.push(next);
      }
    }
    if (times.length === 0) continue;
    await store.append('EURUSD', '1m', times.map(crashBar));
    process.stdout.write(`D ${times.join(',')}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});

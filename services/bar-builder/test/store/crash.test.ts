import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStore } from '../../src/store';
import { crashBar, crashRandom, MINUTE } from './crash-bars';

// tsx as a loader of this very process: its CLI would run the script in a grandchild that a
// SIGKILL of the child does not reach.
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;
const WRITER = join(__dirname, 'crash-writer.ts');
const MAX_BARS = 3000;
const KILLS = 25;

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bar-store-crash-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface WriterRun {
  durable: number[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Starts the writer, SIGKILLs it `delayMs` after it is ready, and collects what it reported durable. */
function runAndKill(seed: number, delayMs: number): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', TSX_LOADER, WRITER, dir, String(MAX_BARS), String(seed)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const durable: number[] = [];
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      let nl: number;
      // Only whole lines count: a line cut by the kill was never fully reported.
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line === 'READY') setTimeout(() => child.kill('SIGKILL'), delayMs);
        else if (line.startsWith('D ')) durable.push(...line.slice(2).split(',').map(Number));
      }
    });
    // A writer that never gets ready must not hang the suite.
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ durable, signal, code, stderr });
    });
  });
}

it('keeps every durable bar and returns nothing torn when the writer is SIGKILLed at random points', async () => {
  const seed = Date.now() % 1_000_000;
  const random = crashRandom(seed);
  const durable = new Set<number>();
  let writtenBeforeKill = 0;
  for (let i = 0; i < KILLS; i++) {
    const run = await runAndKill(seed + i, Math.floor(random() * 300));
    expect({ seed, iteration: i, signal: run.signal, stderr: run.stderr }).toEqual({
      seed,
      iteration: i,
      signal: 'SIGKILL',
      stderr: '',
    });
    run.durable.forEach((t) => durable.add(t));
    writtenBeforeKill += run.durable.length;

    const store = await openStore({ dir, maxBars: MAX_BARS });
    expect(store.state).toBe('ok');
    const bars = await store.read('EURUSD', '1m');
    // Nothing torn: every bar returned is exactly the one bar ever written for its minute.
    const wrong = bars.filter((b, k) => {
      const ascending = k === 0 || b.open_time > bars[k - 1]!.open_time;
      return !ascending || JSON.stringify(b) !== JSON.stringify(crashBar(b.open_time));
    });
    expect({ seed, iteration: i, wrong }).toEqual({ seed, iteration: i, wrong: [] });
    expect(bars.length).toBeLessThanOrEqual(MAX_BARS);
    // Nothing durable lost: a reported bar may only be missing because retention dropped it.
    const present = new Set(bars.map((b) => b.open_time));
    const first = bars.length > 0 ? bars[0]!.open_time : Infinity;
    const missing = [...durable].filter((t) => !present.has(t));
    expect({ seed, iteration: i, lost: missing.filter((t) => t >= first) }).toEqual({
      seed,
      iteration: i,
      lost: [],
    });
    if (missing.length > 0) expect(bars.length).toBe(MAX_BARS);
    await store.close();
  }
  expect(writtenBeforeKill).toBeGreaterThan(0);

  // Still appendable after the last kill.
  const store = await openStore({ dir, maxBars: MAX_BARS });
  const last = (await store.last('EURUSD', '1m'))!;
  const next = crashBar(last.open_time + MINUTE);
  await expect(store.append('EURUSD', '1m', [next])).resolves.toMatchObject({ written: 1 });
  expect(await store.read('EURUSD', '1m', { limit: 2 })).toEqual([last, next]);
  await store.close();
}, 180_000);

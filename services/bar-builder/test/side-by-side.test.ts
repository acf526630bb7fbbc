import { sideBySide } from '../src/side-by-side';

/** A task that waits for its release, recording when it started, how many ran at once. */
function rig() {
  const started: number[] = [];
  const release = new Map<number, () => void>();
  let running = 0;
  let most = 0;
  const task = (item: number) =>
    new Promise<void>((resolve) => {
      started.push(item);
      most = Math.max(most, (running += 1));
      release.set(item, () => {
        running -= 1;
        resolve();
      });
    });
  return { started, release, task, most: () => most };
}

const tick = () => new Promise((r) => setImmediate(r));

it('runs at most `limit` tasks at once, starting them in order as lanes free up', async () => {
  const { started, release, task, most } = rig();
  const done = sideBySide([1, 2, 3, 4, 5], 2, task);
  await tick();
  expect(started).toEqual([1, 2]);
  release.get(2)!();
  await tick();
  expect(started).toEqual([1, 2, 3]);
  for (const item of [1, 3, 4, 5]) {
    await tick();
    release.get(item)!();
  }
  await done;
  expect(started).toEqual([1, 2, 3, 4, 5]);
  expect(most()).toBe(2);
});

it('finishes with nothing to do, and takes a limit below one as one', async () => {
  await expect(sideBySide([], 4, async () => undefined)).resolves.toBeUndefined();
  const seen: number[] = [];
  await sideBySide([1, 2, 3], 0, async (n) => void seen.push(n));
  expect(seen).toEqual([1, 2, 3]);
});

it('rejects with a failure while the other lanes run to the end', async () => {
  const seen: number[] = [];
  const call = sideBySide([1, 2, 3, 4], 2, async (n) => {
    await tick();
    if (n === 1) throw new Error('boom');
    seen.push(n);
  });
  await expect(call).rejects.toThrow('boom');
  // the failed lane stopped; the other one takes the rest, one at a time
  for (let i = 0; i < 5; i++) await tick();
  expect(seen).toEqual([2, 3, 4]);
});

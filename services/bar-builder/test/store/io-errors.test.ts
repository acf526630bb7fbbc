import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type BarStore, type StoreError } from '../../src/store';
import { faultyFs, type FaultyFs } from './faulty-fs';
import { referenceBars } from './reference-bars';

const SYMBOL = 'XAUUSD';
const day = referenceBars('20140507');
const before = day.slice(0, 600);
const after = day.slice(600, 700);

let dir: string;
let faulty: FaultyFs;
let errors: StoreError[];
const open: BarStore[] = [];

async function openFaulty(maxBars = 60_000): Promise<BarStore> {
  const store = await openStore({ dir, maxBars, fs: faulty.fs, onError: (e) => errors.push(e) });
  open.push(store);
  return store;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bar-store-io-'));
  faulty = faultyFs();
  errors = [];
});

afterEach(async () => {
  faulty.heal();
  await Promise.all(open.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** The store after an I/O error: read-only, says why, reads still served, appends refused. */
async function expectReadOnly(store: BarStore, served: typeof day): Promise<void> {
  expect(store.state).toBe('read_only');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toBe(store.lastError);
  expect(errors[0]).toMatchObject({ code: 'STORE_IO' });
  expect((errors[0]!.cause as NodeJS.ErrnoException).code).toBe('EIO');
  faulty.heal();
  expect(await store.read(SYMBOL, '1m')).toEqual(served);
  await expect(store.append(SYMBOL, '1m', after)).rejects.toMatchObject({
    code: 'STORE_READ_ONLY',
  });
  // A refused append is not a new I/O error: the cache_io counter moves once per failure.
  expect(errors).toHaveLength(1);
}

it.each(['write', 'fdatasync'] as const)(
  'turns read-only when %s fails on a tail append, keeping the durable bars readable',
  async (op) => {
    const store = await openFaulty();
    await store.append(SYMBOL, '1m', before);
    faulty.fail(op);
    const err = await store.append(SYMBOL, '1m', after).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE_IO' });
    expect((err as Error).message).toContain(join(dir, 'XAUUSD_1m.bars'));
    await expectReadOnly(store, before);
  },
);

it.each(['open', 'write', 'fsync', 'rename'] as const)(
  'turns read-only when %s fails during a rewrite (gap fill), serving the old bars',
  async (op) => {
    const store = await openFaulty();
    const holes = before.filter((_, i) => i % 10 === 0);
    await store.append(
      SYMBOL,
      '1m',
      before.filter((_, i) => i % 10 !== 0),
    );
    faulty.fail(op);
    await expect(store.append(SYMBOL, '1m', holes)).rejects.toMatchObject({ code: 'STORE_IO' });
    await expectReadOnly(
      store,
      before.filter((_, i) => i % 10 !== 0),
    );
    await store.close();

    // A healthy restart sees the old file whole (or the new one, if the rename happened).
    errors = [];
    const again = await openFaulty();
    expect(again.state).toBe('ok');
    expect(readdirSync(dir)).toEqual(['XAUUSD_1m.bars']);
    expect(await again.read(SYMBOL, '1m')).toEqual(before.filter((_, i) => i % 10 !== 0));
  },
);

it('turns read-only when a read fails, and serves reads again once the disk answers', async () => {
  const store = await openFaulty();
  await store.append(SYMBOL, '1m', before);
  faulty.fail('read');
  await expect(store.read(SYMBOL, '1m')).rejects.toMatchObject({ code: 'STORE_IO' });
  await expectReadOnly(store, before);
});

it('opens read-only when the store directory cannot be listed', async () => {
  faulty.fail('readdir');
  const store = await openFaulty();
  expect(store.state).toBe('read_only');
  expect(errors.map((e) => e.code)).toEqual(['STORE_IO']);
  expect(store.lastError?.message).toContain(dir);
  expect(await store.read(SYMBOL, '1m')).toEqual([]);
  await expect(store.append(SYMBOL, '1m', after)).rejects.toMatchObject({
    code: 'STORE_READ_ONLY',
  });
});

it('serves reads from a volume that refuses writes (open r+ fails)', async () => {
  const store = await openFaulty();
  await store.append(SYMBOL, '1m', before);
  await store.close();
  faulty.fail('open', (_path, flags) => flags !== 'r');
  const again = await openFaulty();
  expect(again.state).toBe('read_only');
  expect(errors.map((e) => e.code)).toEqual(['STORE_IO']);
  expect(await again.read(SYMBOL, '1m')).toEqual(before);
  expect(await again.last(SYMBOL, '1m')).toEqual(before[before.length - 1]);
});

it('keeps an append durable when only the retention rewrite after it fails', async () => {
  const store = await openFaulty(100);
  await store.append(SYMBOL, '1m', day.slice(0, 100));
  // The next append pushes 20 bars out of the window: hidden records reach the slack of 16.
  faulty.fail('rename');
  const result = await store.append(SYMBOL, '1m', day.slice(100, 120));
  expect(result.written).toBe(20);
  expect(store.state).toBe('read_only');
  expect(errors.map((e) => e.code)).toEqual(['STORE_IO']);
  faulty.heal();
  await store.close();
  errors = [];
  expect(await (await openFaulty(100)).read(SYMBOL, '1m')).toEqual(day.slice(20, 120));
});

it('ignores and later cuts the half record a failing write left behind', async () => {
  let writes = 0;
  const base = faulty.fs;
  const fs = {
    ...base,
    // The second write stores 50 records and 10 bytes of the 51st, then the disk fails.
    write: async (
      fd: number,
      buf: Uint8Array,
      offset: number,
      length: number,
      position: number,
    ) => {
      writes++;
      if (writes === 2) return base.write(fd, buf, offset, 50 * 84 + 10, position);
      if (writes === 3) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      return base.write(fd, buf, offset, length, position);
    },
  };
  const store = await openStore({ dir, maxBars: 60_000, fs, onError: (e) => errors.push(e) });
  open.push(store);
  await store.append(SYMBOL, '1m', before);
  await expect(store.append(SYMBOL, '1m', after)).rejects.toMatchObject({ code: 'STORE_IO' });
  expect(await store.read(SYMBOL, '1m')).toEqual(before);
  await store.close();

  errors = [];
  const again = await openFaulty();
  expect(again.recoveries).toEqual([expect.objectContaining({ droppedBytes: 10 })]);
  // The half-written batch held whole records; they were never reported durable, yet they are
  // intact, so they survive: only what follows the last whole record is cut.
  const kept = await again.read(SYMBOL, '1m');
  expect(kept.slice(0, before.length)).toEqual(before);
  expect(kept.slice(before.length)).toEqual(after.slice(0, 50));
  await again.append(SYMBOL, '1m', after);
  expect(await again.read(SYMBOL, '1m')).toEqual([...before, ...after]);
});

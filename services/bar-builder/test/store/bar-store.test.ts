import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type BarStore, type StoredBar } from '../../src/store';
import { faultyFs } from './faulty-fs';
import { barOf, referenceBars, referenceRows } from './reference-bars';

const SYMBOL = 'EURUSD';
const HEADER = 64;
const RECORD = 84;

let dir: string;
const open: BarStore[] = [];

async function openAt(maxBars = 60_000, extra: Partial<Parameters<typeof openStore>[0]> = {}) {
  const store = await openStore({ dir, maxBars, ...extra });
  open.push(store);
  return store;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bar-store-'));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('append and read', () => {
  it('stores a real day of 1m bars and gives back exactly the same bars, also after reopening', async () => {
    const day = referenceBars('20140505');
    expect(day).toHaveLength(1410);
    const store = await openAt();
    const result = await store.append(SYMBOL, '1m', day);
    expect(result).toEqual({ written: 1410, duplicates: 0, conflicts: [], expired: 0 });
    expect(await store.read(SYMBOL, '1m')).toEqual(day);
    await store.close();

    const again = await openAt();
    expect(again.recoveries).toEqual([]);
    expect(await again.read(SYMBOL, '1m')).toEqual(day);
    expect(await again.last(SYMBOL, '1m')).toEqual(day[day.length - 1]);
    expect(again.series()).toEqual([
      {
        symbol: SYMBOL,
        tf: '1m',
        count: 1410,
        firstOpenTime: day[0]!.open_time,
        lastOpenTime: day[1409]!.open_time,
      },
    ]);
    // Header plus fixed-size records: the layout docs/store.md describes.
    expect(statSync(join(dir, 'EURUSD_1m.bars')).size).toBe(HEADER + 1410 * RECORD);
  });

  it('accepts bars in any order and keeps them sorted by open_time', async () => {
    const day = referenceBars('20140506');
    const shuffled = [...day].reverse();
    const store = await openAt();
    await store.append(SYMBOL, '1m', shuffled);
    expect(await store.read(SYMBOL, '1m')).toEqual(day);
  });

  it('reads inclusive open_time ranges and the newest `limit` bars of a range', async () => {
    const day = referenceBars('20140505');
    const store = await openAt();
    await store.append(SYMBOL, '1m', day);
    const from = day[100]!.open_time;
    const to = day[199]!.open_time;
    expect(await store.read(SYMBOL, '1m', { fromOpenTime: from, toOpenTime: to })).toEqual(
      day.slice(100, 200),
    );
    expect(
      await store.read(SYMBOL, '1m', { fromOpenTime: from, toOpenTime: to, limit: 10 }),
    ).toEqual(day.slice(190, 200));
    expect(await store.read(SYMBOL, '1m', { limit: 3 })).toEqual(day.slice(-3));
    // Bounds between two stored minutes.
    expect(await store.read(SYMBOL, '1m', { fromOpenTime: from + 1, toOpenTime: to - 1 })).toEqual(
      day.slice(101, 199),
    );
    expect(await store.read(SYMBOL, '1m', { fromOpenTime: to, toOpenTime: from })).toEqual([]);
    expect(await store.read('GBPUSD', '1m')).toEqual([]);
    expect(await store.last('GBPUSD', '1m')).toBeUndefined();
  });

  it('keeps series apart per symbol and timeframe and escapes symbols into safe file names', async () => {
    const store = await openAt();
    const bars = referenceBars('20140505').slice(0, 5);
    await store.append('XAU/USD', '1m', bars);
    await store.append(SYMBOL, '1m', bars.slice(0, 2));
    await store.append(SYMBOL, '5m', bars.slice(0, 1));
    expect(readdirSync(dir).sort()).toEqual([
      'EURUSD_1m.bars',
      'EURUSD_5m.bars',
      'XAU%2FUSD_1m.bars',
    ]);
    await store.close();
    const again = await openAt();
    expect(again.symbols()).toEqual(['EURUSD', 'XAU/USD']);
    expect(again.series().map((s) => [s.symbol, s.tf, s.count])).toEqual([
      ['EURUSD', '1m', 2],
      ['EURUSD', '5m', 1],
      ['XAU/USD', '1m', 5],
    ]);
    expect(await again.read('XAU/USD', '1m')).toEqual(bars);
  });

  it('writes a bulk append of a day to an existing series with one write and one fdatasync', async () => {
    const faulty = faultyFs();
    const store = await openAt(60_000, { fs: faulty.fs });
    const [first, second] = [referenceBars('20140505'), referenceBars('20140506')];
    await store.append(SYMBOL, '1m', first);
    faulty.resetCounts();
    const result = await store.append(SYMBOL, '1m', second);
    expect(result.written).toBe(second.length);
    expect(faulty.counts).toEqual({ write: 1, fdatasync: 1 });
  });

  it('exports the V1 CSV columns with the exact reference values', async () => {
    const rows = referenceRows('20140505').slice(0, 50);
    const store = await openAt();
    await store.append(SYMBOL, '1m', rows.map(barOf));
    // Expected text straight from the reference file: the numbers with trailing zeros dropped.
    const plain = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
    const expected = [
      'symbol,tf,open_time,close_time,open,high,low,close,volume',
      ...rows.map((r) => {
        const volume = Math.abs(Math.round((Number(r.text[8]) - Number(r.text[4])) * 1e5));
        const t = r.text[0]!;
        const close = String(Number(t) + 59_999);
        return [SYMBOL, '1m', t, close, ...r.text.slice(1, 5).map(plain), String(volume)].join(',');
      }),
    ].join('\n');
    expect(await store.exportCsv(SYMBOL, '1m')).toBe(`${expected}\n`);
  });
});

describe('merge by open_time', () => {
  const day = () => referenceBars('20140505').slice(0, 100);

  it('treats a redelivered identical bar as a duplicate, not a conflict', async () => {
    const store = await openAt();
    await store.append(SYMBOL, '1m', day());
    const result = await store.append(SYMBOL, '1m', day().slice(40, 60));
    expect(result).toEqual({ written: 0, duplicates: 20, conflicts: [], expired: 0 });
    expect(await store.read(SYMBOL, '1m')).toEqual(day());
  });

  it('keeps the existing bar by default and reports the conflict', async () => {
    const store = await openAt();
    await store.append(SYMBOL, '1m', day());
    const original = day()[10]!;
    const other: StoredBar = { ...original, source: 'tick_agg', tick_count: 12, volume: 12 };
    const next = { ...barOf(referenceRows('20140505')[100]!) };
    const result = await store.append(SYMBOL, '1m', [other, next]);
    expect(result).toEqual({
      written: 1,
      duplicates: 0,
      conflicts: [
        {
          open_time: original.open_time,
          existing: original,
          incoming: other,
          resolution: 'kept_existing',
        },
      ],
      expired: 0,
    });
    await store.close();
    const again = await openAt();
    expect(await again.read(SYMBOL, '1m')).toEqual([...day(), next]);
  });

  it('replaces the existing bar when the caller says the incoming one wins', async () => {
    const store = await openAt();
    await store.append(SYMBOL, '1m', day());
    const original = day()[10]!;
    const other: StoredBar = { ...original, close: original.low, synthetic: true };
    const result = await store.append(SYMBOL, '1m', [other], { onConflict: 'replace' });
    expect(result.written).toBe(1);
    expect(result.conflicts).toEqual([
      {
        open_time: original.open_time,
        existing: original,
        incoming: other,
        resolution: 'replaced',
      },
    ]);
    await store.close();
    const expected = day();
    expected[10] = other;
    expect(await (await openAt()).read(SYMBOL, '1m')).toEqual(expected);
  });

  it('fills old gaps out of order (history backfill) and keeps the series sorted', async () => {
    const all = day();
    const holes = new Set([0, 3, 4, 5, 50, 98]);
    const store = await openAt();
    await store.append(
      SYMBOL,
      '1m',
      all.filter((_, i) => !holes.has(i)),
    );
    const result = await store.append(
      SYMBOL,
      '1m',
      all.filter((_, i) => holes.has(i)),
    );
    expect(result).toEqual({ written: 6, duplicates: 0, conflicts: [], expired: 0 });
    expect(await store.read(SYMBOL, '1m')).toEqual(all);
    await store.close();
    expect(await (await openAt()).read(SYMBOL, '1m')).toEqual(all);
    expect(readdirSync(dir)).toEqual(['EURUSD_1m.bars']);
  });
});

describe('retention', () => {
  it('keeps the newest maxBars bars per series, across appends and reopening', async () => {
    const bars = [...referenceBars('20140505'), ...referenceBars('20140506')];
    const store = await openAt(500);
    for (let i = 0; i < bars.length; i += 97)
      await store.append(SYMBOL, '1m', bars.slice(i, i + 97));
    expect(await store.read(SYMBOL, '1m')).toEqual(bars.slice(-500));
    // Hidden records are bounded: the file never grows far past maxBars.
    expect(statSync(join(dir, 'EURUSD_1m.bars')).size).toBeLessThanOrEqual(
      HEADER + (500 + 63 + 97) * RECORD,
    );
    await store.close();
    expect(await (await openAt(500)).read(SYMBOL, '1m')).toEqual(bars.slice(-500));
  });

  it('drops bars older than the window instead of writing them, and says so', async () => {
    const bars = referenceBars('20140505');
    const store = await openAt(100);
    await store.append(SYMBOL, '1m', bars.slice(200, 300));
    const result = await store.append(SYMBOL, '1m', [...bars.slice(0, 3), bars[300]!]);
    expect(result).toEqual({ written: 1, duplicates: 0, conflicts: [], expired: 3 });
    expect(await store.read(SYMBOL, '1m')).toEqual(bars.slice(201, 301));
  });

  it('applies a smaller maxBars to a series written with a larger one', async () => {
    const bars = referenceBars('20140505').slice(0, 300);
    const store = await openAt(1000);
    await store.append(SYMBOL, '1m', bars);
    await store.close();
    expect(await (await openAt(120)).read(SYMBOL, '1m')).toEqual(bars.slice(-120));
  });
});

describe('crash recovery on open', () => {
  it('cuts a torn tail, keeps every whole record and stays appendable', async () => {
    const bars = referenceBars('20140505').slice(0, 20);
    const store = await openAt();
    await store.append(SYMBOL, '1m', bars.slice(0, 10));
    await store.close();
    const file = join(dir, 'EURUSD_1m.bars');
    // Half of the next record, as a write cut by SIGKILL would leave it.
    appendFileSync(file, Buffer.alloc(RECORD / 2, 0x5a));
    const again = await openAt();
    expect(again.recoveries).toEqual([
      { file, symbol: SYMBOL, tf: '1m', droppedBytes: RECORD / 2 },
    ]);
    expect(await again.read(SYMBOL, '1m')).toEqual(bars.slice(0, 10));
    expect(statSync(file).size).toBe(HEADER + 10 * RECORD);
    await again.append(SYMBOL, '1m', bars.slice(10));
    await again.close();
    expect(await (await openAt()).read(SYMBOL, '1m')).toEqual(bars);
  });

  it('recovers from a tail append cut at every byte: whole records kept, the rest cut', async () => {
    const bars = referenceBars('20140505').slice(0, 8);
    const store = await openAt();
    await store.append(SYMBOL, '1m', bars.slice(0, 5));
    await store.append(SYMBOL, '1m', bars.slice(5));
    await store.close();
    const full = readFileSync(join(dir, 'EURUSD_1m.bars'));
    const base = dir;
    try {
      for (let cut = HEADER + 5 * RECORD; cut <= full.length; cut++) {
        dir = join(base, `cut-${cut}`);
        mkdirSync(dir);
        writeFileSync(join(dir, 'EURUSD_1m.bars'), full.subarray(0, cut));
        const whole = Math.floor((cut - HEADER) / RECORD);
        const again = await openAt();
        expect(again.recoveries.map((r) => r.droppedBytes)).toEqual(
          (cut - HEADER) % RECORD ? [(cut - HEADER) % RECORD] : [],
        );
        expect(await again.read(SYMBOL, '1m')).toEqual(bars.slice(0, whole));
        await again.append(SYMBOL, '1m', bars);
        expect(await again.read(SYMBOL, '1m')).toEqual(bars);
        await again.close();
      }
    } finally {
      dir = base;
    }
  });

  it('drops a whole-sized record whose checksum fails at the tail', async () => {
    const bars = referenceBars('20140505').slice(0, 5);
    const store = await openAt();
    await store.append(SYMBOL, '1m', bars);
    await store.close();
    const file = join(dir, 'EURUSD_1m.bars');
    const bytes = readFileSync(file);
    bytes[HEADER + 4 * RECORD + 20] = bytes[HEADER + 4 * RECORD + 20]! ^ 0x01;
    writeFileSync(file, bytes);
    const again = await openAt();
    expect(again.state).toBe('ok');
    expect(await again.read(SYMBOL, '1m')).toEqual(bars.slice(0, 4));
  });

  it('removes the temporary file of an interrupted rewrite', async () => {
    const bars = referenceBars('20140505').slice(0, 5);
    const store = await openAt();
    await store.append(SYMBOL, '1m', bars);
    await store.close();
    writeFileSync(join(dir, 'EURUSD_1m.bars.tmp'), Buffer.alloc(100, 1));
    const again = await openAt();
    expect(readdirSync(dir)).toEqual(['EURUSD_1m.bars']);
    expect(await again.read(SYMBOL, '1m')).toEqual(bars);
  });

  it('refuses a file of another format version with an error naming the file', async () => {
    const store = await openAt();
    await store.append(SYMBOL, '1m', referenceBars('20140505').slice(0, 3));
    await store.close();
    const file = join(dir, 'EURUSD_1m.bars');
    const bytes = readFileSync(file);
    bytes.writeUInt16LE(2, 8);
    writeFileSync(file, bytes);
    await expect(openStore({ dir, maxBars: 10 })).rejects.toMatchObject({
      code: 'STORE_VERSION_MISMATCH',
      file,
      message: `${file} has store format version 2, this build reads version 1`,
    });
  });

  it('refuses a file that is not a store file', async () => {
    writeFileSync(join(dir, 'EURUSD_1m.bars'), 'symbol,tf,open_time\n');
    await expect(openStore({ dir, maxBars: 10 })).rejects.toMatchObject({
      code: 'STORE_CORRUPT_HEADER',
    });
  });

  it('goes read-only instead of cutting when damage lies deeper than one append', async () => {
    const bars = [
      ...referenceBars('20140505'),
      ...referenceBars('20140506'),
      ...referenceBars('20140507'),
    ];
    const store = await openAt();
    for (let i = 0; i < bars.length; i += 1000)
      await store.append(SYMBOL, '1m', bars.slice(i, i + 1000));
    await store.close();
    const file = join(dir, 'EURUSD_1m.bars');
    const before = readFileSync(file);
    const bytes = Buffer.from(before);
    bytes[HEADER + 7 * RECORD + 30] = bytes[HEADER + 7 * RECORD + 30]! ^ 0xff;
    writeFileSync(file, bytes);
    const errors: string[] = [];
    const again = await openAt(60_000, { onError: (e) => errors.push(e.code) });
    expect(again.state).toBe('read_only');
    expect(errors).toEqual(['STORE_CORRUPT_RECORD']);
    expect(again.lastError?.message).toContain(`${file} record 7 at byte ${HEADER + 7 * RECORD}`);
    expect(await again.read(SYMBOL, '1m')).toEqual(bars.slice(0, 7));
    // Nothing was cut: the evidence stays for the operator.
    expect(statSync(file).size).toBe(before.length);
  });
});

describe('bad input', () => {
  const good = () => referenceBars('20140505')[0]!;

  it.each([
    [
      { open_time: 1.5 },
      'bars[1] for EURUSD 1m: open_time must be a non-negative integer of ms, got 1.5',
    ],
    [{ close_time: 1 }, 'bars[1] for EURUSD 1m: close_time 1 is before open_time 1399266060000'],
    [{ high: Number.NaN }, 'bars[1] for EURUSD 1m: high must be a finite number, got NaN'],
    [{ low: 2 }, 'bars[1] for EURUSD 1m: prices break low <= open, close <= high'],
    [{ volume: -1 }, 'bars[1] for EURUSD 1m: volume must be a finite number >= 0, got -1'],
    [
      { tick_count: 2 ** 32 },
      'bars[1] for EURUSD 1m: tick_count must be an integer in [0, 4294967295]',
    ],
    [
      { complete: false },
      'bars[1] for EURUSD 1m: complete must be true (the store holds final bars only)',
    ],
    [
      { source: 'stream' },
      'bars[1] for EURUSD 1m: source must be "tick_agg" or "history", got "stream"',
    ],
    [
      { avg_spread: Infinity },
      'bars[1] for EURUSD 1m: avg_spread must be absent or a finite number, got Infinity',
    ],
  ])(
    'rejects %j with a message naming the entry and field, writing nothing',
    async (patch, message) => {
      const store = await openAt();
      const next = { open_time: good().open_time + 60_000, close_time: good().close_time + 60_000 };
      const bad = { ...good(), ...next, ...patch } as StoredBar;
      const err = await store.append(SYMBOL, '1m', [good(), bad]).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'STORE_INVALID_BAR' });
      expect((err as Error).message).toContain(message);
      expect(await store.read(SYMBOL, '1m')).toEqual([]);
      expect(store.state).toBe('ok');
      // The store goes on working after bad input.
      await store.append(SYMBOL, '1m', [good()]);
      expect(await store.read(SYMBOL, '1m')).toEqual([good()]);
    },
  );

  it('rejects two bars with one open_time in a batch, naming both entries', async () => {
    const store = await openAt();
    const err = await store
      .append(SYMBOL, '1m', [good(), { ...good(), close: good().low }])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'STORE_INVALID_BAR',
      message: `bars[0], bars[1] for EURUSD 1m share open_time ${good().open_time}`,
    });
  });

  it('rejects bad series names and read options', async () => {
    const store = await openAt();
    await expect(store.append('EUR USD', '1m', [good()])).rejects.toMatchObject({
      code: 'STORE_INVALID_SERIES',
    });
    await expect(store.append(SYMBOL, '1 m', [good()])).rejects.toMatchObject({
      code: 'STORE_INVALID_SERIES',
    });
    await expect(store.read(SYMBOL, '1m', { limit: -1 })).rejects.toMatchObject({
      code: 'STORE_INVALID_OPTIONS',
    });
    await expect(openStore({ dir, maxBars: 0 })).rejects.toMatchObject({
      code: 'STORE_INVALID_OPTIONS',
    });
  });
});

describe('close', () => {
  it('is idempotent, waits for pending appends and refuses use afterwards', async () => {
    const bars = referenceBars('20140505');
    const store = await openAt();
    const pending = store.append(SYMBOL, '1m', bars);
    await Promise.all([store.close(), store.close()]);
    await expect(pending).resolves.toMatchObject({ written: bars.length });
    await expect(store.append(SYMBOL, '1m', bars)).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(store.read(SYMBOL, '1m')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    expect(await (await openAt()).read(SYMBOL, '1m')).toEqual(bars);
  });
});

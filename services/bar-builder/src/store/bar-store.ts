import { join } from 'node:path';
import { formatCsv } from './csv-export';
import { lowerBound, planMerge } from './merge-plan';
import {
  HEADER_SIZE,
  MAX_TAIL_APPEND,
  RECORD_SIZE,
  decodeHeader,
  decodeRecord,
  encodeHeader,
  encodeRecord,
  isRecordIntact,
  scanRecords,
} from './record-codec';
import { SERIES_EXT, TEMP_EXT, seriesFileName } from './series-file';
import { nodeStoreFs, type StoreFs } from './store-fs';
import { StoreError, ioError } from './store-error';
import { assertSeriesName, barProblem, type StoredBar } from './stored-bar';

/** Which bar wins when an appended bar meets a stored bar with the same open_time. */
export type ConflictPolicy = 'keep_existing' | 'replace';

/** An appended bar that differed from the stored bar with the same open_time. */
export interface BarConflict {
  open_time: number;
  existing: StoredBar;
  incoming: StoredBar;
  resolution: 'kept_existing' | 'replaced';
}

/** What an append did; when the promise resolves, every written bar is on disk (fsync). */
export interface AppendResult {
  /** Bars written: new open_times plus replaced ones. */
  written: number;
  /** Bars identical to the stored bar (a redelivery): nothing written, not a conflict. */
  duplicates: number;
  /** Bars that differed from the stored bar, with the resolution applied. */
  conflicts: BarConflict[];
  /** Bars older than the retention window (`maxBars` newest): not written. */
  expired: number;
}

/** Options of {@link BarStore.append}. */
export interface AppendOptions {
  /** Default `keep_existing`: the stored bar stays and the conflict is reported. */
  onConflict?: ConflictPolicy;
}

/** Options of {@link BarStore.read}; bounds are inclusive. */
export interface ReadOptions {
  fromOpenTime?: number;
  toOpenTime?: number;
  /** At most this many bars: the newest of the range (still returned oldest first). */
  limit?: number;
}

/** One stored series. */
export interface SeriesInfo {
  symbol: string;
  tf: string;
  /** Bars held (at most `maxBars`). */
  count: number;
  firstOpenTime: number | undefined;
  lastOpenTime: number | undefined;
}

/** A torn tail cut off a series file when the store was opened (the trace of a crash). */
export interface Recovery {
  file: string;
  symbol: string;
  tf: string;
  /** Bytes past the last whole record, removed. */
  droppedBytes: number;
}

/** `read_only` after any I/O error or corruption: reads go on, appends are refused. */
export type StoreState = 'ok' | 'read_only';

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** Store directory (created if missing), one file per (symbol, tf). */
  dir: string;
  /** Retention per (symbol, tf): the newest `maxBars` bars are kept (V1 `cache.max_bars`). */
  maxBars: number;
  /** File-system layer; default `node:fs`. */
  fs?: StoreFs;
  /**
   * Called synchronously with every I/O or corruption error (the first one turns the store
   * read-only). The service counts it as `fxcm_connector_errors_total{type="cache_io"}` and
   * reports status `degraded`. Must not throw.
   */
  onError?: (err: StoreError) => void;
}

/** The durable store of final bars. */
export interface BarStore {
  readonly state: StoreState;
  /** The error that made the store read-only, then the latest one. */
  readonly lastError: StoreError | undefined;
  /** Torn tails cut when the store was opened. */
  readonly recoveries: readonly Recovery[];
  /**
   * Merges `bars` (any order, unique open_time) into the series by open_time. Resolves once the
   * written bars are durable; rejects with `STORE_INVALID_BAR` (nothing written) for a malformed
   * batch, `STORE_IO` on an I/O error (the store turns read-only), `STORE_READ_ONLY` after one.
   */
  append(
    symbol: string,
    tf: string,
    bars: readonly StoredBar[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** Bars with open_time in `[fromOpenTime, toOpenTime]`, oldest first; `[]` for an unknown series. */
  read(symbol: string, tf: string, options?: ReadOptions): Promise<StoredBar[]>;
  /** The newest bar of the series, or `undefined`. */
  last(symbol: string, tf: string): Promise<StoredBar | undefined>;
  /** Symbols with at least one series, sorted. */
  symbols(): string[];
  /** Every series, sorted by symbol then tf. */
  series(): SeriesInfo[];
  /** The series as CSV `symbol,tf,open_time,close_time,open,high,low,close,volume` (V1 cache columns). */
  exportCsv(symbol: string, tf: string): Promise<string>;
  /** Waits for pending operations and closes every file; safe to call twice. */
  close(): Promise<void>;
}

interface Series {
  symbol: string;
  tf: string;
  file: string;
  /** Open descriptor of the series file; `undefined` until the first append creates it. */
  fd: number | undefined;
  writable: boolean;
  /** open_time of every physical record, ascending; `[start, count)` is the retained window. */
  times: Float64Array;
  count: number;
  start: number;
  lastBar: StoredBar | undefined;
  /** Operations on one series run one at a time, in call order. */
  queue: Promise<unknown>;
}

interface Incoming {
  bar: StoredBar;
  bytes: Buffer;
}

/**
 * Opens (or creates) the store in `options.dir`: cuts torn tails left by a crash, removes
 * temporary files of interrupted rewrites, and indexes every series. Rejects with
 * `STORE_VERSION_MISMATCH` or `STORE_CORRUPT_HEADER` naming the file when a series file cannot
 * be read at all; an I/O error instead opens the store read-only (`state`, `lastError`).
 */
export async function openStore(options: StoreOptions): Promise<BarStore> {
  const { dir, maxBars } = options;
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new StoreError(
      'STORE_INVALID_OPTIONS',
      `dir must be a non-empty path, got ${JSON.stringify(dir)}`,
    );
  }
  if (!Number.isSafeInteger(maxBars) || maxBars < 1) {
    throw new StoreError(
      'STORE_INVALID_OPTIONS',
      `maxBars must be an integer >= 1, got ${JSON.stringify(maxBars)}`,
    );
  }
  const store = new FileBarStore(dir, maxBars, options.fs ?? nodeStoreFs, options.onError);
  await store.load();
  return store;
}

class FileBarStore implements BarStore {
  private readonly seriesByName = new Map<string, Series>();
  private readonly recovered: Recovery[] = [];
  private currentState: StoreState = 'ok';
  private error: StoreError | undefined;
  private closing: Promise<void> | undefined;
  /** Hidden (expired) records tolerated before a retention rewrite, so it stays rare. */
  private readonly slack: number;

  constructor(
    private readonly dir: string,
    private readonly maxBars: number,
    private readonly fs: StoreFs,
    private readonly onError: ((err: StoreError) => void) | undefined,
  ) {
    this.slack = Math.max(16, Math.ceil(maxBars / 8));
  }

  get state(): StoreState {
    return this.currentState;
  }

  get lastError(): StoreError | undefined {
    return this.error;
  }

  get recoveries(): readonly Recovery[] {
    return this.recovered;
  }

  async load(): Promise<void> {
    let names: string[];
    try {
      await this.fs.mkdir(this.dir);
      names = await this.fs.readdir(this.dir);
    } catch (err) {
      this.fail(ioError('open store directory', this.dir, err));
      return;
    }
    try {
      for (const name of names.sort()) {
        if (name.endsWith(TEMP_EXT)) await this.removeTemp(join(this.dir, name));
        else if (name.endsWith(SERIES_EXT)) await this.loadSeries(name);
      }
    } catch (err) {
      await this.closeFiles();
      throw err;
    }
  }

  append(
    symbol: string,
    tf: string,
    bars: readonly StoredBar[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    try {
      this.assertOpen();
      assertSeriesName(symbol, tf);
      const policy = options.onConflict ?? 'keep_existing';
      if (policy !== 'keep_existing' && policy !== 'replace') {
        throw new StoreError(
          'STORE_INVALID_OPTIONS',
          `onConflict must be "keep_existing" or "replace", got ${JSON.stringify(policy)}`,
        );
      }
      const incoming = prepareBatch(bars, symbol, tf);
      const series = this.seriesFor(symbol, tf, true);
      return this.enqueue(series, () => this.appendNow(series, incoming, policy));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  read(symbol: string, tf: string, options: ReadOptions = {}): Promise<StoredBar[]> {
    try {
      this.assertOpen();
      assertSeriesName(symbol, tf);
      checkReadOptions(options);
      const series = this.seriesFor(symbol, tf, false);
      if (series === undefined) return Promise.resolve([]);
      return this.enqueue(series, () => this.readNow(series, options));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async last(symbol: string, tf: string): Promise<StoredBar | undefined> {
    this.assertOpen();
    assertSeriesName(symbol, tf);
    const series = this.seriesFor(symbol, tf, false);
    if (series === undefined) return undefined;
    // Queued so that it reflects every append called before it.
    return this.enqueue(series, async () =>
      series.lastBar === undefined ? undefined : { ...series.lastBar },
    );
  }

  symbols(): string[] {
    return [...new Set(this.series().map((s) => s.symbol))];
  }

  series(): SeriesInfo[] {
    return [...this.seriesByName.values()]
      .filter((s) => s.fd !== undefined)
      .map((s) => ({
        symbol: s.symbol,
        tf: s.tf,
        count: s.count - s.start,
        firstOpenTime: s.count > s.start ? s.times[s.start] : undefined,
        lastOpenTime: s.count > s.start ? s.times[s.count - 1] : undefined,
      }))
      .sort((a, b) => compareText(a.symbol, b.symbol) || compareText(a.tf, b.tf));
  }

  async exportCsv(symbol: string, tf: string): Promise<string> {
    return formatCsv(symbol, tf, await this.read(symbol, tf));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.seriesByName.values()].map((s) => s.queue));
      await this.closeFiles();
    })();
    return this.closing;
  }

  // ---- internals -------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closing !== undefined) throw new StoreError('STORE_CLOSED', 'the bar store is closed');
  }

  private seriesFor(symbol: string, tf: string, create: true): Series;
  private seriesFor(symbol: string, tf: string, create: false): Series | undefined;
  private seriesFor(symbol: string, tf: string, create: boolean): Series | undefined {
    const name = seriesFileName(symbol, tf);
    let series = this.seriesByName.get(name);
    if (series === undefined && create) {
      series = newSeries(symbol, tf, join(this.dir, name));
      this.seriesByName.set(name, series);
    }
    return series;
  }

  private enqueue<T>(series: Series, op: () => Promise<T>): Promise<T> {
    const run = series.queue.then(op);
    series.queue = run.catch(() => undefined);
    return run;
  }

  /** Records an I/O or corruption error: the store turns read-only and the callback hears of it. */
  private fail(err: StoreError): StoreError {
    this.currentState = 'read_only';
    this.error = err;
    this.onError?.(err);
    return err;
  }

  private async appendNow(
    series: Series,
    incoming: Incoming[],
    policy: ConflictPolicy,
  ): Promise<AppendResult> {
    if (this.currentState === 'read_only') {
      throw new StoreError(
        'STORE_READ_ONLY',
        `the bar store is read-only since: ${this.error?.message ?? 'an earlier error'}`,
      );
    }
    const result: AppendResult = { written: 0, duplicates: 0, conflicts: [], expired: 0 };
    if (incoming.length === 0) return result;
    const stored = series.times.subarray(series.start, series.count);
    const plan = planMerge(
      stored,
      incoming.map((x) => x.bar.open_time),
      this.maxBars,
    );
    const replacements = new Map<number, Buffer>();
    if (plan.overlaps.length > 0) {
      const first = plan.overlaps[0]!.stored;
      const span = await this.readRecords(
        series,
        series.start + first,
        series.start + plan.overlaps[plan.overlaps.length - 1]!.stored + 1,
      );
      for (const { incoming: i, stored: s } of plan.overlaps) {
        const offset = (s - first) * RECORD_SIZE;
        const existingBytes = span.subarray(offset, offset + RECORD_SIZE);
        const item = incoming[i]!;
        if (existingBytes.equals(item.bytes)) {
          result.duplicates++;
          continue;
        }
        const existing = decodeRecord(span, offset);
        if (existing === undefined) throw this.fail(corruptRecord(series, series.start + s));
        const replace = policy === 'replace';
        result.conflicts.push({
          open_time: item.bar.open_time,
          existing,
          incoming: { ...item.bar },
          resolution: replace ? 'replaced' : 'kept_existing',
        });
        if (replace && item.bar.open_time >= plan.cutoff) replacements.set(s, item.bytes);
      }
    }
    const kept = plan.fresh.map((i) => incoming[i]!).filter((x) => x.bar.open_time >= plan.cutoff);
    result.expired = plan.fresh.length - kept.length;
    result.written = kept.length + replacements.size;
    if (result.written === 0) return result;

    if (
      series.fd !== undefined &&
      plan.appendOnly &&
      replacements.size === 0 &&
      kept.length <= MAX_TAIL_APPEND
    ) {
      await this.appendTail(series, kept);
      if (series.start >= this.slack) {
        // The append is durable already; a failed retention rewrite only turns the store read-only.
        await this.rewrite(series, [], new Map(), -Infinity).catch(() => undefined);
      }
    } else {
      await this.rewrite(series, kept, replacements, plan.cutoff);
    }
    return result;
  }

  /** The fast path: one write of whole records at the end of the file, then fdatasync. */
  private async appendTail(series: Series, kept: Incoming[]): Promise<void> {
    const fd = series.fd!;
    const buf = Buffer.concat(kept.map((x) => x.bytes));
    try {
      await this.writeFully(fd, buf, HEADER_SIZE + series.count * RECORD_SIZE);
      await this.fs.fdatasync(fd);
    } catch (err) {
      throw this.fail(ioError('append to', series.file, err));
    }
    ensureCapacity(series, series.count + kept.length);
    for (const x of kept) series.times[series.count++] = x.bar.open_time;
    series.start = Math.max(series.start, series.count - this.maxBars);
    series.lastBar = kept[kept.length - 1]!.bar;
  }

  /**
   * The slow path (out-of-order fill, replacement, retention, first write): the retained
   * records, merged, go to a temporary file which is fsynced and renamed over the series file,
   * then the directory is fsynced. A crash leaves either the old or the new file, both whole.
   */
  private async rewrite(
    series: Series,
    kept: Incoming[],
    replacements: Map<number, Buffer>,
    cutoff: number,
  ): Promise<void> {
    const stored =
      series.fd === undefined
        ? Buffer.alloc(0)
        : await this.readRecords(series, series.start, series.count);
    const storedCount = series.count - series.start;
    const out = Buffer.allocUnsafe(HEADER_SIZE + (storedCount + kept.length) * RECORD_SIZE);
    encodeHeader(series).copy(out, 0);
    const times = new Float64Array(Math.max(16, storedCount + kept.length));
    let n = 0;
    let s = 0;
    let k = 0;
    let lastBytes: Buffer | undefined;
    while (s < storedCount || k < kept.length) {
      const st = s < storedCount ? series.times[series.start + s]! : Infinity;
      const kt = k < kept.length ? kept[k]!.bar.open_time : Infinity;
      let bytes: Buffer;
      let t: number;
      if (st < kt) {
        t = st;
        bytes = replacements.get(s) ?? stored.subarray(s * RECORD_SIZE, (s + 1) * RECORD_SIZE);
        if (!isRecordIntact(bytes, 0)) throw this.fail(corruptRecord(series, series.start + s));
        s++;
        if (t < cutoff) continue;
      } else {
        t = kt;
        bytes = kept[k]!.bytes;
        k++;
      }
      bytes.copy(out, HEADER_SIZE + n * RECORD_SIZE);
      times[n++] = t;
      lastBytes = bytes;
    }
    const data = out.subarray(0, HEADER_SIZE + n * RECORD_SIZE);
    const temp = series.file.slice(0, -SERIES_EXT.length) + TEMP_EXT;
    let fd: number | undefined;
    try {
      fd = await this.fs.open(temp, 'w');
      await this.writeFully(fd, data, 0);
      await this.fs.fsync(fd);
      await this.fs.close(fd);
      fd = undefined;
      await this.fs.rename(temp, series.file);
      await this.fsyncDir();
      const next = await this.fs.open(series.file, 'r+');
      const previous = series.fd;
      series.fd = next;
      series.writable = true;
      if (previous !== undefined) await this.fs.close(previous);
    } catch (err) {
      if (fd !== undefined) await this.fs.close(fd).catch(() => undefined);
      throw this.fail(ioError('rewrite', series.file, err));
    }
    series.times = times;
    series.count = n;
    series.start = Math.max(0, n - this.maxBars);
    series.lastBar = lastBytes === undefined ? undefined : decodeRecord(lastBytes, 0);
  }

  private async readNow(series: Series, options: ReadOptions): Promise<StoredBar[]> {
    if (series.fd === undefined) return [];
    const from = options.fromOpenTime ?? -Infinity;
    const to = options.toOpenTime ?? Infinity;
    let i = lowerBound(series.times, from, series.start, series.count);
    const j = lowerBound(series.times, nextAbove(to), i, series.count);
    if (options.limit !== undefined) i = Math.max(i, j - options.limit);
    if (i >= j) return [];
    const buf = await this.readRecords(series, i, j);
    const bars: StoredBar[] = new Array<StoredBar>(j - i);
    for (let r = 0; r < j - i; r++) {
      const bar = decodeRecord(buf, r * RECORD_SIZE);
      if (bar === undefined) throw this.fail(corruptRecord(series, i + r));
      bars[r] = bar;
    }
    return bars;
  }

  /** Physical records `[from, to)` of a series, in one read. */
  private async readRecords(series: Series, from: number, to: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe((to - from) * RECORD_SIZE);
    try {
      await this.readFully(series.fd!, buf, HEADER_SIZE + from * RECORD_SIZE, series.file);
    } catch (err) {
      throw err instanceof StoreError
        ? this.fail(err)
        : this.fail(ioError('read', series.file, err));
    }
    return buf;
  }

  private async loadSeries(name: string): Promise<void> {
    const file = join(this.dir, name);
    let fd: number;
    let writable = true;
    try {
      fd = await this.fs.open(file, 'r+');
    } catch (err) {
      // A read-only volume still serves reads.
      this.fail(ioError('open', file, err));
      writable = false;
      try {
        fd = await this.fs.open(file, 'r');
      } catch (err2) {
        this.fail(ioError('open', file, err2));
        return;
      }
    }
    try {
      await this.indexSeries(name, file, fd, writable);
    } catch (err) {
      await this.fs.close(fd).catch(() => undefined);
      if (err instanceof StoreError && err.code !== 'STORE_IO') throw err;
      this.fail(err instanceof StoreError ? err : ioError('read', file, err));
    }
  }

  private async indexSeries(
    name: string,
    file: string,
    fd: number,
    writable: boolean,
  ): Promise<void> {
    const size = await this.fs.size(fd);
    const head = Buffer.alloc(Math.min(size, HEADER_SIZE));
    await this.readFully(fd, head, 0, file);
    const header = decodeHeader(head, file);
    if (seriesFileName(header.symbol, header.tf) !== name) {
      throw new StoreError(
        'STORE_CORRUPT_HEADER',
        `${file} holds ${header.symbol} ${header.tf}, which belongs in ${seriesFileName(header.symbol, header.tf)}`,
        { file },
      );
    }
    const whole = Math.floor((size - HEADER_SIZE) / RECORD_SIZE);
    const buf = Buffer.allocUnsafe(whole * RECORD_SIZE);
    await this.readFully(fd, buf, HEADER_SIZE, file);
    const series = newSeries(header.symbol, header.tf, file);
    series.fd = fd;
    series.writable = writable;
    ensureCapacity(series, whole);
    const valid = scanRecords(buf, whole, series.times);
    series.count = valid;
    series.start = Math.max(0, valid - this.maxBars);
    if (valid > 0) series.lastBar = decodeRecord(buf, (valid - 1) * RECORD_SIZE);
    this.seriesByName.set(name, series);

    const end = HEADER_SIZE + valid * RECORD_SIZE;
    if (end === size) return;
    // Only the last append can be torn (each one is fsynced before the next), and an append
    // writes at most MAX_TAIL_APPEND records: damage further back is corruption, not a crash.
    if (whole - valid > MAX_TAIL_APPEND) {
      this.fail(corruptRecord(series, valid));
      return;
    }
    if (!writable || this.currentState === 'read_only') return;
    try {
      await this.fs.ftruncate(fd, end);
      await this.fs.fsync(fd);
    } catch (err) {
      this.fail(ioError('truncate torn tail of', file, err));
      return;
    }
    this.recovered.push({ file, symbol: header.symbol, tf: header.tf, droppedBytes: size - end });
  }

  private async removeTemp(path: string): Promise<void> {
    if (this.currentState === 'read_only') return;
    try {
      await this.fs.unlink(path);
    } catch (err) {
      this.fail(ioError('remove', path, err));
    }
  }

  private async writeFully(fd: number, buf: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const n = await this.fs.write(fd, buf, done, buf.length - done, position + done);
      if (n <= 0) throw new Error(`write made no progress at byte ${position + done}`);
      done += n;
    }
  }

  private async readFully(fd: number, buf: Buffer, position: number, file: string): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const n = await this.fs.read(fd, buf, done, buf.length - done, position + done);
      if (n <= 0) {
        throw new StoreError(
          'STORE_CORRUPT_RECORD',
          `${file} ends at byte ${position + done}, ${buf.length - done} bytes short`,
          { file },
        );
      }
      done += n;
    }
  }

  /** Makes a rename durable: fsync of the directory entry. */
  private async fsyncDir(): Promise<void> {
    const fd = await this.fs.open(this.dir, 'r');
    try {
      await this.fs.fsync(fd);
    } finally {
      await this.fs.close(fd);
    }
  }

  private async closeFiles(): Promise<void> {
    for (const series of this.seriesByName.values()) {
      const fd = series.fd;
      if (fd === undefined) continue;
      series.fd = undefined;
      try {
        await this.fs.close(fd);
      } catch (err) {
        this.fail(ioError('close', series.file, err));
      }
    }
  }
}

function newSeries(symbol: string, tf: string, file: string): Series {
  return {
    symbol,
    tf,
    file,
    fd: undefined,
    writable: false,
    times: new Float64Array(16),
    count: 0,
    start: 0,
    lastBar: undefined,
    queue: Promise.resolve(),
  };
}

function ensureCapacity(series: Series, needed: number): void {
  if (series.times.length >= needed) return;
  const grown = new Float64Array(Math.max(needed, series.times.length * 2));
  grown.set(series.times.subarray(0, series.count));
  series.times = grown;
}

/** Validates, copies, sorts and encodes a batch; throws `STORE_INVALID_BAR` naming the entry. */
function prepareBatch(bars: readonly StoredBar[], symbol: string, tf: string): Incoming[] {
  if (!Array.isArray(bars)) {
    throw new StoreError('STORE_INVALID_BAR', `bars for ${symbol} ${tf} must be an array`);
  }
  const incoming: Incoming[] = bars.map((bar, index) => {
    const problem = barProblem(bar);
    if (problem !== undefined) {
      throw new StoreError('STORE_INVALID_BAR', `bars[${index}] for ${symbol} ${tf}: ${problem}`);
    }
    const copy: StoredBar = {
      open_time: bar.open_time,
      close_time: bar.close_time,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      volume: bar.volume,
      tick_count: bar.tick_count,
      complete: bar.complete,
      synthetic: bar.synthetic,
      source: bar.source,
    };
    if (bar.avg_spread !== undefined) copy.avg_spread = bar.avg_spread;
    if (bar.max_spread !== undefined) copy.max_spread = bar.max_spread;
    const bytes = Buffer.allocUnsafe(RECORD_SIZE);
    encodeRecord(copy, bytes, 0);
    return { bar: copy, bytes };
  });
  incoming.sort((a, b) => a.bar.open_time - b.bar.open_time);
  for (let i = 1; i < incoming.length; i++) {
    if (incoming[i]!.bar.open_time === incoming[i - 1]!.bar.open_time) {
      const t = incoming[i]!.bar.open_time;
      const at = bars.flatMap((b, index) => (b.open_time === t ? [index] : []));
      throw new StoreError(
        'STORE_INVALID_BAR',
        `bars[${at.join('], bars[')}] for ${symbol} ${tf} share open_time ${t}`,
      );
    }
  }
  return incoming;
}

function checkReadOptions(options: ReadOptions): void {
  for (const key of ['fromOpenTime', 'toOpenTime'] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) {
      throw new StoreError(
        'STORE_INVALID_OPTIONS',
        `${key} must be a number of ms, got ${JSON.stringify(v)}`,
      );
    }
  }
  const { limit } = options;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new StoreError(
      'STORE_INVALID_OPTIONS',
      `limit must be an integer >= 0, got ${JSON.stringify(limit)}`,
    );
  }
}

function corruptRecord(series: Series, index: number): StoreError {
  const offset = HEADER_SIZE + index * RECORD_SIZE;
  return new StoreError(
    'STORE_CORRUPT_RECORD',
    `${series.file} record ${index} at byte ${offset} fails its checksum or order`,
    { file: series.file },
  );
}

/** The smallest open_time strictly after `t` (times are integers). */
function nextAbove(t: number): number {
  return Number.isFinite(t) ? Math.floor(t) + 1 : t;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

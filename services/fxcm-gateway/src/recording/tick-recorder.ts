import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import { normalizeSymbol } from '@fxcm/contracts';
import type { ProviderTick } from '../providers/provider';

/** Options of {@link TickRecorder}. */
export interface TickRecorderOptions {
  /** Folder of the recordings (created when missing). */
  dir: string;
  /** A tick that cannot be written (unreadable time or symbol); counted by the caller. */
  onSkip?: (tick: ProviderTick, reason: string) => void;
}

interface OpenFile {
  day: string;
  gzip: Gzip;
  file: WriteStream;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `MM/DD/YYYY HH:MM:SS.fff` (UTC), the archive's time format. */
export function archiveTime(ts: number): string {
  const d = new Date(ts);
  return (
    `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

/**
 * Records a provider's raw ticks in FXCM's tick-archive format, which the replay provider reads:
 * one gzip of UTF-16LE text (BOM, CRLF, header `DateTime,Bid,Ask`) per symbol and UTC day, named
 * `SYMBOL_YYYYMMDDTHHMMSS_ticks.csv.gz` after the first tick it holds, so file names sort in time
 * order and a restart starts a new file instead of overwriting one.
 */
export class TickRecorder {
  private readonly files = new Map<string, OpenFile>();
  private readonly finishing = new Set<Promise<void>>();
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: TickRecorderOptions) {
    mkdirSync(opts.dir, { recursive: true });
  }

  /** Appends one tick (as the provider delivered it, before the rails). */
  record(tick: ProviderTick): void {
    if (this.closing) return;
    let symbol: string;
    try {
      symbol = normalizeSymbol(tick.symbol);
    } catch {
      this.opts.onSkip?.(tick, 'bad symbol');
      return;
    }
    if (!Number.isFinite(tick.ts) || Number.isNaN(new Date(tick.ts).getTime())) {
      this.opts.onSkip?.(tick, 'bad time');
      return;
    }
    const stamp = new Date(tick.ts).toISOString();
    const day = stamp.slice(0, 10);
    let open = this.files.get(symbol);
    if (open && open.day !== day) {
      const done = this.finish(open);
      this.finishing.add(done);
      void done.finally(() => this.finishing.delete(done));
      open = undefined;
    }
    if (!open) {
      const name = `${symbol}_${stamp.slice(0, 19).replace(/[-:]/g, '')}_ticks.csv.gz`;
      const gzip = createGzip();
      const file = createWriteStream(join(this.opts.dir, name));
      gzip.pipe(file);
      gzip.write(Buffer.from('\uFEFFDateTime,Bid,Ask\r\n', 'utf16le'));
      open = { day, gzip, file };
      this.files.set(symbol, open);
    }
    open.gzip.write(Buffer.from(`${archiveTime(tick.ts)},${tick.bid},${tick.ask}\r\n`, 'utf16le'));
  }

  /** Finishes every file; idempotent. */
  close(): Promise<void> {
    this.closing ??= Promise.all([
      ...this.finishing,
      ...[...this.files.values()].map((f) => this.finish(f)),
    ]).then(() => {
      this.files.clear();
    });
    return this.closing;
  }

  private async finish(open: OpenFile): Promise<void> {
    const done = once(open.file, 'close');
    open.gzip.end();
    await done;
  }
}

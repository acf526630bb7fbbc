import { setImmediate as yieldToIo } from 'node:timers/promises';
import { normalizeSymbol } from '@fxcm/contracts';
import { interruptibleSleep } from '@fxcm/redis-streams';
import type { FeedState, ProviderTick, QuoteProvider, TickSink } from '../provider';
import { isLeanTickZip, readLeanTickZip, symbolFromLeanPath } from './lean-tick-zip';
import {
  readTickArchive,
  symbolFromArchiveName,
  type ArchiveLineError,
  type ArchiveTick,
} from './tick-archive';

/** Options of {@link ReplayProvider}. */
export interface ReplayOptions {
  /**
   * FXCM tick-archive files (`SYMBOL_…_ticks.csv.gz`) or Lean tick zips (`…/<symbol>/YYYYMMDD_quote.zip`);
   * several symbols are merged by event time.
   */
  files: string[];
  /** `max`: as fast as the sink takes them; a number: that many times real time. */
  speed: number | 'max';
  /**
   * Moves the recording in time, always by whole minutes so every bar keeps its ticks:
   * `now` — the first tick lands in the current minute (a live-looking feed; the calendar still
   * applies downstream, so weekday ticks moved onto a weekend fall outside the session);
   * `weeks` — by whole weeks, to the latest past date with the same weekday and time, which keeps
   * the recording inside its trading sessions; `none` (default) — as recorded.
   */
  shift?: 'none' | 'now' | 'weeks';
  /** Simulated-clock watermark cadence while pacing (event-time ms), default 100. */
  watermarkEveryMs?: number;
  /** Wall clock, injectable for tests. */
  now?: () => number;
  /** Waits `ms` of wall time; injectable with `now` to replay at 1× on a simulated clock. */
  sleep?: (ms: number) => Promise<void>;
  onBadLine: (err: ArchiveLineError) => void;
}

/**
 * Ticks replayed at `max` speed between two turns of the event loop. A feed that never yields
 * leaves the producer's replies unread (Redis idles with the next batch ready) and health
 * checks, scrapes and commands unanswered until backpressure stops it.
 */
const TICKS_PER_TURN = 512;

/** One symbol's recording: the chunk being replayed and the position of its next tick. */
interface Head {
  symbol: string;
  chunks: AsyncIterator<ArchiveTick[]>;
  chunk: ArchiveTick[];
  at: number;
}

/** The head's next tick. */
const tickOf = (head: Head): ArchiveTick => head.chunk[head.at]!;

/**
 * Moves a head past its tick; false when its recording is exhausted. Synchronous inside a chunk
 * (a promise only when the next chunk is read).
 */
function advance(head: Head): boolean | Promise<boolean> {
  head.at += 1;
  return head.at < head.chunk.length || nextChunk(head);
}

async function nextChunk(head: Head): Promise<boolean> {
  const next = await head.chunks.next();
  if (next.done) return false;
  head.chunk = next.value;
  head.at = 0;
  return true;
}

const MINUTE = 60_000;
const WEEK = 7 * 24 * 60 * MINUTE;

/** How far a recording starting at `firstTs` moves under `mode` when replayed at `now` (ms). */
export function replayShift(mode: 'none' | 'now' | 'weeks', firstTs: number, now: number): number {
  if (mode === 'now')
    return Math.floor(now / MINUTE) * MINUTE - Math.floor(firstTs / MINUTE) * MINUTE;
  if (mode === 'weeks') return Math.max(0, Math.floor((now - firstTs) / WEEK)) * WEEK;
  return 0;
}

/** The replay files grouped by the symbol their name says, each group in name order. */
export function replayFilesBySymbol(files: readonly string[]): Map<string, string[]> {
  const bySymbol = new Map<string, string[]>();
  for (const file of [...files].sort()) {
    const symbol = isLeanTickZip(file) ? symbolFromLeanPath(file) : symbolFromArchiveName(file);
    if (!symbol)
      throw new Error(
        `cannot tell the symbol of ${file}: expected SYMBOL_… or <symbol>/YYYYMMDD_quote.zip`,
      );
    bySymbol.set(symbol, [...(bySymbol.get(symbol) ?? []), file]);
  }
  return bySymbol;
}

/** The recorded ticks of one symbol's files, in file order, in chunks (never empty). */
export async function* replayTicks(
  files: readonly string[],
  onBadLine: (err: ArchiveLineError) => void,
): AsyncGenerator<ArchiveTick[]> {
  for (const file of files)
    yield* isLeanTickZip(file)
      ? readLeanTickZip(file, onBadLine)
      : readTickArchive(file, onBadLine);
}

/**
 * Replays recorded ticks in event time. Watermarks follow the recorded times — one at the first
 * tick of each new minute, one per `watermarkEveryMs` of simulated time while pacing, and one at
 * the end of the last minute when the recording is exhausted — so the same files give the same
 * bars at any speed. Like a live FXCM session it follows the dynamic universe: after
 * `setSymbols` only the ticks of those symbols are delivered (the recording and its watermarks
 * run on, so the bars of the symbols kept are the same).
 */
export class ReplayProvider implements QuoteProvider {
  readonly name = 'replay' as const;
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private rejectFinished!: (err: unknown) => void;
  private stopped = false;
  private readonly sleeper = interruptibleSleep();
  private run: Promise<void> | undefined;
  /** The symbols delivered; undefined: every recorded one. */
  private subscribed: Set<string> | undefined;
  /** The time shift in force (ms), once the replay has started; history candles follow it. */
  shiftMs = 0;

  constructor(private readonly opts: ReplayOptions) {
    this.finished = new Promise((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    // A caller that never awaits `finished` must not see an unhandled rejection.
    this.finished.catch(() => undefined);
  }

  async start(sink: TickSink): Promise<void> {
    if (this.run) return;
    this.run = this.replay(sink).then(this.resolveFinished, (err) => {
      sink.state('error', { code: 'REPLAY_FAILED', message: String((err as Error).message) });
      this.rejectFinished(err);
    });
  }

  /** Delivers only the ticks of `symbols` from now on (any spelling: `XAU/USD`, `XAUUSD`). */
  setSymbols(symbols: readonly string[]): Promise<void> {
    this.subscribed = new Set(symbols.map(normalizeSymbol));
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.interrupt();
    await this.run;
  }

  private async openHeads(): Promise<Head[]> {
    const heads: Head[] = [];
    for (const [symbol, files] of replayFilesBySymbol(this.opts.files)) {
      const chunks = replayTicks(files, this.opts.onBadLine);
      const first = await chunks.next();
      if (!first.done) heads.push({ symbol, chunks, chunk: first.value, at: 0 });
    }
    return heads;
  }

  private async replay(sink: TickSink): Promise<void> {
    const transition = (s: FeedState): void => sink.state(s);
    transition('connecting');
    const heads = await this.openHeads();
    transition('streaming');
    const now = this.opts.now ?? Date.now;
    const every = this.opts.watermarkEveryMs ?? 100;
    const speed = this.opts.speed;
    const firstTs = Math.min(...heads.map((h) => tickOf(h).ts));
    const shift = replayShift(this.opts.shift ?? 'none', firstTs, now());
    this.shiftMs = shift;
    const wallStart = now();
    let lastWatermark = -Infinity;
    let lastTs = -Infinity;
    let sinceTurn = 0;

    while (heads.length > 0 && !this.stopped) {
      let at = 0;
      for (let i = 1; i < heads.length; i += 1)
        if (tickOf(heads[i]!).ts < tickOf(heads[at]!).ts) at = i;
      const head = heads[at]!;
      const { ts, bid, ask } = tickOf(head);

      if (speed !== 'max') {
        for (;;) {
          const simNow = firstTs + (now() - wallStart) * speed;
          if (simNow >= ts || this.stopped) break;
          if (simNow - lastWatermark >= every && simNow > lastWatermark) {
            lastWatermark = simNow;
            await sink.watermark(Math.floor(simNow) + shift, 'alive');
          }
          const wait = Math.min(every / speed, (ts - simNow) / speed);
          await (this.opts.sleep ? this.opts.sleep(wait) : this.sleeper.sleep(wait));
        }
      }
      if (Math.floor(ts / MINUTE) > Math.floor(lastWatermark / MINUTE) && ts > lastWatermark) {
        lastWatermark = ts;
        await sink.watermark(ts + shift, 'alive');
      }
      const tick: ProviderTick = {
        symbol: head.symbol,
        ts: ts + shift,
        bid,
        ask,
        recvTs: ts + shift,
      };
      if (this.subscribed?.has(head.symbol) ?? true) {
        // awaited only when the sink pushes back: a microtask per tick is a flood's cost
        const written = sink.tick(tick);
        if (written) await written;
        else if (speed === 'max' && ++sinceTurn >= TICKS_PER_TURN) {
          sinceTurn = 0;
          await yieldToIo();
        }
      }
      lastTs = Math.max(lastTs, ts);
      let more = advance(head);
      if (typeof more !== 'boolean') more = await more;
      if (!more) heads.splice(at, 1);
    }
    if (!this.stopped && Number.isFinite(lastTs)) {
      // The recording is complete through its last minute: close it.
      await sink.watermark((Math.floor(lastTs / MINUTE) + 1) * MINUTE + shift, 'alive');
    }
    transition('finished');
  }
}

import { MINUTE_MS } from './bar';

const INITIAL_KEYS = 64;

/**
 * The open (not yet final) 1m bar of one symbol: OHLC by event time, tick count, spreads, and the
 * keys of the ticks applied so a re-delivered tick is recognised. Memory is bounded by the ticks
 * of one minute; a final bar's object is reused for a later minute ({@link reset}).
 */
export class MinuteBar {
  /** Minute start, int ms. */
  start: number;
  open = 0;
  high = -Infinity;
  low = Infinity;
  close = 0;
  /** Ticks applied. */
  count = 0;
  spreadSum = 0;
  maxSpread = 0;
  /** Changed since the last preview of it. */
  dirty = false;

  private openTs = Infinity;
  private closeTs = -Infinity;
  // Tick keys: offset in the minute (0..59999), bid and ask of every applied tick.
  private offsets = new Int32Array(INITIAL_KEYS);
  private bids = new Float64Array(INITIAL_KEYS);
  private asks = new Float64Array(INITIAL_KEYS);
  private maxOffset = -1;
  // While ticks arrive in time order a duplicate search can stop at the first earlier offset.
  private inOrder = true;

  constructor(start: number) {
    this.start = start;
  }

  /** Makes this an empty bar of minute `start`, keeping the key buffers. */
  reset(start: number): void {
    this.start = start;
    this.open = 0;
    this.high = -Infinity;
    this.low = Infinity;
    this.close = 0;
    this.count = 0;
    this.spreadSum = 0;
    this.maxSpread = 0;
    this.dirty = false;
    this.openTs = Infinity;
    this.closeTs = -Infinity;
    this.maxOffset = -1;
    this.inOrder = true;
  }

  /**
   * Applies one tick (`ts` inside this minute) priced `price`; false when an identical tick
   * (same ts, bid, ask) was already applied. Open is the earliest tick by event time and close
   * the latest; ticks with equal times keep their arrival order.
   */
  apply(ts: number, bid: number, ask: number, price: number): boolean {
    const off = ts - this.start;
    const n = this.count;
    if (off <= this.maxOffset && this.seen(off, bid, ask)) return false;
    if (n === this.offsets.length) this.grow();
    this.offsets[n] = off;
    this.bids[n] = bid;
    this.asks[n] = ask;
    if (off > this.maxOffset) this.maxOffset = off;
    else if (off < this.maxOffset) this.inOrder = false;
    this.count = n + 1;

    if (ts < this.openTs) {
      this.openTs = ts;
      this.open = price;
    }
    if (ts >= this.closeTs) {
      this.closeTs = ts;
      this.close = price;
    }
    if (price > this.high) this.high = price;
    if (price < this.low) this.low = price;
    // A crossed quote (bid > ask, seen on real FXCM feeds) counts as zero spread.
    const spread = ask > bid ? ask - bid : 0;
    this.spreadSum += spread;
    if (spread > this.maxSpread) this.maxSpread = spread;
    this.dirty = true;
    return true;
  }

  /** Inclusive end of the minute. */
  get closeTime(): number {
    return this.start + MINUTE_MS - 1;
  }

  private seen(off: number, bid: number, ask: number): boolean {
    const offsets = this.offsets;
    for (let i = this.count - 1; i >= 0; i--) {
      const o = offsets[i] as number;
      if (o === off && this.bids[i] === bid && this.asks[i] === ask) return true;
      if (o < off && this.inOrder) return false;
    }
    return false;
  }

  private grow(): void {
    const size = this.offsets.length * 2;
    const offsets = new Int32Array(size);
    offsets.set(this.offsets);
    const bids = new Float64Array(size);
    bids.set(this.bids);
    const asks = new Float64Array(size);
    asks.set(this.asks);
    this.offsets = offsets;
    this.bids = bids;
    this.asks = asks;
  }
}

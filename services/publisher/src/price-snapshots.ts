import {
  ContractError,
  decodeStreamEntry,
  encodePriceTik,
  type PriceTik,
  type StreamTick,
} from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import { everyPeriod, type PeriodicTimer } from '@fxcm/service-runtime';
import type { Redis } from 'ioredis';

/** A quote as the snapshots keep it. */
export type Quote = Pick<StreamTick, 'symbol' | 'ts' | 'bid' | 'ask'>;

/** The last quote known per symbol, as kept between snapshots. */
export type LastQuotes = Map<string, Quote>;

/**
 * Folds tick-stream entries (newest first, as XREVRANGE gives them) into the newest quote per
 * symbol, keeping what `known` already had when it is newer. Entries that are not ticks, or not
 * valid, are skipped: the bars path reports them.
 */
export function newestQuotes(
  entries: readonly [string, string[]][],
  known: LastQuotes,
): LastQuotes {
  const out: LastQuotes = new Map(known);
  for (const [, fields] of entries) {
    let decoded;
    try {
      decoded = decodeStreamEntry(fields);
    } catch (err) {
      if (err instanceof ContractError) continue;
      throw err;
    }
    if (decoded.type !== 'tick') continue;
    const { symbol, ts, bid, ask } = decoded.data;
    const have = out.get(symbol);
    if (!have || ts > have.ts) out.set(symbol, { symbol, ts, bid, ask });
  }
  return out;
}

/** The V1 `fxcm:price_tik` payload of a quote at snapshot time `now` (times in float seconds). */
export function priceTik(
  quote: Pick<StreamTick, 'symbol' | 'ts' | 'bid' | 'ask'>,
  now: number,
): PriceTik {
  return {
    symbol: quote.symbol,
    bid: quote.bid,
    ask: quote.ask,
    // rounded like the bar builder's mids, so binary noise never reaches the wire
    mid: Math.round(((quote.bid + quote.ask) / 2) * 1e10) / 1e10,
    tick_ts: quote.ts / 1_000,
    snap_ts: now / 1_000,
  };
}

/** Options of {@link PriceSnapshots}. */
export interface PriceSnapshotsOptions {
  redis: Redis;
  /** The tick streams of every shard. */
  tickStreams: string[];
  channel: string;
  /** `{ns}:price:last` — the last quote per symbol, shared by every publisher replica. */
  lastKey: string;
  /** `{ns}:price:lock` — which replica sends this interval's snapshots. */
  lockKey: string;
  intervalMs: number;
  /** How far back each snapshot looks in a tick stream (entries). */
  scanCount?: number;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

/**
 * V1 price snapshots: every `intervalMs` one `fxcm:price_tik` per symbol with its last quote,
 * re-sent even when unchanged (SMC computes the tick age from `tick_ts`). One replica sends per
 * interval — whoever takes the lock — and the last quotes live in Redis, so replicas agree.
 */
export class PriceSnapshots {
  private timer: PeriodicTimer | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly sent;

  constructor(private readonly opts: PriceSnapshotsOptions) {
    this.sent = opts.metrics.counter(
      'fxcm_publisher_price_snapshots_total',
      'fxcm:price_tik messages sent',
    );
  }

  start(): void {
    // Mid-interval of wall-clock time (every replica alike): clear of a minute's final bars.
    this.timer ??= everyPeriod(this.opts.intervalMs, () => {
      this.running = this.running
        .then(() => this.tick())
        .then(() => undefined)
        .catch((err: unknown) => {
          this.opts.metrics.errors.inc({ type: 'redis' });
          this.opts.logger.warn('price snapshot failed', { err });
        });
    });
  }

  /** One interval: take the lock, refresh the last quotes, send one message per symbol. */
  async tick(): Promise<number> {
    const { redis } = this.opts;
    const now = (this.opts.now ?? Date.now)();
    const mine = await redis.set(
      this.opts.lockKey,
      '1',
      'PX',
      Math.max(1, this.opts.intervalMs - 100),
      'NX',
    );
    if (mine !== 'OK') return 0;
    const stored = await redis.hgetall(this.opts.lastKey);
    let known: LastQuotes = new Map(
      Object.entries(stored).map(([symbol, json]) => [symbol, JSON.parse(json) as Quote]),
    );
    for (const stream of this.opts.tickStreams) {
      const entries = (await redis.xrevrange(
        stream,
        '+',
        '-',
        'COUNT',
        this.opts.scanCount ?? 2_000,
      )) as [string, string[]][];
      known = newestQuotes(entries, known);
    }
    if (known.size === 0) return 0;
    const tx = redis.multi();
    for (const quote of known.values()) {
      tx.hset(this.opts.lastKey, quote.symbol, JSON.stringify(quote));
      tx.publish(this.opts.channel, encodePriceTik(priceTik(quote, now)));
    }
    await tx.exec();
    this.sent.inc(known.size);
    return known.size;
  }

  /** Stops the timer and waits for the snapshot in hand. Idempotent. */
  async close(): Promise<void> {
    this.timer?.stop();
    this.timer = undefined;
    await this.running;
  }
}

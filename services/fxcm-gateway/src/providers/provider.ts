/**
 * The seam between a quote source (FXCM, the simulator, a replay, an external bridge) and the
 * rest of the gateway. A provider only reports what it receives; validation, normalisation,
 * shard routing and writing to Redis are the gateway's job, so every provider gets the same rails.
 */

import type { ConnectionState } from '../connection/connection-machine';

/** A quote as a provider saw it, before validation. */
export interface ProviderTick {
  /** Instrument as the provider names it (`EUR/USD` or `EURUSD`); the gateway normalises it. */
  symbol: string;
  /** Event time from the broker, int epoch ms. */
  ts: number;
  bid: number;
  ask: number;
  /** When the gateway received it, int epoch ms (a replay stamps its simulated clock). */
  recvTs: number;
}

/**
 * Connection life of a provider, reported on every transition: the connection machine's states
 * a sink can see (not its internal `idle`/`stopped`), plus `finished` for a finite replay.
 */
export type FeedState = Exclude<ConnectionState, 'idle' | 'stopped'> | 'finished';

/** Why a provider changed state; `code` is set on `error` (e.g. `fxcm_auth_failed`). */
export interface FeedStateDetail {
  code?: string;
  message?: string;
  /** When the provider will try again on its own (reconnect, wake-up), epoch ms. */
  next_attempt_at?: number;
}

/** Where a provider delivers. Returned promises are backpressure: the provider awaits them. */
export interface TickSink {
  tick(tick: ProviderTick): void | Promise<void>;
  /** Event-time promise: no later tick from this provider has `ts` below `ts`. */
  watermark(ts: number, feed: 'alive' | 'dead'): void | Promise<void>;
  /**
   * Live providers: the feed was not observed during `[fromMs, toMs)` (start, disconnect, dead
   * feed), so minutes it touches were seen only in part. A replay, whose file is the whole
   * record, never calls it.
   */
  unobserved?(fromMs: number, toMs: number): void | Promise<void>;
  state(state: FeedState, detail?: FeedStateDetail): void;
}

/** A source of live (or live-like) quotes. */
export interface QuoteProvider {
  readonly name: 'replay' | 'sim' | 'fxcm-rest' | 'bridge';
  /** Starts delivering into `sink`; resolves once running. */
  start(sink: TickSink): Promise<void>;
  /** Stops delivering; idempotent. */
  stop(): Promise<void>;
  /** Resolves when a finite source (a replay) has delivered everything. */
  readonly finished: Promise<void>;
  /**
   * Streams these symbols from now on, without a restart and without a second subscription of
   * one already streaming (the dynamic universe). Absent: the provider's symbols are fixed.
   */
  setSymbols?(symbols: readonly string[]): Promise<void>;
}

/**
 * The V1 public status (`fxcm:status`) derived from what the services report. Pure: the same
 * inputs give the same status, so every rule below is unit-tested without Redis.
 */

/** Market state as the calendar (or the last market_status) says. */
export type Market = 'open' | 'closed' | 'unknown';

/** What the scheduler knows at `now` (all times int epoch ms). */
export interface StatusInputs {
  now: number;
  market: Market;
  /** The gateway's feed state (`streaming`, `stale`, `sleeping`, `error`, …); undefined = no gateway record. */
  feedState?: string;
  /** Wall time the gateway last wrote a tick. */
  lastTickAt?: number;
  /** Event-time close of the newest final bar the bar builder emitted. */
  lastFinalClose?: number;
  /** Wall time the bar builder last emitted a preview (live) bar. */
  lastPreviewAt?: number;
  /** Active degradations across services (`cache_read_only`, …). */
  degraded: string[];
  /** Backoff the gateway reported (FXCM history or reconnect), seconds left. */
  backoffSeconds?: number;
  /** Seconds until the market opens, when closed. */
  secondsToNextOpen?: number;
}

/** The V1 `fxcm:status` payload (contract `status`). */
export interface V1Status {
  ts: number;
  process: 'stream' | 'idle' | 'sleep' | 'error';
  market: Market;
  price: 'ok' | 'stale' | 'down';
  ohlcv: 'ok' | 'delayed' | 'down';
  note: string;
}

/** Thresholds of the V1 derivation (seconds). */
export const STATUS_THRESHOLDS = {
  priceStale: 15,
  priceDown: 60,
  ohlcvDelayed: 60,
  ohlcvDown: 180,
  /** A live bar published this recently keeps ohlcv at `delayed` rather than `down`. */
  liveGrace: 5,
  /**
   * How long after its close a final 1m bar is expected (watermark grace plus the hop through
   * the streams). The next final closes one minute after the last one, so the feed is late
   * only past `60 + arrivalGrace` seconds of lag; V1 counted from the close and so flapped to
   * `delayed` for a second every minute on a healthy feed.
   */
  arrivalGrace: 5,
} as const;

/** Seconds of one 1m bar: the next final is due this long after the last close. */
const FINAL_PERIOD_SECONDS = 60;

const seconds = (ms: number): number => ms / 1_000;

function processOf(feedState: string | undefined): V1Status['process'] {
  switch (feedState) {
    case 'streaming':
    case 'subscribed':
    case 'stale':
      return 'stream';
    case 'sleeping':
      return 'sleep';
    case 'error':
      return 'error';
    default:
      return 'idle';
  }
}

function priceOf(inputs: StatusInputs): V1Status['price'] {
  if (inputs.feedState === 'error' || inputs.feedState === 'finished') return 'down';
  if (inputs.feedState === 'stale') return 'stale';
  if (inputs.lastTickAt === undefined) return 'down';
  const silence = seconds(inputs.now - inputs.lastTickAt);
  if (silence >= STATUS_THRESHOLDS.priceDown) return 'down';
  if (silence >= STATUS_THRESHOLDS.priceStale) return 'stale';
  return 'ok';
}

function ohlcvOf(
  inputs: StatusInputs,
  process: V1Status['process'],
): { ohlcv: V1Status['ohlcv']; lag?: number } {
  if (process === 'idle' || process === 'sleep') return { ohlcv: 'down' };
  if (inputs.lastFinalClose === undefined) return { ohlcv: 'down' };
  const lag = seconds(inputs.now - inputs.lastFinalClose);
  if (lag >= STATUS_THRESHOLDS.ohlcvDown) {
    const liveRecently =
      inputs.lastPreviewAt !== undefined &&
      seconds(inputs.now - inputs.lastPreviewAt) <= STATUS_THRESHOLDS.liveGrace;
    return { ohlcv: liveRecently ? 'delayed' : 'down', lag };
  }
  const overdue = lag > FINAL_PERIOD_SECONDS + STATUS_THRESHOLDS.arrivalGrace;
  if (lag >= STATUS_THRESHOLDS.ohlcvDelayed && overdue) return { ohlcv: 'delayed', lag };
  return { ohlcv: 'ok', lag };
}

function noteOf(inputs: StatusInputs, status: Omit<V1Status, 'note' | 'ts'>, lag?: number): string {
  if (status.market === 'closed') {
    const toOpen = inputs.secondsToNextOpen;
    if (toOpen !== undefined && toOpen >= 36 * 3_600)
      return `weekend (${Math.floor(toOpen / 86_400)}d)`;
    if (toOpen !== undefined && toOpen >= 6 * 3_600) return 'overnight pause';
    return 'market closed';
  }
  if (inputs.backoffSeconds !== undefined && inputs.backoffSeconds > 0) {
    return `backoff FXCM ${Math.ceil(inputs.backoffSeconds)}s`;
  }
  if (status.process === 'idle' || status.process === 'sleep')
    return `idle: ${inputs.feedState ?? 'no_feed'}`;
  if (status.price === 'stale') return 'price stale';
  if (status.ohlcv === 'down') return 'ohlcv down';
  if (status.ohlcv === 'delayed' && lag !== undefined) return `lag ${Math.round(lag)}s`;
  if (inputs.degraded.length > 0) return `degraded: ${inputs.degraded.join(',')}`;
  return 'ok';
}

/** Derives the V1 status by the rules of the old connector (see docs/status.md). */
export function deriveV1Status(inputs: StatusInputs): V1Status {
  const process = processOf(inputs.feedState);
  const price = priceOf(inputs);
  const { ohlcv, lag } = ohlcvOf(inputs, process);
  const partial = { process, market: inputs.market, price, ohlcv };
  return { ts: seconds(inputs.now), ...partial, note: noteOf(inputs, partial, lag) };
}

import { toFxcmInstrument, toFxcmTimeframe, type Heartbeat, type Timeframe } from '@fxcm/contracts';
import { isoUtc, type MarketView } from '../market-view';
import type { TargetState } from './target-tracker';
import type { TelemetrySources } from './telemetry-sources';

/** V1 heartbeat states (the V1 consumer accepts exactly these four). */
export type HeartbeatState = Heartbeat['state'];

/** V1 `idle_reason` values. */
export type IdleReason =
  | 'calendar_closed'
  | 'ticks_stopped_after_calendar_close'
  | 'fxcm_temporarily_unavailable'
  | 'market_closed';

/** The feed as the services report it. */
export interface FeedFacts {
  /** Gateway feed state (`streaming`, `stale`, `sleeping`, …), undefined without a gateway. */
  feedState?: string;
  lastTickAt?: number;
  lastFinalClose?: number;
  lastPreviewAt?: number;
  /** A bar builder is restoring its final-bar cache. */
  restoringCache: boolean;
  /** FXCM history says it is not ready (PriceHistoryCommunicator). */
  historyNotReady: boolean;
}

/** Static facts of the configuration the heartbeat repeats. */
export interface HeartbeatSettings {
  channels: { heartbeat: string; ohlcv: string; price: string };
  targets: readonly { symbol: string; tf: Timeframe }[];
  telemetryIntervalSeconds: number;
  priceIntervalSeconds: number;
  lookbackMinutes: number;
  cacheEnabled: boolean;
}

/** Everything one heartbeat is built from. */
export interface HeartbeatInputs {
  now: number;
  view: MarketView;
  feed: FeedFacts;
  redisConnected: boolean;
  targetState(symbol: string, tf: string): TargetState;
  publishedBars: number;
  cycleSeconds: number;
  sources: TelemetrySources;
  settings: HeartbeatSettings;
}

const seconds = (ms: number): number => Math.max(0, ms) / 1_000;
const round3 = (x: number): number => Math.round(x * 1_000) / 1_000;
const age = (now: number, at: number | undefined): number | undefined =>
  at === undefined ? undefined : round3(seconds(now - at));

/** Heartbeat state and V1 idle reason from the feed and the calendar. */
export function heartbeatState(
  view: MarketView,
  feed: FeedFacts,
  warmups: number,
): { state: HeartbeatState; idleReason?: IdleReason } {
  if (feed.restoringCache) return { state: 'warmup_cache' };
  if (warmups > 0) return { state: 'warmup' };
  if (feed.feedState === 'streaming') return { state: 'stream' };
  if (feed.historyNotReady) return { state: 'idle', idleReason: 'fxcm_temporarily_unavailable' };
  if (view.market === 'closed') {
    const stopped = feed.lastTickAt !== undefined && feed.feedState !== undefined;
    return {
      state: 'idle',
      idleReason: stopped ? 'ticks_stopped_after_calendar_close' : 'calendar_closed',
    };
  }
  return { state: 'idle', idleReason: 'market_closed' };
}

function priceStream(inputs: HeartbeatInputs): Record<string, unknown> {
  const { now, feed, settings } = inputs;
  const silence = age(now, feed.lastTickAt);
  const symbols = [...new Set(settings.targets.map((t) => t.symbol))];
  const state =
    feed.feedState === 'error' || feed.feedState === 'finished'
      ? 'stopped'
      : silence === undefined
        ? 'waiting'
        : silence >= 15
          ? 'stale'
          : 'ok';
  return {
    channel: settings.channels.price,
    interval_seconds: settings.priceIntervalSeconds,
    symbols,
    symbols_state: symbols.map((symbol) => ({ symbol, tick_silence_seconds: silence ?? null })),
    last_snap_ts: null,
    last_tick_ts: feed.lastTickAt === undefined ? null : feed.lastTickAt / 1_000,
    tick_silence_seconds: silence ?? null,
    queue_depth: 0,
    thread_alive: feed.feedState !== undefined,
    state,
    adaptive_cadence: false,
  };
}

function tickCadence(inputs: HeartbeatInputs, state: HeartbeatState): Record<string, unknown> {
  const { settings } = inputs;
  const silence = age(inputs.now, inputs.feed.lastTickAt);
  const tfs = [...new Set(settings.targets.map((t) => t.tf))];
  const cadence = Object.fromEntries(tfs.map((tf) => [tf, settings.telemetryIntervalSeconds]));
  return {
    state: state === 'stream' ? 'live' : 'idle',
    history_state: state === 'warmup' ? 'warmup' : 'idle',
    tick_silence_seconds: silence ?? null,
    cadence_seconds: cadence,
    next_poll_in_seconds: cadence,
    multiplier: 1.0,
    reason: state === 'stream' ? 'ticks_live' : 'no_ticks',
  };
}

/**
 * The V1 heartbeat with its full `context`: every key of the V1 connector with its meaning
 * (see docs/status.md). Per-target `staleness_seconds` (age of the target's last final close)
 * and `live_age_seconds` (age of its last live bar) make one stalled symbol visible. Pure.
 */
export function buildHeartbeat(inputs: HeartbeatInputs): Heartbeat {
  const { now, view, feed, settings, sources } = inputs;
  const quota = sources.historyQuota();
  const backoff = sources.backoff();
  const { state, idleReason } = heartbeatState(view, feed, quota.active_warmups ?? 0);
  const lag = age(now, feed.lastFinalClose);
  const closed = view.market === 'closed';
  const mode = state === 'warmup' ? 'warmup_sample' : state;
  return {
    type: 'heartbeat',
    state,
    ts: isoUtc(now),
    ...(feed.lastFinalClose !== undefined ? { last_bar_close_ms: feed.lastFinalClose } : {}),
    ...(closed ? { next_open_utc: view.session.next_open_utc } : {}),
    ...(state === 'idle' ? { sleep_seconds: settings.telemetryIntervalSeconds } : {}),
    context: {
      channel: settings.channels.heartbeat,
      mode,
      calendar_open: !closed,
      ticks_alive: feed.feedState === 'streaming',
      effective_market_open: !closed && feed.feedState === 'streaming',
      redis_connected: inputs.redisConnected,
      redis_required: true,
      redis_channel: settings.channels.ohlcv,
      poll_seconds: settings.telemetryIntervalSeconds,
      lookback_minutes: settings.lookbackMinutes,
      publish_interval_seconds: settings.telemetryIntervalSeconds,
      cycle_seconds: round3(inputs.cycleSeconds),
      stream_targets: settings.targets.map((t) => {
        const target = inputs.targetState(t.symbol, t.tf);
        const staleness = age(now, target.lastFinalClose);
        const live = age(now, target.lastPreviewAt);
        return {
          symbol: toFxcmInstrument(t.symbol),
          tf: toFxcmTimeframe(t.tf),
          ...(staleness !== undefined ? { staleness_seconds: staleness } : {}),
          ...(live !== undefined ? { live_age_seconds: live } : {}),
        };
      }),
      published_bars: inputs.publishedBars,
      cache_enabled: settings.cacheEnabled,
      ...(lag !== undefined ? { lag_seconds: lag } : {}),
      ...(feed.lastPreviewAt !== undefined
        ? { ohlcv_live_age_seconds: age(now, feed.lastPreviewAt) }
        : {}),
      ...(idleReason ? { idle_reason: idleReason } : {}),
      next_open_seconds: view.secondsToNextOpen,
      ...(state === 'warmup_cache' ? { cache_source: 'file_cache' } : {}),
      session: view.marketStatus.session,
      price_stream: priceStream(inputs),
      tick_cadence: tickCadence(inputs, state),
      history: quota,
      diag: { backoff },
      history_backoff_seconds: backoff.fxcm_history.remaining_seconds,
      redis_backoff_seconds: backoff.redis.remaining_seconds,
      universe: sources.universe(),
    },
  };
}

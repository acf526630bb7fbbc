import { calendarFor } from '@fxcm/calendar';
import { encodePublic, parseStreamTargets } from '@fxcm/contracts';
import { marketView, type MarketView } from '../src/market-view';
import { buildHeartbeat, type FeedFacts } from '../src/telemetry/heartbeat';
import { TargetTracker } from '../src/telemetry/target-tracker';
import { idleTelemetrySources } from '../src/telemetry/telemetry-sources';
import { deriveV1Status } from '../src/v1-status';
import { v1ShapeProblems } from './v1-shape-check';

const metals = calendarFor('XAUUSD');
const targets = parseStreamTargets('XAU/USD:m1,XAU/USD:m5');

/** Instants of each calendar state of the FXCM metals profile (December: New York = UTC−5). */
const INSTANTS = {
  open: Date.UTC(2025, 11, 10, 15, 0, 0, 250),
  weekend: Date.UTC(2025, 11, 6, 10, 0),
  overnight: Date.UTC(2025, 11, 25, 12, 0),
  break: Date.UTC(2025, 11, 10, 22, 30),
};

/** Feed situations, relative to `now`. */
const FEEDS: Record<string, (now: number) => FeedFacts & { redis: boolean }> = {
  live: (now) => ({
    feedState: 'streaming',
    lastTickAt: now - 1_000,
    lastFinalClose: now - 20_000,
    lastPreviewAt: now - 500,
    restoringCache: false,
    historyNotReady: false,
    redis: true,
  }),
  stale: (now) => ({
    feedState: 'stale',
    lastTickAt: now - 30_000,
    lastFinalClose: now - 90_000,
    restoringCache: false,
    historyNotReady: false,
    redis: true,
  }),
  dead: (now) => ({
    feedState: 'reconnecting',
    lastTickAt: now - 600_000,
    lastFinalClose: now - 600_000,
    restoringCache: false,
    historyNotReady: false,
    redis: true,
  }),
  redis_down: (now) => ({ ...FEEDS['live']!(now), redis: false }),
  warmup_cache: () => ({ restoringCache: true, historyNotReady: false, redis: true }),
  not_ready: (now) => ({
    feedState: 'subscribed',
    lastTickAt: now - 120_000,
    restoringCache: false,
    historyNotReady: true,
    redis: true,
  }),
};

function messages(now: number, feed: FeedFacts & { redis: boolean }, warmups = 0) {
  const tracker = new TargetTracker(targets, metals);
  tracker.observe(
    {
      symbol: 'XAUUSD',
      tf: '1m',
      complete: true,
      open_time: now - 120_000,
      close_time: now - 60_001,
      high: 4281.5,
      low: 4277,
      close: 4280,
    },
    now - 59_000,
  );
  const view: MarketView = marketView(metals, now, tracker.stats);
  const status = {
    ...deriveV1Status({
      now,
      market: view.market,
      secondsToNextOpen: view.market === 'closed' ? view.secondsToNextOpen : undefined,
      ...feed,
      degraded: [],
    }),
    session: view.session,
  };
  const base = idleTelemetrySources(['XAUUSD:1m']);
  const beat = buildHeartbeat({
    now,
    view,
    feed,
    redisConnected: feed.redis,
    targetState: (s, tf) => tracker.state(s, tf),
    publishedBars: 1,
    cycleSeconds: 0.004,
    sources: {
      ...base,
      historyQuota: () => ({ ...base.historyQuota(), active_warmups: warmups }),
    },
    settings: {
      channels: { heartbeat: 'fxcm:heartbeat', ohlcv: 'fxcm:ohlcv', price: 'fxcm:price_tik' },
      targets,
      telemetryIntervalSeconds: 5,
      priceIntervalSeconds: 3,
      lookbackMinutes: 5,
      cacheEnabled: true,
    },
  });
  return {
    status: encodePublic('status', status),
    heartbeat: encodePublic('heartbeat', beat),
    market_status: encodePublic('market_status', view.marketStatus),
    beat,
    v1: status,
  };
}

describe('V1 shapes of fxcm:status, fxcm:heartbeat, fxcm:market_status in every state', () => {
  const cases = Object.entries(INSTANTS).flatMap(([when, now]) =>
    Object.keys(FEEDS).map((feed) => [when, feed, now] as const),
  );
  it.each(cases)('%s market, %s feed: every channel matches V1 key by key', (_when, feed, now) => {
    const m = messages(now, FEEDS[feed]!(now));
    for (const kind of ['status', 'heartbeat', 'market_status'] as const) {
      expect([kind, v1ShapeProblems(kind, m[kind])]).toEqual([kind, []]);
    }
  });

  it('says which state each situation is in, with the V1 words', () => {
    const open = INSTANTS.open;
    expect(messages(open, FEEDS['live']!(open)).beat.state).toBe('stream');
    expect(messages(open, FEEDS['warmup_cache']!(open)).beat.state).toBe('warmup_cache');
    expect(messages(open, FEEDS['live']!(open), 1).beat).toMatchObject({
      state: 'warmup',
      context: { mode: 'warmup_sample' },
    });
    expect(messages(open, FEEDS['not_ready']!(open)).beat.context).toMatchObject({
      idle_reason: 'fxcm_temporarily_unavailable',
    });
    expect(messages(open, FEEDS['redis_down']!(open)).beat.context).toMatchObject({
      redis_connected: false,
    });
    const weekend = messages(INSTANTS.weekend, FEEDS['dead']!(INSTANTS.weekend));
    expect(weekend.v1).toMatchObject({ market: 'closed', note: 'weekend (1d)' });
    expect(weekend.v1.session.state_detail).toBe('weekend');
    expect(messages(INSTANTS.overnight, FEEDS['dead']!(INSTANTS.overnight)).v1).toMatchObject({
      note: 'overnight pause',
      session: { state_detail: 'overnight' },
    });
    expect(messages(INSTANTS.break, FEEDS['dead']!(INSTANTS.break)).v1).toMatchObject({
      note: 'market closed',
      session: { state_detail: 'intrabreak' },
    });
    expect(messages(open, FEEDS['stale']!(open)).v1).toMatchObject({
      price: 'stale',
      ohlcv: 'delayed',
      note: 'price stale',
    });
    expect(messages(open, FEEDS['dead']!(open)).v1).toMatchObject({ ohlcv: 'down' });
  });

  it('writes whole-valued V1 floats as floats (0.0, 28860.0), never as ints', () => {
    const m = messages(INSTANTS.open, FEEDS['live']!(INSTANTS.open));
    expect(m.status).toContain('"seconds_to_next_open":28860.0');
    expect(m.heartbeat).toContain('"next_open_seconds":28860.0');
    expect(m.heartbeat).toContain('"history_backoff_seconds":0.0');
    expect(m.market_status).toContain('"next_open_seconds":28860.0');
  });

  it('names every target in FXCM spelling with its own staleness', () => {
    const now = INSTANTS.open;
    const targetsOut = messages(now, FEEDS['live']!(now)).beat.context?.stream_targets;
    expect(targetsOut).toEqual([
      { symbol: 'XAU/USD', tf: 'm1', staleness_seconds: 60.001 }, // now − its last close
      { symbol: 'XAU/USD', tf: 'm5' },
    ]);
  });

  it('market_status carries the session statistics of the 1m finals', () => {
    const now = INSTANTS.open;
    const stats = messages(now, FEEDS['live']!(now)).market_status;
    expect(stats).toContain(
      '"LDN_METALS":{"tag":"LDN_METALS","timezone":"Europe/London","session_open_utc":"2025-12-10T08:00:00+00:00","session_close_utc":"2025-12-10T16:30:00+00:00","symbols":[{"symbol":"XAUUSD","tf":"1m","bars":1,"range":4.5,"high":4281.5,"low":4277.0,"avg":4280.0}]}',
    );
  });
});

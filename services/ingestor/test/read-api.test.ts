import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keys } from '@fxcm/contracts';
import { createRedis } from '@fxcm/redis-streams';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { BarStore } from '../src/bar-store';
import type { IngestedBar } from '../src/ohlcv-rails';
import { API_ERRORS, type ApiErrorCode } from '../src/read-api/api-errors';
import { buildReadApi } from '../src/read-api/http-server';
import { LiveFeed } from '../src/read-api/live-feed';

// The read API over a real Redis holding the real reference 1m bars of EUR/USD 2014-05-05.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REFERENCE: IngestedBar[] = readFileSync(
  join(__dirname, '..', '..', '..', 'data', 'EURUSD_20140505_m1.csv'),
  'utf8',
)
  .trim()
  .split('\n')
  .slice(1)
  .map((row) => {
    const [t, o, h, l, c] = row.split(',').map(Number) as [number, number, number, number, number];
    return { open_time: t, close_time: t + 59_999, open: o, high: h, low: l, close: c, volume: 1 };
  });
const MAX_BARS = 1000;

let redis: Redis;
let ns: string;
let store: BarStore;
let live: LiveFeed;
let api: FastifyInstance;
let base: string;
const refused: ApiErrorCode[] = [];

beforeAll(() => {
  redis = createRedis(REDIS_URL, { name: 'read-api-test' });
});
beforeEach(async () => {
  ns = `test_api_${randomUUID().slice(0, 8)}`;
  store = new BarStore(redis, ns);
  await store.put('EURUSD', '1m', REFERENCE);
  live = new LiveFeed(new Set(['EURUSD', 'XAUUSD']));
  refused.length = 0;
  api = buildReadApi({
    store,
    live,
    limits: {
      allowedSymbols: new Set(['EURUSD', 'XAUUSD']),
      allowedTimeframes: new Set(['1m', '5m']),
      maxBars: MAX_BARS,
      defaultLimit: 100,
    },
    readSnapshot: () => redis.get(keys(ns).statusSnapshot),
    viewer: {
      lag_warn_seconds: 45,
      lag_error_seconds: 120,
      idle_warn_seconds: 90,
      idle_error_seconds: 180,
      heartbeat_alert_seconds: 45,
    },
    maxClients: 1,
    keepAliveMs: 50,
    onRefused: (err) => refused.push(err.code),
  });
  base = await api.listen({ port: 0, host: '127.0.0.1' });
});
afterEach(async () => {
  await api.close();
  const found = await redis.keys(`${ns}:*`);
  if (found.length > 0) await redis.del(...found);
});
afterAll(() => redis.quit());

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${url}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function expectRefused(url: string, code: ApiErrorCode, reason: RegExp): Promise<void> {
  const { status, body } = await get(url);
  expect({ status, code: (body.error as { code: string }).code }).toEqual({
    status: API_ERRORS[code],
    code,
  });
  expect((body.error as { reason: string }).reason).toMatch(reason);
  expect(refused.at(-1)).toBe(code);
}

describe('GET /bars', () => {
  it('returns exactly the stored bars with open_time in [from, to], oldest first', async () => {
    const from = REFERENCE[10]!.open_time;
    const to = REFERENCE[29]!.open_time;
    const { status, body } = await get(`/bars?symbol=EURUSD&tf=1m&from=${from}&to=${to}`);
    expect(status).toBe(200);
    expect(body).toEqual({ symbol: 'EURUSD', tf: '1m', bars: REFERENCE.slice(10, 30) });
  });

  it('takes ISO times and either symbol spelling', async () => {
    const from = new Date(REFERENCE[0]!.open_time).toISOString();
    const to = new Date(REFERENCE[2]!.open_time).toISOString();
    const { body } = await get(`/bars?symbol=eur/usd&tf=m1&from=${from}&to=${to}`);
    expect(body.bars).toEqual(REFERENCE.slice(0, 3));
  });

  it('returns the newest `limit` bars of the range, and the default limit without one', async () => {
    const limited = await get('/bars?symbol=EURUSD&tf=1m&limit=7');
    expect(limited.body.bars).toEqual(REFERENCE.slice(-7));
    const to = REFERENCE[500]!.open_time;
    const before = await get(`/bars?symbol=EURUSD&tf=1m&to=${to}&limit=3`);
    expect(before.body.bars).toEqual(REFERENCE.slice(498, 501));
    const byDefault = await get('/bars?symbol=EURUSD&tf=1m');
    expect(byDefault.body.bars).toEqual(REFERENCE.slice(-100));
    const most = await get(`/bars?symbol=EURUSD&tf=1m&limit=${MAX_BARS}`);
    expect(most.body.bars).toEqual(REFERENCE.slice(-MAX_BARS));
  });

  it('answers an empty list for a range with nothing stored, and for a known symbol never stored', async () => {
    expect((await get('/bars?symbol=EURUSD&tf=1m&from=0&to=1000')).body.bars).toEqual([]);
    expect((await get('/bars?symbol=XAUUSD&tf=5m')).body).toEqual({
      symbol: 'XAUUSD',
      tf: '5m',
      bars: [],
    });
  });

  it('refuses bad parameters with a code and a reason', async () => {
    await expectRefused('/bars?tf=1m', 'API_PARAM_MISSING', /symbol is required/);
    await expectRefused('/bars?symbol=EURUSD', 'API_PARAM_MISSING', /tf is required/);
    await expectRefused('/bars?symbol=EURUSD&tf=7m', 'API_PARAM_INVALID', /7m/);
    await expectRefused('/bars?symbol=E!&tf=1m', 'API_PARAM_INVALID', /symbol/);
    await expectRefused('/bars?symbol=EURUSD&tf=1m&from=yesterday', 'API_PARAM_INVALID', /from/);
    await expectRefused('/bars?symbol=EURUSD&tf=1m&to=2014-13-45', 'API_PARAM_INVALID', /to/);
    await expectRefused(
      '/bars?symbol=EURUSD&tf=1m&from=99999999999999',
      'API_PARAM_INVALID',
      /from/,
    );
    await expectRefused('/bars?symbol=EURUSD&tf=1m&from=5&to=4', 'API_RANGE_INVALID', /after/);
    await expectRefused('/bars?symbol=EURUSD&tf=1m&limit=0', 'API_PARAM_INVALID', /limit/);
    await expectRefused('/bars?symbol=EURUSD&tf=1m&limit=-3', 'API_PARAM_INVALID', /limit/);
    await expectRefused(
      `/bars?symbol=EURUSD&tf=1m&limit=${MAX_BARS + 1}`,
      'API_LIMIT_TOO_LARGE',
      new RegExp(`${MAX_BARS}`),
    );
    await expectRefused('/bars?symbol=EURUSD&symbol=XAUUSD&tf=1m', 'API_PARAM_INVALID', /once/);
  });

  it('refuses an unknown symbol or timeframe with 404', async () => {
    await expectRefused('/bars?symbol=GBPUSD&tf=1m', 'API_SYMBOL_UNKNOWN', /GBPUSD/);
    await expectRefused('/bars?symbol=EURUSD&tf=1h', 'API_TF_UNKNOWN', /1h/);
    await expectRefused('/nothing-here', 'API_NOT_FOUND', /nothing-here/);
  });
});

describe('GET /symbols and /status', () => {
  it('lists every whitelisted symbol and timeframe with what is stored', async () => {
    const { body } = await get('/symbols');
    const eurusd = (body.symbols as { symbol: string; timeframes: unknown[] }[]).find(
      (s) => s.symbol === 'EURUSD',
    );
    expect(eurusd?.timeframes).toEqual([
      {
        tf: '1m',
        bars: REFERENCE.length,
        first_open_time: REFERENCE[0]!.open_time,
        last_open_time: REFERENCE.at(-1)!.open_time,
      },
      { tf: '5m', bars: 0, first_open_time: null, last_open_time: null },
    ]);
  });

  it('shows the last status, heartbeat, market status, prices and the snapshot', async () => {
    expect((await get('/status')).body).toMatchObject({
      status: null,
      heartbeat: null,
      market_status: null,
      snapshot: null,
    });
    live.onChannelMessage('status', '{"ts":1.5,"market":"open","price":"ok","ohlcv":"ok"}');
    live.onChannelMessage('heartbeat', '{"type":"heartbeat","state":"stream"}');
    live.onChannelMessage('market_status', '{"type":"market_status","state":"open"}');
    live.onChannelMessage('price', '{"symbol":"EURUSD","bid":1.1,"ask":1.2,"mid":1.15}');
    expect(live.onChannelMessage('price', '{"symbol":"GBPUSD","bid":1}')).toBe(
      'symbol_not_allowed',
    );
    expect(live.onChannelMessage('status', 'not json')).toBe('invalid_json');
    await redis.set(keys(ns).statusSnapshot, '{"errors":[{"code":"X"}]}');
    const { body } = await get('/status');
    expect(body).toMatchObject({
      status: { payload: { market: 'open', ohlcv: 'ok' } },
      heartbeat: { payload: { state: 'stream' } },
      market_status: { payload: { state: 'open' } },
      prices: { EURUSD: { payload: { mid: 1.15 } } },
      snapshot: { errors: [{ code: 'X' }] },
    });
    expect(Object.keys(body.prices as object)).toEqual(['EURUSD']);
  });
});

describe('the viewer', () => {
  it('serves the page, its script and the chart library', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script src="\/vendor\/lightweight-charts.js">/);
    const lib = await fetch(`${base}/vendor/lightweight-charts.js`);
    expect(lib.status).toBe(200);
    expect(await lib.text()).toMatch(/LightweightCharts/);
    const config = await get('/viewer/config');
    expect(config.body).toMatchObject({
      symbols: ['EURUSD', 'XAUUSD'],
      thresholds: { lag_warn_seconds: 45 },
    });
  });

  it('streams verified bars and channel messages over server-sent events, one viewer too many refused', async () => {
    const url = base;
    const controller = new AbortController();
    const res = await fetch(`${url}/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const until = async (pattern: RegExp): Promise<void> => {
      while (!pattern.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await until(/event: init/);
    const second = await fetch(`${url}/events`);
    expect(second.status).toBe(503);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe(
      'API_TOO_MANY_CLIENTS',
    );
    live.onBars('EURUSD', '1m', 'tick_agg', [{ ...REFERENCE[0]!, complete: false }]);
    await until(/event: bars\ndata: .*"complete":false/);
    live.onChannelMessage('status', '{"market":"open"}');
    await until(/event: status\ndata: .*"market":"open"/);
    await until(/: keep-alive/);
    controller.abort();
  });
});

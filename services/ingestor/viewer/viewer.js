// The live viewer: candles of one (symbol, tf) from GET /bars, kept current by the ingestor's
// server-sent events (previews move, finals lock in), beside the status panels. Plain browser
// JavaScript with lightweight-charts' standalone build (window.LightweightCharts): no build step.
/* global LightweightCharts, document, window, EventSource */

const TF_MS = {
  '1m': 60e3,
  '5m': 300e3,
  '15m': 900e3,
  '30m': 1800e3,
  '1h': 3600e3,
  '4h': 14400e3,
  '1d': 86400e3,
};
const KEEP_BARS = 2000; // per (symbol, tf): the page's memory stays bounded on a long run
const COLORS = { up: '#26a69a', down: '#ef5350', preview: '#58a6ff', synthetic: '#8b949e' };

const state = {
  config: { symbols: [], timeframes: [], thresholds: {} },
  selected: { symbol: '', tf: '1m' },
  /** key "SYMBOL tf" -> Map(open_time -> bar) */
  bars: new Map(),
  /** key -> wall ms of the last ohlcv message for it */
  lastMessageAt: new Map(),
  /** key -> open_time of the newest bar the ingestor stored (GET /symbols) */
  stored: new Map(),
  live: { status: null, heartbeat: null, market_status: null, prices: {} },
  snapshot: null,
  connected: false,
  clockSkewMs: 0,
};

const $ = (id) => document.getElementById(id);
const keyOf = (symbol, tf) => `${symbol} ${tf}`;
const now = () => Date.now() + state.clockSkewMs;
const isoTime = (ms) =>
  ms == null ? '–' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const seconds = (s) =>
  s == null || !Number.isFinite(s)
    ? '–'
    : s < 120
      ? `${s.toFixed(1)} s`
      : s < 7200
        ? `${(s / 60).toFixed(1)} min`
        : `${(s / 3600).toFixed(1)} h`;
const level = (value, warn, error) =>
  value == null ? 'dim' : value >= error ? 'error' : value >= warn ? 'warn' : 'ok';
const WORD_LEVEL = {
  ok: 'ok',
  open: 'ok',
  stream: 'ok',
  streaming: 'ok',
  delayed: 'warn',
  stale: 'warn',
  idle: 'warn',
  sleep: 'dim',
  warmup: 'warn',
  closed: 'dim',
  down: 'error',
  error: 'error',
  unknown: 'dim',
};

// --- chart -------------------------------------------------------------------------------
const chart = LightweightCharts.createChart($('chart'), {
  autoSize: true,
  layout: { background: { color: '#0f1419' }, textColor: '#d8dee6' },
  grid: { vertLines: { color: '#1c232c' }, horzLines: { color: '#1c232c' } },
  timeScale: { timeVisible: true, secondsVisible: false, barSpacing: 9, rightOffset: 4 },
});
const series = chart.addSeries(LightweightCharts.CandlestickSeries, {
  upColor: COLORS.up,
  downColor: COLORS.down,
  wickUpColor: COLORS.up,
  wickDownColor: COLORS.down,
  borderVisible: false,
});

function candleOf(bar) {
  const color = bar.synthetic
    ? COLORS.synthetic
    : bar.complete === false
      ? COLORS.preview
      : undefined;
  const candle = {
    time: bar.open_time / 1000,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
  };
  return color ? { ...candle, color, wickColor: color } : candle;
}

function barsOf(symbol, tf) {
  const key = keyOf(symbol, tf);
  if (!state.bars.has(key)) state.bars.set(key, new Map());
  return state.bars.get(key);
}

/** Decimals the prices are quoted with (EURUSD 5, XAUUSD 2), for the price scale. */
function precisionOf(bars) {
  let most = 2;
  for (const bar of bars.slice(-50)) {
    for (const p of [bar.open, bar.high, bar.low, bar.close]) {
      const decimals = (String(p).split('.')[1] ?? '').length;
      if (decimals > most && decimals <= 6) most = decimals;
    }
  }
  return most;
}

let drawnLast = -Infinity;
let drawnPrecision = 0;
function showPrecisionOf(bars) {
  const precision = precisionOf(bars);
  if (precision === drawnPrecision) return;
  drawnPrecision = precision;
  series.applyOptions({ priceFormat: { type: 'price', precision, minMove: 10 ** -precision } });
}

function redraw() {
  const bars = [...barsOf(state.selected.symbol, state.selected.tf).values()].sort(
    (a, b) => a.open_time - b.open_time,
  );
  drawnPrecision = 0;
  showPrecisionOf(bars);
  series.setData(bars.map(candleOf));
  drawnLast = bars.length ? bars[bars.length - 1].open_time : -Infinity;
  $('chart-caption').textContent =
    `${state.selected.symbol} ${state.selected.tf}: ${bars.filter((b) => b.complete !== false).length} final bars`;
}

/** Merges bars of (symbol, tf); a final bar is never replaced by a preview of the same minute. */
function merge(symbol, tf, bars) {
  const map = barsOf(symbol, tf);
  let older = false;
  const changed = [];
  for (const bar of bars) {
    const held = map.get(bar.open_time);
    if (held && held.complete !== false && bar.complete === false) continue;
    map.set(bar.open_time, bar);
    changed.push(bar);
    if (bar.open_time < drawnLast) older = true;
  }
  if (map.size > KEEP_BARS) {
    const times = [...map.keys()].sort((a, b) => a - b);
    for (const t of times.slice(0, map.size - KEEP_BARS)) map.delete(t);
  }
  if (symbol !== state.selected.symbol || tf !== state.selected.tf || changed.length === 0) return;
  if (older) return redraw();
  if (drawnPrecision === 2) showPrecisionOf(changed);
  for (const bar of changed) {
    series.update(candleOf(bar));
    drawnLast = Math.max(drawnLast, bar.open_time);
  }
  $('chart-caption').textContent =
    `${symbol} ${tf}: ${[...map.values()].filter((b) => b.complete !== false).length} final bars`;
}

async function loadHistory(symbol, tf) {
  const res = await fetch(
    `/bars?symbol=${encodeURIComponent(symbol)}&tf=${encodeURIComponent(tf)}&limit=1000`,
  );
  if (!res.ok) return;
  const body = await res.json();
  merge(symbol, tf, body.bars);
  redraw();
}

// --- panels ------------------------------------------------------------------------------
function rows(el, entries) {
  el.replaceChildren(
    ...entries.flatMap(([name, value, cls]) => {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = value == null || value === '' ? '–' : String(value);
      dd.dataset.field = name;
      if (cls) dd.className = cls;
      return [dt, dd];
    }),
  );
}
const word = (w) => [w ?? '–', WORD_LEVEL[w] ?? ''];
const ageOf = (seen) => (seen ? (now() - seen.received_ms) / 1000 : null);

function renderStatus() {
  const s = state.live.status?.payload ?? state.snapshot?.status ?? {};
  const t = state.config.thresholds;
  const statusAge = s.ts ? now() / 1000 - s.ts : null;
  rows($('status'), [
    ['market', ...word(s.market)],
    ['price', ...word(s.price)],
    ['ohlcv', ...word(s.ohlcv)],
    ['process', ...word(s.process)],
    ['note', s.note, s.note === 'ok' ? 'ok' : 'warn'],
    [
      'status age',
      seconds(statusAge),
      level(statusAge, t.heartbeat_alert_seconds / 2, t.heartbeat_alert_seconds),
    ],
  ]);
  const session = s.session ?? state.live.market_status?.payload?.session ?? {};
  const ms = state.live.market_status?.payload ?? {};
  rows($('session'), [
    ['name', session.name],
    ['tag', session.tag],
    ['state', ...word(session.state ?? ms.state)],
    ['detail', session.state_detail],
    ['current open', session.current_open_utc ?? session.session_open_utc],
    ['current close', session.current_close_utc ?? session.session_close_utc],
    ['to close', seconds(session.seconds_to_close)],
    ['next open', session.next_open_utc ?? ms.next_open_utc],
    ['to next open', seconds(session.seconds_to_next_open ?? ms.next_open_in_seconds)],
  ]);
}

function renderFeed() {
  const t = state.config.thresholds;
  const hb = state.live.heartbeat;
  const hbAge = ageOf(hb);
  const lastMsg = Math.max(0, ...state.lastMessageAt.values());
  const idle = lastMsg ? (now() - lastMsg) / 1000 : null;
  const gateway = (state.snapshot?.services ?? []).find((r) => r.service === 'fxcm-gateway');
  rows($('feed'), [
    ['viewer link', state.connected ? 'live' : 'reconnecting', state.connected ? 'ok' : 'error'],
    ['heartbeat', ...word(hb?.payload?.state)],
    [
      'heartbeat age',
      seconds(hbAge),
      level(hbAge, t.heartbeat_alert_seconds, t.heartbeat_alert_seconds),
    ],
    ['last ohlcv msg', seconds(idle), level(idle, t.idle_warn_seconds, t.idle_error_seconds)],
    ['gateway feed', ...word(gateway?.detail?.feed_state)],
    ['services', (state.snapshot?.services ?? []).map((r) => `${r.service}:${r.state}`).join(' ')],
    [
      'degraded',
      (state.snapshot?.services ?? [])
        .flatMap((r) => r.degraded.map((d) => `${r.service}:${d}`))
        .join(' ') || 'none',
    ],
  ]);
}

/** Lag of a target: how far past its due time the next final bar is (0 while on time). */
function lagSeconds(symbol, tf) {
  const finals = [...barsOf(symbol, tf).values()].filter((b) => b.complete !== false);
  const held = finals.length ? Math.max(...finals.map((b) => b.open_time)) : -Infinity;
  const stored = state.stored.get(keyOf(symbol, tf)) ?? -Infinity;
  const lastOpen = Math.max(held, stored);
  if (!Number.isFinite(lastOpen)) return { lastOpen: null, lag: null };
  const tfMs = TF_MS[tf] ?? 0;
  return { lastOpen, lag: Math.max(0, (now() - (lastOpen + tfMs) - tfMs) / 1000) };
}

function renderLag() {
  const t = state.config.thresholds;
  const body = $('lag').tBodies[0];
  // targets with a final bar: stored ones (GET /symbols) and those seen live
  const live = [...state.bars.keys()].filter((k) =>
    [...state.bars.get(k).values()].some((b) => b.complete !== false),
  );
  const targets = [...new Set([...state.stored.keys(), ...live])].sort();
  body.replaceChildren(
    ...targets.map((key) => {
      const [symbol, tf] = key.split(' ');
      const { lastOpen, lag } = lagSeconds(symbol, tf);
      const price = state.live.prices[symbol]?.payload;
      const tr = document.createElement('tr');
      tr.dataset.target = key;
      for (const [text, cls] of [
        [symbol],
        [tf],
        [lastOpen === null ? '–' : isoTime(lastOpen).slice(11, 16)],
        [seconds(lag), level(lag, t.lag_warn_seconds, t.lag_error_seconds)],
        [price ? String(price.mid) : '–'],
      ]) {
        const td = document.createElement('td');
        td.textContent = text;
        if (cls) td.className = cls;
        tr.append(td);
      }
      return tr;
    }),
  );
}

function flatten(prefix, value, out, depth = 0) {
  if (value && typeof value === 'object' && !Array.isArray(value) && depth < 2) {
    for (const [k, v] of Object.entries(value))
      flatten(prefix ? `${prefix}.${k}` : k, v, out, depth + 1);
  } else {
    out.push([prefix, typeof value === 'object' ? JSON.stringify(value) : value]);
  }
  return out;
}

function renderQuota() {
  const ctx = state.live.heartbeat?.payload?.context ?? {};
  const entries = [];
  for (const key of [
    'history',
    'tick_cadence',
    'history_backoff_seconds',
    'redis_backoff_seconds',
  ]) {
    if (ctx[key] !== undefined) flatten(key, ctx[key], entries);
  }
  if (ctx.diag?.backoff !== undefined) flatten('backoff', ctx.diag.backoff, entries);
  rows(
    $('quota'),
    entries.length ? entries.slice(0, 24) : [['', 'not reported by the heartbeat yet', 'dim']],
  );
}

function renderErrors() {
  const snap = state.snapshot ?? {};
  const errors = [
    ...(snap.errors ?? []).map((e) => ({ ...e, service: e.service ?? 'status' })),
    ...(snap.services ?? []).flatMap((r) =>
      (r.errors ?? []).map((e) => ({ ...e, service: r.service })),
    ),
  ]
    .sort((a, b) => b.ts - a.ts)
    .slice(0, 10);
  const ul = $('errors');
  if (errors.length === 0) {
    const li = document.createElement('li');
    li.className = 'dim';
    li.textContent = 'none';
    return ul.replaceChildren(li);
  }
  ul.replaceChildren(
    ...errors.map((e) => {
      const li = document.createElement('li');
      li.className = e.severity === 'error' || e.severity === 'critical' ? 'error' : 'warn';
      li.textContent = `${isoTime(e.ts).slice(11)} ${e.service} ${e.code}: ${e.message}`;
      return li;
    }),
  );
}

function render() {
  renderStatus();
  renderFeed();
  renderLag();
  renderQuota();
  renderErrors();
  $('connection').textContent = state.connected ? 'live' : 'reconnecting…';
  $('connection').className = `badge ${state.connected ? 'ok' : 'error'}`;
}

// --- feed --------------------------------------------------------------------------------
async function refreshSnapshot() {
  try {
    const res = await fetch('/status');
    const body = await res.json();
    state.clockSkewMs = body.now_ms - Date.now();
    state.snapshot = body.snapshot;
    for (const k of ['status', 'heartbeat', 'market_status']) if (body[k]) state.live[k] = body[k];
    Object.assign(state.live.prices, body.prices);
    const symbols = await (await fetch('/symbols')).json();
    for (const { symbol, timeframes } of symbols.symbols) {
      for (const { tf, last_open_time: last } of timeframes) {
        if (last !== null) state.stored.set(keyOf(symbol, tf), last);
      }
    }
  } catch {
    state.connected = false;
  }
}

function connect() {
  const events = new EventSource('/events');
  events.onopen = () => (state.connected = true);
  events.onerror = () => (state.connected = false);
  events.addEventListener('init', (e) => {
    const init = JSON.parse(e.data);
    state.clockSkewMs = init.now_ms - Date.now();
    for (const k of ['status', 'heartbeat', 'market_status']) state.live[k] = init[k];
    state.live.prices = init.prices;
  });
  events.addEventListener('bars', (e) => {
    const msg = JSON.parse(e.data);
    state.lastMessageAt.set(keyOf(msg.symbol, msg.tf), Date.now());
    merge(msg.symbol, msg.tf, msg.bars);
  });
  for (const type of ['status', 'heartbeat', 'market_status']) {
    events.addEventListener(type, (e) => {
      state.live[type] = JSON.parse(e.data);
    });
  }
  events.addEventListener('price', (e) => {
    const seen = JSON.parse(e.data);
    state.live.prices[seen.payload.symbol] = seen;
  });
}

function fillSelect(el, values, selected) {
  el.replaceChildren(
    ...values.map((v) => {
      const option = document.createElement('option');
      option.value = v;
      option.textContent = v;
      option.selected = v === selected;
      return option;
    }),
  );
}

async function main() {
  state.config = await (await fetch('/viewer/config')).json();
  const params = new URLSearchParams(window.location.search);
  const symbols = state.config.symbols;
  state.selected = {
    symbol:
      params.get('symbol')?.toUpperCase() ?? (symbols.includes('EURUSD') ? 'EURUSD' : symbols[0]),
    tf: params.get('tf') ?? '1m',
  };
  fillSelect($('symbol'), symbols, state.selected.symbol);
  fillSelect($('tf'), state.config.timeframes, state.selected.tf);
  for (const id of ['symbol', 'tf']) {
    $(id).addEventListener('change', () => {
      state.selected = { symbol: $('symbol').value, tf: $('tf').value };
      redraw();
      void loadHistory(state.selected.symbol, state.selected.tf);
    });
  }
  connect();
  await Promise.all([loadHistory(state.selected.symbol, state.selected.tf), refreshSnapshot()]);
  render();
  window.setInterval(render, 1000);
  window.setInterval(refreshSnapshot, 5000);
}

/** For tests and the console: what the chart holds, and the panels' inputs. */
window.fxcmViewer = {
  selected: () => ({ ...state.selected }),
  /** Bars of (symbol, tf) the page holds, oldest first, with complete/synthetic/source. */
  bars: (symbol, tf) => [...barsOf(symbol, tf).values()].sort((a, b) => a.open_time - b.open_time),
  /** The candles drawn on the chart, as the chart library holds them. */
  drawn: () => series.data(),
  status: () => state.live.status?.payload ?? null,
};

void main();

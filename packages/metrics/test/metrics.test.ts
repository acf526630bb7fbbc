import { register as globalRegistry } from 'prom-client';
import { createMetrics, ERRORS_METRIC, MetricsError } from '../src';

describe('createMetrics', () => {
  it('uses its own registry with the service label and process metrics', async () => {
    const metrics = createMetrics({ service: 'fxcm-gateway' });
    expect(metrics.registry).not.toBe(globalRegistry);
    expect(globalRegistry.getSingleMetric(ERRORS_METRIC)).toBeUndefined();
    const text = await metrics.text();
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="fxcm-gateway"\} [\d.e-]+$/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes\{service="fxcm-gateway"\} \d+$/m);
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('can leave process metrics out', async () => {
    const metrics = createMetrics({ service: 'bar-builder', defaultMetrics: false });
    expect(await metrics.text()).toBe(
      '# HELP fxcm_connector_errors_total Errors and degradations of the FXCM connector by type (V1 name)\n' +
        '# TYPE fxcm_connector_errors_total counter\n',
    );
  });

  it('exposes the shared V1 error counter labelled by type', async () => {
    const metrics = createMetrics({ service: 'publisher', defaultMetrics: false });
    metrics.errors.inc({ type: 'redis' });
    metrics.errors.inc({ type: 'redis' });
    metrics.errors.inc({ type: 'contract' });
    const lines = (await metrics.text()).split('\n').filter((l) => l.startsWith(ERRORS_METRIC));
    expect(lines).toEqual([
      'fxcm_connector_errors_total{type="redis",service="publisher"} 2',
      'fxcm_connector_errors_total{type="contract",service="publisher"} 1',
    ]);
  });

  it('returns the same metric when asked twice by name', async () => {
    const metrics = createMetrics({ service: 'scheduler', defaultMetrics: false });
    const first = metrics.counter('fxcm_commands_total', 'Commands', ['type', 'result']);
    const again = metrics.counter('fxcm_commands_total', 'Commands', ['result', 'type']);
    expect(again).toBe(first);
    first.inc({ type: 'fxcm_warmup', result: 'ok' });
    again.inc({ type: 'fxcm_warmup', result: 'ok' });
    const gauge = metrics.gauge('fxcm_market_open', 'Market open (1) or closed (0)');
    expect(metrics.gauge('fxcm_market_open', 'ignored help')).toBe(gauge);
    gauge.set(1);
    const text = await metrics.text();
    expect(text).toContain(
      'fxcm_commands_total{type="fxcm_warmup",result="ok",service="scheduler"} 2\n',
    );
    expect(text).toContain('fxcm_market_open{service="scheduler"} 1\n');
  });

  it('sums a tally in memory and hands it to its counter at every read, one series per label values', async () => {
    const metrics = createMetrics({ service: 'bar-builder', defaultMetrics: false });
    const ticks = metrics.tally('fxcm_ticks_total', 'Ticks', ['symbol', 'disposition']);
    expect(metrics.tally('fxcm_ticks_total', 'Ticks', ['symbol', 'disposition'])).toBe(ticks);
    for (let i = 0; i < 3; i += 1) ticks.inc('EURUSD', 'applied');
    ticks.inc('XAUUSD', 'late');
    const series = async (): Promise<string[]> =>
      (await metrics.text()).split('\n').filter((l) => l.startsWith('fxcm_ticks_total'));
    expect(await series()).toEqual([
      'fxcm_ticks_total{symbol="EURUSD",disposition="applied",service="bar-builder"} 3',
      'fxcm_ticks_total{symbol="XAUUSD",disposition="late",service="bar-builder"} 1',
    ]);
    // drained at the read: the next read adds only what came since
    ticks.inc('EURUSD', 'applied');
    expect(await series()).toEqual([
      'fxcm_ticks_total{symbol="EURUSD",disposition="applied",service="bar-builder"} 4',
      'fxcm_ticks_total{symbol="XAUUSD",disposition="late",service="bar-builder"} 1',
    ]);
    // a single label, read through the counter itself
    const written = metrics.tally('fxcm_written_total', 'Written', ['symbol']);
    written.inc('EURUSD');
    written.inc('EURUSD');
    const counter = metrics.registry.getSingleMetric('fxcm_written_total')!;
    expect((await counter.get()).values).toEqual([{ labels: { symbol: 'EURUSD' }, value: 2 }]);
    // a name a plain counter holds is not a tally's
    metrics.counter('fxcm_plain_total', 'Plain', ['symbol']);
    expect(capture(() => metrics.tally('fxcm_plain_total', 'Plain', ['symbol'])).code).toBe(
      'METRIC_CONFLICT',
    );
    const three = capture(() => metrics.tally('fxcm_three_total', 'x', ['a', 'b', 'c']));
    expect(three.code).toBe('METRIC_INVALID');
    expect(three.message).toBe('a tally takes one or two labels, not 3');
  });

  it('writes histograms with the given buckets', async () => {
    const metrics = createMetrics({ service: 'ingestor', defaultMetrics: false });
    const lag = metrics.histogram('fxcm_ingest_lag_seconds', 'Lag', ['tf'], [0.5, 2]);
    lag.observe({ tf: '1m' }, 1);
    lag.observe({ tf: '1m' }, 3);
    const lines = (await metrics.text()).split('\n').filter((l) => l.startsWith('fxcm_ingest_lag'));
    expect(lines).toEqual([
      'fxcm_ingest_lag_seconds_bucket{le="0.5",service="ingestor",tf="1m"} 0',
      'fxcm_ingest_lag_seconds_bucket{le="2",service="ingestor",tf="1m"} 1',
      'fxcm_ingest_lag_seconds_bucket{le="+Inf",service="ingestor",tf="1m"} 2',
      'fxcm_ingest_lag_seconds_sum{service="ingestor",tf="1m"} 4',
      'fxcm_ingest_lag_seconds_count{service="ingestor",tf="1m"} 2',
    ]);
  });

  it('refuses a name reused with another kind or other labels', () => {
    const metrics = createMetrics({ service: 'publisher', defaultMetrics: false });
    metrics.counter('fxcm_published_total', 'Published', ['channel']);
    const kind = capture(() => metrics.gauge('fxcm_published_total', 'x', ['channel']));
    expect(kind.code).toBe('METRIC_CONFLICT');
    expect(kind.message).toBe(
      'metric fxcm_published_total already exists as a counter with labels [channel]; asked for a gauge with labels [channel]',
    );
    const labels = capture(() => metrics.counter('fxcm_published_total', 'x', ['channel', 'tf']));
    expect(labels.code).toBe('METRIC_CONFLICT');
  });

  it('wraps an invalid metric name in METRIC_INVALID', () => {
    const metrics = createMetrics({ service: 'publisher', defaultMetrics: false });
    const err = capture(() => metrics.counter('bad-name', 'x'));
    expect(err.code).toBe('METRIC_INVALID');
    expect(err.message).toMatch(/^metric bad-name: /);
  });

  it('keeps two services in one process apart', async () => {
    const a = createMetrics({ service: 'a', defaultMetrics: false });
    const b = createMetrics({ service: 'b', defaultMetrics: false });
    a.counter('fxcm_x_total', 'x').inc(5);
    b.counter('fxcm_x_total', 'x').inc(1);
    expect(await a.text()).toContain('fxcm_x_total{service="a"} 5\n');
    expect(await b.text()).toContain('fxcm_x_total{service="b"} 1\n');
  });
});

function capture(fn: () => unknown): MetricsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MetricsError) return err;
    throw err;
  }
  throw new Error('expected a MetricsError');
}

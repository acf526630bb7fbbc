import type { ErrorType } from '@fxcm/contracts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MetricsError } from './metrics-error';
import { Tally } from './tally';

/** V1 name of the shared error counter, labelled by `type`. */
export const ERRORS_METRIC = 'fxcm_connector_errors_total';

/**
 * `fxcm_connector_errors_total{type}`: its `type` label takes only the registry's
 * {@link ErrorType} values, so input can never add a series.
 */
export type ErrorsCounter = Omit<Counter<'type'>, 'inc'> & {
  inc(labels: { type: ErrorType }, value?: number): void;
};

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Service name, added as the `service` label to every series. */
  readonly service: string;
  /** Collect prom-client's process metrics (CPU, memory, event loop, GC); default true. */
  readonly defaultMetrics?: boolean;
}

/** One service's metrics: its own registry and idempotent metric factories. */
export interface Metrics {
  /** The `service` label value. */
  readonly service: string;
  /** The service's own registry (never prom-client's global one). */
  readonly registry: Registry;
  /** `fxcm_connector_errors_total{type}`: count every loud degradation here. */
  readonly errors: ErrorsCounter;
  /** Returns the counter `name`, creating it on first use. */
  counter<L extends string = string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
  ): Counter<L>;
  /**
   * Returns the hot-path increments of the counter `name` (see {@link Tally}), creating both on
   * first use; the counter reads like any other. A name taken by a plain counter is refused.
   */
  tally<L extends string = string>(name: string, help: string, labelNames: readonly L[]): Tally<L>;
  /**
   * Returns the gauge `name`, creating it on first use; `collect` (first creation only) runs at
   * every scrape to set values that are functions of time, such as an age.
   */
  gauge<L extends string = string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    collect?: (gauge: Gauge<L>) => void,
  ): Gauge<L>;
  /** Returns the histogram `name`, creating it on first use (`buckets` default to prom-client's). */
  histogram<L extends string = string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    buckets?: readonly number[],
  ): Histogram<L>;
  /** The Prometheus text exposition of the registry. */
  text(): Promise<string>;
  /** Content-Type of {@link Metrics.text}. */
  readonly contentType: string;
}

type Kind = 'counter' | 'gauge' | 'histogram';
type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;
const KIND_CLASS = { counter: Counter, gauge: Gauge, histogram: Histogram } as const;

/**
 * Creates a service's metrics: a new prom-client `Registry` with default label `service`,
 * process metrics collected into it, and the shared `fxcm_connector_errors_total{type}` counter.
 *
 * @example
 * const metrics = createMetrics({ service: 'publisher' });
 * const published = metrics.counter('fxcm_published_total', 'Messages published', ['channel']);
 * published.inc({ channel: 'fxcm:ohlcv' });
 * metrics.errors.inc({ type: 'redis' });
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const obtain = <M extends AnyMetric>(
    kind: Kind,
    name: string,
    labelNames: readonly string[],
    make: () => M,
  ): M => {
    const existing = registry.getSingleMetric(name);
    if (existing) {
      const sameKind = existing instanceof KIND_CLASS[kind];
      const had = [...((existing as unknown as { labelNames?: string[] }).labelNames ?? [])].sort();
      const want = [...labelNames].sort();
      if (!sameKind || had.join(',') !== want.join(',')) {
        throw new MetricsError(
          'METRIC_CONFLICT',
          `metric ${name} already exists as a ${describeKind(existing)} with labels [${had.join(', ')}]; ` +
            `asked for a ${kind} with labels [${want.join(', ')}]`,
        );
      }
      return existing as M;
    }
    try {
      return make();
    } catch (err) {
      throw new MetricsError('METRIC_INVALID', `metric ${name}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  };

  function counter<L extends string = string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
  ): Counter<L> {
    return obtain('counter', name, labelNames, () => {
      return new Counter<L>({ name, help, labelNames, registers: [registry] });
    });
  }

  const tallies = new Map<string, Tally<string>>();
  function tally<L extends string = string>(
    name: string,
    help: string,
    labelNames: readonly L[],
  ): Tally<L> {
    const known = tallies.get(name);
    if (!known && registry.getSingleMetric(name)) {
      throw new MetricsError(
        'METRIC_CONFLICT',
        `metric ${name} already exists as a plain counter; a tally needs its own`,
      );
    }
    const made = (known as Tally<L> | undefined) ?? new Tally<L>(labelNames);
    obtain('counter', name, labelNames, () => {
      const c: Counter<L> = new Counter<L>({
        name,
        help,
        labelNames,
        registers: [registry],
        collect: () => made.drainInto(c),
      });
      return c;
    });
    tallies.set(name, made as Tally<string>);
    return made;
  }

  function gauge<L extends string = string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (gauge: Gauge<L>) => void,
  ): Gauge<L> {
    return obtain('gauge', name, labelNames, () => {
      const g: Gauge<L> = new Gauge<L>({
        name,
        help,
        labelNames,
        registers: [registry],
        ...(collect ? { collect: () => collect(g) } : {}),
      });
      return g;
    });
  }

  function histogram<L extends string = string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets?: readonly number[],
  ): Histogram<L> {
    return obtain('histogram', name, labelNames, () => {
      const bucketOption = buckets ? { buckets: [...buckets] } : {};
      return new Histogram<L>({ name, help, labelNames, registers: [registry], ...bucketOption });
    });
  }

  const errors = counter(
    ERRORS_METRIC,
    'Errors and degradations of the FXCM connector by type (V1 name)',
    ['type'],
  );
  return {
    service: options.service,
    registry,
    errors,
    counter,
    tally,
    gauge,
    histogram,
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

function describeKind(metric: unknown): string {
  if (metric instanceof Counter) return 'counter';
  if (metric instanceof Gauge) return 'gauge';
  if (metric instanceof Histogram) return 'histogram';
  return 'metric of another kind';
}

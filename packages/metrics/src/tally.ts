import type { Counter } from 'prom-client';
import { MetricsError } from './metrics-error';

/**
 * A counter's increments on a hot path (one per tick): summed in memory by their label values
 * and added to the counter when the registry is read — a scrape, `metrics.text()`,
 * `counter.get()`. prom-client hashes the labels of every increment; under a tick flood that
 * was a few per cent of a service's CPU, a map lookup or two is not. One or two labels; their
 * values must be bounded (registry codes, allowlisted symbols), as for any counter.
 */
export class Tally<L extends string = string> {
  /** Sums by the first label's value, then (with two labels) by the second's. */
  private readonly sums = new Map<string, Map<string, number>>();

  constructor(private readonly labelNames: readonly L[]) {
    if (labelNames.length < 1 || labelNames.length > 2) {
      throw new MetricsError(
        'METRIC_INVALID',
        `a tally takes one or two labels, not ${labelNames.length}`,
      );
    }
  }

  /** Adds one to the series of these label values, in the order of the label names. */
  inc(first: string, second = ''): void {
    let bySecond = this.sums.get(first);
    if (!bySecond) this.sums.set(first, (bySecond = new Map()));
    bySecond.set(second, (bySecond.get(second) ?? 0) + 1);
  }

  /** Moves the sums into `counter` (its collect hook). */
  drainInto(counter: Counter<L>): void {
    const [firstName, secondName] = this.labelNames;
    for (const [first, bySecond] of this.sums) {
      for (const [second, sum] of bySecond) {
        const labels: Partial<Record<L, string>> = {};
        labels[firstName!] = first;
        if (secondName !== undefined) labels[secondName] = second;
        counter.inc(labels, sum);
      }
    }
    this.sums.clear();
  }
}

/** The label value that stands for every value outside the allowlist or past the cap. */
export const OTHER_LABEL = 'other';

/** Options of {@link boundedLabel}. */
export interface BoundedLabelOptions {
  /** Values always kept (the configured symbols or timeframes). */
  readonly allowed?: Iterable<string>;
  /**
   * How many values outside `allowed` may still get their own series (first seen, first kept);
   * default 0: only the allowlist.
   */
  readonly extra?: number;
}

/**
 * A label guard: returns the value itself when it is allowlisted (or among the first `extra`
 * others seen), else {@link OTHER_LABEL}. Metric labels must never take unbounded values from
 * input; every label fed from data goes through one of these.
 *
 * @example
 * const symbolLabel = boundedLabel({ allowed: ['XAUUSD', 'EURUSD'] });
 * ticks.inc({ symbol: symbolLabel(tick.symbol) });
 */
export function boundedLabel(options: BoundedLabelOptions = {}): (value: string) => string {
  const allowed = new Set(options.allowed ?? []);
  const extra = new Set<string>();
  const cap = options.extra ?? 0;
  return (value) => {
    if (allowed.has(value) || extra.has(value)) return value;
    if (extra.size < cap) {
      extra.add(value);
      return value;
    }
    return OTHER_LABEL;
  };
}

/**
 * Reading a Prometheus text page (what a service's `/metrics` answers) in tests and benchmarks.
 * Pure: the page is passed in.
 */

/** One sample of a page: metric name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of `name` on `page` (exact name; `_bucket`/`_sum` series are other names). */
export function samples(page: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of page.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!;
    }
    out.push({ name, labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of the samples of `name` whose labels include every pair of `where`. */
export function sumOf(page: string, name: string, where: Record<string, string> = {}): number {
  return samples(page, name)
    .filter((s) => Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** The distinct values of label `label` among the non-zero samples of `name`. */
export function labelValues(page: string, name: string, label: string): string[] {
  return [
    ...new Set(
      samples(page, name)
        .filter((s) => s.value > 0 && s.labels[label] !== undefined)
        .map((s) => s.labels[label]!),
    ),
  ];
}

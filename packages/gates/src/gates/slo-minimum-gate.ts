import { refuseDirectStart } from '../direct-start';
import { NO_METRICS_ENDPOINT, type Gate, type GateResult } from '../gate';
import { GateArgsError, listArg } from '../gate-args';
import { fetchMetricsPage, parseMetricsPage } from '../metrics-page';

/** Metric names with at least one sample above zero in a Prometheus text page. */
export function nonZeroMetrics(page: string): Set<string> {
  const names = new Set<string>();
  for (const { name, value } of parseMetricsPage(page)) {
    if (!(value > 0)) continue;
    // Histogram and summary series count under their family name.
    names.add(name.replace(/_(bucket|sum|count)$/, ''));
    names.add(name);
  }
  return names;
}

/**
 * The telemetry an operator alerts on is there: every metric the manifest names has a sample
 * above zero on at least one of the deployment's `/metrics` endpoints.
 */
export const sloMinimumGate: Gate = {
  name: 'slo-minimum',
  description: 'the SLO metrics are exposed and non-zero',
  async run(context, args): Promise<GateResult> {
    const required = listArg(args, 'metrics').map((name, i) => {
      if (typeof name !== 'string') throw new GateArgsError(`metrics[${i}] must be a metric name`);
      return name;
    });
    const urls = context.deployment.metricsUrls;
    if (urls.length === 0) {
      return NO_METRICS_ENDPOINT;
    }
    const present = new Set<string>();
    const unreachable: string[] = [];
    const pages: Record<string, string> = {};
    for (const url of urls) {
      try {
        const page = await fetchMetricsPage(url);
        pages[url] = page;
        for (const name of nonZeroMetrics(page)) present.add(name);
      } catch (err) {
        unreachable.push(`${url} (${(err as Error).message})`);
      }
    }
    context.pack.write('slo-minimum', 'metrics', pages);
    const missing = required.filter((name) => !present.has(name));
    const facts = { required, missing, unreachable };
    if (unreachable.length > 0) {
      return { verdict: 'fail', summary: `unreachable: ${unreachable.join(', ')}`, facts };
    }
    return missing.length === 0
      ? { verdict: 'pass', summary: `${required.length} metric(s) present and non-zero`, facts }
      : { verdict: 'fail', summary: `missing or zero: ${missing.join(', ')}`, facts };
  },
};

if (require.main === module) refuseDirectStart('slo-minimum');

import { setTimeout as sleep } from 'node:timers/promises';
import { normalizeSymbol } from '@fxcm/contracts';
import { refuseDirectStart } from '../direct-start';
import { NO_METRICS_ENDPOINT, symbolsOf, type Gate, type GateResult } from '../gate';
import { GateArgsError, intArg, listArg } from '../gate-args';
import { fetchMetricsPage, parseMetricsPage } from '../metrics-page';

const MEMORY = 'process_resident_memory_bytes';
const TICKS = 'fxcm_gateway_ticks_total';

/** One round of `/metrics` pages: memory per endpoint, progress counters, ticks per symbol. */
export interface LoadSample {
  readonly at: number;
  /** Resident memory per endpoint, bytes. */
  readonly memory: Readonly<Record<string, number>>;
  /** Each progress counter, summed over labels and endpoints. */
  readonly progress: Readonly<Record<string, number>>;
  /** `fxcm_gateway_ticks_total` per symbol. */
  readonly ticks: Readonly<Record<string, number>>;
}

/** Reads one sample from the metrics pages of one round. */
export function loadSample(
  at: number,
  pages: Readonly<Record<string, string>>,
  progressMetrics: readonly string[],
): LoadSample {
  const memory: Record<string, number> = {};
  const progress: Record<string, number> = {};
  const ticks: Record<string, number> = {};
  for (const [url, page] of Object.entries(pages)) {
    for (const { name, labels, value } of parseMetricsPage(page)) {
      if (name === MEMORY) memory[url] = value;
      if (progressMetrics.includes(name)) progress[name] = (progress[name] ?? 0) + value;
      if (name === TICKS && labels.symbol !== undefined) {
        const symbol = normalizeSymbol(labels.symbol);
        ticks[symbol] = (ticks[symbol] ?? 0) + value;
      }
    }
  }
  return { at, memory, progress, ticks };
}

/** What {@link loadVerdict} holds the samples to. */
export interface LoadLimits {
  /** Growth of an endpoint's memory, last third of the window over the first, percent. */
  readonly maxGrowthPct: number;
  readonly progressMetrics: readonly string[];
  /** Symbols whose ticks must keep coming. */
  readonly symbols: readonly string[];
}

const mean = (values: readonly number[]): number =>
  values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/**
 * The load verdict of a series of samples: faults for an endpoint whose memory grew more than
 * `maxGrowthPct` (mean of the last third over the first third), a progress counter that did not
 * move from the first sample to the last (a deadlock or a stall), and a symbol without new ticks.
 */
export function loadVerdict(samples: readonly LoadSample[], limits: LoadLimits): string[] {
  if (samples.length < 3) return [`${samples.length} sample(s): at least 3 are needed`];
  const faults: string[] = [];
  const third = Math.max(1, Math.floor(samples.length / 3));
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  for (const url of Object.keys(first.memory)) {
    const early = mean(samples.slice(0, third).map((s) => s.memory[url] ?? NaN));
    const late = mean(samples.slice(-third).map((s) => s.memory[url] ?? NaN));
    const growth = ((late - early) / early) * 100;
    if (!(growth <= limits.maxGrowthPct)) {
      faults.push(
        `${url}: memory grew ${Number.isNaN(growth) ? '?' : growth.toFixed(0)}% (${(early / 2 ** 20).toFixed(0)} → ${(late / 2 ** 20).toFixed(0)} MiB), more than ${limits.maxGrowthPct}%`,
      );
    }
  }
  for (const name of limits.progressMetrics) {
    if (!((last.progress[name] ?? 0) > (first.progress[name] ?? 0))) {
      faults.push(
        `${name} did not move in ${((last.at - first.at) / 1_000).toFixed(0)} s: stalled`,
      );
    }
  }
  for (const symbol of limits.symbols) {
    if (!((last.ticks[symbol] ?? 0) > (first.ticks[symbol] ?? 0))) {
      faults.push(`${symbol}: no new ticks over the window`);
    }
  }
  return faults;
}

/**
 * The deployment holds a load for `seconds` without memory growth or a stall: every
 * `intervalSeconds` it reads each `/metrics` page; each endpoint's resident memory may grow at
 * most `maxGrowthPct`, every `progress` counter must move, every symbol of `symbols` (the
 * deployment's targets by default) must get new ticks.
 */
export const loadSmokeGate: Gate = {
  name: 'load-smoke',
  description: 'N seconds under the configured symbols: no memory growth, no stall',
  async run(context, args): Promise<GateResult> {
    const seconds = intArg(args, 'seconds', 600, 3, 86_400);
    const intervalSeconds = intArg(args, 'intervalSeconds', 10, 1, 3_600);
    const maxGrowthPct = intArg(args, 'maxGrowthPct', 50, 0, 10_000);
    const progressMetrics = listArg(args, 'progress').map((name, i) => {
      if (typeof name !== 'string') throw new GateArgsError(`progress[${i}] must be a metric name`);
      return name;
    });
    const symbols = listArg(args, 'symbols').map((s) => normalizeSymbol(String(s)));
    const urls = context.deployment.metricsUrls;
    if (urls.length === 0) {
      return NO_METRICS_ENDPOINT;
    }
    const limits = {
      maxGrowthPct,
      progressMetrics: progressMetrics.length > 0 ? progressMetrics : [TICKS],
      symbols: symbols.length > 0 ? symbols : symbolsOf(context.deployment),
    };
    const samples: LoadSample[] = [];
    const unreachable = new Set<string>();
    const rounds = Math.max(3, Math.floor(seconds / intervalSeconds) + 1);
    for (let round = 0; round < rounds; round++) {
      if (round > 0) await sleep((seconds * 1_000) / (rounds - 1));
      const pages: Record<string, string> = {};
      for (const url of urls) {
        try {
          pages[url] = await fetchMetricsPage(url);
        } catch (err) {
          unreachable.add(`${url} (${(err as Error).message})`);
        }
      }
      samples.push(loadSample(context.now(), pages, limits.progressMetrics));
    }
    const faults = [
      ...[...unreachable].map((u) => `unreachable: ${u}`),
      ...loadVerdict(samples, limits),
    ];
    const facts = { seconds, limits, samples, faults };
    context.pack.write('load-smoke', 'samples', facts);
    return faults.length === 0
      ? {
          verdict: 'pass',
          summary: `${seconds} s, ${urls.length} endpoint(s), ${limits.symbols.length} symbol(s): memory within ${maxGrowthPct}%, every counter moving`,
          facts,
        }
      : { verdict: 'fail', summary: `${faults.length} fault(s): ${faults[0]}`, facts };
  },
};

if (require.main === module) refuseDirectStart('load-smoke');

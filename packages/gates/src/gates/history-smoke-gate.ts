import { setTimeout as sleep } from 'node:timers/promises';
import { normalizeSymbol } from '@fxcm/contracts';
import { refuseDirectStart } from '../direct-start';
import { NO_METRICS_ENDPOINT, symbolsOf, type Gate, type GateResult } from '../gate';
import { intArg } from '../gate-args';
import { fetchMetricsPage, parseMetricsPage } from '../metrics-page';

/** Counters of input refused against a contract, anywhere on the way of a warmup. */
const REJECT_COUNTERS = [
  'fxcm_gateway_bad_input_total',
  'fxcm_bar_builder_rejected_total',
  'fxcm_publisher_rejected_total',
  'fxcm_ingestor_live_rejected_total',
];

/** Contract rejects in a set of `/metrics` pages: the counters above and rejected ingests. */
export function contractRejects(pages: readonly string[]): number {
  let total = 0;
  for (const page of pages) {
    for (const { name, labels, value } of parseMetricsPage(page)) {
      if (REJECT_COUNTERS.includes(name)) total += value;
      else if (name === 'fxcm_ingestor_messages_total' && labels.outcome === 'rejected')
        total += value;
    }
  }
  return total;
}

/** Distinct `history_s3` bar open times per symbol in `fxcm:ohlcv` message texts. */
export function warmupBars(texts: readonly string[], symbol: string): number {
  const seen = new Set<number>();
  for (const text of texts) {
    let message: { symbol?: unknown; bars?: unknown; source?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      continue;
    }
    if (normalizeSymbol(String(message.symbol)) !== symbol || !Array.isArray(message.bars))
      continue;
    for (const bar of message.bars as { open_time?: unknown; source?: unknown }[]) {
      if ((bar.source ?? message.source) === 'history_s3') seen.add(Number(bar.open_time));
    }
  }
  return seen.size;
}

/** The history smoke verdict: at least `wanted` bars arrived and no contract reject was added. */
export function historyVerdict(wanted: number, bars: number, rejectsAdded: number): string[] {
  const faults: string[] = [];
  if (bars < wanted) faults.push(`${bars} warmup bar(s) published, fewer than ${wanted}`);
  if (rejectsAdded > 0) faults.push(`${rejectsAdded} contract reject(s) during the warmup`);
  return faults;
}

/**
 * A warmup through the provider works end to end: it sends the V1 `fxcm_warmup` for `symbol`
 * (the first target by default) asking `bars` 1m bars on the commands channel, and within
 * `timeoutSeconds` at least `bars` distinct history bars (`history_s3`) come out on
 * `fxcm:ohlcv`, while no contract reject is counted on the `/metrics` endpoints.
 */
export const historySmokeGate: Gate = {
  name: 'history-smoke',
  description: 'a warmup through the provider: N bars published, 0 contract rejects',
  async run(context, args): Promise<GateResult> {
    const wanted = intArg(args, 'bars', 300, 1, 100_000);
    const timeoutSeconds = intArg(args, 'timeoutSeconds', 120, 1, 3_600);
    const { deployment } = context;
    const symbol = normalizeSymbol(String(args.symbol ?? symbolsOf(deployment)[0] ?? ''));
    if (deployment.metricsUrls.length === 0) {
      return NO_METRICS_ENDPOINT;
    }
    const rejects = async (): Promise<number> =>
      contractRejects(await Promise.all(deployment.metricsUrls.map(fetchMetricsPage)));
    const before = await rejects();
    const texts: string[] = [];
    const subscriber = context.redis.duplicate();
    let bars = 0;
    try {
      subscriber.on('message', (_channel: string, text: string) => texts.push(text));
      await subscriber.subscribe(deployment.channels.ohlcv);
      const command = JSON.stringify({
        min_history_bars: wanted,
        symbol,
        tf: '1m',
        type: 'fxcm_warmup',
      });
      await context.redis.publish(deployment.channels.commands, command);
      const deadline = Date.now() + timeoutSeconds * 1_000;
      while (Date.now() < deadline && (bars = warmupBars(texts, symbol)) < wanted) await sleep(500);
      await sleep(2_000); // late rejects reach the counters
    } finally {
      subscriber.disconnect();
    }
    const rejectsAdded = (await rejects()) - before;
    const faults = historyVerdict(wanted, bars, rejectsAdded);
    const facts = { symbol, wanted, bars, rejectsAdded, messages: texts.length, faults };
    context.pack.write('history-smoke', 'warmup', facts);
    return faults.length === 0
      ? { verdict: 'pass', summary: `${symbol}: ${bars} warmup bar(s), 0 contract rejects`, facts }
      : { verdict: 'fail', summary: `${symbol}: ${faults.join('; ')}`, facts };
  },
};

if (require.main === module) refuseDirectStart('history-smoke');

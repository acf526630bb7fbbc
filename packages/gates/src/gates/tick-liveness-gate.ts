import { refuseDirectStart } from '../direct-start';
import { symbolsOf, type Gate, type GateResult } from '../gate';
import { intArg } from '../gate-args';
import { readTicks } from '../tick-stream';

interface SymbolTicks {
  ticks: number;
  lastTs: number;
  /** Stream arrival minus quote time, ms: how late the gateway wrote each tick. */
  lags: number[];
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * Ticks are flowing: over the last `seconds`, every target symbol whose market was open
 * throughout got ticks on its shard's stream, written at most `maxLagMs` (p95) after their quote
 * time. It reads back over the streams, so it answers at once; a window shorter than a quiet
 * market's natural gaps (FXCM EUR/USD: over 30 s at night) proves nothing, hence the default.
 */
export const tickLivenessGate: Gate = {
  name: 'tick-liveness',
  description: 'ticks > 0 per open symbol over the last N seconds, write lag p95 within bounds',
  async run(context, args): Promise<GateResult> {
    const seconds = intArg(args, 'seconds', 120, 1, 3_600);
    const maxLagMs = intArg(args, 'maxLagMs', 5_000, 1, 600_000);
    const { deployment } = context;
    const end = context.now();
    const start = end - seconds * 1_000;

    const bySymbol = new Map<string, SymbolTicks>();
    const { invalid } = await readTicks(context.redis, deployment, start, end, (id, tick) => {
      const seen = bySymbol.get(tick.symbol) ?? { ticks: 0, lastTs: 0, lags: [] };
      seen.ticks++;
      seen.lastTs = Math.max(seen.lastTs, tick.ts);
      seen.lags.push(Number(id.split('-')[0]) - tick.ts);
      bySymbol.set(tick.symbol, seen);
    });

    const report: Record<string, unknown> = {};
    const faults: string[] = [];
    let checked = 0;
    for (const symbol of symbolsOf(deployment)) {
      const calendar = deployment.calendarFor(symbol);
      const openThroughout = calendar.isOpen(start) && calendar.nextPause(start) >= end;
      const seen = bySymbol.get(symbol) ?? { ticks: 0, lastTs: 0, lags: [] };
      const lags = [...seen.lags].sort((a, b) => a - b);
      const p95 = percentile(lags, 95);
      report[symbol] = {
        open: openThroughout,
        ticks: seen.ticks,
        lagP50Ms: percentile(lags, 50),
        lagP95Ms: p95,
      };
      if (!openThroughout) continue;
      checked++;
      if (seen.ticks === 0)
        faults.push(`${symbol}: no ticks in ${seconds} s while its market is open`);
      else if (p95 > maxLagMs) faults.push(`${symbol}: write lag p95 ${p95} ms > ${maxLagMs} ms`);
    }
    context.pack.write('tick-liveness', 'symbols', { seconds, maxLagMs, invalid, symbols: report });
    if (checked === 0) {
      return {
        verdict: 'skip',
        summary: 'no target symbol was open for the whole window',
        facts: report,
      };
    }
    return faults.length === 0
      ? {
          verdict: 'pass',
          summary: `${checked} open symbol(s) ticking over ${seconds} s`,
          facts: report,
        }
      : { verdict: 'fail', summary: faults.join('; '), facts: { faults, symbols: report } };
  },
};

if (require.main === module) refuseDirectStart('tick-liveness');

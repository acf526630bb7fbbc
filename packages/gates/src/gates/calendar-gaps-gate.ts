import { keys } from '@fxcm/contracts';
import { refuseDirectStart } from '../direct-start';
import type { Gate, GateResult } from '../gate';
import { intArg } from '../gate-args';
import { readTicks } from '../tick-stream';

const MINUTE = 60_000;

/**
 * No open minute of the live tail lacks its bar: for every 1m target, each calendar-open minute
 * of the last `minutes` (from its first stored bar or its first tick on the streams, whichever
 * is earlier, to `settleMinutes` ago so the newest finals can arrive) has a bar in the
 * ingestor's store. Synthetic bars count: they are the recorded reason for a minute without
 * quotes. Starting at the first tick, a deleted first stretch counts as missing too.
 */
export const calendarGapsGate: Gate = {
  name: 'calendar-gaps',
  description: 'every open minute of the live tail has a stored 1m bar',
  async run(context, args): Promise<GateResult> {
    const minutes = intArg(args, 'minutes', 60, 1, 7 * 24 * 60);
    const settleMinutes = intArg(args, 'settleMinutes', 2, 0, 60);
    const now = context.now();
    const to = Math.floor(now / MINUTE) * MINUTE - settleMinutes * MINUTE;
    const from = to - minutes * MINUTE;
    const targets = context.deployment.targets.filter((t) => t.tf === '1m');
    const symbols = new Set(targets.map((t) => t.symbol));
    const firstTick = new Map<string, number>();
    // Up to now: a first quote too recent to judge is not a missing one.
    await readTicks(context.redis, context.deployment, from, now, (_id, tick) => {
      if (symbols.has(tick.symbol) && !firstTick.has(tick.symbol) && tick.ts >= from) {
        firstTick.set(tick.symbol, tick.ts - (tick.ts % MINUTE));
      }
      return firstTick.size < symbols.size;
    });
    const report: Record<string, unknown> = {};
    const faults: string[] = [];
    let checked = 0;
    for (const target of targets) {
      const index = `${keys(context.deployment.namespace).store(target.symbol, '1m')}:index`;
      const stored = (await context.redis.zrangebyscore(index, from, to - 1)).map(Number);
      const calendar = context.deployment.calendarFor(target.symbol);
      const first = Math.min(...stored, firstTick.get(target.symbol) ?? Infinity);
      if (first === Infinity) {
        // Neither a bar nor a quote in the window: every open minute of it went missing.
        const open = calendar.openMinutes(from, to);
        report[target.symbol] = { open, stored: 0, ticks: 0 };
        if (open > 0)
          faults.push(`${target.symbol}: ${open} open minute(s), no stored bar and no tick`);
        continue;
      }
      if (first >= to) {
        report[target.symbol] = { from: new Date(first).toISOString(), stored: 0, due: 0 };
        continue; // its first quote is too recent: no minute of it has settled yet
      }
      checked++;
      const have = new Set(stored);
      const missing: string[] = [];
      for (let t = first; t < to; t += MINUTE) {
        if (calendar.isOpen(t) && !have.has(t)) missing.push(new Date(t).toISOString());
      }
      report[target.symbol] = {
        from: new Date(first).toISOString(),
        to: new Date(to).toISOString(),
        stored: stored.length,
        missing,
      };
      if (missing.length > 0) {
        faults.push(
          `${target.symbol}: ${missing.length} open minute(s) without a bar, first ${missing[0]}`,
        );
      }
    }
    context.pack.write('calendar-gaps', 'tail', report);
    if (faults.length > 0) return { verdict: 'fail', summary: faults.join('; '), facts: report };
    if (checked === 0)
      return {
        verdict: 'skip',
        summary: 'no settled open minute in the window yet',
        facts: report,
      };
    return {
      verdict: 'pass',
      summary: `${checked} target(s): no open minute without a bar in the last ${minutes} min`,
      facts: report,
    };
  },
};

if (require.main === module) refuseDirectStart('calendar-gaps');

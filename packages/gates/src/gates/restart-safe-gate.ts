import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { TradingCalendar } from '@fxcm/calendar';
import type { StreamTarget } from '@fxcm/contracts';
import { refuseDirectStart } from '../direct-start';
import type { Gate, GateResult } from '../gate';
import { GateArgsError, intArg } from '../gate-args';
import { readTicks } from '../tick-stream';
import { FinalInvariants } from './final-invariants-gate';

const MINUTE = 60_000;

/** Open minutes of `[from, to)` of each 1m target without a final among `seen` keys. */
export function lostFinals(
  seen: ReadonlySet<string>,
  targets: readonly StreamTarget[],
  from: number,
  to: number,
  calendarFor: (symbol: string) => TradingCalendar,
): string[] {
  const lost: string[] = [];
  for (const target of targets.filter((t) => t.tf === '1m')) {
    const calendar = calendarFor(target.symbol);
    for (let t = Math.ceil(from / MINUTE) * MINUTE; t + MINUTE <= to; t += MINUTE) {
      const key = `${target.symbol} 1m ${new Date(t).toISOString()}`;
      if (calendar.isOpen(t) && !seen.has(key)) lost.push(key);
    }
  }
  return lost;
}

/** Quotes written twice to the tick streams (same symbol, time and prices): a second subscription. */
export function duplicateTicks(
  ticks: readonly { symbol: string; ts: number; bid: number; ask: number }[],
): number {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const t of ticks) {
    const key = `${t.symbol} ${t.ts} ${t.bid} ${t.ask}`;
    if (seen.has(key)) duplicates++;
    else seen.add(key);
  }
  return duplicates;
}

const run = promisify(execFile);

/**
 * The deployment survives restarts: it runs `restartCommand` (the operator's, e.g.
 * `systemctl restart fxcm-suite.target`) `restarts` times, `settleSeconds` apart, while it
 * watches `fxcm:ohlcv` and the tick streams. Passes when no final was published twice or
 * changed, no open minute between the first restart and the end lost its final, and no quote was
 * written twice (a duplicate subscription).
 */
export const restartSafeGate: Gate = {
  name: 'restart-safe',
  description: 'restarts: no duplicate subscription, no duplicate or lost final',
  async run(context, args): Promise<GateResult> {
    const restarts = intArg(args, 'restarts', 2, 1, 10);
    const settleSeconds = intArg(args, 'settleSeconds', 90, 1, 3_600);
    const command = args.restartCommand;
    if (typeof command !== 'string' || command.trim() === '') {
      throw new GateArgsError('restartCommand must be the command that restarts the services');
    }
    const { deployment } = context;
    const check = new FinalInvariants(deployment.hmacSecret, (s) => deployment.calendarFor(s));
    const subscriber = context.redis.duplicate();
    const start = context.now();
    const commandErrors: string[] = [];
    try {
      subscriber.on('message', (_channel: string, text: string) => check.take(text));
      await subscriber.subscribe(deployment.channels.ohlcv);
      for (let i = 0; i < restarts; i++) {
        try {
          await run('sh', ['-c', command], { timeout: 120_000 });
        } catch (err) {
          commandErrors.push((err as Error).message.split('\n')[0]!);
        }
        await sleep(settleSeconds * 1_000);
      }
    } finally {
      subscriber.disconnect();
    }
    const end = context.now();
    const ticks: { symbol: string; ts: number; bid: number; ask: number }[] = [];
    await readTicks(context.redis, deployment, start, end, (_id, t) => {
      ticks.push({ symbol: t.symbol, ts: t.ts, bid: t.bid, ask: t.ask });
    });
    // The last minute may still be settling: its final is not due yet.
    const lost = lostFinals(check.finalKeys(), deployment.targets, start, end - MINUTE, (s) =>
      deployment.calendarFor(s),
    );
    const duplicates = duplicateTicks(ticks);
    const faults = [
      ...commandErrors.map((e) => `restart command failed: ${e}`),
      ...check.faults,
      ...lost.slice(0, 20).map((k) => `${k}: no final (lost)`),
      ...(duplicates > 0 ? [`${duplicates} quote(s) written twice: a duplicate subscription`] : []),
    ];
    const facts = {
      restarts,
      settleSeconds,
      finals: check.finals,
      ticks: ticks.length,
      lost,
      duplicates,
      faults,
    };
    context.pack.write('restart-safe', 'restarts', facts);
    return faults.length === 0
      ? {
          verdict: 'pass',
          summary: `${restarts} restart(s): ${check.finals} final(s), none lost or twice, no duplicate quote`,
          facts,
        }
      : { verdict: 'fail', summary: `${faults.length} fault(s): ${faults[0]}`, facts };
  },
};

if (require.main === module) refuseDirectStart('restart-safe');

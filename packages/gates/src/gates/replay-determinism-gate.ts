import { keys } from '@fxcm/contracts';
import type { Redis } from 'ioredis';
import { refuseDirectStart } from '../direct-start';
import type { Gate, GateResult } from '../gate';
import { GateArgsError } from '../gate-args';

/** Stored bars of one series: open time → the stored text, as the ingestor keeps them. */
export type StoredSeries = ReadonlyMap<string, string>;

/** Where two stores differ: bars only on one side, or not byte-identical. */
export function finalsDiff(label: string, live: StoredSeries, replayed: StoredSeries): string[] {
  const faults: string[] = [];
  const at = (t: string): string => `${label} ${new Date(Number(t)).toISOString()}`;
  for (const [t, text] of replayed) {
    const mine = live.get(t);
    if (mine === undefined) faults.push(`${at(t)}: only in the replay`);
    else if (mine !== text) faults.push(`${at(t)}: differs (${mine} vs ${text})`);
  }
  for (const t of live.keys())
    if (!replayed.has(t)) faults.push(`${at(t)}: missing from the replay`);
  return faults;
}

/** The stored bars of a series whose open time is in `[from, to]`. */
async function storedSeries(
  redis: Redis,
  namespace: string,
  symbol: string,
  tf: string,
  from: number,
  to: number,
): Promise<Map<string, string>> {
  const hash = keys(namespace).store(symbol, tf);
  const times = await redis.zrangebyscore(`${hash}:index`, from, to);
  const texts = times.length === 0 ? [] : await redis.hmget(hash, ...times);
  return new Map(times.map((t, i) => [t, texts[i] ?? '']));
}

/**
 * Replaying a backup gives the same finals, byte for byte: the operator restores a store backup
 * (`pnpm store:restore`) and replays it into a scratch namespace (`compareNamespace`); every
 * target's stored bars there, over the span the replay covers, must equal the deployment's.
 */
export const replayDeterminismGate: Gate = {
  name: 'replay-determinism',
  description: 'backup → restore → replay on a scratch namespace gives byte-identical finals',
  async run(context, args): Promise<GateResult> {
    const scratch = args.compareNamespace;
    if (typeof scratch !== 'string' || scratch === '' || scratch === context.deployment.namespace) {
      throw new GateArgsError('compareNamespace must name the scratch namespace of the replay');
    }
    const faults: string[] = [];
    const compared: Record<string, number> = {};
    for (const { symbol, tf } of context.deployment.targets) {
      const index = `${keys(scratch).store(symbol, tf)}:index`;
      const [first] = await context.redis.zrange(index, 0, 0);
      const [last] = await context.redis.zrange(index, -1, -1);
      if (first === undefined || last === undefined) continue;
      const from = Number(first);
      const to = Number(last);
      const [live, replayed] = await Promise.all([
        storedSeries(context.redis, context.deployment.namespace, symbol, tf, from, to),
        storedSeries(context.redis, scratch, symbol, tf, from, to),
      ]);
      compared[`${symbol}:${tf}`] = replayed.size;
      faults.push(...finalsDiff(`${symbol} ${tf}`, live, replayed));
    }
    const total = Object.values(compared).reduce((a, b) => a + b, 0);
    const facts = { compareNamespace: scratch, compared, faults: faults.slice(0, 1_000) };
    context.pack.write('replay-determinism', 'diff', facts);
    if (faults.length > 0)
      return { verdict: 'fail', summary: `${faults.length} fault(s): ${faults[0]}`, facts };
    if (total === 0)
      return { verdict: 'fail', summary: `no replayed bar in namespace ${scratch}`, facts };
    return {
      verdict: 'pass',
      summary: `${total} replayed bar(s) byte-identical to the deployment's`,
      facts,
    };
  },
};

if (require.main === module) refuseDirectStart('replay-determinism');

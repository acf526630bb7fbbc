import { randomBytes } from 'node:crypto';
import { engineOptionsOf } from '@fxcm/bar-builder';
import { keys } from '@fxcm/contracts';
import { BarStore } from '@fxcm/ingestor';
import type { Redis } from 'ioredis';
import { refuseDirectStart } from '../direct-start';
import type { Deployment, Gate, GateContext, GateResult } from '../gate';
import { GateArgsError } from '../gate-args';
import {
  backupInputs,
  dropScratch,
  restoreInputs,
  storedExtent,
  streamExtent,
} from '../replay/input-backup';
import { replayInputs } from '../replay/input-replay';
import { storedForm } from '../replay/stored-form';

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

/** The latest open time of a series (-Infinity when empty); a loop, for series of any length. */
function lastOpen(series: StoredSeries): number {
  let last = -Infinity;
  for (const t of series.keys()) last = Math.max(last, Number(t));
  return last;
}

/**
 * The span both stores can be held to: from `from` (the first bar the replay had every input
 * of) to the last bar both hold, since the newest finals reach the store a moment after the
 * inputs that made them. The bars of each side inside it; empty when either side is.
 */
export function comparedSpan(
  live: StoredSeries,
  replayed: StoredSeries,
  from: number,
): { live: StoredSeries; replayed: StoredSeries } {
  const to = Math.min(lastOpen(live), lastOpen(replayed));
  const inside = (s: StoredSeries): StoredSeries =>
    new Map([...s].filter(([t]) => Number(t) >= from && Number(t) <= to));
  return { live: inside(live), replayed: inside(replayed) };
}

/** The stored bars of a series whose open time is in `[from, to]`. */
async function storedSeries(
  redis: Redis,
  namespace: string,
  symbol: string,
  tf: string,
  from: number | string,
  to: number | string,
): Promise<Map<string, string>> {
  const hash = keys(namespace).store(symbol, tf);
  const times = await redis.zrangebyscore(`${hash}:index`, from, to);
  const texts = times.length === 0 ? [] : await redis.hmget(hash, ...times);
  return new Map(times.map((t, i) => [t, texts[i] ?? '']));
}

/** The scratch namespace of one run: the deployment's, a marker and a random suffix. */
export function scratchNamespace(namespace: string): string {
  return `${namespace}_gate_${randomBytes(4).toString('hex')}`;
}

/**
 * Backs up the deployment's inputs and stored bars, restores the inputs into `scratch`, replays
 * them through the bar builder's engine on the deployment's settings and stores the finals there
 * as the ingestor does. Returns the first time each symbol's bars can be judged from.
 */
async function replayIntoScratch(
  context: GateContext,
  scratch: string,
): Promise<{ from: (symbol: string) => number; facts: Record<string, unknown> }> {
  const { deployment, redis } = context;
  const backup = await backupInputs(redis, deployment.namespace, deployment.shards);
  const stored = await Promise.all(
    deployment.targets.map(async ({ symbol, tf }) => ({
      symbol,
      tf,
      ...(await storedExtent(redis, deployment.namespace, symbol, tf)),
    })),
  );
  const streams = backup.map((b) => ({ stream: b.stream, ...streamExtent(b) }));
  context.pack.write('replay-determinism', 'backup', { streams, stored });
  const restored = await restoreInputs(redis, backup, scratch);
  const outcome = replayInputs(
    restored.flatMap((r) => r.entries),
    engineOptionsOf(deployment.engine, (symbol) => deployment.calendarFor(symbol)),
    deployment.engine.futureToleranceMs,
  );
  const store = new BarStore(redis, scratch);
  const replayed: Record<string, number> = {};
  const railsRefused: string[] = [];
  for (const { symbol, tf } of deployment.targets) {
    const from = outcome.firstQuote.get(symbol) ?? Infinity;
    const bars = (outcome.finals.get(`${symbol} ${tf}`) ?? []).filter((b) => b.open_time >= from);
    const { stored: accepted, refused } = storedForm(symbol, tf, bars, context.now());
    await store.put(symbol, tf, accepted);
    replayed[`${symbol}:${tf}`] = accepted.length;
    railsRefused.push(...refused);
  }
  const facts = {
    scratch,
    inputs: restored.reduce((n, r) => n + r.entries.length, 0),
    applied: outcome.applied,
    rejected: outcome.rejected,
    firstQuote: Object.fromEntries(
      [...outcome.firstQuote].map(([s, t]) => [s, new Date(t).toISOString()]),
    ),
    replayed,
    railsRefused,
  };
  context.pack.write('replay-determinism', 'replay', facts);
  return { from: (symbol) => outcome.firstQuote.get(symbol) ?? Infinity, facts };
}

/** Each target's stored bars in `scratch` against the deployment's, over the span both cover. */
async function compareStores(
  redis: Redis,
  deployment: Deployment,
  scratch: string,
  from: (symbol: string) => number | undefined,
): Promise<{ compared: Record<string, number>; faults: string[] }> {
  const faults: string[] = [];
  const compared: Record<string, number> = {};
  for (const { symbol, tf } of deployment.targets) {
    const replayed = await storedSeries(redis, scratch, symbol, tf, '-inf', '+inf');
    const [firstReplayed] = replayed.keys();
    const first = from(symbol) ?? Number(firstReplayed ?? Infinity);
    // The deployment's store may hold years: only the stretch the replay can speak for is read.
    const live =
      replayed.size === 0
        ? new Map<string, string>()
        : await storedSeries(redis, deployment.namespace, symbol, tf, first, lastOpen(replayed));
    const span = comparedSpan(live, replayed, first);
    compared[`${symbol}:${tf}`] = span.replayed.size;
    faults.push(...finalsDiff(`${symbol} ${tf}`, span.live, span.replayed));
  }
  return { compared, faults };
}

/** The scratch namespace an operator replayed into, when the manifest names one. */
function compareNamespaceArg(args: Readonly<Record<string, unknown>>, namespace: string) {
  const scratch = args.compareNamespace;
  if (scratch === undefined) return undefined;
  if (typeof scratch !== 'string' || scratch === '' || scratch === namespace) {
    throw new GateArgsError(
      'compareNamespace, when given, must name the scratch namespace of a replay run elsewhere',
    );
  }
  return scratch;
}

/**
 * Replaying what a deployment was given gives the finals it stored, byte for byte. The gate
 * backs up the bar builder's input streams (ticks and history of every shard) and the stored
 * bars of every target, restores the inputs into a scratch namespace of its own, replays them
 * through the bar builder's engine with the deployment's settings and calendar, stores the finals
 * as the ingestor does and compares the two stores over the span the replay covers; the scratch
 * namespace is removed afterwards. With `compareNamespace` it only compares: an operator who
 * replayed a backup elsewhere names the namespace that replay stored into.
 */
export const replayDeterminismGate: Gate = {
  name: 'replay-determinism',
  description: 'backup → restore → replay on a scratch namespace gives byte-identical finals',
  async run(context, args): Promise<GateResult> {
    const { deployment, redis } = context;
    const given = compareNamespaceArg(args, deployment.namespace);
    const scratch = given ?? scratchNamespace(deployment.namespace);
    let replay: Awaited<ReturnType<typeof replayIntoScratch>> | undefined;
    let result: Awaited<ReturnType<typeof compareStores>>;
    try {
      if (given === undefined) replay = await replayIntoScratch(context, scratch);
      result = await compareStores(redis, deployment, scratch, (s) => replay?.from(s));
    } finally {
      if (given === undefined)
        await dropScratch(redis, scratch, deployment.shards, deployment.targets);
    }
    const { compared, faults } = result;
    const total = Object.values(compared).reduce((a, b) => a + b, 0);
    const facts = {
      ...(given === undefined ? { replay: replay?.facts } : { compareNamespace: given }),
      compared,
      faults: faults.slice(0, 1_000),
    };
    context.pack.write('replay-determinism', 'diff', facts);
    if (faults.length > 0)
      return { verdict: 'fail', summary: `${faults.length} fault(s): ${faults[0]}`, facts };
    if (total === 0)
      return { verdict: 'fail', summary: `no replayed bar to compare in ${scratch}`, facts };
    return {
      verdict: 'pass',
      summary: `${total} replayed bar(s) byte-identical to the deployment's`,
      facts,
    };
  },
};

if (require.main === module) refuseDirectStart('replay-determinism');

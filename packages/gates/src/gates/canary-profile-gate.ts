import { join } from 'node:path';
import { parseStreamTargets, type StreamTarget } from '@fxcm/contracts';
import { refuseDirectStart } from '../direct-start';
import type { Gate, GateResult, Verdict } from '../gate';
import { GateArgsError, listArg } from '../gate-args';
import { ProofPack } from '../proof-pack';
import { calendarGapsGate } from './calendar-gaps-gate';
import { finalInvariantsGate } from './final-invariants-gate';
import { tickLivenessGate } from './tick-liveness-gate';

/** The live gates a canary must pass. */
const LIVE_GATES: readonly Gate[] = [tickLivenessGate, finalInvariantsGate, calendarGapsGate];

const key = (t: StreamTarget): string => `${t.symbol}:${t.tf}`;

/** One live gate's verdict on the canary. */
export interface CanaryOutcome {
  readonly gate: string;
  readonly verdict: Verdict;
  readonly summary: string;
}

/**
 * The canary verdict: the deployment streams exactly the canary universe (a canary that runs the
 * full universe proves nothing about the restricted one), and every live gate passed on it; a
 * live gate that skipped (its market closed) makes the canary skip, unless another failed.
 */
export function canaryVerdict(
  canary: readonly StreamTarget[],
  deployed: readonly StreamTarget[],
  outcomes: readonly CanaryOutcome[],
): { verdict: Verdict; faults: string[] } {
  const want = new Set(canary.map(key));
  const have = new Set(deployed.map(key));
  const faults = [
    ...[...want].filter((k) => !have.has(k)).map((k) => `${k} is not streamed`),
    ...[...have].filter((k) => !want.has(k)).map((k) => `${k} is streamed but not in the canary`),
    ...outcomes.filter((o) => o.verdict === 'fail').map((o) => `${o.gate}: ${o.summary}`),
  ];
  if (faults.length > 0) return { verdict: 'fail', faults };
  return { verdict: outcomes.some((o) => o.verdict === 'skip') ? 'skip' : 'pass', faults };
}

/**
 * A restricted universe (`targets`, V1 spelling: `XAU/USD:m1`) passes the live gates: the
 * deployment runs exactly those targets, and `tick-liveness`, `final-invariants` and
 * `calendar-gaps` pass on them with the arguments given under `args` (keyed by gate). Their
 * evidence goes to `canary-profile/<gate>/`.
 */
export const canaryProfileGate: Gate = {
  name: 'canary-profile',
  description: 'a restricted universe runs alone and passes the live gates',
  async run(context, args): Promise<GateResult> {
    const spellings = listArg(args, 'targets').map(String);
    if (spellings.length === 0) throw new GateArgsError('targets must name the canary universe');
    let canary: StreamTarget[];
    try {
      canary = parseStreamTargets(spellings);
    } catch (err) {
      throw new GateArgsError(`targets: ${(err as Error).message}`);
    }
    const gateArgs = (args.args ?? {}) as Record<string, Record<string, unknown>>;
    const pack = new ProofPack(join(context.pack.dir, 'canary-profile'));
    const deployment = { ...context.deployment, targets: canary };
    const outcomes: CanaryOutcome[] = [];
    for (const gate of LIVE_GATES) {
      const result = await gate.run({ ...context, deployment, pack }, gateArgs[gate.name] ?? {});
      outcomes.push({ gate: gate.name, verdict: result.verdict, summary: result.summary });
    }
    const { verdict, faults } = canaryVerdict(canary, context.deployment.targets, outcomes);
    const facts = {
      canary: canary.map(key),
      deployed: context.deployment.targets.map(key),
      outcomes,
      faults,
    };
    context.pack.write('canary-profile', 'canary', facts);
    const summary =
      verdict === 'fail'
        ? `${faults.length} fault(s): ${faults[0]}`
        : verdict === 'skip'
          ? `${canary.length} target(s): ${outcomes
              .filter((o) => o.verdict === 'skip')
              .map((o) => o.gate)
              .join(', ')} skipped`
          : `${canary.map(key).join(', ')} alone passed ${LIVE_GATES.map((g) => g.name).join(', ')}`;
    return { verdict, summary, facts };
  },
};

if (require.main === module) refuseDirectStart('canary-profile');

import type { GateContext, GateResult, Verdict } from './gate';
import { GateArgsError } from './gate-args';
import type { ProviderKind } from '@fxcm/service-runtime';
import type { Manifest, ManifestEntry } from './manifest';
import { ProofPack } from './proof-pack';
import { GATES } from './registry';

/** One gate's outcome in the summary. */
export interface GateOutcome extends GateResult {
  readonly gate: string;
  readonly seconds: number;
}

/** What {@link runGates} needs beyond the manifest. */
export interface RunOptions {
  readonly context: Omit<GateContext, 'pack'>;
  /** Folder of this run's proof pack. */
  readonly packDir: string;
  /** sha256 of the configuration and manifest in force, recorded in the summary. */
  readonly configHash: string;
  /** Run only these gates of the manifest. */
  readonly only?: readonly string[];
  /** Overrides the `seconds` argument of every gate that has one (a shorter or longer window). */
  readonly seconds?: number;
  /** The deployment's provider: an entry whose `appliesTo` leaves it out is skipped. */
  readonly provider?: ProviderKind;
  /** Where verdict lines go (stdout by default). */
  readonly print?: (line: string) => void;
}

const LABEL: Record<Verdict, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

/** Why `entry` does not apply to a deployment of `provider`, or undefined when it does. */
export function notApplicable(entry: ManifestEntry, provider?: ProviderKind): string | undefined {
  if (entry.skip !== undefined) return entry.skip;
  if (provider === undefined || entry.appliesTo === undefined) return undefined;
  if (entry.appliesTo.includes(provider)) return undefined;
  return `a ${provider} deployment (only ${entry.appliesTo.join(', ')}): ${entry.reason}`;
}

/**
 * Runs the manifest's gates in order, each once, and writes the proof pack: the evidence of every
 * gate, `manifest.json`, `summary.json` and `summary.md`. A gate that throws fails with the error
 * as its summary; the run goes on. Resolves with every outcome; the run passed when none failed.
 */
export async function runGates(manifest: Manifest, options: RunOptions): Promise<GateOutcome[]> {
  const pack = new ProofPack(options.packDir);
  const context: GateContext = { ...options.context, pack };
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const entries = manifest.gates.filter((e) => !options.only || options.only.includes(e.gate));
  const outcomes: GateOutcome[] = [];
  for (const entry of entries) {
    const gate = GATES.get(entry.gate);
    if (!gate) continue; // parseManifest already refused unknown gates
    const args =
      options.seconds !== undefined && 'seconds' in entry.args
        ? { ...entry.args, seconds: options.seconds }
        : entry.args;
    const started = Date.now();
    const why = notApplicable(entry, options.provider);
    let result: GateResult;
    try {
      result =
        why !== undefined
          ? {
              verdict: 'skip',
              summary: `does not apply here: ${why}`,
              facts: { notApplicable: why },
            }
          : await gate.run(context, args);
    } catch (err) {
      const why =
        err instanceof GateArgsError ? `bad manifest arguments: ${err.message}` : String(err);
      result = { verdict: 'fail', summary: why, facts: { error: why } };
    }
    const outcome = { gate: gate.name, seconds: (Date.now() - started) / 1_000, ...result };
    pack.write(gate.name, 'verdict', outcome);
    outcomes.push(outcome);
    print(`${LABEL[outcome.verdict]}  ${gate.name}  ${outcome.summary}`);
  }
  const failed = outcomes.filter((o) => o.verdict === 'fail').length;
  const summary = {
    at: new Date(context.now()).toISOString(),
    configHash: options.configHash,
    passed: failed === 0,
    gates: outcomes.map(({ gate, verdict, summary: text, seconds }) => ({
      gate,
      verdict,
      summary: text,
      seconds,
    })),
  };
  pack.writeTop('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  pack.writeTop('summary.json', `${JSON.stringify(summary, null, 2)}\n`);
  pack.writeTop(
    'summary.md',
    [
      `# Gates ${summary.passed ? 'passed' : 'FAILED'} — ${summary.at}`,
      '',
      `Configuration hash: \`${options.configHash}\``,
      '',
      '| gate | verdict | summary |',
      '| --- | --- | --- |',
      ...outcomes.map(
        (o) => `| ${o.gate} | ${LABEL[o.verdict]} | ${o.summary.replaceAll('|', '\\|')} |`,
      ),
      '',
    ].join('\n'),
  );
  return outcomes;
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GATES, loadManifest } from '../../packages/gates/src';
import { ROOT } from '../harness/suite';

// The runbooks an operator follows under pressure name only what exists: every `pnpm <script>`,
// `npm <script>`, `fxcm <command>`, gate, `node <file>` and repository path they write.

const RUNBOOKS = ['runbook-release.md', 'operations.md', 'gates.md', 'deploy-vps.md'];

/** pnpm's own commands the runbooks may use besides the scripts. */
const PNPM_BUILTINS = new Set(['install', 'exec', 'deploy', 'dlx', 'run']);
/** Top folders of the repository: a code span starting with one is a path in it. */
const REPO_PATH = /^(packages|services|infra|docs|tests|scripts|config|data|contracts)\/\S*$/;

const scriptsOf = (dir: string): Record<string, string> =>
  (
    JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    }
  ).scripts ?? {};

/** Workspace packages by name, with their scripts. */
const workspace = new Map<string, Record<string, string>>(
  ['packages', 'services'].flatMap((group) =>
    readdirSync(join(ROOT, group))
      .filter((d) => existsSync(join(ROOT, group, d, 'package.json')))
      .map((d) => {
        const dir = join(ROOT, group, d);
        const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name: string;
        };
        return [name, scriptsOf(dir)] as const;
      }),
  ),
);
const rootScripts = scriptsOf(ROOT);
const cliCommands = new Set(
  [
    ...readFileSync(join(ROOT, 'packages', 'cli', 'src', 'main.ts'), 'utf8').matchAll(
      /\.command\('([a-z-]+)'\)/g,
    ),
  ].map((m) => m[1]!),
);

/** The code of a Markdown page: fenced blocks line by line, and inline spans. */
function codeOf(markdown: string): { lines: string[]; spans: string[] } {
  const lines: string[] = [];
  let fenced = false;
  const prose: string[] = [];
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (fenced) lines.push(line.replace(/\s+#\s.*$/, ''));
    else prose.push(line);
  }
  const spans = [...prose.join('\n').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  return { lines, spans };
}

/** What one command line names that does not exist, each as `what: why`. */
export function unknownInCommand(command: string): string[] {
  const problems: string[] = [];
  for (const part of command.split(/&&|;|\|\|?|\$\(/)) {
    const words = part.trim().split(/\s+/);
    const at = words.findIndex((w) => ['pnpm', 'npm', 'fxcm', 'node'].includes(w));
    if (at < 0) continue;
    const [tool, ...rest] = words.slice(at);
    if (tool === 'node') {
      const file = rest.find((w) => !w.startsWith('-'));
      if (file && REPO_PATH.test(file) && !pathExists(file)) problems.push(`${file}: no such file`);
      continue;
    }
    if (tool === 'npm') {
      const script = rest[0] === 'run' ? rest[1] : rest[0];
      if (script && !(script in rootScripts)) problems.push(`npm ${script}: no such script`);
      continue;
    }
    let args = rest;
    let scripts = rootScripts;
    let where = 'package.json';
    if (tool === 'pnpm') {
      if (args[0] === '--filter') {
        const pkg = args[1] ?? '';
        if (!workspace.has(pkg)) problems.push(`pnpm --filter ${pkg}: no such package`);
        scripts = workspace.get(pkg) ?? {};
        where = pkg;
        args = args.slice(2);
      }
      if (args[0] === 'run') args = args.slice(1);
      else if (args[0] && PNPM_BUILTINS.has(args[0])) continue;
      const script = args[0];
      if (script === undefined || script.startsWith('-')) continue;
      if (!(script in scripts)) {
        problems.push(`pnpm ${script}: no such script in ${where}`);
        continue;
      }
      if (script === 'gates') problems.push(...unknownGates(args.slice(1)));
      if (script !== 'fxcm') continue;
      args = args.slice(1);
    }
    // `fxcm <command>` on its own or through `pnpm fxcm`
    const sub = args[0];
    if (sub !== undefined && !sub.startsWith('-') && !cliCommands.has(sub))
      problems.push(`fxcm ${sub}: no such CLI command`);
  }
  return problems;
}

/** Gates named by `--only` that the runner does not know. */
function unknownGates(args: readonly string[]): string[] {
  const at = args.indexOf('--only');
  if (at < 0) return [];
  return (args[at + 1] ?? '')
    .split(',')
    .filter((name) => name !== '' && !GATES.has(name))
    .map((name) => `gate ${name}: not in the gate registry`);
}

/** Gates the prose names (`` `calendar` gate ``, ``the gate `calendar` ``) that do not exist. */
export function unknownGatesInProse(text: string): string[] {
  const named = [
    ...text.matchAll(/`([a-z][a-z-]*)`,? (?:and `[a-z-]+` )?gates?\b|\bgates? `([a-z][a-z-]*)`/g),
  ].map((m) => (m[1] ?? m[2])!);
  return named
    .filter((name) => !GATES.has(name))
    .map((name) => `gate ${name}: not in the gate registry`);
}

/** A repository path exists (a built `dist/….js` counts when its `src/….ts` does). */
function pathExists(path: string): boolean {
  const clean = path.replace(/[),.:]+$/, '');
  if (/[<>*{}]/.test(clean)) return true; // a placeholder, not a path
  if (existsSync(join(ROOT, clean))) return true;
  const source = clean.replace('/dist/', '/src/').replace(/\.js$/, '.ts');
  return source !== clean && existsSync(join(ROOT, source));
}

describe.each(RUNBOOKS)('docs/%s', (page) => {
  const text = readFileSync(join(ROOT, 'docs', page), 'utf8');
  const { lines, spans } = codeOf(text);

  it('names only pnpm/npm scripts, CLI commands, gates and files that exist', () => {
    const problems = [...lines, ...spans].flatMap(unknownInCommand);
    problems.push(...unknownGatesInProse(text));
    expect(problems).toEqual([]);
  });

  it('names only repository paths and linked pages that exist', () => {
    const paths = spans.filter((s) => REPO_PATH.test(s)).filter((p) => !pathExists(p));
    const links = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((href) => !/^[a-z]+:/.test(href))
      .filter((href) => !existsSync(join(ROOT, 'docs', href)));
    expect({ paths, links }).toEqual({ paths: [], links: [] });
  });
});

describe('docs/gates.md', () => {
  const text = readFileSync(join(ROOT, 'docs', 'gates.md'), 'utf8');
  const table = text.slice(text.indexOf('## The gates'));
  const documented = [...table.matchAll(/^\| `([a-z-]+)` +\|/gm)].map((m) => m[1]!);

  it('documents exactly the gates of the registry, and the shipped manifest runs only those', () => {
    expect([...documented].sort()).toEqual([...GATES.keys()].sort());
    const shipped = loadManifest(join(ROOT, 'packages', 'gates', 'manifest.json'));
    expect(shipped.gates.every((e) => GATES.has(e.gate))).toBe(true);
  });
});

describe('the runbook check', () => {
  it('catches a missing script, CLI command, gate or file', () => {
    expect(unknownInCommand('pnpm store:archive --dir x')).toEqual([
      'pnpm store:archive: no such script in package.json',
    ]);
    expect(unknownInCommand('REDIS_URL=x pnpm fxcm stats')).toEqual([
      'fxcm stats: no such CLI command',
    ]);
    expect(unknownInCommand('pnpm gates --only calendar,restart-safty')).toEqual([
      'gate restart-safty: not in the gate registry',
    ]);
    expect(unknownInCommand('sudo node infra/systemd/setup.mjs --profile prod')).toEqual([
      'infra/systemd/setup.mjs: no such file',
    ]);
    expect(unknownInCommand('pnpm --filter @fxcm/bar-builder run store:backup')).toEqual([]);
    expect(unknownInCommand('npm tset')).toEqual(['npm tset: no such script']);
    expect(unknownGatesInProse('run the `calendar` gate, then the gate `load-smok`')).toEqual([
      'gate load-smok: not in the gate registry',
    ]);
    expect(pathExists(dirname('docs/gates.md') + '/nope.md')).toBe(false);
  });
});

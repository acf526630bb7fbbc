import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, isErrorCode, reasonCode } from '@fxcm/contracts';
import { ERRORS_DOC, withErrorTables } from './error-tables';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const ROOT = join(__dirname, '..', '..');
const SRC = [...sources(join(ROOT, 'services')), ...sources(join(ROOT, 'packages'))].filter((p) =>
  p.includes(`${'/'}src${'/'}`),
);

describe('the error-code registry and docs/errors.md', () => {
  it('docs/errors.md lists exactly the registry (pnpm docs:errors)', () => {
    const doc = readFileSync(ERRORS_DOC, 'utf8');
    expect(doc).toBe(withErrorTables(doc));
  });

  it('every code the doc names in a table row is a registry code, and the reverse', () => {
    const doc = readFileSync(ERRORS_DOC, 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('no source builds a status code from a template (codes are registry constants)', () => {
    const templated = SRC.filter((p) => /status\.error\(\s*`/.test(readFileSync(p, 'utf8'))).map(
      (p) => p.slice(ROOT.length + 1),
    );
    expect(templated).toEqual([]);
  });

  it('every quoted SCREAMING_SNAKE code passed to status.error is registered', () => {
    const unknown = SRC.flatMap((p) =>
      [...readFileSync(p, 'utf8').matchAll(/status\.error\(\s*'([A-Z][A-Z0-9_]+)'/g)]
        .map((m) => m[1]!)
        .filter((code) => !isErrorCode(code)),
    );
    expect(unknown).toEqual([]);
  });

  it.each([
    ['TICK', 'bad_symbol', 'TICK_BAD_SYMBOL'],
    ['TICK', 'crossed_beyond_tolerance', 'TICK_CROSSED_BEYOND_TOLERANCE'],
    ['COMMAND', 'rate_limited', 'COMMAND_RATE_LIMITED'],
    ['COMMAND', 'auth_ts_skew', 'COMMAND_AUTH_TS_SKEW'],
    ['INGEST', 'bad_signature', 'INGEST_BAD_SIGNATURE'],
    ['INGEST', 'made_up_reason', 'INGEST_REJECTED'],
    ['COMMAND', '<script>', 'COMMAND_REJECTED'],
  ] as const)('reason %s/%s has the code %s', (family, reason, code) => {
    expect(reasonCode(family, reason)).toBe(code);
  });
});

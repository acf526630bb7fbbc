// Writes the tables of docs/errors.md, between <!-- errors:start --> and <!-- errors:end -->,
// from the one registry in packages/contracts (ERROR_CODES, ERROR_TYPES). `pnpm docs:errors`
// regenerates; error-tables.test.ts beside this file fails when the doc and the code drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, ERROR_TYPES } from '@fxcm/contracts';

const START = '<!-- errors:start -->';
const END = '<!-- errors:end -->';

/** Path of docs/errors.md. */
export const ERRORS_DOC = join(__dirname, '..', '..', 'docs', 'errors.md');

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The generated tables: codes by family, then the errors metric's `type` values. */
export function renderErrorTables(): string {
  const families = new Map<string, string[]>();
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    const rows = families.get(info.family) ?? [];
    rows.push(`| \`${code}\` | ${cell(info.description)} |`);
    families.set(info.family, rows);
  }
  const sections = [...families].map(
    ([family, rows]) => `### ${family}\n\n| Code | Meaning |\n| --- | --- |\n${rows.join('\n')}`,
  );
  const types = Object.entries(ERROR_TYPES).map(([t, d]) => `| \`${t}\` | ${cell(d)} |`);
  return [
    ...sections,
    `### \`fxcm_connector_errors_total{type}\`\n\n| type | Meaning |\n| --- | --- |\n${types.join('\n')}`,
  ].join('\n\n');
}

/** The doc with its generated section replaced by the current tables. */
export function withErrorTables(doc: string): string {
  const from = doc.indexOf(START);
  const to = doc.indexOf(END);
  if (from === -1 || to === -1 || to < from)
    throw new Error(`docs/errors.md: missing ${START} … ${END}`);
  return `${doc.slice(0, from + START.length)}\n\n${renderErrorTables()}\n\n${doc.slice(to)}`;
}

if (require.main === module) {
  writeFileSync(ERRORS_DOC, withErrorTables(readFileSync(ERRORS_DOC, 'utf8')));
  console.log(`updated ${ERRORS_DOC}`);
}

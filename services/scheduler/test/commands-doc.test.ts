import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_CODES } from '../src/commands/command-codes';

// docs/commands.md carries the code table; it must say what the code says, row for row.
describe('docs/commands.md', () => {
  it('lists exactly the outcome codes of command-codes.ts, with their outcome and meaning', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'commands.md'), 'utf8');
    const table = /<!-- codes:start -->([\s\S]*?)<!-- codes:end -->/.exec(doc)?.[1] ?? '';
    const rows = table
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => l.split('|').map((c) => c.trim()));
    expect(rows.map(([, code, outcome, meaning]) => [code, outcome, meaning])).toEqual(
      Object.entries(COMMAND_CODES).map(([code, c]) => [`\`${code}\``, c.outcome, c.meaning]),
    );
  });
});

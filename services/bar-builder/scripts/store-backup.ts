/*
 * Writes a backup archive of a bar store directory (docs/store.md, "Backup and restore").
 *   pnpm store:backup --dir <store dir> --out <archive file>
 * Safe while the bar builder runs. Exit codes: 0 done, 1 failed, 2 bad usage.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createBackup, isStoreError } from '../src/store';

const USAGE = 'usage: store:backup --dir <store dir> --out <archive file>';

async function main(): Promise<number> {
  let values: { dir?: string; out?: string };
  try {
    ({ values } = parseArgs({ options: { dir: { type: 'string' }, out: { type: 'string' } } }));
  } catch (err) {
    console.error(`store:backup: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.dir === undefined || values.out === undefined) {
    console.error(USAGE);
    return 2;
  }
  // pnpm runs package scripts in the package directory; paths are meant from where it was called.
  const base = process.env.INIT_CWD ?? process.cwd();
  const summary = await createBackup(resolve(base, values.dir), resolve(base, values.out));
  for (const file of summary.files) console.log(`${file.sha256}  ${file.size}  ${file.name}`);
  console.log(
    `store:backup: ${summary.files.length} files, ${summary.archiveBytes} bytes -> ${resolve(base, values.out)}`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(
      `store:backup: ${isStoreError(err) ? `${err.code}: ${err.message}` : String(err)}`,
    );
    process.exit(1);
  },
);

/*
 * Restores a backup archive into a bar store directory (docs/store.md, "Backup and restore").
 *   pnpm store:restore --archive <archive file> --dir <store dir> [--force]
 * Stop the bar builder first. Every checksum is verified before anything is written; a non-empty
 * directory is refused unless --force. Exit codes: 0 done, 1 failed, 2 bad usage.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isStoreError, restoreBackup } from '../src/store';

const USAGE = 'usage: store:restore --archive <archive file> --dir <store dir> [--force]';

async function main(): Promise<number> {
  let values: { archive?: string; dir?: string; force?: boolean };
  try {
    ({ values } = parseArgs({
      options: { archive: { type: 'string' }, dir: { type: 'string' }, force: { type: 'boolean' } },
    }));
  } catch (err) {
    console.error(`store:restore: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.archive === undefined || values.dir === undefined) {
    console.error(USAGE);
    return 2;
  }
  // pnpm runs package scripts in the package directory; paths are meant from where it was called.
  const base = process.env.INIT_CWD ?? process.cwd();
  const dir = resolve(base, values.dir);
  const summary = await restoreBackup(resolve(base, values.archive), dir, {
    force: values.force === true,
  });
  for (const file of summary.files) console.log(`${file.sha256}  ${file.size}  ${file.name}`);
  console.log(`store:restore: ${summary.files.length} files verified and restored -> ${dir}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(
      `store:restore: ${isStoreError(err) ? `${err.code}: ${err.message}` : String(err)}`,
    );
    process.exit(1);
  },
);

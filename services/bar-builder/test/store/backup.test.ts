import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createBackup, openStore, restoreBackup } from '../../src/store';
import { referenceBars } from './reference-bars';

const SCRIPTS = join(__dirname, '../../scripts');
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

let root: string;
let storeDir: string;
let archive: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'bar-store-backup-'));
  storeDir = join(root, 'store');
  archive = join(root, 'store.fxbak');
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A store shaped by every write path: tail appends, a gap fill, a replacement, retention. */
async function buildStore(): Promise<void> {
  const store = await openStore({ dir: storeDir, maxBars: 2000 });
  const days = [...referenceBars('20140505'), ...referenceBars('20140506')];
  await store.append(
    'EURUSD',
    '1m',
    days.filter((_, i) => i % 50 !== 7),
  );
  await store.append(
    'EURUSD',
    '1m',
    days.filter((_, i) => i % 50 === 7),
  );
  await store.append('XAU/USD', '1m', referenceBars('20140507'));
  const first = referenceBars('20140508')[0]!;
  await store.append('EURUSD', '5m', [first]);
  await store.append('EURUSD', '5m', [{ ...first, close: first.low }], { onConflict: 'replace' });
  await store.close();
}

function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    out[name] = createHash('sha256')
      .update(readFileSync(join(dir, name)))
      .digest('hex');
  }
  return out;
}

it('round-trips a store byte for byte, and the restored store reads the same bars', async () => {
  await buildStore();
  const original = filesOf(storeDir);
  expect(Object.keys(original)).toEqual(['EURUSD_1m.bars', 'EURUSD_5m.bars', 'XAU%2FUSD_1m.bars']);
  const backup = await createBackup(storeDir, archive);
  expect(backup.files.map((f) => [f.name, f.sha256])).toEqual(Object.entries(original));

  const target = join(root, 'restored');
  const restored = await restoreBackup(archive, target);
  expect(restored.files).toEqual(backup.files);
  expect(filesOf(target)).toEqual(original);

  const a = await openStore({ dir: storeDir, maxBars: 2000 });
  const b = await openStore({ dir: target, maxBars: 2000 });
  for (const [symbol, tf] of [
    ['EURUSD', '1m'],
    ['EURUSD', '5m'],
    ['XAU/USD', '1m'],
  ] as const) {
    expect(await b.read(symbol, tf)).toEqual(await a.read(symbol, tf));
  }
  await Promise.all([a.close(), b.close()]);
});

it('backs up the consistent part of a file with a torn tail, without touching the store', async () => {
  await buildStore();
  const file = join(storeDir, 'EURUSD_5m.bars');
  const whole = readFileSync(file);
  appendFileSync(file, Buffer.alloc(30, 7));
  await createBackup(storeDir, archive);
  expect(readFileSync(file).length).toBe(whole.length + 30);
  const target = join(root, 'restored');
  await restoreBackup(archive, target);
  expect(readFileSync(join(target, 'EURUSD_5m.bars'))).toEqual(whole);
});

describe('restore verifies before it writes', () => {
  const target = () => join(root, 'restored');

  it('refuses an archive with a flipped byte', async () => {
    await buildStore();
    await createBackup(storeDir, archive);
    const bytes = readFileSync(archive);
    bytes[500] = bytes[500]! ^ 1;
    writeFileSync(archive, bytes);
    await expect(restoreBackup(archive, target())).rejects.toMatchObject({
      code: 'STORE_BACKUP_INVALID',
      message: `${archive}: archive checksum mismatch`,
    });
    expect(existsSync(target())).toBe(false);
  });

  it('checks each file against its own checksum', async () => {
    await buildStore();
    await createBackup(storeDir, archive);
    const bytes = readFileSync(archive);
    bytes[500] = bytes[500]! ^ 1;
    // Re-seal the archive so only the per-file checksum can notice.
    const trailer = bytes.length - 40;
    createHash('sha256')
      .update(bytes.subarray(0, trailer))
      .digest()
      .copy(bytes, trailer + 8);
    writeFileSync(archive, bytes);
    await expect(restoreBackup(archive, target())).rejects.toMatchObject({
      code: 'STORE_BACKUP_INVALID',
      message: `${archive}: checksum mismatch for EURUSD_1m.bars`,
    });
    expect(existsSync(target())).toBe(false);
  });

  it('refuses a truncated archive', async () => {
    await buildStore();
    await createBackup(storeDir, archive);
    writeFileSync(archive, readFileSync(archive).subarray(0, 1000));
    await expect(restoreBackup(archive, target())).rejects.toMatchObject({
      code: 'STORE_BACKUP_INVALID',
      message: `${archive}: no trailer: the archive is truncated`,
    });
  });
});

it('refuses a non-empty target unless forced, then replaces its store files only', async () => {
  await buildStore();
  await createBackup(storeDir, archive);
  const target = join(root, 'restored');
  mkdirSync(target);
  writeFileSync(join(target, 'GBPUSD_1m.bars'), 'old');
  writeFileSync(join(target, 'README'), 'kept');
  await expect(restoreBackup(archive, target)).rejects.toMatchObject({
    code: 'STORE_RESTORE_TARGET_NOT_EMPTY',
  });
  expect(readdirSync(target).sort()).toEqual(['GBPUSD_1m.bars', 'README']);
  await restoreBackup(archive, target, { force: true });
  const { README: readme, ...store } = filesOf(target);
  expect(store).toEqual(filesOf(storeDir));
  expect(readme).toBeDefined();
});

describe('store:backup and store:restore commands', () => {
  const run = (script: string, args: string[]) =>
    spawnSync(
      process.execPath,
      ['--conditions=source', '--import', TSX_LOADER, join(SCRIPTS, script), ...args],
      { encoding: 'utf8', cwd: root, env: { ...process.env, INIT_CWD: root } },
    );

  it('back up and restore through the command line, refusing to overwrite without --force', async () => {
    await buildStore();
    const backup = run('store-backup.ts', ['--dir', 'store', '--out', 'store.fxbak']);
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    expect(backup.stdout).toContain('store:backup: 3 files');

    const restore = run('store-restore.ts', ['--archive', 'store.fxbak', '--dir', 'restored']);
    expect(restore.status).toBe(0);
    expect(filesOf(join(root, 'restored'))).toEqual(filesOf(storeDir));

    const again = run('store-restore.ts', ['--archive', 'store.fxbak', '--dir', 'restored']);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('STORE_RESTORE_TARGET_NOT_EMPTY');
    const forced = run('store-restore.ts', [
      '--archive',
      'store.fxbak',
      '--dir',
      'restored',
      '--force',
    ]);
    expect(forced.status).toBe(0);

    const usage = run('store-restore.ts', ['--dir', 'restored']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: store:restore');
  });
});

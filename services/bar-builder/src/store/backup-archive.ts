import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import {
  HEADER_SIZE,
  MAX_TAIL_APPEND,
  RECORD_SIZE,
  decodeHeader,
  scanRecords,
} from './record-codec';
import { SERIES_EXT, TEMP_EXT } from './series-file';
import { nodeStoreFs, type StoreFs } from './store-fs';
import { StoreError, ioError } from './store-error';

/*
 * Backup archive, one file (integers little-endian):
 *   "FXBARBAK" | version u16 | reserved u16 | file count u32
 *   per file:   name length u16 | name (UTF-8) | size u64 | SHA-256 of the bytes (32) | bytes
 *   trailer:    "FXBAREND" | SHA-256 of every archive byte before the trailer (32)
 */

const MAGIC = Buffer.from('FXBARBAK', 'latin1');
const END_MAGIC = Buffer.from('FXBAREND', 'latin1');
const ARCHIVE_VERSION = 1;
const TWO_32 = 4294967296;

/** One series file in an archive. */
export interface ArchivedFile {
  name: string;
  size: number;
  /** SHA-256 of the file bytes, hex. */
  sha256: string;
}

/** What a backup or restore did. */
export interface ArchiveSummary {
  files: ArchivedFile[];
  /** Size of the archive in bytes. */
  archiveBytes: number;
}

/**
 * Writes a snapshot of the store in `dir` to `archive` (through a temporary file, fsynced, then
 * renamed). Safe while the bar builder writes: each series file is read through one descriptor
 * (a concurrent rewrite renames a new file in, the old one stays readable) and cut after its last
 * whole record, so an append in flight is left out. Never writes to `dir`.
 */
export async function createBackup(
  dir: string,
  archive: string,
  fs: StoreFs = nodeStoreFs,
): Promise<ArchiveSummary> {
  const names = (await io('read directory', dir, () => fs.readdir(dir)))
    .filter((name) => name.endsWith(SERIES_EXT))
    .sort();
  const snapshots: { name: string; bytes: Buffer }[] = [];
  for (const name of names)
    snapshots.push({ name, bytes: await snapshotFile(fs, join(dir, name)) });

  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  const add = (chunk: Buffer): void => {
    hash.update(chunk);
    chunks.push(chunk);
  };
  const head = Buffer.alloc(16);
  MAGIC.copy(head, 0);
  head.writeUInt16LE(ARCHIVE_VERSION, 8);
  head.writeUInt32LE(snapshots.length, 12);
  add(head);
  const files: ArchivedFile[] = [];
  for (const { name, bytes } of snapshots) {
    const nameBytes = Buffer.from(name, 'utf8');
    const digest = createHash('sha256').update(bytes).digest();
    const entry = Buffer.alloc(2 + nameBytes.length + 8 + 32);
    entry.writeUInt16LE(nameBytes.length, 0);
    nameBytes.copy(entry, 2);
    writeUInt64(entry, bytes.length, 2 + nameBytes.length);
    digest.copy(entry, 2 + nameBytes.length + 8);
    add(entry);
    add(bytes);
    files.push({ name, size: bytes.length, sha256: digest.toString('hex') });
  }
  chunks.push(END_MAGIC, hash.digest());
  const data = Buffer.concat(chunks);
  await writeDurably(fs, archive, data);
  return { files, archiveBytes: data.length };
}

/**
 * Restores `archive` into `dir`. Every checksum is verified before anything is written
 * (`STORE_BACKUP_INVALID` otherwise). A non-empty `dir` is refused with
 * `STORE_RESTORE_TARGET_NOT_EMPTY` unless `force`, which first removes the series files there
 * (other files are left alone). Each file is written to a temporary name, fsynced and renamed;
 * the directory is fsynced last. The bar builder must be stopped while it runs.
 */
export async function restoreBackup(
  archive: string,
  dir: string,
  options: { force?: boolean; fs?: StoreFs } = {},
): Promise<ArchiveSummary> {
  const fs = options.fs ?? nodeStoreFs;
  const data = await readWhole(fs, archive);
  const entries = parseArchive(data, archive);

  await io('create directory', dir, () => fs.mkdir(dir));
  const existing = await io('read directory', dir, () => fs.readdir(dir));
  if (existing.length > 0 && options.force !== true) {
    throw new StoreError(
      'STORE_RESTORE_TARGET_NOT_EMPTY',
      `${dir} is not empty (${existing.length} entries); restore with --force to replace its store files`,
      { file: dir },
    );
  }
  for (const name of existing) {
    if (name.endsWith(SERIES_EXT) || name.endsWith(TEMP_EXT)) {
      await io('remove', join(dir, name), () => fs.unlink(join(dir, name)));
    }
  }
  for (const entry of entries) {
    const target = join(dir, entry.name);
    const temp = target.slice(0, -SERIES_EXT.length) + TEMP_EXT;
    await writeFile(fs, temp, data.subarray(entry.offset, entry.offset + entry.size));
    await io('rename', temp, () => fs.rename(temp, target));
  }
  await fsyncDir(fs, dir);
  return {
    files: entries.map(({ name, size, sha256 }) => ({ name, size, sha256 })),
    archiveBytes: data.length,
  };
}

interface Entry extends ArchivedFile {
  offset: number;
}

/** Parses and verifies a whole archive; throws `STORE_BACKUP_INVALID` naming the problem. */
function parseArchive(data: Buffer, archive: string): Entry[] {
  const invalid = (why: string): StoreError =>
    new StoreError('STORE_BACKUP_INVALID', `${archive}: ${why}`, { file: archive });
  if (data.length < 16 + 40 || !data.subarray(0, 8).equals(MAGIC)) {
    throw invalid('not a bar store backup (bad magic or too short)');
  }
  const version = data.readUInt16LE(8);
  if (version !== ARCHIVE_VERSION) {
    throw invalid(`archive version ${version}, this build reads version ${ARCHIVE_VERSION}`);
  }
  const trailer = data.length - 40;
  if (!data.subarray(trailer, trailer + 8).equals(END_MAGIC)) {
    throw invalid('no trailer: the archive is truncated');
  }
  const whole = createHash('sha256').update(data.subarray(0, trailer)).digest();
  if (!whole.equals(data.subarray(trailer + 8))) throw invalid('archive checksum mismatch');

  const count = data.readUInt32LE(12);
  const entries: Entry[] = [];
  const seen = new Set<string>();
  let pos = 16;
  for (let i = 0; i < count; i++) {
    if (pos + 2 > trailer) throw invalid(`entry ${i} is cut short`);
    const nameLength = data.readUInt16LE(pos);
    const sizeAt = pos + 2 + nameLength;
    if (sizeAt + 40 > trailer) throw invalid(`entry ${i} is cut short`);
    const name = data.toString('utf8', pos + 2, sizeAt);
    if (!/^[^/\\]+\.bars$/.test(name) || name.startsWith('.') || seen.has(name)) {
      throw invalid(`entry ${i} has an unsafe or repeated file name ${JSON.stringify(name)}`);
    }
    seen.add(name);
    const size = readUInt64(data, sizeAt);
    const digest = data.subarray(sizeAt + 8, sizeAt + 40);
    const offset = sizeAt + 40;
    if (offset + size > trailer) throw invalid(`entry ${name} is cut short`);
    const actual = createHash('sha256')
      .update(data.subarray(offset, offset + size))
      .digest();
    if (!actual.equals(digest)) throw invalid(`checksum mismatch for ${name}`);
    entries.push({ name, size, sha256: actual.toString('hex'), offset });
    pos = offset + size;
  }
  if (pos !== trailer) throw invalid(`${trailer - pos} unexpected bytes after the last entry`);
  return entries;
}

/** The consistent part of one series file: its header and every whole record. */
async function snapshotFile(fs: StoreFs, file: string): Promise<Buffer> {
  const fd = await io('open', file, () => fs.open(file, 'r'));
  try {
    const size = await io('stat', file, () => fs.size(fd));
    const bytes = Buffer.allocUnsafe(size);
    await readFully(fs, fd, bytes, file);
    decodeHeader(bytes.subarray(0, HEADER_SIZE), file);
    const whole = Math.floor((size - HEADER_SIZE) / RECORD_SIZE);
    const records = bytes.subarray(HEADER_SIZE, HEADER_SIZE + whole * RECORD_SIZE);
    const valid = scanRecords(records, whole);
    if (whole - valid > MAX_TAIL_APPEND) {
      throw new StoreError(
        'STORE_CORRUPT_RECORD',
        `${file} record ${valid} at byte ${HEADER_SIZE + valid * RECORD_SIZE} fails its checksum or order`,
        { file },
      );
    }
    return bytes.subarray(0, HEADER_SIZE + valid * RECORD_SIZE);
  } finally {
    await fs.close(fd).catch(() => undefined);
  }
}

async function readWhole(fs: StoreFs, file: string): Promise<Buffer> {
  const fd = await io('open', file, () => fs.open(file, 'r'));
  try {
    const size = await io('stat', file, () => fs.size(fd));
    const bytes = Buffer.allocUnsafe(size);
    await readFully(fs, fd, bytes, file);
    return bytes;
  } finally {
    await fs.close(fd).catch(() => undefined);
  }
}

async function readFully(fs: StoreFs, fd: number, buf: Buffer, file: string): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const n = await io('read', file, () => fs.read(fd, buf, done, buf.length - done, done));
    if (n <= 0) throw ioError('read', file, new Error(`file shrank to ${done} bytes while read`));
    done += n;
  }
}

/** Writes `data` to `file` and fsyncs it (no rename). */
async function writeFile(fs: StoreFs, file: string, data: Buffer): Promise<void> {
  const fd = await io('create', file, () => fs.open(file, 'w'));
  try {
    let done = 0;
    while (done < data.length) {
      const n = await io('write', file, () => fs.write(fd, data, done, data.length - done, done));
      if (n <= 0) throw ioError('write', file, new Error('write made no progress'));
      done += n;
    }
    await io('fsync', file, () => fs.fsync(fd));
  } finally {
    await fs.close(fd).catch(() => undefined);
  }
}

/** Writes `file` through a temporary name, so a crash never leaves a half archive. */
async function writeDurably(fs: StoreFs, file: string, data: Buffer): Promise<void> {
  const temp = `${file}.tmp`;
  await writeFile(fs, temp, data);
  await io('rename', temp, () => fs.rename(temp, file));
  await fsyncDir(fs, dirname(file));
}

async function fsyncDir(fs: StoreFs, dir: string): Promise<void> {
  const fd = await io('open', dir, () => fs.open(dir, 'r'));
  try {
    await io('fsync', dir, () => fs.fsync(fd));
  } finally {
    await fs.close(fd).catch(() => undefined);
  }
}

async function io<T>(operation: string, file: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw ioError(operation, file, err);
  }
}

function writeUInt64(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32LE(value % TWO_32, offset);
  buf.writeUInt32LE(Math.floor(value / TWO_32), offset + 4);
}

function readUInt64(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset + 4) * TWO_32 + buf.readUInt32LE(offset);
}

import * as fs from 'node:fs';
import { promisify } from 'node:util';

/**
 * The file-system calls the store makes, by file descriptor so a test can fail any single one
 * (running as root, permissions cannot make real writes fail). {@link nodeStoreFs} is the default.
 */
export interface StoreFs {
  /** Creates `path` and its parents; no error when it exists. */
  mkdir(path: string): Promise<void>;
  /** Entry names of a directory. */
  readdir(path: string): Promise<string[]>;
  /** `r` read, `r+` read/write, `w` create or truncate for writing. */
  open(path: string, flags: 'r' | 'r+' | 'w'): Promise<number>;
  close(fd: number): Promise<void>;
  /** Size of the open file in bytes. */
  size(fd: number): Promise<number>;
  /** Reads up to `length` bytes at `position`; resolves the count read (0 at end of file). */
  read(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<number>;
  /** Writes up to `length` bytes at `position`; resolves the count written. */
  write(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<number>;
  ftruncate(fd: number, length: number): Promise<void>;
  fsync(fd: number): Promise<void>;
  fdatasync(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

const pOpen = promisify(fs.open);
const pClose = promisify(fs.close);
const pFstat = promisify(fs.fstat);
const pRead = promisify(fs.read);
const pWrite = promisify(fs.write);
const pFtruncate = promisify(fs.ftruncate);
const pFsync = promisify(fs.fsync);
const pFdatasync = promisify(fs.fdatasync);

/** {@link StoreFs} over `node:fs`. */
export const nodeStoreFs: StoreFs = {
  mkdir: async (path) => {
    await fs.promises.mkdir(path, { recursive: true });
  },
  readdir: (path) => fs.promises.readdir(path),
  open: (path, flags) => pOpen(path, flags, 0o644),
  close: (fd) => pClose(fd),
  size: async (fd) => (await pFstat(fd)).size,
  read: async (fd, buffer, offset, length, position) =>
    (await pRead(fd, buffer, offset, length, position)).bytesRead,
  write: async (fd, buffer, offset, length, position) =>
    (await pWrite(fd, buffer, offset, length, position)).bytesWritten,
  ftruncate: (fd, length) => pFtruncate(fd, length),
  fsync: (fd) => pFsync(fd),
  fdatasync: (fd) => pFdatasync(fd),
  rename: (from, to) => fs.promises.rename(from, to),
  unlink: (path) => fs.promises.unlink(path),
};

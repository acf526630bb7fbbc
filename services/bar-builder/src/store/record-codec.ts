import { crc32 } from './crc32';
import { StoreError } from './store-error';
import { MAX_SYMBOL_BYTES, MAX_TF_BYTES, type BarSource, type StoredBar } from './stored-bar';

/*
 * On-disk format of one series file (all integers little-endian):
 *
 * header, 64 bytes, written once when the file is created:
 *   0  magic "FXBARLOG"      8  format version u16   10 record size u16
 *   12 symbol length u8      13 tf length u8         14 reserved (0) u16
 *   16 symbol, 32 bytes zero-padded                  48 tf, 12 bytes zero-padded
 *   60 CRC-32 of bytes 0..60
 *
 * record, 84 bytes, one per bar, sorted by open_time, unique:
 *   0  open_time int64       8  close_time int64
 *   16 open  24 high  32 low  40 close  48 volume  56 avg_spread  64 max_spread (float64)
 *   72 tick_count u32        76 flags u8             77 source u8   78 reserved (0) u16
 *   80 CRC-32 of bytes 0..80
 */

/** Format version written in every header; a file with another version is refused. */
export const FORMAT_VERSION = 1;
/** Size of the file header in bytes. */
export const HEADER_SIZE = 64;
/** Size of one bar record in bytes. */
export const RECORD_SIZE = 84;
/**
 * Most records one tail append writes (bigger batches go through a rewrite). Recovery relies on
 * it: damage within the last MAX_TAIL_APPEND records is a torn append, further back corruption.
 */
export const MAX_TAIL_APPEND = 4096;

const MAGIC = Buffer.from('FXBARLOG', 'latin1');
const RECORD_BODY = RECORD_SIZE - 4;
const HEADER_BODY = HEADER_SIZE - 4;
const TWO_32 = 4294967296;

const FLAG_COMPLETE = 1;
const FLAG_SYNTHETIC = 2;
const FLAG_HAS_AVG_SPREAD = 4;
const FLAG_HAS_MAX_SPREAD = 8;

const SOURCE_CODES: Record<BarSource, number> = { tick_agg: 1, history: 2 };
const SOURCES: readonly (BarSource | undefined)[] = [undefined, 'tick_agg', 'history'];

/** Symbol and timeframe a series file belongs to, as its header says. */
export interface SeriesHeader {
  symbol: string;
  tf: string;
}

/** Encodes a series header. */
export function encodeHeader(header: SeriesHeader): Buffer {
  const buf = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(buf, 0);
  buf.writeUInt16LE(FORMAT_VERSION, 8);
  buf.writeUInt16LE(RECORD_SIZE, 10);
  const symbolLength = buf.write(header.symbol, 16, MAX_SYMBOL_BYTES, 'utf8');
  const tfLength = buf.write(header.tf, 48, MAX_TF_BYTES, 'utf8');
  buf.writeUInt8(symbolLength, 12);
  buf.writeUInt8(tfLength, 13);
  buf.writeUInt32LE(crc32(buf, 0, HEADER_BODY), HEADER_BODY);
  return buf;
}

/**
 * Decodes a series header; throws `STORE_CORRUPT_HEADER` or `STORE_VERSION_MISMATCH` naming `file`.
 * The version is checked before the checksum, so a file of another version always says so.
 */
export function decodeHeader(buf: Uint8Array, file: string): SeriesHeader {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < HEADER_SIZE || !b.subarray(0, 8).equals(MAGIC)) {
    throw new StoreError('STORE_CORRUPT_HEADER', `${file} is not a bar store file (bad magic)`, {
      file,
    });
  }
  const version = b.readUInt16LE(8);
  if (version !== FORMAT_VERSION) {
    throw new StoreError(
      'STORE_VERSION_MISMATCH',
      `${file} has store format version ${version}, this build reads version ${FORMAT_VERSION}`,
      { file },
    );
  }
  if (b.readUInt32LE(HEADER_BODY) !== crc32(b, 0, HEADER_BODY)) {
    throw new StoreError('STORE_CORRUPT_HEADER', `${file} header checksum mismatch`, { file });
  }
  const recordSize = b.readUInt16LE(10);
  const symbolLength = b.readUInt8(12);
  const tfLength = b.readUInt8(13);
  if (recordSize !== RECORD_SIZE || symbolLength > MAX_SYMBOL_BYTES || tfLength > MAX_TF_BYTES) {
    throw new StoreError('STORE_CORRUPT_HEADER', `${file} header has impossible sizes`, { file });
  }
  return {
    symbol: b.toString('utf8', 16, 16 + symbolLength),
    tf: b.toString('utf8', 48, 48 + tfLength),
  };
}

/** Writes `bar` (already validated) as one record at `offset` of `buf`. */
export function encodeRecord(bar: StoredBar, buf: Buffer, offset: number): void {
  writeInt64(buf, bar.open_time, offset);
  writeInt64(buf, bar.close_time, offset + 8);
  buf.writeDoubleLE(bar.open, offset + 16);
  buf.writeDoubleLE(bar.high, offset + 24);
  buf.writeDoubleLE(bar.low, offset + 32);
  buf.writeDoubleLE(bar.close, offset + 40);
  buf.writeDoubleLE(bar.volume, offset + 48);
  buf.writeDoubleLE(bar.avg_spread ?? 0, offset + 56);
  buf.writeDoubleLE(bar.max_spread ?? 0, offset + 64);
  buf.writeUInt32LE(bar.tick_count, offset + 72);
  let flags = 0;
  if (bar.complete) flags |= FLAG_COMPLETE;
  if (bar.synthetic) flags |= FLAG_SYNTHETIC;
  if (bar.avg_spread !== undefined) flags |= FLAG_HAS_AVG_SPREAD;
  if (bar.max_spread !== undefined) flags |= FLAG_HAS_MAX_SPREAD;
  buf.writeUInt8(flags, offset + 76);
  buf.writeUInt8(SOURCE_CODES[bar.source], offset + 77);
  buf.writeUInt16LE(0, offset + 78);
  buf.writeUInt32LE(crc32(buf, offset, offset + RECORD_BODY), offset + RECORD_BODY);
}

/** Encodes bars into consecutive records. */
export function encodeRecords(bars: readonly StoredBar[]): Buffer {
  const buf = Buffer.allocUnsafe(bars.length * RECORD_SIZE);
  bars.forEach((bar, i) => encodeRecord(bar, buf, i * RECORD_SIZE));
  return buf;
}

/** True when the record at `offset` is whole: its checksum matches and its source code is known. */
export function isRecordIntact(buf: Buffer, offset: number): boolean {
  return (
    buf.readUInt32LE(offset + RECORD_BODY) === crc32(buf, offset, offset + RECORD_BODY) &&
    SOURCES[buf.readUInt8(offset + 77)] !== undefined
  );
}

/**
 * Counts the leading records of `buf` (`count` of them) that are intact and strictly ascending
 * by open_time, writing their open_times to `times` when given. What follows them is either a
 * torn tail or corruption.
 */
export function scanRecords(buf: Buffer, count: number, times?: Float64Array): number {
  let previous = -Infinity;
  for (let i = 0; i < count; i++) {
    const offset = i * RECORD_SIZE;
    if (!isRecordIntact(buf, offset)) return i;
    const t = readInt64(buf, offset);
    if (t <= previous) return i;
    if (times !== undefined) times[i] = t;
    previous = t;
  }
  return count;
}

/** Decodes the record at `offset`, or `undefined` when it is not intact. */
export function decodeRecord(buf: Buffer, offset: number): StoredBar | undefined {
  if (!isRecordIntact(buf, offset)) return undefined;
  const flags = buf.readUInt8(offset + 76);
  const bar: StoredBar = {
    open_time: readInt64(buf, offset),
    close_time: readInt64(buf, offset + 8),
    open: buf.readDoubleLE(offset + 16),
    high: buf.readDoubleLE(offset + 24),
    low: buf.readDoubleLE(offset + 32),
    close: buf.readDoubleLE(offset + 40),
    volume: buf.readDoubleLE(offset + 48),
    tick_count: buf.readUInt32LE(offset + 72),
    complete: (flags & FLAG_COMPLETE) !== 0,
    synthetic: (flags & FLAG_SYNTHETIC) !== 0,
    source: SOURCES[buf.readUInt8(offset + 77)] as BarSource,
  };
  if (flags & FLAG_HAS_AVG_SPREAD) bar.avg_spread = buf.readDoubleLE(offset + 56);
  if (flags & FLAG_HAS_MAX_SPREAD) bar.max_spread = buf.readDoubleLE(offset + 64);
  return bar;
}

// Times are validated as non-negative safe integers, so two 32-bit halves hold them exactly.
function writeInt64(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32LE(value % TWO_32, offset);
  buf.writeUInt32LE(Math.floor(value / TWO_32), offset + 4);
}

function readInt64(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset + 4) * TWO_32 + buf.readUInt32LE(offset);
}

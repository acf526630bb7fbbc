import type { InputRole } from '@fxcm/bar-builder';
import { keys, streamNames } from '@fxcm/contracts';
import type { Redis } from 'ioredis';
import type { InputEntry } from './input-replay';

/** Entries read or written per round trip. */
const PAGE = 5_000;

/** One input stream of the bar builder, copied whole. */
export interface StreamBackup {
  readonly stream: string;
  readonly role: InputRole;
  readonly shard: number;
  readonly entries: readonly InputEntry[];
}

/** What the proof pack keeps of a stream or a stored series: how much, from where to where. */
export interface Extent {
  readonly count: number;
  readonly first: string | null;
  readonly last: string | null;
}

/** The input streams of `namespace` (tick and history streams of every shard). */
export function inputStreams(
  namespace: string,
  shards: number,
): { stream: string; role: InputRole; shard: number }[] {
  const names = streamNames(namespace);
  return Array.from({ length: shards }, (_, shard) => [
    { stream: names.ticks(shard), role: 'ticks' as const, shard },
    { stream: names.history(shard), role: 'history' as const, shard },
  ]).flat();
}

/** Every entry of one stream, oldest first, read in pages. */
async function readStream(redis: Redis, stream: string, role: InputRole): Promise<InputEntry[]> {
  const entries: InputEntry[] = [];
  let from = '-';
  for (;;) {
    const page = await redis.xrange(stream, from, '+', 'COUNT', PAGE);
    for (const [id, fields] of page) entries.push({ role, id, fields });
    if (page.length < PAGE) return entries;
    from = `(${page[page.length - 1]![0]}`;
  }
}

/** Copies the bar builder's input streams of `namespace`. */
export async function backupInputs(
  redis: Redis,
  namespace: string,
  shards: number,
): Promise<StreamBackup[]> {
  const backups: StreamBackup[] = [];
  for (const { stream, role, shard } of inputStreams(namespace, shards)) {
    backups.push({ stream, role, shard, entries: await readStream(redis, stream, role) });
  }
  return backups;
}

/**
 * Writes a backup into the same streams of `scratch`, with the same ids, and reads them back
 * from there: what is replayed is what the restore holds.
 */
export async function restoreInputs(
  redis: Redis,
  backups: readonly StreamBackup[],
  scratch: string,
): Promise<StreamBackup[]> {
  const names = streamNames(scratch);
  const restored: StreamBackup[] = [];
  for (const { role, shard, entries } of backups) {
    const stream = role === 'ticks' ? names.ticks(shard) : names.history(shard);
    for (let i = 0; i < entries.length; i += PAGE) {
      const pipeline = redis.pipeline();
      for (const { id, fields } of entries.slice(i, i + PAGE)) pipeline.xadd(stream, id, ...fields);
      const replies = (await pipeline.exec()) ?? [];
      const failed = replies.find(([err]) => err !== null);
      if (failed) throw failed[0]!;
    }
    restored.push({ stream, role, shard, entries: await readStream(redis, stream, role) });
  }
  return restored;
}

/** How much a backed-up stream holds. */
export function streamExtent(backup: StreamBackup): Extent {
  const { entries } = backup;
  return {
    count: entries.length,
    first: entries[0]?.id ?? null,
    last: entries[entries.length - 1]?.id ?? null,
  };
}

/** How many bars the ingestor stores for `(symbol, tf)` in `namespace`, first and last open time. */
export async function storedExtent(
  redis: Redis,
  namespace: string,
  symbol: string,
  tf: string,
): Promise<Extent> {
  const index = `${keys(namespace).store(symbol, tf)}:index`;
  const [count, [first], [last]] = await Promise.all([
    redis.zcard(index),
    redis.zrange(index, 0, 0),
    redis.zrange(index, -1, -1),
  ]);
  const time = (t: string | undefined): string | null =>
    t === undefined ? null : new Date(Number(t)).toISOString();
  return { count, first: time(first), last: time(last) };
}

/** Removes what a replay wrote under `scratch`: the restored streams and the replayed store. */
export async function dropScratch(
  redis: Redis,
  scratch: string,
  shards: number,
  targets: readonly { symbol: string; tf: string }[],
): Promise<void> {
  const streams = inputStreams(scratch, shards).map((s) => s.stream);
  const stores = targets.flatMap(({ symbol, tf }) => {
    const hash = keys(scratch).store(symbol, tf);
    return [hash, `${hash}:index`];
  });
  // One key a call: the keys of a namespace live in several Redis Cluster slots.
  for (const key of [...streams, ...stores]) await redis.unlink(key);
}

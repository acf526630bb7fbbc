import type { Redis } from 'ioredis';
import type { FailureClass } from './failure-class';

/**
 * The dead-letter stream of `stream`: `<stream>:dlq`. It keeps the source's hash tag, so on a
 * Redis Cluster a shard's dead letters live in the shard's slot.
 */
export function deadLetterStreamOf(stream: string): string {
  return `${stream}:dlq`;
}

/** One entry of a dead-letter stream, decoded. */
export interface DeadLetter {
  /** Id of the dead-letter entry itself. */
  dlqId: string;
  /** The stream the entry came from and its id there. */
  stream: string;
  id: string;
  group: string;
  consumer: string;
  /** PEL delivery count when it was given up (0 when rejected on first sight). */
  deliveries: number;
  class: FailureClass;
  /** A registry code: the handler's rejection code, or `STREAM_HANDLER_FAILED`/`STREAM_HANDLER_BUG`. */
  code: string;
  error: string;
  failedAt: number;
  /** The original flat field list, verbatim. */
  fields: string[];
}

/** What is written for one dead letter (the dead-letter stream's fields, in order). */
export function deadLetterFields(letter: Omit<DeadLetter, 'dlqId'>): string[] {
  return [
    'stream',
    letter.stream,
    'id',
    letter.id,
    'group',
    letter.group,
    'consumer',
    letter.consumer,
    'deliveries',
    String(letter.deliveries),
    'class',
    letter.class,
    'code',
    letter.code,
    'error',
    letter.error,
    'failed_at',
    String(letter.failedAt),
    'fields',
    JSON.stringify(letter.fields),
  ];
}

/** Decodes a dead-letter entry; a field that is missing reads as empty. */
export function parseDeadLetter(dlqId: string, flat: string[]): DeadLetter {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) f.set(flat[i]!, flat[i + 1]!);
  let fields: string[] = [];
  try {
    const parsed: unknown = JSON.parse(f.get('fields') ?? '[]');
    if (Array.isArray(parsed)) fields = parsed.map(String);
  } catch {
    // a hand-written dead letter without a field list: shown, not replayable
  }
  return {
    dlqId,
    stream: f.get('stream') ?? '',
    id: f.get('id') ?? '',
    group: f.get('group') ?? '',
    consumer: f.get('consumer') ?? '',
    deliveries: Number(f.get('deliveries') ?? 0),
    class: (f.get('class') ?? 'poison') as FailureClass,
    code: f.get('code') ?? '',
    error: f.get('error') ?? '',
    failedAt: Number(f.get('failed_at') ?? 0),
    fields,
  };
}

/** Reads up to `count` dead letters of `stream`, oldest first. */
export async function listDeadLetters(
  redis: Redis,
  stream: string,
  count = 100,
): Promise<DeadLetter[]> {
  const rows = await redis.xrange(deadLetterStreamOf(stream), '-', '+', 'COUNT', count);
  return rows.map(([id, flat]) => parseDeadLetter(id, flat));
}

/**
 * Replays dead letters of `stream`: each original field list is appended again to the source
 * stream (a new id, so consumers see it as new) and the dead letter is deleted. `ids` picks
 * dead-letter ids; without it every dead letter is replayed. Returns the new source ids.
 */
export async function replayDeadLetters(
  redis: Redis,
  stream: string,
  ids?: readonly string[],
): Promise<string[]> {
  const dlq = deadLetterStreamOf(stream);
  const letters = ids
    ? (await Promise.all(ids.map((id) => redis.xrange(dlq, id, id)))).flat()
    : await redis.xrange(dlq, '-', '+');
  const replayed: string[] = [];
  for (const [dlqId, flat] of letters) {
    const letter = parseDeadLetter(dlqId, flat);
    if (letter.fields.length === 0 || letter.fields.length % 2 !== 0) continue;
    // Append first, delete second: a crash in between repeats a replay, never loses an entry.
    const id = await redis.xadd(stream, '*', ...letter.fields);
    await redis.xdel(dlq, dlqId);
    if (id) replayed.push(id);
  }
  return replayed;
}

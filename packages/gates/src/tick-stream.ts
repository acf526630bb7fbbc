import { decodeStreamEntry, streamNames, type StreamTick } from '@fxcm/contracts';
import type { Redis } from 'ioredis';
import type { Deployment } from './gate';

const PAGE = 5_000;
const MAX_ENTRIES = 2_000_000;

/** What {@link readTicks} found besides the ticks it handed over. */
export interface TickScan {
  /** Entries that are not valid stream entries. */
  invalid: number;
}

/**
 * Reads the ticks of every shard's stream written in `[start, end)` ms, page by page, handing
 * each to `visit` with its stream id; `visit` returns `false` to stop reading that shard.
 */
export async function readTicks(
  redis: Redis,
  deployment: Deployment,
  start: number,
  end: number,
  visit: (id: string, tick: StreamTick) => boolean | void,
): Promise<TickScan> {
  const scan = { invalid: 0 };
  for (let shard = 0; shard < deployment.shards; shard++) {
    const stream = streamNames(deployment.namespace).ticks(shard);
    let from = `${start}-0`;
    shard: for (let read = 0; read < MAX_ENTRIES; read += PAGE) {
      const page = await redis.xrange(stream, from, `${end}-0`, 'COUNT', PAGE);
      for (const [id, fields] of page) {
        let entry;
        try {
          entry = decodeStreamEntry(fields);
        } catch {
          scan.invalid++;
          continue;
        }
        if (entry.type === 'tick' && visit(id, entry.data) === false) break shard;
      }
      if (page.length < PAGE) break;
      from = `(${page[page.length - 1]?.[0]}`;
    }
  }
  return scan;
}

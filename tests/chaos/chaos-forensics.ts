import { keys, streamNames } from '@fxcm/contracts';
import type { Redis } from 'ioredis';

const MINUTE = 60_000;

interface Decoded {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** The entries of a stream, decoded loosely: a forensic read must not stop at a bad entry. */
async function entriesOf(redis: Redis, stream: string): Promise<Decoded[]> {
  const rows = await redis.xrange(stream, '-', '+');
  return rows.map(([id, fields]) => {
    const type = fields[fields.indexOf('type') + 1] ?? '?';
    let data: Record<string, unknown> = {};
    try {
      data = JSON.parse(fields[fields.indexOf('data') + 1] ?? '{}') as Record<string, unknown>;
    } catch {
      data = { unreadable: true };
    }
    return { id, type, data };
  });
}

/**
 * What the internal streams say about one minute of one symbol, after a chaos run judged it lost
 * or wrong: the 1m bar entries the builder wrote for it (kind, flags, ticks), its ticks on the
 * tick stream and the first watermark past its end (in stream order: a watermark ahead of a tick
 * means the minute was closed before that tick arrived), the publisher's mark, and the groups.
 * Lines for a person reading a failed run; nothing here is judged.
 */
export async function minuteForensics(
  redis: Redis,
  ns: string,
  symbol: string,
  minute: number,
): Promise<string[]> {
  const names = streamNames(ns);
  const lines: string[] = [`forensics of ${symbol} ${new Date(minute).toISOString()}:`];
  const bars = await entriesOf(redis, names.bars(0));
  for (const e of bars) {
    const bar = e.data.bar as Record<string, unknown> | undefined;
    if (e.data.tf !== '1m' || e.data.symbol !== symbol || bar?.open_time !== minute) continue;
    const { complete, synthetic, tick_count, open, high, low, close } = bar;
    lines.push(
      `  bars ${e.id}: ${JSON.stringify({ revision: e.data.revision, complete, synthetic, tick_count, open, high, low, close })}`,
    );
  }
  const ticks = await entriesOf(redis, names.ticks(0));
  let lastTick = -1;
  let closing = -1;
  let ofMinute = 0;
  ticks.forEach((e, i) => {
    const ts = Number(e.data.ts);
    if (e.type === 'tick' && e.data.symbol === symbol && ts - (ts % MINUTE) === minute) {
      ofMinute += 1;
      lastTick = i;
    }
    if (e.type === 'watermark' && ts >= minute + MINUTE && closing === -1) closing = i;
    if (e.type === 'feed_gap') lines.push(`  feed_gap ${e.id}: ${JSON.stringify(e.data)}`);
  });
  lines.push(
    `  ticks stream: ${ticks.length} entries; ${ofMinute} tick(s) of the minute, the last at #${lastTick} (${ticks[lastTick]?.id}); first closing watermark at #${closing} (${ticks[closing]?.id})`,
  );
  const stored = await redis.hget(keys(ns).store(symbol, '1m'), String(minute));
  lines.push(`  ingestor store: ${stored ?? 'none'}`);
  const subscribers = await redis.pubsub('NUMSUB', `${ns}:ohlcv`);
  lines.push(`  subscribers of ${ns}:ohlcv now: ${JSON.stringify(subscribers)}`);
  const mark = keys(ns).published(symbol, '1m', minute);
  lines.push(`  publish mark ${mark}: ${JSON.stringify(await redis.get(mark))}`);
  for (const stream of [names.ticks(0), names.bars(0)]) {
    const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
    for (const g of groups) lines.push(`  group of ${stream}: ${JSON.stringify(g)}`);
  }
  return lines;
}

import { encodeStreamEntry, type StreamControl } from '@fxcm/contracts';
import type { Redis } from 'ioredis';

/** Instructions the scheduler sends on `{ns}:x:control` (contract `stream-control`). */
export type ControlCommand = 'set_universe' | 'republish' | 'tail_guard' | 'store_coverage';

/**
 * The scheduler's writer of `{ns}:x:control`: one `control` entry per instruction, bounded by
 * `MAXLEN ~`. Readers (gateway, bar builder, publisher) read it without a group, from the tail:
 * control is about now, and every replica must see every entry.
 */
export class ControlBus {
  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    private readonly maxLen = 1_000,
  ) {}

  /** Appends one instruction; resolves with its entry id. */
  async send(
    cmd: ControlCommand,
    target: StreamControl['target'],
    args: Record<string, unknown>,
    reqId: string,
    now: number,
  ): Promise<string> {
    const fields = encodeStreamEntry('control', {
      cmd,
      req_id: reqId.slice(0, 128),
      ts: now,
      target,
      args,
    });
    const id = await this.redis.xadd(this.stream, 'MAXLEN', '~', this.maxLen, '*', ...fields);
    return id ?? '';
  }
}

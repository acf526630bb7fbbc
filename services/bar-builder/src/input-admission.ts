import type { ErrorCode, StreamEntry as DecodedEntry, StreamEntryType } from '@fxcm/contracts';

/**
 * The registry codes with which the bar builder rejects an input entry before the engine (the
 * `reason` label of `fxcm_bar_builder_rejected_total`, the code of the status error). Besides
 * these, the contract's `STREAM_ENTRY_INVALID` and the engine's `BAR_*` codes (docs/bars.md §11).
 */
export type InputRejectionCode = Extract<
  ErrorCode,
  'STREAM_ENTRY_UNEXPECTED' | 'STREAM_ENTRY_FUTURE'
>;

/** What an input stream of a shard carries. */
export type InputRole = 'ticks' | 'history';

/** The entry kinds each input stream accepts; anything else is refused, whatever its content. */
export const ACCEPTED_KINDS: Readonly<Record<InputRole, readonly StreamEntryType[]>> = {
  ticks: ['tick', 'watermark', 'feed_gap'],
  history: ['history_bar', 'history_range'],
};

/** Why an entry is refused, or undefined when it may go to the engine. */
export interface InputRejection {
  code: InputRejectionCode;
  message: string;
}

/** The time an entry claims (what moves the clock), or undefined for kinds that carry none. */
export function entryTime(entry: DecodedEntry): number | undefined {
  switch (entry.type) {
    case 'tick':
    case 'watermark':
    case 'service_status':
    case 'control':
      return entry.data.ts;
    case 'history_bar':
      return entry.data.open_time;
    case 'history_range':
    case 'feed_gap':
      return entry.data.to;
    default:
      return undefined;
  }
}

/**
 * The rails of one decoded entry on one input stream: nothing that moves time may lie more than
 * `toleranceMs` ahead of `now` (wall clock, int ms), and its kind must belong there. Ticks,
 * watermarks, history bars and status records share the one tolerance: a watermark from 2100
 * would otherwise end the day (every later tick late) and be persisted in the checkpoint.
 * `toleranceMs` 0 turns the time rail off. Pure: the caller passes the clock.
 */
export function admitEntry(
  role: InputRole | undefined,
  entry: DecodedEntry,
  now: number,
  toleranceMs: number,
): InputRejection | undefined {
  // Time first: whatever stream it came on, an entry from the future is counted as one.
  const ts = entryTime(entry);
  if (toleranceMs > 0 && ts !== undefined && ts > now + toleranceMs) {
    return {
      code: 'STREAM_ENTRY_FUTURE',
      message: `${entry.type} dated ${new Date(ts).toISOString()} is ${ts - now} ms ahead of the clock (tolerance ${toleranceMs} ms)`,
    };
  }
  if (role === undefined || !ACCEPTED_KINDS[role].includes(entry.type)) {
    return {
      code: 'STREAM_ENTRY_UNEXPECTED',
      message: `entry type ${entry.type} does not belong on the ${role ?? 'unknown'} stream`,
    };
  }
  return undefined;
}

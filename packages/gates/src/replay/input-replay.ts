import {
  admitEntry,
  applyInput,
  createBarEngine,
  isBarEngineError,
  type Bar,
  type BarEngine,
  type BarEngineOptions,
  type InputRole,
} from '@fxcm/bar-builder';
import { ContractError, decodeStreamEntry, type ErrorCode } from '@fxcm/contracts';

/** One entry of an input stream of the bar builder, as Redis returns it. */
export interface InputEntry {
  readonly role: InputRole;
  /** The stream id (`<ms>-<seq>`): the order the entries arrived in, and when. */
  readonly id: string;
  /** Flat `[field, value, …]`. */
  readonly fields: readonly string[];
}

/** What a replay of the bar builder's inputs gave. */
export interface ReplayOutcome {
  /**
   * The first final of each `(symbol, tf, open_time)`, by `"<symbol> <tf>"`, oldest first: the
   * ingestor keeps the first stored bar of a key, so a later revision is not what it holds.
   */
  readonly finals: ReadonlyMap<string, readonly Bar[]>;
  /** Entries that reached the engine. */
  readonly applied: number;
  /** Entries refused, by registry code, as the bar builder refuses them. */
  readonly rejected: Readonly<Partial<Record<ErrorCode, number>>>;
  /** Per symbol, the time of its first admitted quote: a bar opening earlier may miss inputs. */
  readonly firstQuote: ReadonlyMap<string, number>;
}

/** `<ms>-<seq>` as two numbers; an id Redis would not give sorts first. */
function idParts(id: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(id);
  return m ? [Number(m[1]), Number(m[2])] : [-1, -1];
}

/** Entries in the order they arrived: stream id time, then sequence, then tick streams first. */
export function arrivalOrder(entries: readonly InputEntry[]): InputEntry[] {
  return entries
    .map((entry) => ({ entry, at: idParts(entry.id) }))
    .sort(
      (a, b) =>
        a.at[0] - b.at[0] ||
        a.at[1] - b.at[1] ||
        Number(a.entry.role === 'history') - Number(b.entry.role === 'history'),
    )
    .map(({ entry }) => entry);
}

/**
 * Replays input entries through a fresh engine with the bar builder's own options, in arrival
 * order, with the same rails: an entry is decoded, admitted (its wall clock is the time Redis
 * stamped on it, the moment the bar builder could first read it) and applied by the code the
 * shard pipeline uses. Every entry ends applied or refused with its registry code. Pure.
 */
export function replayInputs(
  entries: readonly InputEntry[],
  options: BarEngineOptions,
  futureToleranceMs: number,
): ReplayOutcome {
  const engine: BarEngine = createBarEngine(options);
  const finals = new Map<string, Map<number, Bar>>();
  const rejected: Partial<Record<ErrorCode, number>> = {};
  const firstQuote = new Map<string, number>();
  const refuse = (code: ErrorCode): void => {
    rejected[code] = (rejected[code] ?? 0) + 1;
  };
  let applied = 0;
  for (const entry of arrivalOrder(entries)) {
    let decoded;
    try {
      decoded = decodeStreamEntry(entry.fields);
    } catch (err) {
      if (!(err instanceof ContractError)) throw err;
      refuse(err.code);
      continue;
    }
    const refused = admitEntry(entry.role, decoded, idParts(entry.id)[0], futureToleranceMs);
    if (refused !== undefined) {
      refuse(refused.code);
      continue;
    }
    let outcome;
    try {
      outcome = applyInput(engine, decoded);
    } catch (err) {
      if (!isBarEngineError(err)) throw err;
      refuse(err.code);
      continue;
    }
    applied += 1;
    if (outcome.kind === 'tick' && decoded.type === 'tick') {
      const { symbol, ts } = decoded.data;
      firstQuote.set(symbol, Math.min(firstQuote.get(symbol) ?? Infinity, ts));
    }
    if (outcome.kind !== 'events') continue;
    for (const event of outcome.events) {
      const key = `${event.symbol} ${event.tf}`;
      const series = finals.get(key) ?? new Map<number, Bar>();
      finals.set(key, series);
      if (!series.has(event.bar.open_time)) series.set(event.bar.open_time, event.bar);
    }
  }
  const ordered = new Map(
    [...finals].map(([key, series]) => [
      key,
      [...series.values()].sort((a, b) => a.open_time - b.open_time),
    ]),
  );
  return { finals: ordered, applied, rejected, firstQuote };
}

import type { SessionInfo } from '@fxcm/calendar';
import type { Timeframe } from '@fxcm/contracts';

/** One symbol's figures in one session occurrence (V1 `stats.*.symbols[]`). */
export interface SessionSymbolStats {
  symbol: string;
  tf: Timeframe;
  bars: number;
  range: number;
  high: number;
  low: number;
  avg: number;
}

/** One session's entry of V1 `session.stats`. */
export interface SessionStatsEntry {
  tag: string;
  timezone: string;
  session_open_utc: string;
  session_close_utc: string;
  symbols: SessionSymbolStats[];
}

interface Accumulator {
  bars: number;
  high: number;
  low: number;
  sumClose: number;
}

interface Occurrence {
  session: SessionInfo;
  bySymbol: Map<string, Accumulator>;
}

const WINDOW_MS = 86_400_000;

/** V1 ISO time without fractions. */
const iso = (ms: number): string =>
  new Date(Math.floor(ms / 1_000) * 1_000).toISOString().replace('.000Z', '+00:00');

/**
 * Per-session figures of the final 1m bars of the last 24 h: for each session tag (Tokyo,
 * London, New York) its latest occurrence, and per symbol the bar count, high, low, range and
 * average close. A bar belongs to the session window its open falls in (the calendar's first
 * matching window). Pure and bounded: occurrences older than 24 h are forgotten, and only
 * the caller's allowlisted symbols are fed in.
 */
export class SessionStats {
  private readonly occurrences = new Map<string, Occurrence>();

  /** Counts one final 1m bar of `symbol` whose open falls in `session`. */
  observe(
    symbol: string,
    session: SessionInfo,
    bar: { high: number; low: number; close: number },
  ): void {
    const key = `${session.tag}@${session.openMs}`;
    let occ = this.occurrences.get(key);
    if (!occ) {
      occ = { session, bySymbol: new Map() };
      this.occurrences.set(key, occ);
    }
    const acc = occ.bySymbol.get(symbol);
    if (!acc) {
      occ.bySymbol.set(symbol, { bars: 1, high: bar.high, low: bar.low, sumClose: bar.close });
      return;
    }
    acc.bars += 1;
    acc.high = Math.max(acc.high, bar.high);
    acc.low = Math.min(acc.low, bar.low);
    acc.sumClose += bar.close;
  }

  /** V1 `stats`: the latest occurrence of each tag that ended less than 24 h before `now`. */
  snapshot(now: number): Record<string, SessionStatsEntry> {
    const latest = new Map<string, Occurrence>();
    for (const [key, occ] of this.occurrences) {
      if (occ.session.closeMs < now - WINDOW_MS) {
        this.occurrences.delete(key);
        continue;
      }
      const known = latest.get(occ.session.tag);
      if (!known || known.session.openMs < occ.session.openMs) latest.set(occ.session.tag, occ);
    }
    const out: Record<string, SessionStatsEntry> = {};
    for (const [tag, occ] of [...latest].sort(([a], [b]) => a.localeCompare(b))) {
      out[tag] = {
        tag,
        timezone: occ.session.timeZone,
        session_open_utc: iso(occ.session.openMs),
        session_close_utc: iso(occ.session.closeMs),
        symbols: symbolsOf(occ),
      };
    }
    return out;
  }

  /** V1 status `session.symbols`: the figures of the occurrence `session` (the current one). */
  symbolsOf(
    session: SessionInfo,
  ): { symbol: string; tf: Timeframe; high: number; low: number; avg: number }[] {
    const occ = this.occurrences.get(`${session.tag}@${session.openMs}`);
    return occ
      ? symbolsOf(occ).map(({ symbol, tf, high, low, avg }) => ({ symbol, tf, high, low, avg }))
      : [];
  }
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

function symbolsOf(occ: Occurrence): SessionSymbolStats[] {
  return [...occ.bySymbol]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([symbol, acc]) => ({
      symbol,
      tf: '1m',
      bars: acc.bars,
      range: round(acc.high - acc.low),
      high: acc.high,
      low: acc.low,
      avg: round(acc.sumClose / acc.bars),
    }));
}

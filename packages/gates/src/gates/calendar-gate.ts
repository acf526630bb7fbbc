import { calendarFor, type TradingCalendar } from '@fxcm/calendar';
import { normalizeSymbol } from '@fxcm/contracts';
import { refuseDirectStart } from '../direct-start';
import { symbolsOf, type Gate, type GateResult } from '../gate';
import { GateArgsError, intArg, listArg } from '../gate-args';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** An instant whose state is known from the broker's own schedule: `{symbol, at, open}`. */
interface KnownInstant {
  readonly symbol: string;
  readonly at: number;
  readonly open: boolean;
}

function knownInstants(list: readonly unknown[]): KnownInstant[] {
  return list.map((item, i) => {
    const entry = item as { symbol?: unknown; at?: unknown; open?: unknown };
    const at = typeof entry.at === 'string' ? Date.parse(entry.at) : NaN;
    if (typeof entry.symbol !== 'string' || Number.isNaN(at) || typeof entry.open !== 'boolean') {
      throw new GateArgsError(`instants[${i}] must be {symbol, at: ISO time, open: boolean}`);
    }
    return { symbol: normalizeSymbol(entry.symbol), at, open: entry.open };
  });
}

/** Structural faults of the closed intervals over [from, to): order, overlap, emptiness. */
export function intervalFaults(calendar: TradingCalendar, from: number, to: number): string[] {
  const faults: string[] = [];
  const closed = calendar.closedIntervals(from, to);
  let previousEnd = -Infinity;
  for (const span of closed) {
    const label = `${new Date(span.start).toISOString()}..${new Date(span.end).toISOString()}`;
    if (!(span.end > span.start)) faults.push(`closed interval ${label} is empty or reversed`);
    if (span.start < previousEnd) faults.push(`closed interval ${label} overlaps the one before`);
    previousEnd = Math.max(previousEnd, span.end);
  }
  // Every minute agrees with the intervals, and nextOpen lands on an open minute.
  for (let t = from - (from % MINUTE); t < to; t += 15 * MINUTE) {
    const inClosed = closed.some((span) => t >= span.start && t < span.end);
    if (calendar.isOpen(t) === inClosed) {
      faults.push(`${new Date(t).toISOString()}: isOpen disagrees with the closed intervals`);
    }
    const next = calendar.nextOpen(t);
    if (next < t || !calendar.isOpen(next)) {
      faults.push(
        `${new Date(t).toISOString()}: nextOpen ${new Date(next).toISOString()} is not open`,
      );
    }
  }
  return faults;
}

/**
 * The calendar in force is sound and has not drifted: its closed intervals over the current and
 * next weeks are ordered and consistent with `isOpen`/`nextOpen`, and every known instant of the
 * manifest (a weekly open, a holiday) has the state the broker's schedule gives it.
 */
export const calendarGate: Gate = {
  name: 'calendar',
  description: 'closed intervals of the current and next weeks valid; known instants match',
  async run(context, args): Promise<GateResult> {
    const days = intArg(args, 'days', 14, 1, 60);
    const instants = knownInstants(listArg(args, 'instants'));
    const now = context.now();
    const from = now - DAY;
    const to = now + days * DAY;
    const faults: string[] = [];
    const intervals: Record<string, unknown> = {};
    const symbols = new Set([...symbolsOf(context.deployment), ...instants.map((i) => i.symbol)]);
    for (const symbol of symbols) {
      const calendar = calendarFor(symbol);
      intervals[symbol] = calendar.closedIntervals(from, to).map((span) => ({
        start: new Date(span.start).toISOString(),
        end: new Date(span.end).toISOString(),
      }));
      faults.push(...intervalFaults(calendar, from, to).map((f) => `${symbol} ${f}`));
    }
    for (const instant of instants) {
      const open = calendarFor(instant.symbol).isOpen(instant.at);
      if (open !== instant.open) {
        faults.push(
          `${instant.symbol} at ${new Date(instant.at).toISOString()}: calendar says ${open ? 'open' : 'closed'}, the schedule says ${instant.open ? 'open' : 'closed'}`,
        );
      }
    }
    context.pack.write('calendar', 'closed-intervals', intervals);
    context.pack.write('calendar', 'faults', faults);
    const checked = `${symbols.size} symbol(s) over ${days + 1} days, ${instants.length} known instant(s)`;
    return faults.length === 0
      ? {
          verdict: 'pass',
          summary: checked,
          facts: { symbols: [...symbols], days, instants: instants.length },
        }
      : { verdict: 'fail', summary: `${faults.length} fault(s): ${faults[0]}`, facts: { faults } };
  },
};

if (require.main === module) refuseDirectStart('calendar');

import type { TradingCalendar } from '@fxcm/calendar';
import { decodeStreamEntry, normalizeSymbol, streamNames } from '@fxcm/contracts';
import type { Redis } from 'ioredis';
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

/** The calendar one running service reports in its status record (`detail.calendar`). */
export interface ReportedCalendar {
  readonly service: string;
  readonly instance: string;
  readonly calendar: unknown;
}

/**
 * Services that run on another calendar than the one the gates loaded: the gates would judge
 * their minutes by the wrong schedule, so each is a fault naming the service and both sources.
 */
export function calendarMismatches(
  own: Readonly<Record<string, unknown>>,
  reports: readonly ReportedCalendar[],
): string[] {
  const expected = JSON.stringify(own);
  return reports
    .filter((r) => JSON.stringify(r.calendar) !== expected)
    .map(
      (r) =>
        `${r.service}/${r.instance} runs calendar ${JSON.stringify(r.calendar)}, the gates loaded ${expected}`,
    );
}

const STATUS_LOOKBACK = 2_000;
const STATUS_FRESH_MS = 5 * MINUTE;

/** The newest calendar each service instance reported over the last five minutes. */
async function reportedCalendars(
  redis: Redis,
  namespace: string,
  now: number,
): Promise<ReportedCalendar[]> {
  const newest = new Map<string, ReportedCalendar>();
  const page = await redis.xrevrange(
    streamNames(namespace).status,
    '+',
    `${now - STATUS_FRESH_MS}-0`,
    'COUNT',
    STATUS_LOOKBACK,
  );
  for (const [, fields] of page) {
    let entry;
    try {
      entry = decodeStreamEntry(fields);
    } catch {
      continue; // a malformed record is the status stream's own problem, not the calendar's
    }
    if (entry.type !== 'service_status') continue;
    const { service, instance, detail } = entry.data;
    const calendar = (detail as { calendar?: unknown } | undefined)?.calendar;
    const id = `${service}/${instance}`;
    if (calendar !== undefined && !newest.has(id)) newest.set(id, { service, instance, calendar });
  }
  return [...newest.values()];
}

/**
 * The calendar in force is sound and has not drifted: its closed intervals over the current and
 * next weeks are ordered and consistent with `isOpen`/`nextOpen`, and every known instant of the
 * manifest (a weekly open, a holiday) has the state the broker's schedule gives it. The calendar
 * is the deployment's (`FXCM_CALENDAR_FILE`); every service that reported a calendar over the
 * last five minutes must run that same one.
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
      const calendar = context.deployment.calendarFor(symbol);
      intervals[symbol] = calendar.closedIntervals(from, to).map((span) => ({
        start: new Date(span.start).toISOString(),
        end: new Date(span.end).toISOString(),
      }));
      faults.push(...intervalFaults(calendar, from, to).map((f) => `${symbol} ${f}`));
    }
    for (const instant of instants) {
      const open = context.deployment.calendarFor(instant.symbol).isOpen(instant.at);
      if (open !== instant.open) {
        faults.push(
          `${instant.symbol} at ${new Date(instant.at).toISOString()}: calendar says ${open ? 'open' : 'closed'}, the schedule says ${instant.open ? 'open' : 'closed'}`,
        );
      }
    }
    const reports = await reportedCalendars(context.redis, context.deployment.namespace, now);
    faults.push(...calendarMismatches(context.deployment.calendar, reports));
    context.pack.write('calendar', 'calendar-in-force', {
      gates: context.deployment.calendar,
      services: reports,
    });
    context.pack.write('calendar', 'closed-intervals', intervals);
    context.pack.write('calendar', 'faults', faults);
    const checked = `${symbols.size} symbol(s) over ${days + 1} days, ${instants.length} known instant(s), ${reports.length} service(s) on the same calendar`;
    return faults.length === 0
      ? {
          verdict: 'pass',
          summary: checked,
          facts: {
            symbols: [...symbols],
            days,
            instants: instants.length,
            calendar: context.deployment.calendar,
          },
        }
      : { verdict: 'fail', summary: `${faults.length} fault(s): ${faults[0]}`, facts: { faults } };
  },
};

if (require.main === module) refuseDirectStart('calendar');

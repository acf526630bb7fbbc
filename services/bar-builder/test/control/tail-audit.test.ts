import { auditTail, filledMinutes, tailWindow } from '../../src/control/tail-audit';
import { bars, calendar, FROM, MINUTE, TO } from './real-day-minutes';

// The bundled real day against the shipped EURUSD calendar: open throughout, 30 quiet minutes.

/** The open minutes of the calendar in [from, to) that `stored` lacks, one by one. */
function missingMinutes(
  stored: readonly { open_time: number }[],
  from: number,
  to: number,
): number[] {
  const have = new Set(stored.map((b) => b.open_time));
  return [...calendar.eachOpenMinute(from, to)].filter((m) => !have.has(m));
}

describe('auditTail on the real day', () => {
  it('counts every open minute and finds the quiet minutes of the recording as holes', () => {
    const audit = auditTail(bars, calendar, FROM, TO);
    const missing = missingMinutes(bars, FROM, TO);
    expect(audit.expected).toBe(calendar.openMinutes(FROM, TO));
    expect(audit.present).toBe(bars.length);
    expect(audit.missing).toBe(missing.length);
    expect(audit.missing).toBe(audit.expected - bars.length);
    // the runs cover exactly the missing minutes
    expect(
      audit.holes.flatMap((h) =>
        Array.from({ length: (h.to - h.from) / MINUTE }, (_, i) => h.from + i * MINUTE),
      ),
    ).toEqual(missing);
    expect(audit.holes.reduce((n, h) => n + h.minutes, 0)).toBe(audit.missing);
  });

  it('reports a deleted stretch as one hole beside the recording’s own', () => {
    const start = Date.UTC(2014, 4, 6, 1, 30);
    const end = start + 45 * MINUTE;
    const kept = bars.filter((b) => b.open_time < start || b.open_time >= end);
    const before = auditTail(bars, calendar, FROM, TO);
    const after = auditTail(kept, calendar, FROM, TO);
    expect(after.missing - before.missing).toBe(bars.length - kept.length);
    const stretch = after.holes.filter((h) => h.from < end && h.to > start);
    expect(stretch).toHaveLength(1);
    expect(stretch[0]!.from).toBeLessThanOrEqual(start);
    expect(stretch[0]!.to).toBeGreaterThanOrEqual(end);
    // filled back: the repaired minutes are the deleted ones present again
    expect(filledMinutes(after.holes, bars)).toEqual(
      bars.filter((b) => b.open_time >= start && b.open_time < end).map((b) => b.open_time),
    );
  });

  it('counts synthetic bars as present, and says how many there are', () => {
    const withSynthetic = bars.map((b, i) => ({ ...b, synthetic: i % 100 === 0 }));
    const audit = auditTail(withSynthetic, calendar, FROM, TO);
    expect(audit.present).toBe(bars.length);
    expect(audit.synthetic).toBe(Math.ceil(bars.length / 100));
  });

  it('does not count stored bars outside the range or at closed minutes', () => {
    const saturday = Date.UTC(2014, 4, 10, 12, 0);
    const extra = [...bars, { open_time: saturday }, { open_time: TO + MINUTE }];
    expect(auditTail(extra, calendar, FROM, TO)).toEqual(auditTail(bars, calendar, FROM, TO));
  });
});

describe('tailWindow', () => {
  it('reaches back over a weekend into the last session, counting open minutes only', () => {
    const sunday = Date.UTC(2014, 4, 11, 12, 0); // market closed since Friday evening
    const { from, to } = tailWindow(calendar, sunday + 30_000, 2, 7 * 24 * 60 * MINUTE);
    expect(to).toBe(sunday);
    expect(calendar.openMinutes(from, to)).toBe(120);
    expect(calendar.isOpen(from)).toBe(true);
    expect(from).toBeLessThan(Date.UTC(2014, 4, 10, 0, 0)); // on Friday
  });

  it('is the plain last hours on an open day', () => {
    const { from, to } = tailWindow(calendar, TO, 6, 7 * 24 * 60 * MINUTE);
    expect(to - from).toBe(6 * 60 * MINUTE);
  });

  it('never spans more than the bound', () => {
    const { from, to } = tailWindow(calendar, TO, 24 * 30, 2 * 24 * 60 * MINUTE);
    expect(to - from).toBeLessThanOrEqual(2 * 24 * 60 * MINUTE);
  });
});

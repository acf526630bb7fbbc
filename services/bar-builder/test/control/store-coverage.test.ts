import type { StreamControl } from '@fxcm/contracts';
import { coverageAsksOf } from '../../src/control/bar-builder-control';
import { countCoverage } from '../../src/control/store-coverage';
import { bars, calendar, FROM, MINUTE, TO } from './real-day-minutes';

// The bundled real day against the shipped EURUSD calendar: open throughout, 30 quiet minutes
// without a stored bar.

describe('countCoverage on the real day', () => {
  it('1m: the stored bars of the span against its open minutes', () => {
    const c = countCoverage(bars, { symbol: 'EURUSD', tf: '1m', from: FROM, to: TO }, calendar);
    expect(c).toEqual({
      symbol: 'EURUSD',
      tf: '1m',
      stored: bars.length,
      expected: calendar.openMinutes(FROM, TO),
    });
    expect(c.expected - c.stored).toBe(30);
  });

  it('5m: a window counts when one of its minutes is stored; windows cut by the span do not', () => {
    // the span starts 2 minutes into a window and ends 2 minutes into another
    const from = FROM + 2 * MINUTE;
    const to = FROM + 12 * 60 * MINUTE + 2 * MINUTE;
    const inside = new Set(
      bars
        .map((b) => b.open_time - (b.open_time % (5 * MINUTE)))
        .filter((start) => start >= from && start + 5 * MINUTE <= to),
    );
    const c = countCoverage(bars, { symbol: 'EURUSD', tf: '5m', from, to }, calendar);
    expect(c).toEqual({ symbol: 'EURUSD', tf: '5m', stored: inside.size, expected: 12 * 12 - 1 });
  });

  it('counts only the bars inside the span, and nothing for an empty store', () => {
    const span = {
      symbol: 'EURUSD',
      tf: '1m' as const,
      from: FROM + 60 * MINUTE,
      to: FROM + 70 * MINUTE,
    };
    const c = countCoverage(bars, span, calendar);
    expect(c.stored).toBe(
      bars.filter((b) => b.open_time >= span.from && b.open_time < span.to).length,
    );
    expect(countCoverage([], span, calendar)).toMatchObject({ stored: 0, expected: 10 });
  });

  it('expects nothing over a weekend', () => {
    const saturday = Date.UTC(2014, 4, 10, 12, 0);
    expect(
      countCoverage(
        [],
        { symbol: 'EURUSD', tf: '1m', from: saturday, to: saturday + 3_600_000 },
        calendar,
      ),
    ).toMatchObject({ stored: 0, expected: 0 });
  });
});

describe('coverageAsksOf', () => {
  const control = (args: Record<string, unknown>): StreamControl => ({
    cmd: 'store_coverage',
    req_id: 'q',
    ts: 1,
    target: 'bar-builder',
    args,
  });

  it('reads the targets, symbols normalized', () => {
    expect(
      coverageAsksOf(control({ targets: [{ symbol: 'EUR/USD', tf: '5m', from: 0, to: 600_000 }] })),
    ).toEqual([{ symbol: 'EURUSD', tf: '5m', from: 0, to: 600_000 }]);
  });

  it.each([
    ['no list', {}],
    ['not a list', { targets: 'EURUSD' }],
    ['a bad tf', { targets: [{ symbol: 'EURUSD', tf: '7m', from: 0, to: 1 }] }],
    ['a reversed span', { targets: [{ symbol: 'EURUSD', tf: '1m', from: 2, to: 1 }] }],
    [
      'a span of a year',
      { targets: [{ symbol: 'EURUSD', tf: '1m', from: 0, to: 365 * 86_400_000 }] },
    ],
    ['a missing symbol', { targets: [{ tf: '1m', from: 0, to: 1 }] }],
    ['a null target', { targets: [null] }],
  ])('refuses %s', (_, args) => {
    expect(() => coverageAsksOf(control(args))).toThrow(/store_coverage/);
  });
});

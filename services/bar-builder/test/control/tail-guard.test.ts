import { tailGuardArgsOf } from '../../src/control/bar-builder-control';
import { jobSpans } from '../../src/control/tail-guard';

const MINUTE = 60_000;
const T = Date.UTC(2014, 4, 6, 1, 0);
const hole = (fromMin: number, minutes: number) => ({
  from: T + fromMin * MINUTE,
  to: T + (fromMin + minutes) * MINUTE,
  minutes,
});
const control = (args: Record<string, unknown>) => ({
  cmd: 'tail_guard',
  req_id: 'r-1',
  ts: T,
  target: 'bar-builder' as const,
  args,
});

describe('jobSpans', () => {
  it('asks holes less than an hour apart as one job, farther ones apart', () => {
    expect(jobSpans([hole(0, 2), hole(30, 1), hole(200, 5)])).toEqual([
      { from: T, to: T + 31 * MINUTE },
      { from: T + 200 * MINUTE, to: T + 205 * MINUTE },
    ]);
    expect(jobSpans([])).toEqual([]);
  });

  it('asks one job over the whole span rather than more than 24', () => {
    const many = Array.from({ length: 30 }, (_, i) => hole(i * 120, 1));
    expect(jobSpans(many)).toEqual([{ from: T, to: T + (29 * 120 + 1) * MINUTE }]);
  });
});

describe('tailGuardArgsOf', () => {
  it('reads the instruction the scheduler sends', () => {
    expect(
      tailGuardArgsOf(
        control({
          symbols: ['EUR/USD'],
          window_hours: 6,
          repair: true,
          republish: false,
          end_ms: T,
        }),
      ),
    ).toEqual({ symbols: ['EURUSD'], windowHours: 6, endMs: T, repair: true, republish: false });
    expect(tailGuardArgsOf(control({ window_hours: 48 }))).toEqual({
      symbols: [],
      windowHours: 48,
      repair: false,
      republish: true,
    });
  });

  it.each([
    [{ window_hours: 0 }],
    [{ window_hours: '48' }],
    [{ window_hours: 48, symbols: 'EURUSD' }],
    [{ window_hours: 48, symbols: ['../../etc'] }],
    [{ window_hours: 48, end_ms: 1.5 }],
  ])('refuses %j', (args) => {
    expect(() => tailGuardArgsOf(control(args))).toThrow(/tail_guard|symbol/i);
  });
});

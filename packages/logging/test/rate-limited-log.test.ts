import { createLogger, createRateLimitedLog, LoggingError } from '../src';
import { captureStream } from './capture-stream';

function setup(intervalMs: number, maxKeys?: number) {
  const capture = captureStream();
  const logger = createLogger({ service: 'scheduler', stream: capture.stream, now: () => 0 });
  let clock = 1_000;
  const log = createRateLimitedLog(logger, { intervalMs, now: () => clock, maxKeys });
  const summary = () =>
    capture.lines().map(({ msg, suppressed, level }) => ({ level, msg, suppressed }));
  return { log, summary, advance: (ms: number) => (clock += ms) };
}

describe('createRateLimitedLog', () => {
  it('logs the first line per key, then one per interval with the count dropped in between', () => {
    const { log, summary, advance } = setup(1_000);
    expect(log('redis', 'warn', 'redis down #1')).toBe(true);
    expect(log('redis', 'warn', 'redis down #2')).toBe(false);
    advance(500);
    expect(log('redis', 'warn', 'redis down #3')).toBe(false);
    advance(499);
    expect(log('redis', 'warn', 'redis down #4')).toBe(false);
    advance(1);
    expect(log('redis', 'warn', 'redis down #5', { attempt: 5 })).toBe(true);
    advance(2_000);
    expect(log('redis', 'warn', 'redis down #6')).toBe(true);
    expect(summary()).toEqual([
      { level: 'warn', msg: 'redis down #1', suppressed: undefined },
      { level: 'warn', msg: 'redis down #5', suppressed: 3 },
      { level: 'warn', msg: 'redis down #6', suppressed: undefined },
    ]);
  });

  it('counts each key on its own', () => {
    const { log, summary, advance } = setup(1_000);
    log('a', 'info', 'a1');
    log('b', 'error', 'b1');
    log('a', 'info', 'a2');
    advance(1_000);
    log('b', 'error', 'b2');
    log('a', 'info', 'a3');
    expect(summary()).toEqual([
      { level: 'info', msg: 'a1', suppressed: undefined },
      { level: 'error', msg: 'b1', suppressed: undefined },
      { level: 'error', msg: 'b2', suppressed: undefined },
      { level: 'info', msg: 'a3', suppressed: 1 },
    ]);
  });

  it('forgets the least recently logged key beyond maxKeys', () => {
    const { log, summary } = setup(1_000, 2);
    log('a', 'info', 'a1');
    log('b', 'info', 'b1');
    log('c', 'info', 'c1');
    log('a', 'info', 'a2');
    log('c', 'info', 'c2');
    expect(summary().map((l) => l.msg)).toEqual(['a1', 'b1', 'c1', 'a2']);
  });

  it('rejects a negative interval', () => {
    const logger = createLogger({ service: 's', stream: captureStream().stream });
    expect(() => createRateLimitedLog(logger, { intervalMs: -1 })).toThrow(LoggingError);
  });
});

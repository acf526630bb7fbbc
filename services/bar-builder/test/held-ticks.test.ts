import { HeldTicks } from '../src/held-ticks';
import { ReleasedAcks } from '../src/release-acks';

describe('HeldTicks', () => {
  it('releases whole minutes before the frontier, by stream, in arrival order', () => {
    const held = new HeldTicks();
    held.add('t', '1-0', 60_000);
    held.add('t', '2-0', 120_000);
    held.add('g', '1-0', 60_000); // the same id on another stream is another entry
    held.add('t', '3-0', 60_000);
    held.add('t', '3-0', 60_000); // held twice counts once
    expect(held.size).toBe(4);
    expect(held.oldestMinute()).toBe(60_000);
    expect(held.has('g', '1-0')).toBe(true);
    expect(held.has('g', '2-0')).toBe(false);

    expect(held.releaseBefore(60_000)).toEqual(new Map());
    expect(held.releaseBefore(120_000)).toEqual(
      new Map([
        ['t', ['1-0', '3-0']],
        ['g', ['1-0']],
      ]),
    );
    expect(held.size).toBe(1);
    expect(held.has('t', '1-0')).toBe(false);
    expect(held.oldestMinute()).toBe(120_000);
    held.releaseBefore(Infinity);
    expect(held.size).toBe(0);
    expect(held.oldestMinute()).toBe(Infinity);
  });

  it('tells a held entry by stream id order: newer than all held is never held, older is looked up', () => {
    const held = new HeldTicks();
    held.add('t', '9-5', 60_000);
    held.add('t', '10-0', 60_000);
    held.add('t', '12-3', 120_000);
    expect(held.has('t', '12-3')).toBe(true);
    expect(held.has('t', '12-4')).toBe(false); // same ms, later seq
    expect(held.has('t', '100-0')).toBe(false); // later though it sorts first as text
    expect(held.has('t', '9-5')).toBe(true); // earlier though it sorts last as text
    expect(held.has('t', '11-0')).toBe(false); // older than the newest, never held
    expect(held.has('u', '1-0')).toBe(false); // a stream with nothing held
    held.releaseBefore(120_000);
    expect(held.has('t', '9-5')).toBe(false);
    expect(held.has('t', '12-3')).toBe(true);
    // an older entry held late (redelivered, not held before) takes its place in id order, once
    held.add('t', '11-0', 120_000);
    held.add('t', '11-0', 120_000);
    expect(held.has('t', '11-0')).toBe(true);
    expect(held.size).toBe(2);
    expect(held.releaseBefore(Infinity)).toEqual(new Map([['t', ['11-0', '12-3']]]));
  });
});

describe('ReleasedAcks', () => {
  it('gives ids only once due, oldest first, at most max per take; a put-back chunk comes next', () => {
    const acks = new ReleasedAcks(2_000);
    acks.add(new Map([['t', ['1-0', '2-0', '3-0']]]), 0);
    acks.add(new Map([['t', ['4-0']]]), 500);
    expect(acks.size).toBe(4);
    expect(acks.take(1_999, 10)).toBeUndefined();
    const first = acks.take(2_000, 2);
    expect(first).toEqual({ stream: 't', ids: ['1-0', '2-0'] });
    acks.putBack(first!);
    expect(acks.take(2_000, 10)).toEqual({ stream: 't', ids: ['1-0', '2-0'] });
    expect(acks.take(2_000, 10)).toEqual({ stream: 't', ids: ['3-0'] });
    expect(acks.take(2_000, 10)).toBeUndefined(); // 4-0 is due at 2,500
    expect(acks.take(2_500, 10)).toEqual({ stream: 't', ids: ['4-0'] });
    expect(acks.size).toBe(0);
  });
});

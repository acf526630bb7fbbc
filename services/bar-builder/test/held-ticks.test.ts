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

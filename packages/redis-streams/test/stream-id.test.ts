import { parseStreamId, streamIdAfter, streamIdMs } from '../src';

describe('stream ids', () => {
  it('parses <ms>-<seq>, and <ms> alone as sequence 0', () => {
    expect(parseStreamId('1765000000000-17')).toEqual([1_765_000_000_000, 17]);
    expect(parseStreamId('1765000000000')).toEqual([1_765_000_000_000, 0]);
    expect(streamIdMs('1765000000000-17')).toBe(1_765_000_000_000);
  });

  it('orders by time, then by sequence, as Redis does (not as strings)', () => {
    const id = parseStreamId;
    expect(streamIdAfter(id('10-0'), id('9-99'))).toBe(true);
    expect(streamIdAfter(id('9-99'), id('10-0'))).toBe(false);
    expect(streamIdAfter(id('5-10'), id('5-9'))).toBe(true);
    expect(streamIdAfter(id('5-9'), id('5-9'))).toBe(false);
    expect(streamIdAfter(id('5-1'), id('5'))).toBe(true);
  });
});

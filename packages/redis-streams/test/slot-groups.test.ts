import type { Redis } from 'ioredis';
import { slotGroups, slotKeyOf } from '../src';

// Redis Cluster hashes a key's first non-empty {…} tag, else the whole key: keys grouped
// together must share a slot, so a pipeline per group is one a cluster accepts.

describe('slotKeyOf', () => {
  it('is the first non-empty hash tag, else the whole key', () => {
    expect(slotKeyOf('fxcm:x:ticks:{3}')).toBe('3');
    expect(slotKeyOf('fxcm:published:{EURUSD}:1m:0')).toBe('EURUSD');
    expect(slotKeyOf('{fxcm}:bull:history:meta')).toBe('fxcm');
    expect(slotKeyOf('a{}b{c}')).toBe('a{}b{c}'); // an empty first tag: the whole key
    expect(slotKeyOf('a{b')).toBe('a{b');
    expect(slotKeyOf('fxcm:x:status')).toBe('fxcm:x:status');
  });
});

describe('slotGroups', () => {
  const single = { isCluster: false } as Redis;
  const cluster = { isCluster: true } as Redis;
  const items = ['s:{0}', 'm:{EURUSD}:1', 's:{1}', 'h:{0}', 'm:{EURUSD}:2'];

  it('keeps one group on a single Redis', () => {
    expect(slotGroups(single, items, (k) => k)).toEqual([items]);
    expect(slotGroups(single, [], (k: string) => k)).toEqual([]);
  });

  it('groups by slot on a cluster, keeping the order inside each group', () => {
    expect(slotGroups(cluster, items, (k) => k)).toEqual([
      ['s:{0}', 'h:{0}'],
      ['m:{EURUSD}:1', 'm:{EURUSD}:2'],
      ['s:{1}'],
    ]);
  });
});

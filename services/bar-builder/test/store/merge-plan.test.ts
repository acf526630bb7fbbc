import { lowerBound, planMerge, retentionCutoff } from '../../src/store/merge-plan';

describe('planMerge', () => {
  it('sorts incoming bars into fresh and overlapping, and sees a plain tail append', () => {
    expect(planMerge([10, 20, 30], [30, 40, 50], 100)).toEqual({
      fresh: [1, 2],
      overlaps: [{ incoming: 0, stored: 2 }],
      cutoff: -Infinity,
      appendOnly: true,
    });
  });

  it('sees a gap fill as not append-only', () => {
    expect(planMerge([10, 30], [20, 40], 100)).toEqual({
      fresh: [0, 1],
      overlaps: [],
      cutoff: -Infinity,
      appendOnly: false,
    });
  });

  it('applies retention: fresh bars older than the kept window are expired, not a gap fill', () => {
    // Keep 3 of {5, 10, 20, 30, 40}: 20, 30, 40. The fresh 5 expires; 40 is a tail append.
    expect(planMerge([10, 20, 30], [5, 40], 3)).toEqual({
      fresh: [0, 1],
      overlaps: [],
      cutoff: 20,
      appendOnly: true,
    });
  });

  it('handles an empty series', () => {
    expect(planMerge([], [1, 2, 3], 2)).toEqual({
      fresh: [0, 1, 2],
      overlaps: [],
      cutoff: 2,
      appendOnly: true,
    });
  });
});

describe('retentionCutoff', () => {
  it.each([
    [[1, 2], [3], 5, -Infinity],
    [[1, 2], [3], 3, -Infinity],
    [[1, 2], [3], 2, 2],
    [[1, 5, 9], [2, 3, 10], 2, 9],
    [[1, 5, 9], [2, 3, 10], 4, 3],
    [[], [7, 8, 9], 1, 9],
    [[7, 8, 9], [], 1, 9],
  ])('cutoff(%j, %j, keep %i) = %p', (a, b, keep, expected) => {
    expect(retentionCutoff(a, b, keep)).toBe(expected);
  });
});

describe('lowerBound', () => {
  it('finds the first element >= value within [from, to)', () => {
    const t = [10, 20, 20, 30];
    expect([5, 10, 15, 20, 25, 30, 35].map((v) => lowerBound(t, v, 0, 4))).toEqual([
      0, 0, 1, 1, 3, 3, 4,
    ]);
    expect(lowerBound(t, 5, 2, 4)).toBe(2);
  });
});

import { PreviewGate, type PreviewDropReason } from '../src/preview-gate';

describe('PreviewGate', () => {
  it('is backlogged only while the last read came back full', () => {
    const gate = new PreviewGate(1_000);
    expect(gate.backlogged).toBe(false);
    gate.observeBatch(1_000);
    expect(gate.backlogged).toBe(true);
    gate.observeBatch(999);
    expect(gate.backlogged).toBe(false);
    gate.observeBatch(0);
    expect(gate.backlogged).toBe(false);
  });

  it('counts drops by reason and reports each', () => {
    const seen: [PreviewDropReason, number][] = [];
    const gate = new PreviewGate(10, (reason, n) => seen.push([reason, n]));
    gate.drop('backlog', 3);
    gate.drop('queue_full');
    gate.drop('backlog', 0);
    expect(gate.totals()).toEqual({ backlog: 3, queue_full: 1 });
    expect(seen).toEqual([
      ['backlog', 3],
      ['queue_full', 1],
    ]);
  });
});

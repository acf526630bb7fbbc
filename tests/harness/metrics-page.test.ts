import { labelValues, samples, sumOf } from './metrics-page';

const PAGE = [
  '# HELP fxcm_stream_dead_lettered_total Stream entries moved to a dead-letter stream',
  '# TYPE fxcm_stream_dead_lettered_total counter',
  'fxcm_stream_dead_lettered_total{class="poison",code="STREAM_ENTRY_INVALID",service="publisher"} 12',
  'fxcm_stream_dead_lettered_total{class="poison",code="STREAM_ENTRY_FUTURE",service="publisher"} 3',
  'fxcm_stream_dead_lettered_total_created{class="poison"} 1700000000',
  'fxcm_stream_dead_lettered_totally 99',
  'fxcm_control_rejected_total{code="CONTROL_ENTRY_REJECTED"} 0',
  'fxcm_up 1',
  'fxcm_label_escape{msg="a \\"quoted\\" b"} 2',
].join('\n');

describe('metrics page', () => {
  it('reads the samples of one exact name with their labels', () => {
    expect(samples(PAGE, 'fxcm_stream_dead_lettered_total')).toEqual([
      {
        name: 'fxcm_stream_dead_lettered_total',
        labels: { class: 'poison', code: 'STREAM_ENTRY_INVALID', service: 'publisher' },
        value: 12,
      },
      {
        name: 'fxcm_stream_dead_lettered_total',
        labels: { class: 'poison', code: 'STREAM_ENTRY_FUTURE', service: 'publisher' },
        value: 3,
      },
    ]);
    expect(samples(PAGE, 'fxcm_up')).toEqual([{ name: 'fxcm_up', labels: {}, value: 1 }]);
    expect(samples(PAGE, 'fxcm_label_escape')[0]!.labels.msg).toBe('a \\"quoted\\" b');
  });

  it('sums them, optionally where labels match', () => {
    expect(sumOf(PAGE, 'fxcm_stream_dead_lettered_total')).toBe(15);
    expect(sumOf(PAGE, 'fxcm_stream_dead_lettered_total', { code: 'STREAM_ENTRY_FUTURE' })).toBe(3);
    expect(sumOf(PAGE, 'fxcm_missing')).toBe(0);
  });

  it('lists the label values of non-zero samples', () => {
    expect(labelValues(PAGE, 'fxcm_stream_dead_lettered_total', 'code').sort()).toEqual([
      'STREAM_ENTRY_FUTURE',
      'STREAM_ENTRY_INVALID',
    ]);
    expect(labelValues(PAGE, 'fxcm_control_rejected_total', 'code')).toEqual([]);
  });
});

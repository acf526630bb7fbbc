import type { ServiceStatusRecord } from '@fxcm/service-runtime';
import { ServiceRecords } from '../src/service-records';

const record = (patch: Partial<ServiceStatusRecord>): ServiceStatusRecord => ({
  service: 'fxcm-gateway',
  instance: 'gw-0',
  ts: 1_000_000,
  state: 'ok',
  errors: [],
  degraded: [],
  ...patch,
});

describe('ServiceRecords', () => {
  it('keeps the newest record per instance and forgets stale or stopping ones', () => {
    const records = new ServiceRecords(10_000);
    records.observe(record({ ts: 1_000_000, detail: { feed_state: 'connecting' } }));
    records.observe(
      record({ ts: 1_002_000, detail: { feed_state: 'streaming', last_tick_at: 1_001_500 } }),
    );
    records.observe(record({ ts: 1_001_000, detail: { feed_state: 'stale' } })); // older: ignored
    records.observe(
      record({
        service: 'bar-builder',
        instance: 'bb-0',
        ts: 1_002_000,
        degraded: ['cache_read_only'],
        detail: { last_final_close: 999_999 },
      }),
    );
    records.observe(
      record({ service: 'publisher', instance: 'p-1', ts: 1_002_000, state: 'stopping' }),
    );

    expect(records.inputs(1_005_000)).toEqual({
      feedState: 'streaming',
      lastTickAt: 1_001_500,
      lastFinalClose: 999_999,
      lastPreviewAt: undefined,
      restoringCache: false,
      historyNotReady: false,
      degraded: ['bar-builder:cache_read_only'],
    });
    expect(records.live(1_005_000).map((r) => r.service)).toEqual(['bar-builder', 'fxcm-gateway']);
    expect(records.live(1_013_000)).toEqual([]);
  });

  it('a bar builder still starting is restoring its cache; a gateway flag says history is not ready', () => {
    const records = new ServiceRecords(10_000);
    records.observe(
      record({ service: 'bar-builder', instance: 'b-0', ts: 1_000, state: 'starting' }),
    );
    records.observe(
      record({
        service: 'fxcm-gateway',
        instance: 'g',
        ts: 1_000,
        degraded: ['history_not_ready'],
      }),
    );
    expect(records.inputs(2_000)).toMatchObject({ restoringCache: true, historyNotReady: true });
  });
});

import type { ServiceStatusRecord } from '@fxcm/service-runtime';
import {
  futureRecordRejection,
  ServiceRecords,
  STATUS_FUTURE_TOLERANCE_MS,
} from '../src/service-records';

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

  it('a status record dated 2100 is refused, so honest records after it still count', () => {
    const now = Date.UTC(2026, 0, 5, 12, 0);
    const y2100 = record({ ts: Date.UTC(2100, 0, 4), detail: { feed_state: 'stale' } });
    expect(futureRecordRejection(y2100, now)).toMatchObject({ code: 'STREAM_ENTRY_FUTURE' });
    expect(futureRecordRejection(y2100, now)?.message).toMatch(
      /fxcm-gateway\/gw-0 dated 2100-01-04/,
    );
    const edge = record({ ts: now + STATUS_FUTURE_TOLERANCE_MS });
    expect(futureRecordRejection(edge, now)).toBeUndefined();
    // what the refusal prevents: once kept, a 2100 record hides every later one
    const records = new ServiceRecords(10_000);
    records.observe(y2100);
    records.observe(record({ ts: now, detail: { feed_state: 'streaming' } }));
    expect(records.inputs(now).feedState).toBe('stale');
  });
});

import type { ServiceStatusRecord } from '@fxcm/service-runtime';
import { gatewayTelemetrySources, idleTelemetrySources } from '../src/telemetry/telemetry-sources';

const record = (
  service: string,
  ts: number,
  detail: Record<string, unknown>,
): ServiceStatusRecord =>
  ({
    service,
    instance: `${service}-0`,
    ts,
    state: 'ok',
    errors: [],
    degraded: [],
    counters: {},
    detail,
  }) as ServiceStatusRecord;

describe('heartbeat sources from the gateway status record', () => {
  const idle = idleTelemetrySources(['XAUUSD:1m']);
  const history = {
    calls_60s: 6,
    limit_60s: 6,
    calls_3600s: 6,
    limit_3600s: 7_200,
    priority: { targets: ['XAUUSD:1m'], reserve_60s: 108, reserve_3600s: 2_160 },
    throttle_state: 'critical',
    next_slot_seconds: 41.5,
    last_denied_reason: 'minute_quota',
    skipped_polls: [{ symbol: 'EURUSD', tf: '1m', count: 2 }],
    active_warmups: 2,
  };
  const backoff = {
    active: true,
    sleep_seconds: 12,
    remaining_seconds: 7.5,
    fail_count: 2,
    last_error: 'FXCM_QUOTA_EXCEEDED: HTTP 403',
    last_error_ts: 1_700_000_000,
    resume_at: '2026-12-05T08:00:07.500Z',
  };

  it("shows the gateway's quota and history backoff, the newest record winning", () => {
    const records = [
      record('fxcm-gateway', 1, { history: { ...history, calls_60s: 1 } }),
      record('bar-builder', 3, { history: 'not a gateway' }),
      record('fxcm-gateway', 2, { history, history_backoff: backoff }),
    ];
    const sources = gatewayTelemetrySources(() => records, idle);
    expect(sources.historyQuota()).toEqual(history);
    expect(sources.backoff()).toEqual({ fxcm_history: backoff, redis: idle.backoff().redis });
    expect(sources.universe()).toEqual(idle.universe());
  });

  it('falls back to the idle sources without a gateway that reports history (a replay)', () => {
    const sources = gatewayTelemetrySources(
      () => [record('fxcm-gateway', 1, { feed_state: 'streaming' })],
      idle,
    );
    expect(sources.historyQuota()).toEqual(idle.historyQuota());
    expect(sources.backoff()).toEqual(idle.backoff());
  });
});

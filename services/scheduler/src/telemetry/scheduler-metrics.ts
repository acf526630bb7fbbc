import type { Heartbeat, StreamTarget } from '@fxcm/contracts';
import { boundedLabel, type Metrics } from '@fxcm/metrics';
import type { ServiceStatusRecord } from '@fxcm/service-runtime';
import type { MarketView } from '../market-view';
import type { TailGuardBlock } from '../tail-guard/tail-guard-view';
import type { V1Status } from '../v1-status';
import type { TargetTracker } from './target-tracker';

/** What one telemetry cycle tells the metrics. */
export interface CycleFacts {
  now: number;
  view: MarketView;
  v1: V1Status;
  beat: Heartbeat;
  tracker: TargetTracker;
  records: readonly ServiceStatusRecord[];
  /** Command bus state as the snapshot reports it. */
  commandBus: 'running' | 'error' | 'disabled';
  /** Bytes of the status snapshot written. */
  snapshotBytes: number;
}

const V1_LEVELS = { ok: 0, stale: 1, delayed: 1, down: 2 } as const;

/**
 * The scheduler's metrics: the seed's market and stream gauges (`fxcm_market_status`,
 * `fxcm_next_open_seconds`, `fxcm_connector_heartbeat_timestamp`, `fxcm_stream_lag_seconds`,
 * `fxcm_stream_staleness_seconds`, `fxcm_stream_last_close_ms` per configured target) and the
 * public status levels. Labels come from the configured targets only.
 */
export function createSchedulerMetrics(metrics: Metrics, targets: readonly StreamTarget[]) {
  const market = metrics.gauge(
    'fxcm_market_status',
    'Market open (1) or closed (0), by the calendar',
  );
  const nextOpen = metrics.gauge(
    'fxcm_next_open_seconds',
    'Seconds until the next session open (after the coming pause while open)',
  );
  const heartbeatTs = metrics.gauge(
    'fxcm_connector_heartbeat_timestamp',
    'UNIX time of the last heartbeat written, seconds',
  );
  const lag = metrics.gauge(
    'fxcm_stream_lag_seconds',
    'now - close_time of the newest final bar, per target',
    ['symbol', 'tf'],
  );
  const staleness = metrics.gauge(
    'fxcm_stream_staleness_seconds',
    'Seconds since the newest final bar of a target was seen',
    ['symbol', 'tf'],
  );
  const lastClose = metrics.gauge(
    'fxcm_stream_last_close_ms',
    'close_time of the newest final bar, per target, epoch ms',
    ['symbol', 'tf'],
  );
  const level = metrics.gauge(
    'fxcm_public_status_level',
    'fxcm:status health per field: 0 ok, 1 stale/delayed, 2 down',
    ['field'],
  );
  const services = metrics.gauge(
    'fxcm_scheduler_live_services',
    'Service instances whose status record is recent, by service',
    ['service'],
  );
  const commandBus = metrics.gauge(
    'fxcm_command_bus_up',
    'Command bus (fxcm:commands subscription): 1 running, 0 error, -1 disabled',
  );
  const snapshotBytes = metrics.gauge(
    'fxcm_status_snapshot_bytes',
    'Size of the status snapshot at {ns}:status:snapshot (cap 8192)',
  );
  // Tail-guard findings per symbol: the label takes the configured symbols only.
  const tailSymbol = boundedLabel({ allowed: targets.map((t) => t.symbol) });
  const tailMissing = metrics.gauge(
    'fxcm_tail_guard_missing_minutes',
    'Open minutes without a final 1m bar in the latest tail-guard window, by symbol',
    ['symbol'],
  );
  const tailAudit = metrics.gauge(
    'fxcm_tail_guard_last_audit_timestamp_seconds',
    'When the latest tail guard audited the store (as the bar builders report it)',
  );
  const known = new Set(['fxcm-gateway', 'bar-builder', 'scheduler', 'publisher', 'ingestor']);
  return {
    /** Sets the tail-guard gauges from the block the bar builders report. */
    observeTailGuard(block: TailGuardBlock): void {
      tailAudit.set(block.last_audit_ts_ms / 1_000);
      for (const [symbol, f] of Object.entries(block.symbols))
        tailMissing.set({ symbol: tailSymbol(symbol) }, f.missing);
    },
    /** Sets every gauge from one cycle's facts. */
    observeCycle(facts: CycleFacts): void {
      const { now, view, v1, tracker } = facts;
      market.set(view.market === 'open' ? 1 : 0);
      nextOpen.set(view.secondsToNextOpen);
      heartbeatTs.set(Math.floor(now / 1_000));
      for (const t of targets) {
        const state = tracker.state(t.symbol, t.tf);
        const labels = { symbol: t.symbol, tf: t.tf };
        if (state.lastFinalClose !== undefined) {
          lag.set(labels, Math.max(0, now - state.lastFinalClose) / 1_000);
          lastClose.set(labels, state.lastFinalClose);
        }
        if (state.lastFinalAt !== undefined)
          staleness.set(labels, Math.max(0, now - state.lastFinalAt) / 1_000);
      }
      commandBus.set(facts.commandBus === 'running' ? 1 : facts.commandBus === 'error' ? 0 : -1);
      snapshotBytes.set(facts.snapshotBytes);
      level.set({ field: 'price' }, V1_LEVELS[v1.price]);
      level.set({ field: 'ohlcv' }, V1_LEVELS[v1.ohlcv]);
      const counts = new Map<string, number>([...known].map((s) => [s, 0]));
      for (const r of facts.records)
        if (known.has(r.service)) counts.set(r.service, counts.get(r.service)! + 1);
      for (const [service, n] of counts) services.set({ service }, n);
    },
  };
}

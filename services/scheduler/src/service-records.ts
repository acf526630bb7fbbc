import type { ServiceStatusRecord } from '@fxcm/service-runtime';
import type { StatusInputs } from './v1-status';

/**
 * How far ahead of the wall clock a status record may be dated (the bar builder's default
 * `FXCM_FUTURE_TOLERANCE_MS`). A record from 2100 would otherwise stay the "newest" of its
 * instance for good: every honest record after it ignored, and never old enough to forget.
 */
export const STATUS_FUTURE_TOLERANCE_MS = 300_000;

/** Why a status record is refused (dated in the future), or undefined. Pure: pass the clock. */
export function futureRecordRejection(
  record: ServiceStatusRecord,
  now: number,
): { code: 'STREAM_ENTRY_FUTURE'; message: string } | undefined {
  if (!(record.ts > now + STATUS_FUTURE_TOLERANCE_MS)) return undefined;
  return {
    code: 'STREAM_ENTRY_FUTURE',
    message: `service_status of ${record.service}/${record.instance} dated ${new Date(record.ts).toISOString()} is ${record.ts - now} ms ahead of the clock (tolerance ${STATUS_FUTURE_TOLERANCE_MS} ms)`,
  };
}

/**
 * The latest status record of every service instance, and what the public status needs from
 * them. Records older than `maxAgeMs` are forgotten (an instance that stopped reporting is gone).
 */
export class ServiceRecords {
  private readonly latest = new Map<string, ServiceStatusRecord>();

  constructor(private readonly maxAgeMs: number) {}

  /** Keeps `record` if it is the newest of its instance. */
  observe(record: ServiceStatusRecord): void {
    const key = `${record.service}/${record.instance}`;
    const known = this.latest.get(key);
    if (!known || known.ts <= record.ts) this.latest.set(key, record);
  }

  /** Live records (reported within `maxAgeMs` of `now`), oldest service name first. */
  live(now: number): ServiceStatusRecord[] {
    for (const [key, record] of this.latest) {
      if (now - record.ts > this.maxAgeMs || record.state === 'stopping') this.latest.delete(key);
    }
    return [...this.latest.values()].sort((a, b) =>
      `${a.service}/${a.instance}`.localeCompare(`${b.service}/${b.instance}`),
    );
  }

  /** The status inputs the services report (market and calendar facts are added by the caller). */
  inputs(
    now: number,
  ): Pick<
    StatusInputs,
    'feedState' | 'lastTickAt' | 'lastFinalClose' | 'lastPreviewAt' | 'degraded'
  > & { restoringCache: boolean; historyNotReady: boolean } {
    const records = this.live(now);
    const detail = (r: ServiceStatusRecord, key: string): unknown => r.detail?.[key];
    const newest = (service: string, key: string): number | undefined => {
      const values = records
        .filter((r) => r.service === service)
        .map((r) => detail(r, key))
        .filter((v): v is number => typeof v === 'number');
      return values.length > 0 ? Math.max(...values) : undefined;
    };
    const gateway = records.find((r) => r.service === 'fxcm-gateway');
    const feedState = gateway ? detail(gateway, 'feed_state') : undefined;
    return {
      feedState: typeof feedState === 'string' ? feedState : undefined,
      lastTickAt: newest('fxcm-gateway', 'last_tick_at'),
      lastFinalClose: newest('bar-builder', 'last_final_close'),
      lastPreviewAt: newest('bar-builder', 'last_preview_at'),
      // A bar builder that has not finished starting is restoring its final-bar cache.
      restoringCache: records.some((r) => r.service === 'bar-builder' && r.state === 'starting'),
      historyNotReady: records.some(
        (r) => r.service === 'fxcm-gateway' && r.degraded.includes('history_not_ready'),
      ),
      degraded: [
        ...new Set(records.flatMap((r) => r.degraded.map((d) => `${r.service}:${d}`))),
      ].sort(),
    };
  }
}

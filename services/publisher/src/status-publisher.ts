import {
  asPublicStatusPayload,
  decodeStreamEntry,
  encodePublic,
  type PublicStatusPayload,
} from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import {
  streamIdMs,
  type EntryRejection,
  type HandlerContext,
  type StreamEntry,
} from '@fxcm/redis-streams';
import type { StatusReporter } from '@fxcm/service-runtime';
import type { Redis } from 'ioredis';
import { EntryRejections } from './entry-rejections';

/** The public status channels, by record kind. */
export interface StatusChannels {
  status: string;
  heartbeat: string;
  market_status: string;
}

/** Options of {@link StatusPublisher}. */
export interface StatusPublisherOptions {
  redis: Redis;
  channels: StatusChannels;
  logger: Logger;
  metrics: Metrics;
  status: StatusReporter;
  /** A record older than this (by its entry id or its own `ts`) is dropped, not published, ms. */
  maxAgeMs: number;
  now?: () => number;
}

/**
 * When a record was made, by its own `ts` (status: epoch seconds; heartbeat and market status:
 * ISO UTC). A write queued by a client while Redis was away is added — and gets its id — only
 * after Redis is back, so the id alone would pass a record made before the outage as fresh.
 */
export function recordTime(record: PublicStatusPayload): number {
  return record.kind === 'status' ? record.payload.ts * 1_000 : Date.parse(record.payload.ts);
}

/**
 * After an outage the status stream holds a backlog of records that were true minutes ago: only
 * the newest record of each kind in a batch is published, and one older than `maxAgeMs` not at
 * all (both counted in `fxcm_publisher_status_dropped_total{kind,reason}`), so a consumer never
 * sees a burst of stale status.
 *
 * Publishes the scheduler's public records of `{ns}:x:status` (`fxcm:status`, `fxcm:heartbeat`,
 * `fxcm:market_status`) after validating each against its V1 contract. Service status records
 * on the same stream are the scheduler's input, not public: they are skipped.
 */
export class StatusPublisher {
  private readonly published;
  private readonly dropped;
  private readonly rejections: EntryRejections;

  constructor(private readonly opts: StatusPublisherOptions) {
    this.published = opts.metrics.counter(
      'fxcm_publisher_status_total',
      'Public status records published, by kind',
      ['kind'],
    );
    this.dropped = opts.metrics.counter(
      'fxcm_publisher_status_dropped_total',
      'Public status records not published: aged past their interval, or superseded in a batch',
      ['kind', 'reason'],
    );
    this.rejections = new EntryRejections('status', opts);
  }

  private encode(record: PublicStatusPayload): string {
    switch (record.kind) {
      case 'status':
        return encodePublic('status', record.payload);
      case 'heartbeat':
        return encodePublic('heartbeat', record.payload);
      case 'market_status':
        return encodePublic('market_status', record.payload);
    }
  }

  /** Handles one batch; rejected entries go to the dead-letter stream. */
  async handle(entries: StreamEntry[], ctx?: HandlerContext): Promise<void> {
    const now = (this.opts.now ?? Date.now)();
    const newest = new Map<PublicStatusPayload['kind'], { text: string }>();
    const rejected: EntryRejection[] = [];
    for (const entry of entries) {
      try {
        const decoded = decodeStreamEntry(entry.fields);
        if (decoded.type !== 'public_status') continue;
        const record = asPublicStatusPayload(decoded.data);
        const text = this.encode(record);
        const made = recordTime(record);
        const age = now - Math.min(streamIdMs(entry.id), Number.isFinite(made) ? made : Infinity);
        if (age > this.opts.maxAgeMs) {
          this.dropped.inc({ kind: record.kind, reason: 'stale' });
          continue;
        }
        if (newest.has(record.kind)) this.dropped.inc({ kind: record.kind, reason: 'superseded' });
        newest.set(record.kind, { text });
      } catch (err) {
        rejected.push(this.rejections.reject(entry, err));
      }
    }
    await ctx?.deadLetter(rejected);
    if (newest.size === 0) return;
    const pipeline = this.opts.redis.pipeline();
    const kinds: string[] = [];
    for (const [kind, { text }] of newest) {
      pipeline.publish(this.opts.channels[kind], text);
      kinds.push(kind);
    }
    const results = await pipeline.exec();
    for (const [i, [err]] of (results ?? []).entries()) {
      if (err) throw err;
      this.published.inc({ kind: kinds[i]! });
    }
  }
}

import {
  asPublicStatusPayload,
  decodeStreamEntry,
  encodePublic,
  type PublicStatusPayload,
} from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import type { EntryRejection, HandlerContext, StreamEntry } from '@fxcm/redis-streams';
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
}

/**
 * Publishes the scheduler's public records of `{ns}:x:status` (`fxcm:status`, `fxcm:heartbeat`,
 * `fxcm:market_status`) after validating each against its V1 contract. Service status records
 * on the same stream are the scheduler's input, not public: they are skipped.
 */
export class StatusPublisher {
  private readonly published;
  private readonly rejections: EntryRejections;

  constructor(private readonly opts: StatusPublisherOptions) {
    this.published = opts.metrics.counter(
      'fxcm_publisher_status_total',
      'Public status records published, by kind',
      ['kind'],
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
    const pipeline = this.opts.redis.pipeline();
    const kinds: string[] = [];
    const rejected: EntryRejection[] = [];
    for (const entry of entries) {
      try {
        const decoded = decodeStreamEntry(entry.fields);
        if (decoded.type !== 'public_status') continue;
        const record = asPublicStatusPayload(decoded.data);
        pipeline.publish(this.opts.channels[record.kind], this.encode(record));
        kinds.push(record.kind);
      } catch (err) {
        rejected.push(this.rejections.reject(entry, err));
      }
    }
    await ctx?.deadLetter(rejected);
    if (kinds.length === 0) return;
    const results = await pipeline.exec();
    for (const [i, [err]] of (results ?? []).entries()) {
      if (err) throw err;
      this.published.inc({ kind: kinds[i]! });
    }
  }
}

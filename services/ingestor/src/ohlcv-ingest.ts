import { reasonCode, verifyOhlcvSignature, type HmacAlgo } from '@fxcm/contracts';
import { createViewerMetrics } from './viewer-metrics';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import type { StatusReporter } from '@fxcm/service-runtime';
import type { BarStore } from './bar-store';
import { checkOhlcvPayload, type IngestedBar, type OhlcvRails } from './ohlcv-rails';

/** Options of {@link OhlcvIngest}. */
export interface OhlcvIngestOptions {
  store: BarStore;
  rails: () => OhlcvRails;
  hmac?: { secret: string; algo: HmacAlgo };
  /** With a secret set, refuse unsigned messages (V1 `fxcm_hmac_required`, default true). */
  hmacRequired: boolean;
  logger: Logger;
  metrics: Metrics;
  status: StatusReporter;
  /** Called with every message that verified and passed the rails, previews included. */
  onAccepted?: (
    symbol: string,
    tf: string,
    source: string | undefined,
    bars: IngestedBar[],
  ) => void;
}

/** What happened to one message. */
export type IngestOutcome = 'stored' | 'duplicate' | 'preview_only' | 'rejected';

/**
 * The consumer side of `fxcm:ohlcv`: verify the signature the way a Python consumer does,
 * apply the V1 rails, store complete bars idempotently. A bad message is rejected, counted and
 * reported with its reason; it never stops the ones after it.
 */
export class OhlcvIngest {
  private readonly messages;
  private readonly stored;
  private warnedUnsignedCheck = false;
  private readonly viewer;

  constructor(private readonly opts: OhlcvIngestOptions) {
    this.messages = opts.metrics.counter(
      'fxcm_ingestor_messages_total',
      'fxcm:ohlcv messages by outcome (stored, duplicate, preview_only, rejected) and reason',
      ['outcome', 'reason'],
    );
    this.viewer = createViewerMetrics(opts.metrics);
    this.stored = opts.metrics.counter(
      'fxcm_ingestor_bars_stored_total',
      'Bars newly stored, by tf',
      ['tf'],
    );
  }

  async onMessage(text: string): Promise<IngestOutcome> {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return this.reject('invalid_json', `not JSON: ${text.slice(0, 80)}`);
    }
    const sig = (payload as { sig?: unknown } | null)?.sig;
    const { hmac } = this.opts;
    if (hmac) {
      if (typeof sig !== 'string') {
        if (this.opts.hmacRequired)
          return this.reject('unsigned', 'message has no sig and FXCM_HMAC_REQUIRED is on');
      } else if (!verifyOhlcvSignature(text, hmac.secret, hmac.algo)) {
        return this.reject('bad_signature', 'sig does not verify');
      }
    } else if (typeof sig === 'string' && !this.warnedUnsignedCheck) {
      this.warnedUnsignedCheck = true;
      this.opts.logger.warn(
        'signed messages arrive but FXCM_HMAC_SECRET is not set: accepting without verification',
      );
    }

    const check = checkOhlcvPayload(payload, this.opts.rails());
    if (!check.ok) return this.reject(check.reason, check.detail);
    const { source, bars } = payload as { source?: unknown; bars: IngestedBar[] };
    this.opts.onAccepted?.(
      check.symbol,
      check.tf,
      typeof source === 'string' ? source : undefined,
      bars,
    );
    this.viewer.message(check.symbol, check.tf, check.bars);
    if (check.bars.length === 0) {
      this.messages.inc({ outcome: 'preview_only', reason: '' });
      return 'preview_only';
    }
    const added = await this.opts.store.put(check.symbol, check.tf, check.bars);
    if (added > 0) this.stored.inc({ tf: check.tf }, added);
    const outcome: IngestOutcome = added > 0 ? 'stored' : 'duplicate';
    this.messages.inc({ outcome, reason: '' });
    return outcome;
  }

  private reject(reason: string, detail: string): IngestOutcome {
    this.messages.inc({ outcome: 'rejected', reason });
    this.opts.metrics.errors.inc({ type: 'ingest_rejected' });
    this.opts.status.error(reasonCode('INGEST', reason), detail, { severity: 'warning' });
    this.opts.logger.warn('rejected fxcm:ohlcv message', { reason, detail });
    return 'rejected';
  }
}

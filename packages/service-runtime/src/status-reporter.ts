import {
  encodeStreamEntry,
  type ErrorCode,
  streamNames,
  type ServiceError,
  type StreamServiceStatus,
} from '@fxcm/contracts';
import type { Redis } from 'ioredis';
import { standingProblems } from './standing-problems';
import { everyPeriod, type PeriodicTimer } from './periodic';

/** One entry of `errors[]` (contract `stream-service-status`). */
export type StatusError = ServiceError;

/** Severity of a status error entry (V2 status vocabulary). */
export type Severity = ServiceError['severity'];

/** Overall state of a service as its status record reports it. */
export type ServiceState = StreamServiceStatus['state'];

/** The record a service writes to `{ns}:x:status` (contract `stream-service-status`). */
export type ServiceStatusRecord = StreamServiceStatus;

/** Options of {@link StatusReporter}. */
export interface StatusReporterOptions {
  service: string;
  instance: string;
  namespace: string;
  redis: Redis;
  /** How often the record is written even when nothing changed, ms (default 5000). */
  intervalMs?: number;
  /** Retention of the status stream (default 10 000 entries). */
  maxLen?: number;
  now?: () => number;
  /** Detail that holds for the life of the process (e.g. the calendar in force), in every record. */
  constantDetail?: Record<string, unknown>;
}

const MAX_ERRORS = 20;
const MAX_MESSAGE = 160;

/**
 * Keeps a service's loud status — state, the last 20 errors, the set of active degradations,
 * counters — and writes it to the status stream on every change of state or degradation and
 * every `intervalMs`. Nothing degrades silently: `degrade()` is the one way to say so.
 */
export class StatusReporter {
  private state: ServiceState = 'starting';
  private readonly errors: StatusError[] = [];
  private readonly degradations = new Set<string>();
  private counters: Record<string, number> = {};
  private detail: Record<string, unknown> = {};
  private timer: PeriodicTimer | undefined;
  private readonly stream: string;
  private readonly now: () => number;
  private writing: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly opts: StatusReporterOptions) {
    this.stream = streamNames(opts.namespace).status;
    this.now = opts.now ?? Date.now;
  }

  /** Records an error entry (kept in the last 20); `code` is a code of the one registry. */
  error(
    code: ErrorCode,
    message: string,
    extra: Partial<Omit<StatusError, 'code' | 'message'>> = {},
  ): void {
    this.errors.push({
      code,
      severity: extra.severity ?? 'error',
      message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message,
      ts: extra.ts ?? this.now(),
      ...(extra.symbol ? { symbol: extra.symbol } : {}),
      ...(extra.tf ? { tf: extra.tf } : {}),
      ...(extra.context ? { context: extra.context } : {}),
    });
    if (this.errors.length > MAX_ERRORS) this.errors.splice(0, this.errors.length - MAX_ERRORS);
  }

  /** Marks a degradation active (e.g. `cache_read_only`); writes at once when it is new. */
  degrade(flag: string): void {
    if (this.degradations.has(flag)) return;
    this.degradations.add(flag);
    if (this.state === 'ok') this.state = 'degraded';
    this.publishSoon();
  }

  /** Clears a degradation; the state returns to `ok` when none is left. */
  recover(flag: string): void {
    if (!this.degradations.delete(flag)) return;
    if (this.state === 'degraded' && this.degradations.size === 0) this.state = 'ok';
    this.publishSoon();
  }

  /** Sets the overall state; `ok` becomes `degraded` while degradations are active. */
  setState(state: ServiceState): void {
    const next = state === 'ok' && this.degradations.size > 0 ? 'degraded' : state;
    if (next === this.state) return;
    this.state = next;
    this.publishSoon();
  }

  /** Replaces the counters reported with the next record. */
  setCounters(counters: Record<string, number>): void {
    this.counters = counters;
  }

  /** Replaces the service-specific detail block. */
  setDetail(detail: Record<string, unknown>): void {
    this.detail = detail;
  }

  /** The record as it would be written now. */
  snapshot(): ServiceStatusRecord {
    return {
      service: this.opts.service,
      instance: this.opts.instance,
      ts: this.now(),
      state: this.state,
      errors: [...this.errors],
      degraded: [...this.degradations].sort(),
      counters: { ...this.counters },
      detail: { ...this.opts.constantDetail, ...this.detail },
    };
  }

  /** Starts the periodic record; process-wide standing problems are reported from the first. */
  start(): void {
    for (const p of standingProblems()) {
      this.error(p.code, p.message, { severity: 'critical' });
      this.degrade(p.flag);
    }
    // at the middle of each interval of wall-clock time, away from a minute's finals
    this.timer ??= everyPeriod(this.opts.intervalMs ?? 5_000, () => this.publishSoon());
    this.publishSoon();
  }

  /** Writes a last `stopping` record and stops the timer. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.timer?.stop();
      this.timer = undefined;
      this.state = 'stopping';
      this.publishSoon();
      this.closed = true; // nothing after the last record: a late degrade() must not revive it
      await this.writing;
    })();
    return this.stopping;
  }

  /** Writes a record now (for events worth a record of their own, like a feed transition). */
  report(): void {
    this.publishSoon();
  }

  /** Resolves when the records queued so far are written (or failed). */
  flush(): Promise<void> {
    return this.writing;
  }

  private publishSoon(): void {
    if (this.closed) return;
    const record = this.snapshot();
    // Writes are chained so records land in order; a failed write is reported in the next one.
    this.writing = this.writing.then(async () => {
      try {
        await this.opts.redis.xadd(
          this.stream,
          'MAXLEN',
          '~',
          this.opts.maxLen ?? 10_000,
          '*',
          ...encodeStreamEntry('service_status', record),
        );
      } catch (err) {
        this.error('STATUS_WRITE_FAILED', String((err as Error).message), { severity: 'warning' });
      }
    });
  }
}

import {
  ContractError,
  decodeStreamEntry,
  errorCodeOf,
  parseStreamTargets,
  type StreamControl,
  type StreamTarget,
  type StreamTargetSpelling,
} from '@fxcm/contracts';
import { duplicateRedis, interruptibleSleep } from '@fxcm/redis-streams';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import type { Redis } from 'ioredis';
import type { StatusReporter } from './status-reporter';

/** Options of {@link ControlReader}. */
export interface ControlReaderOptions {
  /** Command connection; the reader blocks on a duplicate of it. */
  redis: Redis;
  /** `{ns}:x:control`. */
  stream: string;
  /** This service's name: entries for it and for `*` are handed over. */
  service: string;
  /** Applies one instruction. A throw is reported through `onError` and the reader goes on. */
  onControl: (control: StreamControl) => void | Promise<void>;
  /** Malformed entries (`decode`), failing handlers (`handler`) and Redis errors (`read`). */
  onError: (err: unknown, where: 'decode' | 'handler' | 'read') => void;
  blockMs?: number;
}

/**
 * Reads `{ns}:x:control` without a consumer group: every replica of every service sees every
 * instruction. At start the latest `set_universe` still in the stream is applied first (a
 * restarted service rejoins the current universe), then entries are read from there on.
 */
export class ControlReader {
  private reader: Redis | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private closing: Promise<void> | undefined;
  private readonly sleeper = interruptibleSleep();

  constructor(private readonly opts: ControlReaderOptions) {}

  async start(): Promise<void> {
    if (this.loop) return;
    let lastId = '0-0';
    try {
      const recent = (await this.opts.redis.xrevrange(
        this.opts.stream,
        '+',
        '-',
        'COUNT',
        500,
      )) as [string, string[]][];
      lastId = recent[0]?.[0] ?? '0-0';
      const universe = recent
        .map(([, fields]) => this.decode(fields))
        .find((c) => c?.cmd === 'set_universe');
      if (universe) await this.apply(universe);
    } catch (err) {
      this.opts.onError(err, 'read');
    }
    this.reader = duplicateRedis(this.opts.redis, {
      name: `control:${this.opts.service}:reader`,
      blocking: true,
    });
    this.reader.on('error', (err: Error) => this.opts.onError(err, 'read'));
    this.loop = this.run(lastId);
  }

  private async run(from: string): Promise<void> {
    let lastId = from;
    while (!this.stopped) {
      try {
        const reply = (await this.reader!.xread(
          'COUNT',
          100,
          'BLOCK',
          this.opts.blockMs ?? 1_000,
          'STREAMS',
          this.opts.stream,
          lastId,
        )) as [string, [string, string[]][]][] | null;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            const control = this.decode(fields);
            if (control) await this.apply(control);
          }
        }
      } catch (err) {
        if (this.stopped) break;
        this.opts.onError(err, 'read');
        await this.sleeper.sleep(1_000);
      }
    }
  }

  private decode(fields: string[]): StreamControl | undefined {
    try {
      const entry = decodeStreamEntry(fields);
      if (entry.type !== 'control') throw new Error(`unexpected entry type ${entry.type}`);
      const { target } = entry.data;
      return target === '*' || target === this.opts.service ? entry.data : undefined;
    } catch (err) {
      this.opts.onError(err, 'decode');
      return undefined;
    }
  }

  private async apply(control: StreamControl): Promise<void> {
    try {
      await this.opts.onControl(control);
    } catch (err) {
      this.opts.onError(err, 'handler');
    }
  }

  /** Stops reading and disconnects. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      this.sleeper.interrupt();
      this.reader?.disconnect();
      await this.loop?.catch(() => undefined);
    })();
    return this.closing;
  }
}

/** What {@link controlErrorReporter} reports through. */
export interface ControlErrorSinks {
  metrics: Metrics;
  status: StatusReporter;
  logger: Logger;
}

/**
 * The usual `onError` of a {@link ControlReader}: Redis errors count as `redis`, a malformed or
 * failing instruction as `control` with a `CONTROL_ENTRY_REJECTED` status error and in
 * `fxcm_control_rejected_total{code}` (its registry code); all logged.
 */
export function controlErrorReporter({
  metrics,
  status,
  logger,
}: ControlErrorSinks): ControlReaderOptions['onError'] {
  const rejected = metrics.counter(
    'fxcm_control_rejected_total',
    'x:control entries not applied (malformed, of another kind, or refused), by code',
    ['code'],
  );
  return (err, where) => {
    metrics.errors.inc({ type: where === 'read' ? 'redis' : 'control' });
    if (where !== 'read') {
      rejected.inc({
        code: errorCodeOf((err as { code?: unknown })?.code, 'CONTROL_ENTRY_REJECTED'),
      });
      status.error('CONTROL_ENTRY_REJECTED', String((err as Error).message).slice(0, 160), {
        severity: 'warning',
      });
    }
    logger.warn('control entry not applied', { where, err });
  };
}

/**
 * The targets of a `set_universe` instruction (`args.targets`, either spelling). Throws
 * `STREAM_TARGETS_INVALID` for a malformed list; the reader reports it as a handler error.
 */
export function universeOf(control: StreamControl): StreamTarget[] {
  const targets = (control.args as { targets?: unknown }).targets;
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new ContractError('STREAM_TARGETS_INVALID', 'set_universe: args.targets must be a list');
  }
  return parseStreamTargets(targets as StreamTargetSpelling[]);
}

/** A set of (symbol, tf) targets with O(1) membership. */
export class TargetSet {
  private readonly keys: Set<string>;
  readonly symbols: ReadonlySet<string>;

  constructor(readonly targets: readonly StreamTarget[]) {
    this.keys = new Set(targets.map((t) => `${t.symbol}|${t.tf}`));
    this.symbols = new Set(targets.map((t) => t.symbol));
  }

  has(symbol: string, tf: string): boolean {
    return this.keys.has(`${symbol}|${tf}`);
  }
}

import {
  HISTORY_PRIORITY_OTHER,
  HISTORY_QUEUE,
  keys,
  queuePrefix,
  reasonCode,
  type HistoryJob,
  type Timeframe,
} from '@fxcm/contracts';
import { watchQueueErrors } from '../telemetry/command-telemetry';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import type { StatusReporter } from '@fxcm/service-runtime';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ControlBus } from '../control-bus';
import {
  COMMAND_CODE_LIST,
  COMMAND_CODES,
  COMMAND_TYPES,
  type CommandCode,
  type CommandOutcome,
  type CommandTypeLabel,
} from './command-codes';
import type {
  CommandDecision,
  CommandInterpreter,
  ControlRequest,
  RepublishRequest,
} from './command-rules';

/** Options of {@link CommandListener}. */
export interface CommandListenerOptions {
  /** A connection of its own: it enters subscriber mode. The listener closes it. */
  subscriber: Redis;
  /** A connection for the BullMQ queue (`maxRetriesPerRequest: null`). The listener closes it. */
  queueConnection: Redis;
  namespace: string;
  channel: string;
  interpreter: CommandInterpreter;
  /** Where universe changes and republish requests go (`{ns}:x:control`). */
  control: ControlBus;
  logger: Logger;
  metrics: Metrics;
  status: StatusReporter;
  /**
   * How long a warmup waits for its history jobs before republishing from the store anyway, ms
   * (the store then has what it has; the outcome says so).
   */
  historyWaitMs?: number;
  /** BullMQ priority of a history job (1 first); priority targets go before the others. */
  jobPriority?: (job: HistoryJob) => number;
  now?: () => number;
}

/** `last_command` of the status: the V2 block, with the code of the closed set. */
export interface LastCommand {
  cmd: CommandTypeLabel;
  req_id: string | null;
  state: 'ok' | 'error';
  result: CommandOutcome;
  code: CommandCode;
  started_ts: number;
  finished_ts: number;
  detail?: string;
  jobs?: { symbol: string; from: number; to: number }[];
  republish?: RepublishRequest[];
  controls?: ControlRequest[];
}

/** {@link CommandListener.snapshot}: what the heartbeat and status show of the command channel. */
export interface CommandSnapshot {
  last_command: LastCommand | null;
  /** Messages seen since start, by code (every code present, zeros included). */
  counts: Record<CommandCode, number>;
  /** Warmups waiting for their history before republishing. */
  pending_republish: number;
}

/**
 * Listens on `fxcm:commands`. Every message ends in exactly one code of the closed set
 * (command-codes.ts): counted in `fxcm_commands_total{type,result}` (the V1 metric, type
 * bounded to known names or `unknown`) and `fxcm_command_outcomes_total{code}`, logged, and
 * kept as `last_command`. Accepted commands become history jobs on the BullMQ queue, universe
 * changes and republish requests on `{ns}:x:control`.
 */
export class CommandListener {
  private readonly queue: Queue;
  private readonly commands;
  private readonly outcomes;
  private readonly counts = Object.fromEntries(COMMAND_CODE_LIST.map((c) => [c, 0])) as Record<
    CommandCode,
    number
  >;
  private last: LastCommand | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly pending = new Set<Promise<void>>();
  private closing: Promise<void> | undefined;
  private stopped = false;
  private readonly onMessage = (_channel: string, text: string): void => {
    // One failed command must not stall the ones behind it: a rejected link would skip them all.
    this.chain = this.chain
      .then(() => this.handle(text))
      .catch((err: unknown) => {
        this.opts.metrics.errors.inc({ type: 'command' });
        this.opts.status.error('COMMAND_COMMAND_ERROR', String((err as Error)?.message ?? err), {
          severity: 'critical',
        });
        this.opts.logger.error('command handling failed', { err });
      });
  };

  constructor(private readonly opts: CommandListenerOptions) {
    this.queue = new Queue(HISTORY_QUEUE, {
      connection: opts.queueConnection,
      prefix: queuePrefix(opts.namespace),
    });
    watchQueueErrors(this.queue, opts);
    this.commands = opts.metrics.counter(
      'fxcm_commands_total',
      'Commands from SMC, by type (known names or "unknown") and result',
      ['type', 'result'],
    );
    this.outcomes = opts.metrics.counter(
      'fxcm_command_outcomes_total',
      'Commands from SMC by outcome code (docs/commands.md)',
      ['code'],
    );
    // Every series exists from the start: the page's size does not depend on the input.
    for (const code of COMMAND_CODE_LIST) this.outcomes.inc({ code }, 0);
    for (const type of [...COMMAND_TYPES, 'unknown'])
      for (const result of ['accepted', 'ignored', 'rejected', 'error'])
        this.commands.inc({ type, result }, 0);
  }

  async start(): Promise<void> {
    this.opts.subscriber.on('message', this.onMessage);
    await this.opts.subscriber.subscribe(this.opts.channel);
  }

  /** The command channel's state, for the status and heartbeat. */
  snapshot(): CommandSnapshot {
    return {
      last_command: this.last,
      counts: { ...this.counts },
      pending_republish: this.pending.size,
    };
  }

  /** Handles one raw command; resolves with what was decided. Never rejects. */
  async handle(text: string): Promise<CommandDecision> {
    const now = (this.opts.now ?? Date.now)();
    let decision = this.opts.interpreter.interpret(text, now);
    if (decision.result === 'accepted') decision = await this.act(decision, now);
    this.record(decision, now);
    return decision;
  }

  /**
   * The warmup on start of one target, through the path of an `fxcm_warmup` (history job on the
   * queue, then the republish from the store). Not a command from SMC: it is not counted as
   * one and does not become `last_command`. Never rejects.
   */
  async warmupOnStart(symbol: string, tf: Timeframe, bars: number): Promise<CommandDecision> {
    const now = (this.opts.now ?? Date.now)();
    let decision: CommandDecision;
    try {
      decision = this.opts.interpreter.startWarmup(symbol, tf, bars, now);
    } catch (err) {
      const detail = `warmup on start failed: ${String(err)}`.slice(0, 160);
      return { result: 'error', type: 'fxcm_warmup', code: 'command_error', detail };
    }
    return decision.result === 'accepted' ? this.act(decision, now) : decision;
  }

  /** The interpretation rules in force (the warmup on start asks them for its spans). */
  get interpreter(): CommandInterpreter {
    return this.opts.interpreter;
  }

  /** Spends the nonce, enqueues the jobs, sends the control entries. */
  private async act(
    decision: Extract<CommandDecision, { result: 'accepted' }>,
    now: number,
  ): Promise<CommandDecision> {
    try {
      if (decision.replay) {
        // V2 anti-replay: a nonce is good once within the skew window.
        const { kid, nonce } = decision.replay;
        const fresh = await this.opts.queueConnection.set(
          keys(this.opts.namespace).commandReplay(kid, nonce),
          '1',
          'PX',
          300_000,
          'NX',
        );
        if (fresh !== 'OK') {
          return {
            result: 'rejected',
            type: decision.type,
            code: 'replay_rejected',
            detail: `the nonce of key ${JSON.stringify(kid)} was already used`,
          };
        }
      }
      for (const { job, jobId } of decision.jobs) {
        await this.queue.add(decision.type, job, {
          jobId,
          priority: this.opts.jobPriority?.(job) ?? HISTORY_PRIORITY_OTHER,
          attempts: 5,
          backoff: { type: 'exponential', delay: 30_000 },
          removeOnComplete: 1_000,
          removeOnFail: 1_000,
        });
      }
      if (decision.universe) {
        await this.opts.control.send(
          'set_universe',
          '*',
          { targets: decision.universe.map((t) => ({ symbol: t.symbol, tf: t.tf })) },
          decision.reqId,
          now,
        );
      }
      if (decision.republish.length > 0 || (decision.controls?.length ?? 0) > 0) {
        this.republishAfter(decision);
      }
      return decision;
    } catch (err) {
      this.opts.metrics.errors.inc({ type: 'redis' });
      return {
        result: 'error',
        type: decision.type,
        code: 'enqueue_failed',
        detail: String((err as Error).message).slice(0, 160),
      };
    }
  }

  /**
   * Waits (bounded) for the command's history jobs, then asks the bar builder to republish,
   * then sends the command's other instructions (a bootstrap's tail guard comes last).
   */
  private republishAfter(decision: Extract<CommandDecision, { result: 'accepted' }>): void {
    const work = (async () => {
      const waited = await this.waitForJobs(decision.jobs.map((j) => j.jobId));
      if (this.stopped) return;
      for (const r of decision.republish) {
        await this.opts.control.send(
          'republish',
          'bar-builder',
          { symbol: r.symbol, tf: r.tf, bars: r.bars, source: 'history_s3' },
          decision.reqId,
          (this.opts.now ?? Date.now)(),
        );
      }
      for (const c of decision.controls ?? []) {
        await this.opts.control.send(
          c.cmd,
          c.target,
          c.args,
          decision.reqId,
          (this.opts.now ?? Date.now)(),
        );
      }
      this.opts.logger.info('republish requested', {
        req_id: decision.reqId,
        history: waited,
        republish: decision.republish,
      });
    })().catch((err: unknown) => {
      this.opts.metrics.errors.inc({ type: 'redis' });
      this.opts.status.error('COMMAND_REPUBLISH_FAILED', String((err as Error).message), {
        severity: 'warning',
      });
      this.opts.logger.warn('republish request failed', { req_id: decision.reqId, err });
    });
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private async waitForJobs(ids: string[]): Promise<'done' | 'timeout' | 'failed'> {
    const deadline = Date.now() + (this.opts.historyWaitMs ?? 60_000);
    let failed = false;
    for (const id of ids) {
      for (;;) {
        if (this.stopped) return 'timeout';
        const state = await this.queue.getJobState(id);
        if (state === 'completed' || state === 'unknown') break;
        if (state === 'failed') {
          failed = true;
          break;
        }
        if (Date.now() > deadline) return 'timeout';
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    return failed ? 'failed' : 'done';
  }

  private record(decision: CommandDecision, now: number): void {
    const { type, code } = decision;
    const result = decision.result;
    this.counts[code] += 1;
    this.outcomes.inc({ code });
    this.commands.inc({ type, result });
    const accepted = decision.result === 'accepted';
    this.last = {
      cmd: type,
      req_id: accepted ? decision.reqId : null,
      state: result === 'error' ? 'error' : 'ok',
      result,
      code,
      started_ts: now,
      finished_ts: (this.opts.now ?? Date.now)(),
      ...(accepted
        ? {
            jobs: decision.jobs.map(({ job }) => ({
              symbol: job.symbol,
              from: job.from,
              to: job.to,
            })),
            republish: decision.republish,
            ...(decision.controls ? { controls: decision.controls } : {}),
          }
        : { detail: decision.detail.slice(0, 160) }),
    };
    if (!accepted) {
      const severity = result === 'error' ? 'critical' : 'warning';
      if (result !== 'ignored') this.opts.metrics.errors.inc({ type: 'command' });
      this.opts.status.error(reasonCode('COMMAND', code), decision.detail.slice(0, 160), {
        severity,
      });
    }
    this.opts.status.setDetail({ last_command: this.last });
    const level = result === 'error' ? 'error' : result === 'accepted' ? 'info' : 'warn';
    this.opts.logger[level]('command', { ...this.last });
    if (COMMAND_CODES[code].outcome !== result) {
      // The code table and the decision disagree: a defect in this package, shown loudly.
      this.opts.logger.error('command outcome does not match its code', { code, result });
    }
  }

  /** Stops listening, finishes the command in hand, closes the queue. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.opts.subscriber.off('message', this.onMessage);
      await this.opts.subscriber.unsubscribe().catch(() => undefined);
      await this.chain;
      this.stopped = true;
      await Promise.all(this.pending);
      await this.queue.close();
      await Promise.all([this.opts.subscriber.quit(), this.opts.queueConnection.quit()]);
    })();
    return this.closing;
  }
}

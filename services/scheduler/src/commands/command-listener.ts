import { HISTORY_QUEUE, keys, queuePrefix, reasonCode } from '@fxcm/contracts';
import { commandTypeLabel, watchQueueErrors } from '../telemetry/command-telemetry';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import type { StatusReporter } from '@fxcm/service-runtime';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CommandDecision, CommandInterpreter } from './command-rules';

/** Options of {@link CommandListener}. */
export interface CommandListenerOptions {
  /** A connection of its own: it enters subscriber mode. The listener closes it. */
  subscriber: Redis;
  /** A connection for the BullMQ queue (`maxRetriesPerRequest: null`). The listener closes it. */
  queueConnection: Redis;
  namespace: string;
  channel: string;
  interpreter: CommandInterpreter;
  logger: Logger;
  metrics: Metrics;
  status: StatusReporter;
  now?: () => number;
}

/**
 * Listens on `fxcm:commands` and turns accepted V1 commands into history jobs on the BullMQ
 * queue the gateway works off. V1 had no reply channel, and neither has this: every command's
 * outcome is a `fxcm_commands_total{type,result}` count (the V1 metric), a log line and the
 * `last_command` of the scheduler's status record; rejections are also status errors.
 */
export class CommandListener {
  private readonly queue: Queue;
  private readonly commands;
  private chain: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly onMessage = (_channel: string, text: string): void => {
    this.chain = this.chain.then(() => this.handle(text));
  };

  constructor(private readonly opts: CommandListenerOptions) {
    this.queue = new Queue(HISTORY_QUEUE, {
      connection: opts.queueConnection,
      prefix: queuePrefix(opts.namespace),
    });
    watchQueueErrors(this.queue, opts);
    this.commands = opts.metrics.counter(
      'fxcm_commands_total',
      'Commands from SMC, by type and result',
      ['type', 'result'],
    );
  }

  async start(): Promise<void> {
    this.opts.subscriber.on('message', this.onMessage);
    await this.opts.subscriber.subscribe(this.opts.channel);
  }

  /** Handles one raw command; resolves with what was decided (the jobs enqueued when accepted). */
  async handle(text: string): Promise<CommandDecision> {
    const now = (this.opts.now ?? Date.now)();
    let decision = this.opts.interpreter.interpret(text, now);
    if (decision.result === 'accepted' && decision.replay) {
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
        decision = {
          result: 'rejected',
          type: decision.type,
          reason: 'replay_rejected',
          detail: `nonce ${nonce} of key ${kid} was already used`,
        };
      }
    }
    let result: string = decision.result;
    if (decision.result === 'accepted') {
      try {
        for (const { job, jobId } of decision.jobs) {
          await this.queue.add(decision.type, job, {
            jobId,
            attempts: 5,
            backoff: { type: 'exponential', delay: 30_000 },
            removeOnComplete: 1_000,
            removeOnFail: 1_000,
          });
        }
      } catch (err) {
        result = 'error';
        this.opts.metrics.errors.inc({ type: 'redis' });
        this.opts.status.error('COMMAND_ENQUEUE_FAILED', String((err as Error).message));
      }
    } else if (decision.result === 'rejected') {
      this.opts.metrics.errors.inc({ type: 'command' });
      this.opts.status.error(reasonCode('COMMAND', decision.reason), decision.detail, {
        severity: 'warning',
      });
    }
    this.commands.inc({ type: commandTypeLabel(decision.type), result });
    const summary =
      decision.result === 'accepted'
        ? {
            jobs: decision.jobs.map(({ job }) => ({
              symbol: job.symbol,
              from: job.from,
              to: job.to,
            })),
          }
        : { reason: decision.reason, detail: decision.detail };
    this.opts.status.setDetail({
      last_command: { type: decision.type, result, ts: now, ...summary },
    });
    this.opts.status.report();
    this.opts.logger[decision.result === 'rejected' ? 'warn' : 'info']('command', {
      type: decision.type,
      result,
      ...summary,
    });
    return decision;
  }

  /** Stops listening, finishes the command in hand, closes the queue. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.opts.subscriber.off('message', this.onMessage);
      await this.opts.subscriber.unsubscribe().catch(() => undefined);
      await this.chain;
      await this.queue.close();
      await Promise.all([this.opts.subscriber.quit(), this.opts.queueConnection.quit()]);
    })();
    return this.closing;
  }
}

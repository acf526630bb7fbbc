import type { Logger } from '@fxcm/logging';
import type { ActiveUniverse } from '../active-universe';
import type { ControlBus } from '../control-bus';

/** Options of {@link TailGuardSchedule}. */
export interface TailGuardScheduleOptions {
  control: ControlBus;
  universe: ActiveUniverse;
  /** First run this long after start, ms. */
  startDelayMs: number;
  /** Then every this many ms; 0 = once. */
  intervalMs: number;
  windowHours: number;
  repair: boolean;
  logger: Logger;
  /** A send that failed (Redis away): counted, the next run tries again. */
  onError: (err: unknown) => void;
}

/**
 * The tail guard on start and on a schedule: a `tail_guard` instruction for every active symbol
 * to the bar builders (which own the store), as an `fxcm_tail_guard` command would send it.
 * Their findings come back in their status records (the snapshot's `tail_guard` block).
 */
export class TailGuardSchedule {
  private timer: NodeJS.Timeout | undefined;
  private runs = 0;

  constructor(private readonly opts: TailGuardScheduleOptions) {}

  start(): void {
    const loop = (delay: number): void => {
      this.timer = setTimeout(() => {
        void this.runOnce().finally(() => {
          if (this.opts.intervalMs > 0 && this.timer) loop(this.opts.intervalMs);
        });
      }, delay);
      this.timer.unref?.();
    };
    loop(this.opts.startDelayMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends one run's instruction; resolves with its request id (undefined when it failed). */
  async runOnce(now = Date.now()): Promise<string | undefined> {
    this.runs++;
    const reqId = `tail_guard_schedule:${this.runs}:${now}`;
    const args = {
      symbols: this.opts.universe.symbols(),
      window_hours: this.opts.windowHours,
      repair: this.opts.repair,
      republish: true,
    };
    try {
      await this.opts.control.send('tail_guard', 'bar-builder', args, reqId, now);
      this.opts.logger.info('scheduled tail guard', { req_id: reqId, ...args });
      return reqId;
    } catch (err) {
      this.opts.onError(err);
      return undefined;
    }
  }
}

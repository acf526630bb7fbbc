import type { FeedState, TickSink } from '../providers/provider';
import type { Clock } from './clock';
import {
  ConnectionMachine,
  type ConnectionAction,
  type ConnectionEvent,
  type ConnectionState,
} from './connection-machine';

/** What a live provider's session does for the driver; errors are coded (`code`). */
export interface LiveSession {
  /** Opens the connection and logs in; rejects with `code` FXCM_AUTH_FAILED on bad credentials. */
  connect(): Promise<void>;
  /** Subscribes every symbol (once per connection). */
  subscribe(): Promise<void>;
  /** Re-subscribes on the same connection (stale feed). */
  resubscribe(): Promise<void>;
  /** Closes the connection and drops its listeners; idempotent. */
  disconnect(): Promise<void>;
}

/** Options of {@link ConnectionDriver}. */
export interface ConnectionDriverOptions {
  machine: ConnectionMachine;
  session: LiveSession;
  sink: TickSink;
  clock: Clock;
  /** Minutes missed while down, `[fromMs, toMs)`; the gateway asks history for them. */
  onBackfill?: (fromMs: number, toMs: number) => void;
}

const REPORTED: Partial<Record<ConnectionState, FeedState>> = {
  connecting: 'connecting',
  logged_in: 'logged_in',
  subscribed: 'subscribed',
  streaming: 'streaming',
  stale: 'stale',
  resubscribing: 'resubscribing',
  reconnecting: 'reconnecting',
  sleeping: 'sleeping',
  error: 'error',
  stopped: 'finished',
};

function errorParts(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; message?: unknown };
  return {
    code: typeof e?.code === 'string' ? e.code : 'FXCM_NETWORK',
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}

/**
 * Runs a {@link ConnectionMachine} against a {@link LiveSession}: feeds it events, carries out its
 * actions one at a time (so a reconnect can never overlap a subscribe), and reports every
 * transition through `sink.state`.
 */
export class ConnectionDriver {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ConnectionDriverOptions) {}

  get state(): ConnectionState {
    return this.opts.machine.state;
  }

  /** True while the feed should be considered up (watermarks `alive`). */
  get alive(): boolean {
    const s = this.opts.machine.state;
    return s === 'streaming' || s === 'subscribed' || s === 'sleeping';
  }

  /** Hands an event to the machine and queues its actions. */
  send(event: ConnectionEvent): void {
    const step = this.opts.machine.handle(event);
    for (const t of step.transitions) {
      const state = REPORTED[t.to];
      if (!state) continue;
      this.opts.sink.state(state, {
        message: t.reason,
        ...(t.code ? { code: t.code } : {}),
        ...(t.nextAttemptAt !== undefined ? { next_attempt_at: t.nextAttemptAt } : {}),
      });
    }
    for (const action of step.actions) {
      this.chain = this.chain.then(() => this.run(action));
    }
  }

  /** Waits for the queued actions (tests and shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  private async run(action: ConnectionAction): Promise<void> {
    const { session } = this.opts;
    switch (action.kind) {
      case 'connect':
        try {
          await session.connect();
          this.send({ type: 'logged_in' });
        } catch (err) {
          const { code, message } = errorParts(err);
          await session.disconnect().catch(() => undefined);
          this.send({ type: 'connect_failed', code, message, auth: code === 'FXCM_AUTH_FAILED' });
        }
        return;
      case 'subscribe':
      case 'resubscribe':
        try {
          await (action.kind === 'subscribe' ? session.subscribe() : session.resubscribe());
          this.send({ type: 'subscribed' });
        } catch (err) {
          const { code, message } = errorParts(err);
          this.send({ type: 'connect_failed', code, message, auth: code === 'FXCM_AUTH_FAILED' });
        }
        return;
      case 'disconnect':
        await session.disconnect().catch(() => undefined);
        return;
      case 'backfill':
        this.opts.onBackfill?.(action.fromMs, action.toMs);
        return;
      case 'unobserved':
        await this.opts.sink.unobserved?.(action.fromMs, action.toMs);
        return;
    }
  }
}

/** Options of {@link runLiveLoop}. */
export interface LiveLoopOptions {
  driver: ConnectionDriver;
  sink: TickSink;
  clock: Clock;
  /** Loop period, ms of the clock (100: the design's watermark cadence). */
  stepMs: number;
  /** Watermark = now − graceMs: how late a live quote may arrive and still count. */
  graceMs: number;
  /** Called on every step, with the step's time (the simulator emits its ticks here). */
  onPulse?: (now: number) => Promise<void>;
  stopped: () => boolean;
}

/**
 * How long the live loop sleeps: one step, or less when the end of the minute the last
 * watermark is in, plus grace, comes first — no wait at all when that moment has passed (a
 * pulse ran long) — so the watermark that closes a minute is written the moment it may be (not
 * up to a step later): a final bar's latency is then grace plus the pipeline, not plus a step.
 */
export function untilNextPulse(
  now: number,
  stepMs: number,
  graceMs: number,
  lastWatermark: number,
): number {
  const last = Number.isFinite(lastWatermark) ? lastWatermark : now - graceMs;
  const closes = Math.floor(last / 60_000) * 60_000 + 60_000 + graceMs;
  return Math.max(0, Math.min(stepMs, closes - now));
}

/**
 * Sleeps until `wakeAt` on the clock. A Node timer can fire a few ms early by the wall clock (it
 * counts from the start of the event-loop turn that set it, and a pulse's work sits in that
 * turn): woken before a minute's close, the loop would write a watermark just short of it and
 * close the minute a whole step late. So an early wake sleeps the rest (at most twice more).
 */
async function sleepUntil(clock: Clock, wakeAt: number): Promise<void> {
  await clock.sleep(Math.max(0, wakeAt - clock.now()));
  for (let tries = 0; tries < 2 && clock.now() < wakeAt; tries += 1) {
    await clock.sleep(wakeAt - clock.now());
  }
}

/**
 * The heartbeat of a live provider: every `stepMs` it lets the provider pulse, gives the machine
 * a `timer` event, and writes a watermark `now − graceMs` (feed `dead` while disconnected) —
 * before the pulse when the quotes already emitted allow it, else after. Once `stopped()`, it
 * stops the machine and resolves when the driver is idle.
 */
export async function runLiveLoop(opts: LiveLoopOptions): Promise<void> {
  let lastWatermark = -Infinity;
  /** Time up to which the provider's pulses have emitted their quotes. */
  let emittedUpTo = -Infinity;
  const watermark = async (wm: number): Promise<void> => {
    if (wm <= lastWatermark) return;
    lastWatermark = wm;
    await opts.sink.watermark(wm, opts.driver.alive ? 'alive' : 'dead');
  };
  while (!opts.stopped()) {
    const now = opts.clock.now();
    // First the watermark as far as the quotes already out allow: queued ahead of this pulse's
    // quotes, the one that closes a minute does not wait behind a pulse's worth of ticks.
    await watermark(Math.floor(Math.min(now - opts.graceMs, emittedUpTo)));
    if (opts.onPulse) await opts.onPulse(now);
    emittedUpTo = now;
    opts.driver.send({ type: 'timer' });
    await watermark(Math.floor(now - opts.graceMs));
    const done = opts.clock.now();
    await sleepUntil(
      opts.clock,
      done + untilNextPulse(done, opts.stepMs, opts.graceMs, lastWatermark),
    );
  }
  // Stopped: the machine leaves its state and the driver finishes what it was doing.
  opts.driver.send({ type: 'stop' });
  await opts.driver.idle();
}

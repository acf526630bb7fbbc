import {
  backoffDelay,
  ConnectionMachine,
  DEFAULT_CONNECTION_POLICY,
  type ConnectionEvent,
  type Step,
} from '../src/connection/connection-machine';

const T0 = Date.UTC(2026, 10, 18, 10, 0); // a Wednesday, market open

function harness(closed: Array<[number, number]> = []) {
  let now = T0;
  const isOpen = (ts: number): boolean => !closed.some(([a, b]) => ts >= a && ts < b);
  const machine = new ConnectionMachine({
    now: () => now,
    random: () => 0.5, // no jitter: delays are exactly the exponential
    isOpen,
    nextOpen: (ts) => closed.find(([a, b]) => ts >= a && ts < b)?.[1] ?? ts,
  });
  return {
    machine,
    at(ms: number) {
      now = ms;
    },
    advance(ms: number) {
      now += ms;
    },
    get now() {
      return now;
    },
    send(event: ConnectionEvent): Step {
      return machine.handle(event);
    },
  };
}

const kinds = (step: Step): string[] => step.actions.map((a) => a.kind);
const states = (step: Step): string[] => step.transitions.map((t) => t.to);

function bringUp(h: ReturnType<typeof harness>): void {
  expect(kinds(h.send({ type: 'start' }))).toEqual(['connect']);
  expect(kinds(h.send({ type: 'logged_in' }))).toEqual(['subscribe']);
  expect(states(h.send({ type: 'subscribed' }))).toEqual(['subscribed']);
  expect(states(h.send({ type: 'tick', ts: h.now }))).toEqual(['streaming']);
}

describe('ConnectionMachine', () => {
  it('walks connecting → logged_in → subscribed → streaming', () => {
    const h = harness();
    bringUp(h);
    expect(h.machine.state).toBe('streaming');
  });

  it('backs off exponentially with a cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((n) =>
      backoffDelay(n, DEFAULT_CONNECTION_POLICY, () => 0.5),
    );
    expect(delays).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(backoffDelay(1, DEFAULT_CONNECTION_POLICY, () => 0)).toBe(1_400);
    expect(backoffDelay(1, DEFAULT_CONNECTION_POLICY, () => 1)).toBe(2_600);
  });

  it('goes stale, resubscribes once, then reconnects', () => {
    const h = harness();
    bringUp(h);
    h.advance(29_000);
    expect(h.send({ type: 'timer' }).transitions).toEqual([]);
    h.advance(1_000);
    const stale = h.send({ type: 'timer' });
    expect(states(stale)).toEqual(['stale', 'resubscribing']);
    expect(kinds(stale)).toEqual(['unobserved', 'resubscribe']);
    h.advance(30_000);
    const reconnect = h.send({ type: 'timer' });
    expect(states(reconnect)).toEqual(['reconnecting']);
    expect(kinds(reconnect)).toEqual(['disconnect']);
    expect(reconnect.transitions[0]!.nextAttemptAt).toBe(h.now + 2_000);
  });

  it('reconnects after a drop and asks for the missed minutes', () => {
    const h = harness();
    bringUp(h);
    const lastTick = T0 + 10_500;
    h.at(lastTick);
    h.send({ type: 'tick', ts: lastTick });
    h.advance(1_000);
    expect(states(h.send({ type: 'disconnected', reason: 'transport close' }))).toEqual([
      'reconnecting',
    ]);
    // A second report of the same drop does not stack another attempt.
    expect(h.send({ type: 'disconnected', reason: 'again' }).transitions).toEqual([]);
    h.advance(1_999);
    expect(kinds(h.send({ type: 'timer' }))).toEqual([]);
    h.advance(1);
    expect(kinds(h.send({ type: 'timer' }))).toEqual(['connect']);
    // The connect fails: the next delay doubles.
    const failed = h.send({
      type: 'connect_failed',
      code: 'FXCM_NETWORK',
      message: 'ECONNREFUSED',
      auth: false,
    });
    expect(failed.transitions[0]!.nextAttemptAt).toBe(h.now + 4_000);
    h.advance(4_000);
    expect(kinds(h.send({ type: 'timer' }))).toEqual(['connect']);
    h.send({ type: 'logged_in' });
    h.send({ type: 'subscribed' });
    h.at(T0 + 5 * 60_000 + 7_000);
    const back = h.send({ type: 'tick', ts: h.now });
    expect(states(back)).toEqual(['streaming']);
    // Last tick at 10:00:10.5 ⇒ 10:01 .. 10:04 are missing and 10:00 and 10:05 seen only in
    // part: history for all six.
    expect(back.actions).toEqual([{ kind: 'backfill', fromMs: T0, toMs: T0 + 6 * 60_000 }]);
    expect(h.machine.failures).toBe(0);
  });

  it('sleeps until the next open when the calendar is closed, without retrying meanwhile', () => {
    const open = T0 + 3_600_000;
    const h = harness([[T0 - 3_600_000, open]]);
    const start = h.send({ type: 'start' });
    expect(states(start)).toEqual(['sleeping']);
    // Wakes at the next open, or after maxSleepMs (30 min) to look at the calendar again.
    expect(start.transitions[0]!.nextAttemptAt).toBe(T0 + 30 * 60_000);
    for (let i = 0; i < 59; i += 1) {
      h.advance(60_000);
      expect(h.send({ type: 'timer' }).actions).toEqual([]);
    }
    h.at(open);
    expect(kinds(h.send({ type: 'timer' }))).toEqual(['connect']);
  });

  it('disconnects and sleeps when the market closes while streaming; no backfill of the closure', () => {
    const close = T0 + 60_000;
    const reopen = T0 + 2 * 3_600_000;
    const h = harness([[close, reopen]]);
    bringUp(h);
    h.at(close);
    const sleep = h.send({ type: 'timer' });
    expect(states(sleep)).toEqual(['sleeping']);
    expect(kinds(sleep)).toEqual(['disconnect']);
    h.at(reopen);
    expect(kinds(h.send({ type: 'timer' }))).toEqual(['connect']);
    h.send({ type: 'logged_in' });
    h.send({ type: 'subscribed' });
    expect(h.send({ type: 'tick', ts: reopen + 5_000 }).actions).toEqual([]);
  });

  it('bad credentials: error fxcm_auth_failed, slow retry', () => {
    const h = harness();
    h.send({ type: 'start' });
    const err = h.send({
      type: 'connect_failed',
      code: 'FXCM_AUTH_FAILED',
      message: 'token rejected',
      auth: true,
    });
    expect(err.transitions).toEqual([
      {
        from: 'connecting',
        to: 'error',
        reason: 'token rejected',
        code: 'fxcm_auth_failed',
        nextAttemptAt: T0 + 300_000,
      },
    ]);
    h.advance(299_999);
    expect(kinds(h.send({ type: 'timer' }))).toEqual([]);
    h.advance(1);
    expect(kinds(h.send({ type: 'timer' }))).toEqual(['connect']);
  });

  it('stop is final', () => {
    const h = harness();
    bringUp(h);
    expect(kinds(h.send({ type: 'stop' }))).toEqual(['disconnect']);
    expect(h.send({ type: 'start' }).actions).toEqual([]);
    expect(h.machine.state).toBe('stopped');
  });
});

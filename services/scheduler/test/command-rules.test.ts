import { createHmac } from 'node:crypto';
import { defaultCalendarBook } from '@fxcm/calendar';
import { parseStreamTargets } from '@fxcm/contracts';
import { ActiveUniverse } from '../src/active-universe';
import {
  CommandInterpreter,
  DEFAULT_COMMAND_RULES,
  type CommandDecision,
} from '../src/commands/command-rules';

const NOW = Date.UTC(2025, 11, 10, 15, 0, 30);
const END = Date.UTC(2025, 11, 10, 14, 58); // two minutes before now, on a minute
// A fresh universe per interpreter: fxcm_set_universe may change it.
const universe = (dynamic = false): ActiveUniverse =>
  new ActiveUniverse(
    parseStreamTargets('XAU/USD:m1,XAU/USD:m5,XAU/USD:m15,EUR/USD:m1'),
    dynamic,
    20,
  );
const book = defaultCalendarBook();
const rules = {
  ...DEFAULT_COMMAND_RULES,
  universe: universe(),
  calendarFor: (symbol: string) => book.calendarFor(symbol),
};
const cmd = (body: object): string => JSON.stringify(body);
const spans = (d: CommandDecision): [string, number][] =>
  d.result === 'accepted'
    ? d.jobs.map(({ job }) => [job.symbol, (job.to - job.from) / 60_000])
    : [];

describe('CommandInterpreter: V1 commands', () => {
  it('turns a warmup into a history job over its depth in open minutes of its tf', () => {
    const d = new CommandInterpreter(rules).interpret(
      cmd({
        type: 'fxcm_warmup',
        symbol: 'XAU/USD',
        tf: 'm5',
        min_history_bars: 300,
        reason: 'insufficient_history',
      }),
      NOW,
    );
    // 1,500 open minutes back from Wednesday 14:58Z: 25 h, plus Tuesday's metals break
    // 22:00–23:01Z (61 minutes) that the window spans.
    const from = END - (300 * 5 + 61) * 60_000;
    expect(d).toEqual({
      result: 'accepted',
      code: 'ok',
      type: 'fxcm_warmup',
      reqId: `fxcm_warmup:XAUUSD:5m:${NOW}`,
      republish: [{ symbol: 'XAUUSD', tf: '5m', bars: 300 }],
      jobs: [
        {
          job: {
            symbol: 'XAUUSD',
            tf: '1m',
            target_tf: '5m',
            from,
            to: END,
            reason: 'fxcm_warmup',
            req_id: `fxcm_warmup:XAUUSD:5m:${NOW}`,
          },
          jobId: `fxcm_warmup-XAUUSD-5m-${from}-${END}`,
        },
      ],
    });
  });

  it('takes lookback_minutes as given for a warmup, and the default depth when none is named', () => {
    const i = new CommandInterpreter(rules);
    expect(
      spans(
        i.interpret(
          cmd({ type: 'fxcm_warmup', symbol: 'XAUUSD', tf: '1m', lookback_minutes: 300 }),
          NOW,
        ),
      ),
    ).toEqual([['XAUUSD', 300]]);
    expect(
      spans(i.interpret(cmd({ type: 'fxcm_warmup', symbol: 'EURUSD', tf: '1m' }), NOW)),
    ).toEqual([['EURUSD', 1_600]]);
  });

  it("reaches back over a weekend: the last N bars of a warmup on Saturday are Friday's", () => {
    const saturday = Date.UTC(2025, 11, 13, 12, 0, 30);
    const d = new CommandInterpreter(rules).interpret(
      cmd({ type: 'fxcm_warmup', symbol: 'EURUSD', tf: '1m', min_history_bars: 20 }),
      saturday,
    );
    expect(d.result).toBe('accepted');
    const job = d.result === 'accepted' ? d.jobs[0]!.job : undefined;
    // FX closes Friday 17:00 New York = 22:00Z in December: the last 20 minutes start 21:40Z
    expect(job).toMatchObject({
      from: Date.UTC(2025, 11, 12, 21, 40),
      to: Date.UTC(2025, 11, 13, 11, 58),
    });
  });

  it.each([
    [undefined, 60],
    [3, 10],
    [120, 120],
    [10_000, 360],
  ])('clamps a backfill lookback of %p minutes to %i', (lookback, minutes) => {
    const d = new CommandInterpreter(rules).interpret(
      cmd({
        type: 'fxcm_backfill',
        symbol: 'XAUUSD',
        tf: '15m',
        ...(lookback ? { lookback_minutes: lookback } : {}),
      }),
      NOW,
    );
    expect(spans(d)).toEqual([['XAUUSD', minutes]]);
  });

  it('ignores other symbols, repeats within 2 s, and the universe command while it is off', () => {
    const i = new CommandInterpreter(rules);
    const warm = cmd({ type: 'fxcm_warmup', symbol: 'XAUUSD', tf: '1m' });
    expect(
      i.interpret(cmd({ type: 'fxcm_warmup', symbol: 'GBPUSD', tf: '1m' }), NOW),
    ).toMatchObject({ result: 'ignored', code: 'symbol_not_targeted' });
    expect(i.interpret(warm, NOW)).toMatchObject({ result: 'accepted' });
    expect(i.interpret(warm, NOW + 1_999)).toMatchObject({
      result: 'ignored',
      code: 'rate_limited',
    });
    expect(i.interpret(warm, NOW + 2_000)).toMatchObject({ result: 'accepted' });
    expect(
      i.interpret(
        cmd({ type: 'fxcm_set_universe', targets: [{ symbol: 'XAUUSD', tf: '1m' }] }),
        NOW,
      ),
    ).toMatchObject({
      result: 'ignored',
      code: 'dynamic_universe_disabled',
    });
  });

  it('plans the warmup on start of a target as the fxcm_warmup of N bars, marked as such', () => {
    const i = new CommandInterpreter(rules);
    const d = i.startWarmup('XAUUSD', '5m', 300, NOW);
    const asCommand = new CommandInterpreter(rules).interpret(
      cmd({ type: 'fxcm_warmup', symbol: 'XAUUSD', tf: '5m', min_history_bars: 300 }),
      NOW,
    );
    if (d.result !== 'accepted' || asCommand.result !== 'accepted') throw new Error('refused');
    const reqId = `warmup_on_start:XAUUSD:5m:${NOW}`;
    expect(d).toEqual({
      ...asCommand,
      reqId,
      jobs: asCommand.jobs.map(({ job, jobId }) => ({
        job: { ...job, reason: 'warmup_on_start', req_id: reqId },
        jobId: `warmup_on_start-${jobId}`,
      })),
    });
    expect(i.warmupWindow('XAUUSD', '5m', 300, NOW)).toEqual({
      from: asCommand.jobs[0]!.job.from,
      to: END,
    });
    // an SMC warmup of the same target right after it is a repeat, as between two commands
    expect(
      i.interpret(cmd({ type: 'fxcm_warmup', symbol: 'XAUUSD', tf: '5m' }), NOW + 1_000),
    ).toMatchObject({ result: 'ignored', code: 'rate_limited' });
    // only active targets (no HTF warmup on start for a tf that is not one)
    expect(i.startWarmup('XAUUSD', '1h', 300, NOW)).toMatchObject({
      result: 'ignored',
      code: 'tf_not_targeted',
    });
  });

  it.each([
    ['{not json', 'invalid_json'],
    ['[1,2]', 'invalid_json'],
    [cmd({ type: 'fxcm_reboot' }), 'unknown_command'],
    [cmd({ symbol: 'XAUUSD', tf: '1m' }), 'unknown_command'],
    [cmd({ type: 'fxcm_warmup', symbol: 'XAUUSD' }), 'contract_error'],
    [
      cmd({ type: 'fxcm_warmup', symbol: 'XAUUSD', tf: '1m', lookback_minutes: 'lots' }),
      'contract_error',
    ],
    [
      cmd({ type: 'fxcm_warmup', symbol: 'XAUUSD', tf: '1m', reason: 'x'.repeat(20_000) }),
      'command_payload_too_large',
    ],
  ])('rejects %s as %s, naming why', (text, reason) => {
    const d = new CommandInterpreter(rules).interpret(text, NOW);
    expect(d).toMatchObject({ result: 'rejected', code: reason });
    if (d.result !== 'accepted') expect(d.detail.length).toBeGreaterThan(10);
  });
});

describe('CommandInterpreter: the V2 authenticated envelope', () => {
  const SECRET = 'k3y';
  const authed = {
    ...rules,
    auth: { mode: 'required' as const, secrets: new Map([['smc', SECRET]]), maxSkewMs: 300_000 },
  };
  // What the Python sender signs: json.dumps({cmd, req_id, ts, args, kid, nonce}, sort_keys=True,
  // separators=(",", ":"), ensure_ascii=False) — written out by hand here.
  const canonical = `{"args":{"lookback_hours":2,"symbols":["XAUUSD","EURUSD"]},"cmd":"fxcm_warmup","kid":"smc","nonce":"n-1","req_id":"r-1","ts":${NOW}}`;
  const sig = createHmac('sha256', SECRET).update(canonical).digest('hex');
  const envelope = (
    patch: object = {},
    auth: object | null = { kid: 'smc', sig, nonce: 'n-1' },
  ): string =>
    cmd({
      ts: NOW,
      req_id: 'r-1',
      cmd: 'fxcm_warmup',
      args: { symbols: ['XAUUSD', 'EURUSD'], lookback_hours: 2 },
      ...(auth ? { auth } : {}),
      ...patch,
    });

  it('verifies the signature and plans one job per symbol, with the nonce to spend', () => {
    const d = new CommandInterpreter(authed).interpret(envelope(), NOW);
    expect(spans(d)).toEqual([
      ['XAUUSD', 120],
      ['EURUSD', 120],
    ]);
    expect(d).toMatchObject({ replay: { kid: 'smc', nonce: 'n-1' } });
  });

  it.each([
    [
      'a tampered argument',
      envelope({ args: { symbols: ['XAUUSD', 'EURUSD'], lookback_hours: 3 } }),
      'auth_failed',
    ],
    ['an unknown key id', envelope({}, { kid: 'other', sig, nonce: 'n-1' }), 'auth_failed'],
    ['no auth while required', envelope({}, null), 'auth_required'],
    ['a stale ts', envelope({ ts: NOW - 300_001 }), 'auth_ts_skew'],
  ])('refuses %s', (_what, text, reason) => {
    expect(new CommandInterpreter(authed).interpret(text, NOW)).toMatchObject({
      result: 'rejected',
      code: reason,
    });
  });

  it('names the V2 commands it does not run (checked after authentication)', () => {
    const open = { ...rules, auth: { ...rules.auth, mode: 'off' as const } };
    expect(
      new CommandInterpreter(open).interpret(envelope({ cmd: 'fxcm_reconcile_tail' }), NOW),
    ).toMatchObject({
      result: 'rejected',
      code: 'not_implemented',
    });
  });

  it('runs a V2 backfill over its explicit range, ending no later than two minutes ago', () => {
    const open = { ...rules, auth: { ...rules.auth, mode: 'off' as const } };
    const d = new CommandInterpreter(open).interpret(
      cmd({
        cmd: 'fxcm_backfill',
        req_id: 'r-2',
        ts: NOW,
        args: { symbol: 'XAU/USD', start_utc: '2025-12-10T12:00:00Z', end_ms: NOW },
      }),
      NOW,
    );
    expect(d).toMatchObject({
      result: 'accepted',
      jobs: [{ job: { symbol: 'XAUUSD', from: Date.UTC(2025, 11, 10, 12), to: END } }],
    });
    expect(
      new CommandInterpreter(open).interpret(
        cmd({ cmd: 'fxcm_backfill', req_id: 'r-3', ts: NOW, args: { symbol: 'XAUUSD' } }),
        NOW,
      ),
    ).toMatchObject({ result: 'rejected', code: 'invalid_args' });
  });
});

describe('CommandInterpreter: V2 tail guard, tail republish and bootstrap', () => {
  const open = { ...rules, auth: { ...rules.auth, mode: 'off' as const } };
  const v2 = (name: string, args: object, reqId = 'r-t'): string =>
    cmd({ cmd: name, req_id: reqId, ts: NOW, args });

  it('sends a tail guard for every active symbol to the bar builders, V2 defaults filled in', () => {
    const d = new CommandInterpreter(open).interpret(v2('fxcm_tail_guard', {}), NOW);
    expect(d).toMatchObject({
      result: 'accepted',
      reqId: 'r-t',
      jobs: [],
      republish: [],
      controls: [
        {
          cmd: 'tail_guard',
          target: 'bar-builder',
          args: { symbols: ['XAUUSD', 'EURUSD'], window_hours: 48, repair: false, republish: true },
        },
      ],
    });
  });

  it('takes symbols, window, repair and an end no later than two minutes ago', () => {
    const d = new CommandInterpreter(open).interpret(
      v2('fxcm_tail_guard', {
        symbols: ['EUR/USD', 'GBPUSD'],
        window_hours: 6,
        repair: true,
        republish_after_repair: false,
        end_ms: NOW,
        tfs: ['1m', '15m'],
        provider: 'fxcm',
      }),
      NOW,
    );
    expect(d).toMatchObject({
      result: 'accepted',
      controls: [
        {
          args: {
            symbols: ['EURUSD'],
            window_hours: 6,
            repair: true,
            republish: false,
            end_ms: END,
          },
        },
      ],
    });
  });

  it.each([
    ['a zero window', { window_hours: 0 }, 'invalid_args'],
    ['a window over a month', { window_hours: 24 * 31 + 1 }, 'invalid_args'],
    ['a text repair flag', { repair: 'yes' }, 'invalid_args'],
    ['an end in seconds as text', { end_ms: '1700000000' }, 'invalid_args'],
    ['a path-like symbol', { symbols: ['../../etc'] }, 'invalid_symbol'],
    ['an empty symbol list', { symbols: [] }, 'invalid_args'],
  ])('refuses a tail guard with %s', (_what, args, code) => {
    expect(new CommandInterpreter(open).interpret(v2('fxcm_tail_guard', args), NOW)).toMatchObject({
      result: 'rejected',
      code,
    });
  });

  it('ignores a tail guard for symbols outside the universe, and a repeat within 2 s', () => {
    const interpreter = new CommandInterpreter(open);
    expect(
      interpreter.interpret(v2('fxcm_tail_guard', { symbols: ['GBPUSD'] }), NOW),
    ).toMatchObject({ result: 'ignored', code: 'symbol_not_targeted' });
    expect(interpreter.interpret(v2('fxcm_tail_guard', {}), NOW)).toMatchObject({
      result: 'accepted',
    });
    expect(interpreter.interpret(v2('fxcm_tail_guard', {}), NOW + 1_000)).toMatchObject({
      result: 'ignored',
      code: 'rate_limited',
    });
  });

  it('republishes the last window of each timeframe from the store, or the last N bars', () => {
    const d = new CommandInterpreter(open).interpret(
      v2('fxcm_republish_tail', { symbol: 'XAU/USD', timeframes: ['m1', '5m', 'H1'] }),
      NOW,
    );
    expect(d).toMatchObject({
      result: 'accepted',
      jobs: [],
      republish: [
        { symbol: 'XAUUSD', tf: '1m', bars: 48 * 60 },
        { symbol: 'XAUUSD', tf: '5m', bars: (48 * 60) / 5 },
        { symbol: 'XAUUSD', tf: '1h', bars: 48 },
      ],
    });
    expect(
      new CommandInterpreter(open).interpret(
        v2('fxcm_republish_tail', { symbol: 'EURUSD', bars: 300 }),
        NOW,
      ),
    ).toMatchObject({ republish: [{ symbol: 'EURUSD', tf: '1m', bars: 300 }] });
    expect(
      new CommandInterpreter(open).interpret(
        v2('fxcm_republish_tail', { symbol: 'EURUSD', timeframes: ['7m'] }),
        NOW,
      ),
    ).toMatchObject({ result: 'rejected', code: 'invalid_timeframe' });
    expect(
      new CommandInterpreter(open).interpret(v2('fxcm_republish_tail', {}), NOW),
    ).toMatchObject({ result: 'rejected', code: 'invalid_args' });
  });

  it('bootstraps: warmup jobs, then backfill jobs, then the tail guard, in one command', () => {
    const d = new CommandInterpreter(open).interpret(
      v2('fxcm_bootstrap', {
        warmup: { symbols: ['XAUUSD'], lookback_hours: 3 },
        backfill: { symbol: 'EURUSD', start_ms: END - 60 * 60_000 },
        tail_guard: { window_hours: 12, repair: true },
      }),
      NOW,
    );
    expect(d).toMatchObject({
      result: 'accepted',
      type: 'fxcm_bootstrap',
      reqId: 'r-t',
      jobs: [
        { job: { symbol: 'XAUUSD', reason: 'fxcm_warmup', to: END } },
        { job: { symbol: 'EURUSD', reason: 'fxcm_backfill', from: END - 60 * 60_000, to: END } },
      ],
      controls: [{ cmd: 'tail_guard', args: { window_hours: 12, repair: true } }],
    });
    expect(spans(d)).toEqual([
      ['XAUUSD', 180],
      ['EURUSD', 60],
    ]);
  });

  it('refuses a bootstrap whose step is malformed, naming the step', () => {
    const d = new CommandInterpreter(open).interpret(
      v2('fxcm_bootstrap', { tail_guard: { window_hours: -1 } }),
      NOW,
    );
    expect(d).toMatchObject({ result: 'rejected', code: 'invalid_args' });
    expect(d.result !== 'accepted' && d.detail).toMatch(/^tail_guard: /);
    expect(
      new CommandInterpreter(open).interpret(v2('fxcm_bootstrap', { warmup: 'now' }), NOW),
    ).toMatchObject({ result: 'rejected', code: 'invalid_args' });
  });
});

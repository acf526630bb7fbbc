import { createHmac } from 'node:crypto';
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
const rules = { ...DEFAULT_COMMAND_RULES, universe: universe() };
const cmd = (body: object): string => JSON.stringify(body);
const spans = (d: CommandDecision): [string, number][] =>
  d.result === 'accepted'
    ? d.jobs.map(({ job }) => [job.symbol, (job.to - job.from) / 60_000])
    : [];

describe('CommandInterpreter: V1 commands', () => {
  it('turns a warmup into a history job over its depth in bars of its tf', () => {
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
    const from = END - 300 * 5 * 60_000;
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
      new CommandInterpreter(open).interpret(envelope({ cmd: 'fxcm_tail_guard' }), NOW),
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

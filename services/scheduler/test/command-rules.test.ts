import { CommandInterpreter, DEFAULT_COMMAND_RULES } from '../src/commands/command-rules';

const NOW = Date.UTC(2025, 11, 10, 15, 0, 30);
const END = Date.UTC(2025, 11, 10, 14, 58); // two minutes before now, on a minute
const rules = { ...DEFAULT_COMMAND_RULES, targets: new Set(['XAUUSD', 'EURUSD']) };
const cmd = (body: object): string => JSON.stringify(body);

describe('CommandInterpreter (V1 fxcm:commands)', () => {
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
    expect(d).toEqual({
      result: 'accepted',
      type: 'fxcm_warmup',
      symbol: 'XAUUSD',
      tf: '5m',
      job: {
        symbol: 'XAUUSD',
        tf: '1m',
        from: END - 300 * 5 * 60_000,
        to: END,
        reason: 'fxcm_warmup',
        req_id: `fxcm_warmup:XAUUSD:5m:${NOW}`,
      },
      jobId: `fxcm_warmup-XAUUSD-5m-${END - 1_500 * 60_000}-${END}`,
    });
  });

  it('takes lookback_minutes as given for a warmup, and the default depth when none is named', () => {
    const i = new CommandInterpreter(rules);
    const a = i.interpret(
      cmd({ type: 'fxcm_warmup', symbol: 'XAUUSD', tf: '1m', lookback_minutes: 300 }),
      NOW,
    );
    expect(a.result === 'accepted' && a.job.from).toBe(END - 300 * 60_000);
    const b = i.interpret(cmd({ type: 'fxcm_warmup', symbol: 'EURUSD', tf: '1m' }), NOW);
    expect(b.result === 'accepted' && b.job.from).toBe(END - 1_600 * 60_000);
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
    expect(d.result === 'accepted' && (d.job.to - d.job.from) / 60_000).toBe(minutes);
  });

  it('ignores other symbols, repeats within 2 s, and the universe command while it is off', () => {
    const i = new CommandInterpreter(rules);
    const warm = cmd({ type: 'fxcm_warmup', symbol: 'XAUUSD', tf: '1m' });
    expect(
      i.interpret(cmd({ type: 'fxcm_warmup', symbol: 'GBPUSD', tf: '1m' }), NOW),
    ).toMatchObject({ result: 'ignored', reason: 'symbol_not_targeted' });
    expect(i.interpret(warm, NOW)).toMatchObject({ result: 'accepted' });
    expect(i.interpret(warm, NOW + 1_999)).toMatchObject({
      result: 'ignored',
      reason: 'rate_limited',
    });
    expect(i.interpret(warm, NOW + 2_000)).toMatchObject({ result: 'accepted' });
    expect(
      i.interpret(
        cmd({ type: 'fxcm_set_universe', targets: [{ symbol: 'XAUUSD', tf: '1m' }] }),
        NOW,
      ),
    ).toMatchObject({
      result: 'ignored',
      reason: 'dynamic_universe_disabled',
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
    [cmd({ cmd: 'fxcm_warmup', req_id: 'r1', ts: NOW, args: {} }), 'envelope_not_supported'],
  ])('rejects %s as %s, naming why', (text, reason) => {
    const d = new CommandInterpreter(rules).interpret(text, NOW);
    expect(d).toMatchObject({ result: 'rejected', reason });
    if (d.result !== 'accepted') expect(d.detail.length).toBeGreaterThan(10);
  });
});

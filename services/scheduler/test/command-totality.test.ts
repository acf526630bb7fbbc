import { defaultCalendarBook } from '@fxcm/calendar';
import { parseStreamTargets } from '@fxcm/contracts';
import { ActiveUniverse } from '../src/active-universe';
import { COMMAND_CODES, COMMAND_TYPES } from '../src/commands/command-codes';
import { CommandInterpreter, DEFAULT_COMMAND_RULES } from '../src/commands/command-rules';
import { malformedCommands } from './fuzz/malformed-commands';

const NOW = Date.UTC(2025, 11, 10, 15, 0, 30);
const interpreter = (dynamic = false, mode: 'verify' | 'required' = 'verify'): CommandInterpreter =>
  new CommandInterpreter({
    ...DEFAULT_COMMAND_RULES,
    calendarFor: (symbol) => defaultCalendarBook().calendarFor(symbol),
    universe: new ActiveUniverse(
      parseStreamTargets('XAU/USD:m1,XAU/USD:m5,EUR/USD:m1'),
      dynamic,
      2,
    ),
    auth: { mode, secrets: new Map([['smc', 'k3y']]), maxSkewMs: 300_000 },
  });

describe('every command ends in one code of the closed set', () => {
  it.each([
    ['a 7-minute tf', '{"type":"fxcm_backfill","symbol":"EURUSD","tf":"7m"}', 'invalid_timeframe'],
    ['an m0 tf', '{"type":"fxcm_backfill","symbol":"EURUSD","tf":"m0"}', 'invalid_timeframe'],
    ['an object as type', '{"type":{"toString":1}}', 'unknown_command'],
    [
      'an unsigned envelope with a path as symbol',
      `{"cmd":"fxcm_backfill","req_id":"r","ts":${NOW},"args":{"symbol":"../../etc","start_ms":0}}`,
      'invalid_symbol',
    ],
    [
      'a V2 warmup with a path among its symbols',
      `{"cmd":"fxcm_warmup","req_id":"r","ts":${NOW},"args":{"symbols":["XAUUSD","../x"]}}`,
      'invalid_symbol',
    ],
    ['a type that is a number', '{"type":5}', 'unknown_command'],
  ])('%s is refused with a code, not an exception', (_what, text, code) => {
    expect(interpreter().interpret(text, NOW)).toMatchObject({ result: 'rejected', code });
  });

  it('refuses an unsigned envelope when signatures are required (the default with a secret)', () => {
    const text = `{"cmd":"fxcm_warmup","req_id":"r","ts":${NOW},"args":{}}`;
    expect(interpreter(false, 'required').interpret(text, NOW)).toMatchObject({
      result: 'rejected',
      code: 'auth_required',
    });
  });

  it('applies V1 target rules: an HTF warmup may name an untargeted tf, a 5m backfill may not', () => {
    const i = interpreter();
    expect(i.interpret('{"type":"fxcm_warmup","symbol":"XAUUSD","tf":"1h"}', NOW)).toMatchObject({
      result: 'accepted',
      republish: [{ symbol: 'XAUUSD', tf: '1h', bars: 1_600 }],
    });
    expect(i.interpret('{"type":"fxcm_backfill","symbol":"EURUSD","tf":"5m"}', NOW)).toMatchObject({
      result: 'ignored',
      code: 'tf_not_targeted',
    });
    expect(i.interpret('{"type":"fxcm_warmup","symbol":"EURUSD","tf":"5m"}', NOW)).toMatchObject({
      result: 'ignored',
      code: 'tf_not_targeted',
    });
  });

  it('republishes a warmup from min_history_bars, else ceil(lookback / tf); a 5m backfill its window', () => {
    const i = interpreter();
    expect(
      i.interpret('{"type":"fxcm_warmup","symbol":"XAUUSD","tf":"5m","lookback_minutes":31}', NOW),
    ).toMatchObject({ republish: [{ tf: '5m', bars: 7 }] });
    expect(
      i.interpret(
        '{"type":"fxcm_backfill","symbol":"XAUUSD","tf":"5m","lookback_minutes":1000}',
        NOW,
      ),
    ).toMatchObject({ republish: [{ tf: '5m', bars: 72 }] }); // clamped to 360 minutes
    expect(i.interpret('{"type":"fxcm_backfill","symbol":"XAUUSD","tf":"1m"}', NOW)).toMatchObject({
      result: 'accepted',
      republish: [],
    });
  });

  it('sets the universe to its targets ∩ base, capped, and refuses one with no base target', () => {
    const i = interpreter(true);
    const set = (targets: object[]): string =>
      JSON.stringify({ type: 'fxcm_set_universe', targets });
    expect(
      i.interpret(
        set([
          { symbol: 'XAU/USD', tf: 'm5' },
          { symbol: 'GBPUSD', tf: '1m' },
          { symbol: 'EURUSD', tf: '1m' },
          { symbol: 'XAUUSD', tf: '1m' },
        ]),
        NOW,
      ),
    ).toMatchObject({
      result: 'accepted',
      universe: [
        { symbol: 'XAUUSD', tf: '1m' },
        { symbol: 'XAUUSD', tf: '5m' },
      ],
    });
    // EURUSD is no longer active: its warmup is ignored
    expect(i.interpret('{"type":"fxcm_warmup","symbol":"EURUSD","tf":"1m"}', NOW)).toMatchObject({
      code: 'symbol_not_targeted',
    });
    expect(i.interpret(set([{ symbol: 'GBPUSD', tf: '1m' }]), NOW)).toMatchObject({
      result: 'rejected',
      code: 'invalid_args',
    });
  });

  it('survives 100,000 malformed commands, each with a known code and a bounded type label', () => {
    const i = interpreter(true);
    const types = new Set<string>([...COMMAND_TYPES, 'unknown']);
    const seen = new Map<string, number>();
    let n = 0;
    for (const text of malformedCommands(100_000, 42, NOW)) {
      const d = i.interpret(text, NOW + n);
      n++;
      // plain checks: expect() per message would dominate the run time
      if (COMMAND_CODES[d.code].outcome !== d.result) throw new Error(`${d.code} as ${d.result}`);
      if (!types.has(d.type)) throw new Error(`unbounded type label ${d.type}`);
      seen.set(d.code, (seen.get(d.code) ?? 0) + 1);
    }
    expect(n).toBe(100_000);
    expect(seen.get('command_error')).toBeUndefined();
    // the generator reaches the refusals it is meant to exercise
    for (const code of [
      'invalid_json',
      'contract_error',
      'invalid_symbol',
      'invalid_timeframe',
      'unknown_command',
      'auth_failed',
      'auth_ts_skew',
      'command_payload_too_large',
    ]) {
      expect(seen.get(code) ?? 0).toBeGreaterThan(100);
    }
  });
});

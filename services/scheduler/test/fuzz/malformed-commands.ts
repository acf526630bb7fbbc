import { createHmac } from 'node:crypto';
import { fuzzRandom, JUNK_VALUES } from './fuzz-random';

/**
 * A deterministic stream of hostile commands for the fuzz tests: bad JSON, wrong types, objects
 * where strings belong, huge payloads, out-of-range values, unknown types and timeframes,
 * path-like symbols, and unsigned, forged, stale and replayed V2 envelopes.
 */
export function* malformedCommands(count: number, seed = 1, now = Date.now()): Generator<string> {
  const { rand, pick } = fuzzRandom(seed);
  const junk = JUNK_VALUES;
  const tfs = ['7m', 'm0', '0m', 'm99999', '1M', 'H0', '1y', 'h25', '', '1m ', 'm1', '5m', '1h'];
  const symbols = ['EURUSD', 'XAU/USD', '../../etc', 'a', 'X'.repeat(30), 'EUR-USD-', 'GBPUSD'];
  const types = ['fxcm_warmup', 'fxcm_backfill', 'fxcm_set_universe', 'fxcm_tail_guard'];
  const sign = (body: Record<string, unknown>, secret: string, kid: string, nonce: string) => {
    const canonical = JSON.stringify({
      args: body.args,
      cmd: body.cmd,
      kid,
      nonce,
      req_id: body.req_id,
      ts: body.ts,
    });
    return createHmac('sha256', secret).update(canonical).digest('hex');
  };
  for (let i = 0; i < count; i++) {
    switch (rand(12)) {
      case 0:
        yield pick(['{', '}', '{"type":', 'null', '[]', '"x"', '1', '{"type":"fxcm_warmup",}', '']);
        break;
      case 1:
        yield JSON.stringify({ type: pick(junk) });
        break;
      case 2:
        yield JSON.stringify({ type: pick(types), symbol: pick(symbols), tf: pick(tfs) });
        break;
      case 3:
        yield JSON.stringify({
          type: pick(types.slice(0, 2)),
          symbol: pick(junk),
          tf: pick(junk),
          min_history_bars: pick(junk),
          lookback_minutes: pick(junk),
        });
        break;
      case 4:
        yield JSON.stringify({ type: `junk_${rand(1_000_000)}`, symbol: 'EURUSD', tf: '1m' });
        break;
      case 5:
        // Huge payloads (and the parse cost they carry): cheap to build once per size.
        yield `{"type":"fxcm_warmup","symbol":"EURUSD","tf":"1m","reason":"${'x'.repeat(16_384 + rand(4_000))}"}`;
        break;
      case 6:
        yield JSON.stringify({
          cmd: pick(['fxcm_warmup', 'fxcm_backfill', 'fxcm_bootstrap', `x_${rand(999)}`]),
          req_id: `r-${rand(1e9)}`,
          ts: now,
          args: {
            symbol: pick(symbols),
            symbols: pick([...symbols, ...junk]),
            start_ms: pick(junk),
          },
        });
        break;
      case 7: {
        // forged: signed with the wrong secret
        const body = {
          cmd: 'fxcm_warmup',
          req_id: `f-${i}`,
          ts: now,
          args: { symbols: ['EURUSD'] },
        };
        yield JSON.stringify({
          ...body,
          auth: { kid: 'smc', sig: sign(body, 'wrong', 'smc', `f-${i}`) },
        });
        break;
      }
      case 8: {
        // stale: far outside the skew window
        const body = { cmd: 'fxcm_warmup', req_id: `s-${i}`, ts: now - 3_600_000, args: {} };
        yield JSON.stringify({ ...body, auth: { kid: 'smc', sig: 'a'.repeat(64) } });
        break;
      }
      case 9:
        yield JSON.stringify({
          cmd: pick(junk),
          req_id: pick(junk),
          ts: pick(junk),
          args: pick(junk),
          auth: pick(junk),
        });
        break;
      case 10:
        yield JSON.stringify({
          type: 'fxcm_set_universe',
          targets: pick([junk, [{ symbol: pick(symbols), tf: pick(tfs) }], 'XAUUSD:m1', {}]),
        });
        break;
      default:
        yield JSON.stringify({
          type: 'fxcm_backfill',
          symbol: 'EURUSD',
          tf: pick(tfs),
          lookback_minutes: pick([0, -5, 1e12, 2 ** 53 + 1, 1.5, 'ten']),
        });
    }
  }
}

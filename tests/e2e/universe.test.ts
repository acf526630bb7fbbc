import { waitFor } from '../harness/suite';
import { SuiteRun } from '../harness/suite-run';

// Only the configured (symbol, tf) targets reach fxcm:ohlcv — the gateway streams EUR/USD too
// and the builder builds every timeframe — and fxcm_set_universe narrows and widens that live.

const SIM_START = new Date(Date.UTC(2025, 11, 10, 14, 40)).toISOString(); // a Wednesday, open
const BASE = { FXCM_STREAM_CONFIG: 'XAU/USD:m1,XAU/USD:m5' };

// Not in `npm test` until its timing is fixed: on an idle machine the simulator's traffic can
// stop within the 3 s windows below once the first bars are out (a partial-minute hold of the
// live start meets the simulator's pacing), so the assertions race. Run it with
// FXCM_UNIVERSE_E2E=1 pnpm exec jest tests/e2e/universe.
(process.env.FXCM_UNIVERSE_E2E === '1' ? describe : describe.skip)('the published universe', () => {
  it('publishes only XAUUSD 1m/5m, then follows fxcm_set_universe down to 1m and back', async () => {
    const run = new SuiteRun('max', 0, {
      'fxcm-gateway': {
        FXCM_PROVIDER: 'sim',
        FXCM_SIM_SEED: '3',
        FXCM_SIM_START: SIM_START,
        FXCM_STREAM_CONFIG: 'XAU/USD:m1,EUR/USD:m1',
      },
      'bar-builder': { FXCM_PRICE_MODE: 'mid' },
      publisher: BASE,
      scheduler: { ...BASE, FXCM_DYNAMIC_UNIVERSE_ENABLED: 'true' },
    });
    const seen = (from: number): Set<string> =>
      new Set(run.ohlcv.slice(from).map((r) => `${r.msg.symbol}:${r.msg.tf}`));
    const universe = (targets: string[]): Promise<number> =>
      run.redis.publish(
        `${run.prefix}:commands`,
        JSON.stringify({
          type: 'fxcm_set_universe',
          targets: targets.map((t) => ({ symbol: t.split(':')[0], tf: t.split(':')[1] })),
        }),
      );
    // From a point on, `ms` of traffic: what arrived after the change settled.
    const window = async (ms: number): Promise<Set<string>> => {
      await new Promise((r) => setTimeout(r, 1_000)); // the instruction reaches the publisher
      const from = run.ohlcv.length;
      await new Promise((r) => setTimeout(r, ms));
      return seen(from);
    };
    try {
      await run.start();
      await waitFor(
        () => seen(0).has('XAUUSD:5m') && seen(0).has('XAUUSD:1m'),
        60_000,
        () => `saw ${[...seen(0)].join(', ')}\n${run.logs()}`,
      );
      expect(await window(3_000)).toEqual(new Set(['XAUUSD:1m', 'XAUUSD:5m']));

      await universe(['XAU/USD:m1', 'EUR/USD:m1']); // EUR/USD is not a base target: dropped
      expect(await window(3_000)).toEqual(new Set(['XAUUSD:1m']));

      await universe(['XAU/USD:m5', 'XAU/USD:m1']);
      expect(await window(3_000)).toEqual(new Set(['XAUUSD:1m', 'XAUUSD:5m']));
      expect(seen(0)).toEqual(new Set(['XAUUSD:1m', 'XAUUSD:5m']));

      const snapshot = JSON.parse(
        (await run.redis.get(`${run.namespace}:status:snapshot`)) ?? '{}',
      ) as { last_command?: { cmd: string; code: string } };
      expect(snapshot.last_command).toMatchObject({ cmd: 'fxcm_set_universe', code: 'ok' });
    } finally {
      await run.stop();
    }
  }, 120_000);
});

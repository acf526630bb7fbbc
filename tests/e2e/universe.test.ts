import { join } from 'node:path';
import { decodeStreamEntry, streamNames } from '@fxcm/contracts';
import { ROOT, waitFor } from '../harness/suite';
import { SuiteRun } from '../harness/suite-run';

// Only the configured (symbol, tf) targets reach fxcm:ohlcv — the gateway replays EUR/USD too
// and the bar builder builds every timeframe — and fxcm_set_universe narrows and widens that
// live, the gateway's subscriptions included: once the universe holds gold only, the gateway
// writes no EUR/USD tick any more (its replay follows the universe like an FXCM session).
//
// Deterministic on any day: the real ticks of Monday 2014-05-05 (OANDA EUR/USD and XAU/USD,
// both from midnight UTC) are replayed as recorded at 60× (a minute of market a second), so
// the calendar sees an open Monday whatever the wall clock says. No time windows: after each change the test waits until
// the publisher and the gateway report the new universe in their status, then publishes a fence
// on the channel itself; everything after the fence was published after the change, and the test
// waits for enough market minutes after it (a 5m close included) before judging.

const LEAN = join(ROOT, '..', 'shared', 'fxcm-data', 'lean-2014-05', 'oanda');
const TICKS = [
  join(LEAN, 'tick', 'eurusd', '20140505_quote.zip'),
  join(LEAN, 'cfd', 'tick', 'xauusd', '20140505_quote.zip'),
];
const BASE = { FXCM_STREAM_CONFIG: 'XAU/USD:m1,XAU/USD:m5' };

interface ServiceRecord {
  service: string;
  detail?: { universe?: string[]; universe_symbols?: string[]; universe_live?: boolean };
}

describe('the published universe', () => {
  it('publishes only XAUUSD 1m/5m, then follows fxcm_set_universe down to 1m and back', async () => {
    const run = new SuiteRun('60', 0, {
      'fxcm-gateway': {
        FXCM_REPLAY_FILES: TICKS.join(','),
        FXCM_STREAM_CONFIG: 'XAU/USD:m1,EUR/USD:m1',
      },
      publisher: BASE,
      scheduler: { ...BASE, FXCM_DYNAMIC_UNIVERSE_ENABLED: 'true' },
      ingestor: { FXCM_INGEST_ALLOWED_SYMBOLS: 'EURUSD,XAUUSD' },
    });
    let fences = 0;
    /** Publishes a fence on fxcm:ohlcv; resolves with its place in what was received. */
    const fence = async (): Promise<number> => {
      const text = JSON.stringify({ fence: ++fences });
      await run.redis.publish(`${run.prefix}:ohlcv`, text);
      await waitFor(
        () => run.ohlcv.some((r) => r.text === text),
        10_000,
        () => 'the fence did not come back',
      );
      return run.ohlcv.findIndex((r) => r.text === text);
    };
    const after = (from: number) =>
      run.ohlcv
        .slice(from + 1)
        .map((r) => r.msg)
        .filter((m) => m.symbol !== undefined); // not a fence
    const kinds = (from: number): Set<string> =>
      new Set(after(from).map((m) => `${m.symbol}:${m.tf}`));
    /** Final XAUUSD bars of `tf` received after the fence at `from`. */
    const finals = (from: number, tf: string): number =>
      after(from)
        .filter((m) => m.symbol === 'XAUUSD' && m.tf === tf)
        .flatMap((m) => m.bars)
        .filter((b) => b.complete !== false).length;
    const services = async (): Promise<ServiceRecord[]> =>
      (
        JSON.parse((await run.redis.get(`${run.namespace}:status:snapshot`)) ?? '{}') as {
          services?: ServiceRecord[];
        }
      ).services ?? [];
    /** Sends the command; resolves once the publisher and the gateway say they apply `expect`. */
    const setUniverse = async (targets: string[], expected: string[]): Promise<void> => {
      await run.redis.publish(
        `${run.prefix}:commands`,
        JSON.stringify({
          type: 'fxcm_set_universe',
          targets: targets.map((t) => ({ symbol: t.split(':')[0], tf: t.split(':')[1] })),
        }),
      );
      const same = (a: string[] | undefined, b: string[]): boolean =>
        JSON.stringify([...(a ?? [])].map((x) => x.replace('/', '')).sort()) ===
        JSON.stringify([...b].sort());
      const symbols = [...new Set(expected.map((t) => t.split(':')[0]!))];
      let seen: ServiceRecord[] = [];
      await waitFor(
        async () => {
          seen = (await services()).filter((r) => /publisher|gateway/.test(r.service));
          const publisher = seen.find((r) => r.service === 'publisher')?.detail?.universe;
          const gateway = seen.find((r) => r.service === 'fxcm-gateway')?.detail;
          return (
            same(publisher, expected) &&
            same(gateway?.universe_symbols, symbols) &&
            gateway?.universe_live === true
          );
        },
        20_000,
        () =>
          `the universe ${expected.join(',')} was not applied: ${JSON.stringify(seen)}\n${run.logs()}`,
      );
    };
    /** Symbols of the ticks the gateway wrote after stream id `after` (shard 0: one shard). */
    const ticks = async (afterId: string): Promise<{ symbols: Set<string>; last: string }> => {
      const entries = await run.redis.xrange(
        streamNames(run.namespace).ticks(0),
        `(${afterId}`,
        '+',
      );
      const symbols = new Set<string>();
      for (const [, fields] of entries) {
        const e = decodeStreamEntry(fields);
        if (e.type === 'tick') symbols.add((e.data as { symbol: string }).symbol);
      }
      return { symbols, last: entries.at(-1)?.[0] ?? afterId };
    };
    try {
      await run.start();
      // the base universe
      await waitFor(
        () => finals(-1, '5m') >= 1,
        60_000,
        () => `no XAUUSD 5m final\n${run.logs()}`,
      );
      let from = await fence();
      await waitFor(
        () => finals(from, '5m') >= 1 && finals(from, '1m') >= 1,
        30_000,
        () => `after the fence: ${[...kinds(from)].join(', ')}\n${run.logs()}`,
      );
      expect(kinds(from)).toEqual(new Set(['XAUUSD:1m', 'XAUUSD:5m']));
      const before = await ticks('0');
      expect(before.symbols).toEqual(new Set(['EURUSD', 'XAUUSD']));

      // narrowed: EUR/USD is not a base target, so only XAUUSD 1m stays
      await setUniverse(['XAU/USD:m1', 'EUR/USD:m1'], ['XAUUSD:1m']);
      const narrowedAt = (await ticks(before.last)).last;
      from = await fence();
      await waitFor(
        () => finals(from, '1m') >= 6, // a 5m close has passed
        30_000,
        () => `after the fence: ${finals(from, '1m')} 1m finals\n${run.logs()}`,
      );
      expect(kinds(from)).toEqual(new Set(['XAUUSD:1m']));
      expect((await ticks(narrowedAt)).symbols).toEqual(new Set(['XAUUSD']));

      // widened again
      await setUniverse(['XAU/USD:m5', 'XAU/USD:m1'], ['XAUUSD:1m', 'XAUUSD:5m']);
      from = await fence();
      await waitFor(
        () => finals(from, '5m') >= 1 && finals(from, '1m') >= 1,
        30_000,
        () => `after the fence: ${[...kinds(from)].join(', ')}\n${run.logs()}`,
      );
      expect(kinds(from)).toEqual(new Set(['XAUUSD:1m', 'XAUUSD:5m']));
      // and nothing else at any time
      expect(kinds(-1)).toEqual(new Set(['XAUUSD:1m', 'XAUUSD:5m']));

      const snapshot = JSON.parse(
        (await run.redis.get(`${run.namespace}:status:snapshot`)) ?? '{}',
      ) as { last_command?: { cmd: string; code: string } };
      expect(snapshot.last_command).toMatchObject({ cmd: 'fxcm_set_universe', code: 'ok' });
    } finally {
      await run.stop();
    }
  }, 120_000);
});

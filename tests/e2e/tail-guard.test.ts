import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkContract, keys } from '@fxcm/contracts';
import { v2Envelope } from '../../packages/cli/src/command-message';
import { openStore, type StoredBar } from '../../services/bar-builder/src/store';
import { seriesFileName } from '../../services/bar-builder/src/store/series-file';
import { readReferenceBars } from '../harness/reference-bars';
import { ROOT, waitFor } from '../harness/suite';
import { pythonVerdict, SuiteRun, type Received } from '../harness/suite-run';

// A dead bar builder leaves a hole nobody notices: the bundled real day is replayed into the
// store, the bar builder is stopped, 30 minutes of final bars are cut out of its store, and it
// is started again. fxcm_tail_guard with repair must find exactly that hole, fill it from
// history (the gateway answers history jobs from the same recording), and publish the filled
// minutes once on fxcm:ohlcv; the status snapshot shows what it found and what it repaired.
// Then fxcm_republish_tail sends the last stored bars again, and fxcm_bootstrap's tail guard
// finds the store whole.
// The recording is replayed as dated (2014), so the run does not depend on today's date.

const REFERENCE = readReferenceBars(join(ROOT, 'data', 'EURUSD_20140505_m1.csv'));
const TARGETS = { FXCM_STREAM_CONFIG: 'EUR/USD:m1' };
const MINUTE = 60_000;
// Tuesday 01:30–02:00 UTC: inside the trading day the bar builder restores (from 21:00 UTC),
// with a tick in every minute of the recording.
const CUT_FROM = Date.UTC(2014, 4, 6, 1, 30);
const CUT_TO = CUT_FROM + 30 * MINUTE;
const END = REFERENCE[REFERENCE.length - 1]!.open_time + MINUTE;

type Bar = Received['msg']['bars'][number] & { volume?: number };

/** Cuts [from, to) out of the stopped bar builder's 1m series; returns the bars cut. */
async function cutStore(dir: string, from: number, to: number): Promise<StoredBar[]> {
  const before = await openStore({ dir, maxBars: 60_000 });
  const all = await before.read('EURUSD', '1m');
  await before.close();
  rmSync(join(dir, seriesFileName('EURUSD', '1m')));
  const after = await openStore({ dir, maxBars: 60_000 });
  await after.append(
    'EURUSD',
    '1m',
    all.filter((b) => b.open_time < from || b.open_time >= to),
  );
  await after.close();
  return all.filter((b) => b.open_time >= from && b.open_time < to);
}

describe('fxcm_tail_guard, end to end', () => {
  it('finds a stretch cut out of the store, fills it from history and publishes it once', async () => {
    const run = new SuiteRun('max', REFERENCE.length, {
      scheduler: { ...TARGETS, FXCM_TAIL_GUARD_SCHEDULED: 'false' },
      publisher: TARGETS,
      'bar-builder': TARGETS,
      'fxcm-gateway': { ...TARGETS, FXCM_REPLAY_HISTORY: 'true' },
    });
    const snapshot = async (): Promise<Record<string, unknown> | undefined> => {
      const text = await run.redis.get(keys(run.namespace).statusSnapshot);
      return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    };
    try {
      await run.start();
      await run.untilComplete(120_000);
      const live = new Map<number, Bar>();
      for (const r of run.ohlcv)
        if (r.msg.tf === '1m')
          for (const b of r.msg.bars as Bar[]) if (b.complete !== false) live.set(b.open_time, b);

      await run.services.get('bar-builder')!.stop();
      const cut = await cutStore(join(run.cacheDir, 'shard-0'), CUT_FROM, CUT_TO);
      expect(cut.map((b) => b.open_time)).toEqual(
        Array.from({ length: 30 }, (_, i) => CUT_FROM + i * MINUTE),
      );
      expect(cut.every((b) => !b.synthetic)).toBe(true);
      const restartedAt = Date.now();
      run.launch('bar-builder');
      await waitFor(
        async () => {
          const services = ((await snapshot())?.['services'] ?? []) as {
            service: string;
            state: string;
            ts: number;
          }[];
          return services.some(
            (s) => s.service === 'bar-builder' && s.ts > restartedAt + 1_000 && s.state === 'ok',
          );
        },
        30_000,
        () => `the bar builder did not come back\n${run.logs()}`,
      );

      const sentAt = run.ohlcv.length;
      const send = async (cmd: string, args: Record<string, unknown>): Promise<string> => {
        const { text, reqId } = v2Envelope(cmd, args as Parameters<typeof v2Envelope>[1], {
          secret: SuiteRun.SECRET,
          kid: 'default',
          now: Date.now(),
        });
        await run.redis.publish(`${run.prefix}:commands`, text);
        return reqId;
      };
      await send('fxcm_tail_guard', {
        symbols: ['EURUSD'],
        window_hours: 6,
        repair: true,
        end_ms: END,
      });
      const after = (): typeof run.ohlcv => run.ohlcv.slice(sentAt);
      await waitFor(
        () => after().some((r) => r.msg.source === 'history_s3'),
        60_000,
        () => `no republish on fxcm:ohlcv\n${run.logs()}`,
      );
      type Block = {
        state: string;
        window_hours: number;
        repaired: number;
        symbols: Record<string, Record<string, unknown>>;
      };
      let block: Block | undefined;
      await waitFor(
        async () => {
          block = (await snapshot())?.['tail_guard'] as Block | undefined;
          return block?.state === 'done';
        },
        30_000,
        () => `no tail_guard in the status: ${JSON.stringify(block)}\n${run.logs()}`,
      );
      await new Promise((r) => setTimeout(r, 1_500)); // a repeat would show now

      // Exactly the cut minutes went out again, once each, equal to what went out live.
      const oneMinute = after().filter((r) => r.msg.tf === '1m');
      const republished = oneMinute.flatMap((r) => r.msg.bars as Bar[]);
      expect(republished.map((b) => b.open_time)).toEqual(cut.map((b) => b.open_time));
      expect(oneMinute.every((r) => r.msg.source === 'history_s3')).toBe(true);
      for (const bar of republished) {
        const was = live.get(bar.open_time)!;
        expect([bar.open, bar.high, bar.low, bar.close, bar.volume]).toEqual([
          was.open,
          was.high,
          was.low,
          was.close,
          was.volume,
        ]);
      }
      for (const { msg } of oneMinute)
        expect(checkContract('ohlcv', msg)).toMatchObject({ ok: true });
      const verdict = pythonVerdict(
        oneMinute.map((r) => r.text),
        SuiteRun.SECRET,
      );
      if (verdict) expect(verdict).toMatchObject({ checked: oneMinute.length, invalid: [] });

      // The status says what was found and what was repaired.
      expect(block).toMatchObject({ window_hours: 6, repaired: 30 });
      expect(block!.symbols['EURUSD']).toMatchObject({
        status: 'repaired',
        found_missing: 30,
        missing: 0,
        repaired: 30,
        holes_total: 1,
        first_hole: { from: CUT_FROM, to: CUT_TO, minutes: 30 },
      });

      // fxcm_republish_tail: the last N stored bars again, as they went out live.
      const beforeTail = run.ohlcv.length;
      await send('fxcm_republish_tail', { symbol: 'EURUSD', timeframes: ['1m'], bars: 20 });
      const tail = (): Bar[] =>
        run.ohlcv
          .slice(beforeTail)
          .filter((r) => r.msg.source === 'history_s3')
          .flatMap((r) => r.msg.bars as Bar[]);
      await waitFor(
        () => tail().length >= 20,
        30_000,
        () => `no tail republish\n${run.logs()}`,
      );
      const lastLive = [...live.values()].sort((a, b) => a.open_time - b.open_time).slice(-20);
      expect(tail().map((b) => [b.open_time, b.open, b.high, b.low, b.close])).toEqual(
        lastLive.map((b) => [b.open_time, b.open, b.high, b.low, b.close]),
      );

      // fxcm_bootstrap: its warmup (XAUUSD by default) is not a target and is left out; its
      // tail guard runs and finds the store whole now.
      const bootId = await send('fxcm_bootstrap', {
        tail_guard: { symbols: ['EURUSD'], window_hours: 6, end_ms: END },
      });
      await waitFor(
        async () => {
          block = (await snapshot())?.['tail_guard'] as Block | undefined;
          return (block as { req_id?: string } | undefined)?.req_id === bootId;
        },
        30_000,
        () => `the bootstrap's tail guard did not run: ${JSON.stringify(block)}\n${run.logs()}`,
      );
      expect(block!.symbols['EURUSD']).toMatchObject({
        status: 'ok',
        found_missing: 0,
        missing: 0,
      });
    } finally {
      await run.stop();
    }
  }, 240_000);
});

import { join } from 'node:path';
import { checkContract } from '@fxcm/contracts';
import { readReferenceBars } from '../harness/reference-bars';
import { ROOT, waitFor } from '../harness/suite';
import { pythonVerdict, SuiteRun } from '../harness/suite-run';

// SMC restarts and asks for its history back: the bundled real day is replayed into the store,
// then fxcm_warmup must re-publish exactly the last N stored final bars with source
// "history_s3" (1m as stored, 5m built from the stored 1m bars), signed for a Python consumer.

const REFERENCE = readReferenceBars(join(ROOT, 'data', 'EURUSD_20140505_m1.csv'));
const TARGETS = { FXCM_STREAM_CONFIG: 'EUR/USD:m1,EUR/USD:m5' };

interface Bar {
  open_time: number;
  complete?: boolean;
  [field: string]: unknown;
}
interface Message {
  symbol: string;
  tf: string;
  source?: string;
  bars: Bar[];
}

describe('fxcm_warmup, end to end', () => {
  it('re-publishes the last N final bars from the store, 1m as stored and 5m built from them', async () => {
    const run = new SuiteRun('max', REFERENCE.length, {
      scheduler: { ...TARGETS, FXCM_WARMUP_HISTORY_WAIT_SECONDS: '1' },
      publisher: TARGETS,
      'bar-builder': TARGETS,
      'fxcm-gateway': TARGETS,
    });
    const messages = (): { text: string; msg: Message }[] =>
      run.ohlcv.map((r) => ({ text: r.text, msg: JSON.parse(r.text) as Message }));
    // The final bars of a tf as they went out live: what the store holds.
    const liveFinals = (tf: string): Bar[] => {
      const byOpen = new Map<number, Bar>();
      for (const { msg } of messages()) {
        if (msg.tf !== tf || msg.source === 'history_s3') continue;
        for (const b of msg.bars) if (b.complete === true) byOpen.set(b.open_time, b);
      }
      return [...byOpen.values()].sort((a, b) => a.open_time - b.open_time);
    };
    const warmups = (tf: string): { text: string; msg: Message }[] =>
      messages().filter((m) => m.msg.tf === tf && m.msg.source === 'history_s3');
    try {
      await run.start();
      await run.untilComplete(120_000);
      // only the configured targets reached the wire
      expect(new Set(messages().map((m) => `${m.msg.symbol}:${m.msg.tf}`))).toEqual(
        new Set(['EURUSD:1m', 'EURUSD:5m']),
      );
      const stored1m = liveFinals('1m');
      const stored5m = liveFinals('5m');
      expect(stored1m.length).toBeGreaterThan(300);

      await run.redis.publish(
        `${run.prefix}:commands`,
        '{"type":"fxcm_warmup","symbol":"EURUSD","tf":"1m","min_history_bars":300}',
      );
      await waitFor(
        () => warmups('1m').flatMap((m) => m.msg.bars).length >= 300,
        30_000,
        () => `no 1m warmup on fxcm:ohlcv\n${run.logs()}`,
      );
      await run.redis.publish(
        `${run.prefix}:commands`,
        '{"type":"fxcm_warmup","symbol":"EURUSD","tf":"5m","min_history_bars":12}',
      );
      await waitFor(
        () => warmups('5m').length > 0,
        30_000,
        () => `no 5m warmup on fxcm:ohlcv\n${run.logs()}`,
      );
      await new Promise((r) => setTimeout(r, 1_000)); // a repeat would show now

      const oneMinute = warmups('1m');
      expect(oneMinute.flatMap((m) => m.msg.bars)).toEqual(stored1m.slice(-300));
      const fiveMinutes = warmups('5m');
      expect(fiveMinutes.flatMap((m) => m.msg.bars)).toEqual(stored5m.slice(-12));
      const all = [...oneMinute, ...fiveMinutes];
      for (const { msg } of all) expect(checkContract('ohlcv', msg)).toMatchObject({ ok: true });
      const verdict = pythonVerdict(
        all.map((m) => m.text),
        SuiteRun.SECRET,
      );
      if (verdict) expect(verdict).toEqual({ checked: all.length, valid: all.length, invalid: [] });
      else console.warn('python3 not found: the Python-side signature check was skipped');
    } finally {
      await run.stop();
    }
  }, 240_000);
});

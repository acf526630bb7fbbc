import { join } from 'node:path';
import { streamNames } from '@fxcm/contracts';
import { freePort } from '../harness/free-port';
import { sumOf } from '../harness/metrics-page';
import { readReferenceBars } from '../harness/reference-bars';
import { ROOT, waitFor } from '../harness/suite';
import { expectExactlyTheReference, SuiteRun } from '../harness/suite-run';

// Load shedding under a tick flood: the gateway replays the whole real day into the tick stream
// before the bar builder starts, so the builder meets a backlog far larger than it takes in one
// read. While it catches up its previews are dropped — counted by reason in /metrics and in its
// status record — and not one final bar is: the day comes out exactly the reference.

const REFERENCE = readReferenceBars(join(ROOT, 'data', 'EURUSD_20140505_m1.csv'));

describe('preview backpressure', () => {
  it('drops previews under a tick flood, counts and reports them, and keeps every final', async () => {
    const port = await freePort();
    const run = new SuiteRun(
      'max',
      REFERENCE.length,
      {
        'bar-builder': {
          FXCM_METRICS_PORT: String(port),
          FXCM_METRICS_HOST: '127.0.0.1',
          FXCM_PREVIEW_INTERVAL_SECONDS: '0.05',
        },
      },
      { deferred: ['bar-builder'] },
    );
    const ticks = streamNames(run.namespace).ticks(0);
    try {
      await run.start();
      // the flood: the day's ~58,000 ticks land in the stream with nobody reading them
      let length = -1;
      let stableSince = Date.now();
      await waitFor(
        async () => {
          const now = await run.redis.xlen(ticks);
          if (now !== length) [length, stableSince] = [now, Date.now()];
          return length > 50_000 && Date.now() - stableSince > 2_000;
        },
        120_000,
        () => `the tick stream holds ${length} entries\n${run.logs()}`,
      );
      run.launch('bar-builder');
      await run.untilComplete(240_000);
      expectExactlyTheReference(run, REFERENCE);

      const page = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const dropped = sumOf(page, 'fxcm_bar_builder_previews_dropped_total', {
        reason: 'backlog',
      });
      const finals = sumOf(page, 'fxcm_bar_builder_bars_total', { tf: '1m', kind: 'final' });
      console.log(`previews dropped under the backlog: ${dropped}; 1m finals: ${finals}`);
      expect(dropped).toBeGreaterThan(0);
      expect(finals).toBeGreaterThanOrEqual(REFERENCE.length);

      // the status record says so too
      const records = (await run.redis.xrevrange(
        streamNames(run.namespace).status,
        '+',
        '-',
        'COUNT',
        200,
      )) as [string, string[]][];
      const reported = records
        .map(([, fields]) => JSON.parse(fields[3]!) as { service?: string; detail?: unknown })
        .find((r) => r.service === 'bar-builder') as
        { detail: { previews_dropped?: { backlog: number } } } | undefined;
      expect(reported?.detail.previews_dropped?.backlog).toBeGreaterThan(0);
    } finally {
      await run.stop();
    }
  }, 420_000);
});

import { join } from 'node:path';
import {
  COMMAND_CODE_LIST,
  COMMAND_TYPES,
} from '../../services/scheduler/src/commands/command-codes';
import { malformedCommands } from '../../services/scheduler/test/fuzz/malformed-commands';
import { freePort } from '../harness/free-port';
import { readReferenceBars } from '../harness/reference-bars';
import { ROOT, waitFor } from '../harness/suite';
import { expectExactlyTheReference, SuiteRun } from '../harness/suite-run';

// Hostile input on fxcm:commands while the real day is replayed: the scheduler must not exit,
// must count every message under a code of the closed set, keep /metrics bounded, and the
// day's bars must still come out exact. `npm test` sends FXCM_FUZZ_COMMANDS (default 5,000);
// the long form `pnpm fuzz:commands` sends 100,000.
//
// fxcm:commands is pub/sub, as in V1: a message published before the scheduler has subscribed
// reaches nobody, and Redis drops a subscriber whose output buffer overflows. So the sender
// starts once the scheduler is ready (it subscribes before it says so) and the channel has its
// subscriber, and keeps at most IN_FLIGHT_BYTES of commands ahead of what was counted.

const REFERENCE = readReferenceBars(join(ROOT, 'data', 'EURUSD_20140505_m1.csv'));
const COUNT = Number(process.env.FXCM_FUZZ_COMMANDS || 5_000);
const HUGE_KEPT = 500; // of the ~16 KiB payloads: enough to hit the limit, not 150 MB of traffic
/** A quarter of Redis's default pub/sub soft output-buffer limit (8 MB). */
const IN_FLIGHT_BYTES = 2 * 1024 * 1024;

describe('fuzzing fxcm:commands during a replay', () => {
  it(`survives ${COUNT} malformed commands with every one counted under a known code`, async () => {
    const port = await freePort();
    const run = new SuiteRun('2000', REFERENCE.length, {
      scheduler: {
        FXCM_METRICS_PORT: String(port),
        FXCM_METRICS_HOST: '127.0.0.1',
        FXCM_LOG_LEVEL: 'error',
        FXCM_COMMAND_AUTH: 'required',
      },
    });
    const metrics = async (): Promise<string> => {
      try {
        return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      } catch {
        return '';
      }
    };
    const counted = (text: string): number =>
      [...text.matchAll(/^fxcm_command_outcomes_total\{code="([a-z_]+)"[^}]*\} (\d+)/gm)].reduce(
        (sum, m) => sum + Number(m[2]),
        0,
      );
    try {
      await run.start();
      await waitFor(
        async () =>
          (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200,
        60_000,
        () => `the scheduler never got ready\n${run.logs()}`,
      );
      const [, subscribers] = (await run.redis.pubsub('NUMSUB', `${run.prefix}:commands`)) as [
        string,
        number,
      ];
      expect(Number(subscribers)).toBe(1);
      const seriesBefore = (await metrics()).split('\n').filter((l) => /^[a-z]/.test(l)).length;
      let sent = 0;
      let lastCounted = 0;
      let huge = 0;
      // bytesUpTo[i]: bytes of the first i commands (the scheduler handles them in order)
      const bytesUpTo = [0];
      let batch = run.redis.pipeline();
      for (const text of malformedCommands(2 * COUNT, 7)) {
        if (sent === COUNT) break;
        if (text.length > 16_000 && ++huge > HUGE_KEPT) continue;
        batch.publish(`${run.prefix}:commands`, text);
        bytesUpTo.push(bytesUpTo[sent]! + Buffer.byteLength(text));
        if (++sent % 200 === 0) {
          await batch.exec();
          batch = run.redis.pipeline();
          // Pub/sub has no backpressure: the sender waits while too much is unread.
          await waitFor(
            async () =>
              bytesUpTo[sent]! - bytesUpTo[Math.min(sent, counted(await metrics()))]! <=
              IN_FLIGHT_BYTES,
            120_000,
            () => `the scheduler fell behind at ${sent}\n${run.logs()}`,
          );
        }
      }
      await batch.exec();
      await waitFor(
        async () => (lastCounted = counted(await metrics())) >= sent,
        240_000,
        () => `the scheduler counted ${lastCounted} of ${sent}\n${run.logs()}`,
      );
      const page = await metrics();
      expect(sent).toBe(COUNT);
      expect(counted(page)).toBe(sent);
      const codes = new Set(
        [...page.matchAll(/fxcm_command_outcomes_total\{code="([a-z_]+)"/g)].map((m) => m[1]),
      );
      expect(codes.size).toBeLessThanOrEqual(20);
      expect(page).not.toMatch(/fxcm_commands_total\{type="(?!fxcm_|unknown)/);
      // bounded: the command series are exactly the codes and the known types, whatever came in
      const series = (name: string): number =>
        page.split('\n').filter((l) => l.startsWith(`${name}{`)).length;
      expect(series('fxcm_command_outcomes_total')).toBe(COMMAND_CODE_LIST.length);
      expect(series('fxcm_commands_total')).toBe((COMMAND_TYPES.length + 1) * 4);
      const seriesAfter = page.split('\n').filter((l) => /^[a-z]/.test(l)).length;
      expect(seriesAfter).toBeLessThan(seriesBefore + 50);
      console.log(
        `command fuzz: ${sent} commands, /metrics ${seriesBefore} → ${seriesAfter} series, ${page.length} bytes`,
      );
      expect(page).toMatch(/fxcm_command_outcomes_total\{code="command_error"[^}]*\} 0/);

      await run.untilComplete(240_000);
      expectExactlyTheReference(run, REFERENCE);
      expect(run.services.get('scheduler')!.output.join('')).not.toMatch(/unhandled|uncaught/i);
      // still alive and answering
      expect(await metrics()).not.toBe('');
    } finally {
      await run.stop();
    }
  }, 600_000);
});

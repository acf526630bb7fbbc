/**
 * Replays all days of ../shared/fxcm-data/eurusd-2014-05 in `bid` and `ask` mode and checks that
 * every open-session minute with ticks gives exactly the reference bar. Exit code 1 on any
 * difference. Run: pnpm --filter @fxcm/bar-builder check:reference
 */
import { calendarFor } from '@fxcm/calendar';
import { eurusdDays, loadEurusdDay } from './fxcm-archive';
import { runReferenceCheck, SYMBOL } from './reference-replay';

function main(): number {
  const days = eurusdDays().map(loadEurusdDay);
  const calendar = calendarFor(SYMBOL);
  console.log(
    `reference check: ${days.length} days ${days[0]?.day}..${days[days.length - 1]?.day}, calendar @fxcm/calendar ${SYMBOL}`,
  );
  let failed = false;
  for (const mode of ['bid', 'ask'] as const) {
    const r = runReferenceCheck(days, mode, calendar);
    const ok = r.mismatches.length === 0 && r.extraBars === 0;
    failed ||= !ok;
    console.log(
      [
        `${mode}: ${ok ? 'OK' : 'FAILED'}`,
        `ticks ${r.ticks}`,
        `bars equal ${r.barsEqual}/${r.referenceOpenMinutes}`,
        `mismatches ${r.mismatches.length}`,
        `extra bars ${r.extraBars}`,
        `synthetic added ${r.syntheticAdded}`,
        `ticks outside session ${r.ticksOutsideSession} (in ${r.referenceClosedMinutes} closed minutes)`,
        `finals 1m ${r.finals1m}, higher tf ${r.finalsHtf}`,
      ].join(' | '),
    );
    for (const m of r.mismatches.slice(0, 10)) console.log('  mismatch', JSON.stringify(m));
  }
  return failed ? 1 : 0;
}

process.exitCode = main();

import { runChaos } from '../chaos/chaos-run';

// The short form of `pnpm chaos`: ten SIGKILLs of random services at random moments of the
// replay of the real day, each restarted at once, and one SIGKILL of Redis (AOF on). The bars on
// fxcm:ohlcv must be the reference exactly: none lost, none duplicated, none wrong (a bar the
// Redis kill caught in flight may come twice, identically: see ChaosResult.repeated).

describe('chaos (short form)', () => {
  it('10 kills and a Redis kill: 0 lost, 0 duplicated, 0 wrong, every service ready again', async () => {
    const lines: string[] = [];
    const result = await runChaos({
      kills: 10,
      redisDownMs: 2_000,
      pauseMs: [0, 1_500],
      speed: '1500',
      settleMs: 240_000, // a stalled day fails with the services' logs, inside the test's time
      say: (line) => {
        lines.push(line);
        process.stderr.write(`[chaos] ${line}\n`); // live, so a run that stalls shows where
      },
    });
    console.log(`${lines.join('\n')}`);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, wrong: 0, extra: 0, crashed: [] });
    // most kills (the Redis kill counts for two) hit a replay in progress, not a finished day
    expect(result.midReplay).toBeGreaterThanOrEqual(6);
    expect(result.ready.sort()).toEqual([
      'bar-builder',
      'fxcm-gateway',
      'ingestor',
      'publisher',
      'scheduler',
    ]);
    // a Redis kill may repeat the publisher's batch in flight (identical copies, one run of
    // minutes): the price of losing none of it; anything else repeated counts as duplicated
    expect(result.summary).toMatch(
      /^10 kills \(\+1 Redis kill\), 0 lost, 0 duplicated, 0 wrong($|; )/,
    );
  }, 420_000);
});

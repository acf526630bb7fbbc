import { PrivateRedis } from '../harness/private-redis';
import { BENCH_REDIS_ARGS } from './bench-suite';
import { floodRun, GRACE_MS } from './pipeline-runs';
import { soakRun } from './soak-run';

// The short forms of `pnpm bench:pipeline` and `pnpm soak`: the same runs at a small size, so
// the commands cannot rot. They check what the runs must get right (every final exactly once,
// ticks conserved end to end, no error, no process lost); speed is the long forms' business,
// printed there and never asserted.

describe('bench:pipeline and soak (short forms)', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await PrivateRedis.start([...BENCH_REDIS_ARGS]);
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('a tick flood comes out as every final once, its tick counts adding up to the ticks replayed', async () => {
    const flood = await floodRun({
      redisUrl: redis.url,
      symbols: 5,
      minutes: 3,
      ticksPerSecond: 20,
      shards: 2,
    });
    console.log(`flood: ${JSON.stringify(flood)}`);
    expect(flood.ticks).toBeGreaterThan(5 * 3 * 1_000);
    expect(flood.finals).toBe(flood.expectedFinals);
    expect(flood.exact).toBe(true);
    expect(flood.ticksPerSecond).toBeGreaterThan(0);
    expect(Object.values(flood.cpu).every((s) => s !== undefined && s >= 0)).toBe(true);
    // the phases, timed by the stream ids of the gateway's first and last entries, in order
    const { startup, writing, drain, gatewayWaited } = flood.phases;
    expect(startup).toBeGreaterThan(0);
    expect(writing).toBeGreaterThan(0);
    expect(drain).toBeGreaterThanOrEqual(0);
    expect(flood.sustainedTicksPerSecond).toBeGreaterThan(flood.ticksPerSecond);
    expect(gatewayWaited).toBeGreaterThanOrEqual(0);
    expect(gatewayWaited).toBeLessThanOrEqual(writing);
  }, 240_000);

  it('a one-minute soak of the five services: every final once and timed, no error, memory, heap and old generation read', async () => {
    const soak = await soakRun(
      { redisUrl: redis.url, symbols: 5, ticksPerSecond: 20, warmupMinutes: 0, minutes: 1 },
      (line) => console.log(line),
    );
    console.log(`soak: ${JSON.stringify(soak)}`);
    expect(soak.missing).toBe(0);
    expect(soak.repeated).toBe(0);
    expect(soak.exited).toEqual([]);
    expect(soak.unreadable).toBe(0);
    expect(soak.errors).toEqual({
      scheduler: 0,
      publisher: 0,
      ingestor: 0,
      'bar-builder-0': 0,
      'fxcm-gateway': 0,
    });
    expect(soak.latency.bars).toBe(5);
    // a final can only close once its minute plus the watermark grace has passed
    expect(soak.latency.p50).toBeGreaterThanOrEqual(GRACE_MS);
    for (const bytes of [...Object.values(soak.rssAfterWarmup), ...Object.values(soak.rssAtEnd)])
      expect(bytes).toBeGreaterThan(10 * 1_048_576);
    // every process's heap in use, read from its /metrics, is part of its resident memory
    expect(Object.keys(soak.heapAtEnd).sort()).toEqual(Object.keys(soak.rssAtEnd).sort());
    for (const [name, heap] of Object.entries(soak.heapAtEnd)) {
      expect(heap).toBeGreaterThan(1_048_576);
      expect(heap).toBeLessThan(soak.rssAtEnd[name]!);
    }
    // and its old generation (what survives collections), read the same way
    expect(Object.keys(soak.oldAtEnd).sort()).toEqual(Object.keys(soak.rssAtEnd).sort());
    for (const [name, old] of Object.entries(soak.oldAtEnd)) {
      expect(old).toBeGreaterThan(1_048_576);
      expect(old).toBeLessThan(soak.rssAtEnd[name]!);
    }
    expect(Object.keys(soak.redisAtEnd.streams).length).toBeGreaterThan(3);
  }, 360_000);
});

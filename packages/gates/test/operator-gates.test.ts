import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calendarFor } from '@fxcm/calendar';
import { channelNames, keys } from '@fxcm/contracts';
import { Redis } from 'ioredis';
import {
  canaryVerdict,
  contractRejects,
  duplicateTicks,
  finalsDiff,
  historyVerdict,
  loadSample,
  loadVerdict,
  lostFinals,
  notApplicable,
  parseManifest,
  runGates,
  warmupBars,
} from '../src';
import { DEFAULT_ENGINE } from './deployment-on';
import { recordedTicks } from './recorded-ticks';

const MINUTE = 60_000;

describe('history-smoke', () => {
  const message = (bars: number[], source = 'history_s3') =>
    JSON.stringify({
      symbol: 'EURUSD',
      tf: '1m',
      bars: bars.map((t) => ({ open_time: t, complete: true, source })),
    });

  it('counts distinct warmup bars of the symbol and holds them to N and 0 rejects', () => {
    const t0 = Date.UTC(2014, 4, 5, 13);
    const texts = [
      message([t0, t0 + MINUTE]),
      message([t0 + MINUTE, t0 + 2 * MINUTE]), // a re-send counts once
      message([t0 + 3 * MINUTE], 'tick_agg'), // a live final is not history
      'not json',
    ];
    expect(warmupBars(texts, 'EURUSD')).toBe(3);
    expect(historyVerdict(3, 3, 0)).toEqual([]);
    expect(historyVerdict(300, 3, 0)).toEqual(['3 warmup bar(s) published, fewer than 300']);
    expect(historyVerdict(3, 3, 2)).toEqual(['2 contract reject(s) during the warmup']);
  });

  it('reads contract rejects from the metrics pages', () => {
    const pages = [
      'fxcm_bar_builder_rejected_total{code="TICK_INVALID"} 2\nfxcm_bar_builder_bars_total 90',
      'fxcm_ingestor_messages_total{outcome="rejected",reason="HMAC"} 1\nfxcm_ingestor_messages_total{outcome="stored",reason=""} 50',
    ];
    expect(contractRejects(pages)).toBe(3);
  });
});

describe('restart-safe', () => {
  it('finds no duplicate in the recorded quotes, and every quote sent again after a resubscribe', () => {
    const ticks = recordedTicks(2_000);
    expect(duplicateTicks(ticks)).toBe(0);
    // A second subscription after a restart: the last 100 quotes arrive twice.
    expect(duplicateTicks([...ticks, ...ticks.slice(-100)])).toBe(100);
  });

  it('names the open minute whose final was lost across the restarts', () => {
    const ticks = recordedTicks(2_000);
    const minutes = [...new Set(ticks.map((t) => t.ts - (t.ts % MINUTE)))];
    const from = minutes[0]!;
    const to = minutes[minutes.length - 1]!;
    const key = (t: number) => `EURUSD 1m ${new Date(t).toISOString()}`;
    const targets = [{ symbol: 'EURUSD', tf: '1m' as const }];
    const all = new Set(minutes.map(key));
    expect(lostFinals(all, targets, from, to, calendarFor)).toEqual([]);
    const lost = minutes[3]!;
    all.delete(key(lost));
    expect(lostFinals(all, targets, from, to, calendarFor)).toEqual([key(lost)]);
  });
});

describe('replay-determinism', () => {
  const series = (entries: [number, string][]) =>
    new Map(entries.map(([t, text]) => [String(t), text]));
  const t0 = Date.UTC(2014, 4, 5, 13);
  const bar = '{"open_time":1399294800000,"open":1.38756,"close":1.3876,"complete":true}';

  it('passes byte-identical stores and names each difference', () => {
    const live = series([
      [t0, bar],
      [t0 + MINUTE, bar.replace('1.3876', '1.38761')],
    ]);
    expect(finalsDiff('EURUSD 1m', live, new Map(live))).toEqual([]);
    const replayed = series([
      [t0, bar.replace('1.38756', '1.387560')], // same number, other bytes
      [t0 + 2 * MINUTE, bar],
    ]);
    expect(finalsDiff('EURUSD 1m', live, replayed)).toEqual([
      `EURUSD 1m 2014-05-05T13:00:00.000Z: differs (${bar} vs ${bar.replace('1.38756', '1.387560')})`,
      'EURUSD 1m 2014-05-05T13:02:00.000Z: only in the replay',
      'EURUSD 1m 2014-05-05T13:01:00.000Z: missing from the replay',
    ]);
  });
});

describe('load-smoke', () => {
  const page = (rss: number, ticks: number, bars: number) =>
    [
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${rss}`,
      `fxcm_gateway_ticks_total{symbol="EURUSD"} ${ticks}`,
      `fxcm_bar_builder_bars_total{tf="1m",kind="final"} ${bars}`,
    ].join('\n');
  const limits = {
    maxGrowthPct: 50,
    progressMetrics: ['fxcm_gateway_ticks_total', 'fxcm_bar_builder_bars_total'],
    symbols: ['EURUSD'],
  };
  const MiB = 2 ** 20;

  it('passes steady memory and moving counters', () => {
    const samples = [0, 1, 2, 3, 4, 5].map((i) =>
      loadSample(i * 10_000, { a: page((80 + i) * MiB, 100 * i, i) }, limits.progressMetrics),
    );
    expect(loadVerdict(samples, limits)).toEqual([]);
  });

  it('fails on memory growth, a stalled counter, a symbol without ticks', () => {
    const samples = [0, 1, 2, 3, 4, 5].map((i) =>
      loadSample(i * 10_000, { a: page(80 * MiB * (1 + i), 100, 7) }, limits.progressMetrics),
    );
    expect(loadVerdict(samples, limits)).toEqual([
      'a: memory grew 267% (120 → 440 MiB), more than 50%',
      'fxcm_gateway_ticks_total did not move in 50 s: stalled',
      'fxcm_bar_builder_bars_total did not move in 50 s: stalled',
      'EURUSD: no new ticks over the window',
    ]);
    expect(loadVerdict(samples.slice(0, 2), limits)).toEqual([
      '2 sample(s): at least 3 are needed',
    ]);
  });
});

describe('canary-profile', () => {
  const xau = [{ symbol: 'XAUUSD', tf: '1m' as const }];
  const pass = { gate: 'tick-liveness', verdict: 'pass' as const, summary: 'ok' };

  it('passes a deployment streaming only the canary whose live gates pass', () => {
    expect(canaryVerdict(xau, xau, [pass])).toEqual({ verdict: 'pass', faults: [] });
    expect(
      canaryVerdict(xau, xau, [pass, { gate: 'final-invariants', verdict: 'skip', summary: '' }]),
    ).toEqual({ verdict: 'skip', faults: [] });
  });

  it('fails a full universe posing as the canary, and a failed live gate', () => {
    const full = [...xau, { symbol: 'EURUSD', tf: '1m' as const }];
    expect(
      canaryVerdict(xau, full, [
        pass,
        { gate: 'final-invariants', verdict: 'fail', summary: '0 final(s)' },
      ]).faults,
    ).toEqual(['EURUSD:1m is streamed but not in the canary', 'final-invariants: 0 final(s)']);
  });
});

describe('gates that do not apply', () => {
  it('are reported as SKIP with the reason the manifest gives, without running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fxcm-gates-skip-'));
    const redis = new Redis({ lazyConnect: true }); // never used: the gate does not run
    const lines: string[] = [];
    try {
      const manifest = parseManifest(
        JSON.stringify({
          gates: [{ gate: 'restart-safe', skip: 'a replay starts its file over', args: {} }],
        }),
        'm.json',
      );
      const [outcome] = await runGates(manifest, {
        context: {
          deployment: {
            namespace: 'unused',
            shards: 1,
            channels: channelNames(),
            targets: [],
            metricsUrls: [],
            calendar: {},
            calendarFor,
            engine: DEFAULT_ENGINE,
          },
          redis,
          now: () => 0,
        },
        packDir: dir,
        configHash: '0'.repeat(64),
        print: (line) => lines.push(line),
      });
      expect(outcome?.verdict).toBe('skip');
      expect(lines).toEqual([
        'SKIP  restart-safe  does not apply here: a replay starts its file over',
      ]);
    } finally {
      redis.disconnect();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => parseManifest('{"gates":[{"gate":"load-smoke","skip":""}]}', 'm.json')).toThrow(
      'm.json: gates[0] (load-smoke): skip must say why the gate does not apply',
    );
  });

  it("skips by provider: a gate whose appliesTo leaves the deployment's provider out", () => {
    const manifest = parseManifest(
      JSON.stringify({
        gates: [
          { gate: 'history-smoke', appliesTo: ['fxcm-rest'], reason: 'no broker history' },
          { gate: 'load-smoke' },
        ],
      }),
      'm.json',
    );
    const [history, load] = manifest.gates;
    expect(notApplicable(history!, 'replay')).toBe(
      'a replay deployment (only fxcm-rest): no broker history',
    );
    expect(notApplicable(history!, 'fxcm-rest')).toBeUndefined();
    expect(notApplicable(load!, 'sim')).toBeUndefined();
    expect(() =>
      parseManifest('{"gates":[{"gate":"load-smoke","appliesTo":["fxcm"]}]}', 'm.json'),
    ).toThrow('m.json: gates[0] (load-smoke): appliesTo must list providers');
    expect(() =>
      parseManifest('{"gates":[{"gate":"load-smoke","appliesTo":["sim"]}]}', 'm.json'),
    ).toThrow('and reason say why the gate applies only to them');
  });

  it('both manifests run the gates that need the real provider only on it, saying why, and replay-determinism on every deployment', () => {
    for (const name of ['manifest.json', 'manifest.replay.json']) {
      const path = join(__dirname, '..', name);
      const manifest = parseManifest(readFileSync(path, 'utf8'), path);
      const realOnly = manifest.gates.filter((e) => notApplicable(e, 'replay') !== undefined);
      expect(realOnly.map((e) => e.gate)).toEqual(
        name === 'manifest.json'
          ? ['history-smoke', 'restart-safe', 'canary-profile']
          : ['history-smoke', 'restart-safe'],
      );
      expect(
        manifest.gates.filter((e) => e.appliesTo !== undefined).map((e) => e.appliesTo),
      ).toEqual([['fxcm-rest'], ['fxcm-rest']]);
      const determinism = manifest.gates.find((e) => e.gate === 'replay-determinism');
      expect(determinism).toMatchObject({ args: {} });
      expect(determinism?.skip).toBeUndefined();
    }
  });
});

describe('replay-determinism against real Redis', () => {
  const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(REDIS_URL);
  const live = `gates_det_${randomUUID().slice(0, 8)}`;
  const replay = `${live}_replay`;
  let dir: string;

  /** 1m bars of the recorded quotes, stored the way the ingestor stores them. */
  async function store(namespace: string, bars: { open_time: number }[]): Promise<void> {
    const hash = keys(namespace).store('EURUSD', '1m');
    for (const bar of bars) {
      await redis.hset(hash, String(bar.open_time), JSON.stringify(bar));
      await redis.zadd(`${hash}:index`, bar.open_time, String(bar.open_time));
    }
  }

  const minuteBars = () => {
    const byMinute = new Map<number, number[]>();
    for (const t of recordedTicks(2_000)) {
      const minute = t.ts - (t.ts % MINUTE);
      byMinute.set(minute, [...(byMinute.get(minute) ?? []), t.bid]);
    }
    return [...byMinute].map(([open_time, bids]) => ({
      open_time,
      open: bids[0]!,
      high: Math.max(...bids),
      low: Math.min(...bids),
      close: bids[bids.length - 1]!,
      complete: true,
    }));
  };

  const run = () =>
    runGates(
      { gates: [{ gate: 'replay-determinism', args: { compareNamespace: replay } }] },
      {
        context: {
          deployment: {
            namespace: live,
            shards: 1,
            channels: channelNames(),
            targets: [{ symbol: 'EURUSD', tf: '1m' }],
            metricsUrls: [],
            calendar: {},
            calendarFor,
            engine: DEFAULT_ENGINE,
          },
          redis,
          now: () => Date.now(),
        },
        packDir: dir,
        configHash: '0'.repeat(64),
        print: () => {},
      },
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fxcm-gates-det-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(async () => {
    for (const ns of [live, replay]) {
      const hash = keys(ns).store('EURUSD', '1m');
      await redis.del(hash, `${hash}:index`);
    }
    redis.disconnect();
  });

  it('passes the same bars, fails a replay whose bar differs', async () => {
    const bars = minuteBars();
    expect(bars.length).toBeGreaterThan(3);
    await store(live, bars);
    await store(replay, bars);
    const [same] = await run();
    expect(same?.summary).toBe(`${bars.length} replayed bar(s) byte-identical to the deployment's`);
    expect(same?.verdict).toBe('pass');
    const changed = { ...bars[2]!, close: bars[2]!.close + 0.00001 };
    await store(replay, [changed]);
    const [differs] = await run();
    expect(differs?.verdict).toBe('fail');
    expect(differs?.summary).toContain(
      `1 fault(s): EURUSD 1m ${new Date(changed.open_time).toISOString()}: differs`,
    );
  });
});

describe('restart-safe against real Redis', () => {
  const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(REDIS_URL);
  const namespace = `gates_restart_${randomUUID().slice(0, 8)}`;
  const channels = channelNames({ FXCM_CHANNEL_PREFIX: namespace });
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fxcm-gates-restart-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(() => redis.disconnect());

  const run = (restartCommand: string) =>
    runGates(
      {
        gates: [{ gate: 'restart-safe', args: { restartCommand, restarts: 2, settleSeconds: 1 } }],
      },
      {
        context: {
          deployment: {
            namespace,
            shards: 1,
            channels,
            targets: [{ symbol: 'EURUSD', tf: '1m' }],
            metricsUrls: [],
            calendar: {},
            calendarFor,
            engine: DEFAULT_ENGINE,
          },
          redis,
          now: () => Date.now(),
        },
        packDir: dir,
        configHash: '0'.repeat(64),
        print: () => {},
      },
    );

  it('passes restarts that publish nothing twice, fails a final published again after one', async () => {
    const [quiet] = await run('true');
    expect(quiet?.verdict).toBe('pass');
    // Each "restart" re-publishes the same final of the recorded day: a duplicate.
    const final = JSON.stringify({
      symbol: 'EURUSD',
      tf: '1m',
      bars: [{ open_time: Date.UTC(2014, 4, 5, 13), complete: true, source: 'tick_agg' }],
    });
    const file = join(dir, 'final.json');
    writeFileSync(file, final);
    const [again] = await run(
      `redis-cli -u ${REDIS_URL} PUBLISH ${channels.ohlcv} "$(cat ${file})" > /dev/null`,
    );
    expect(again?.verdict).toBe('fail');
    expect(again?.summary).toBe('1 fault(s): EURUSD 1m 2014-05-05T13:00:00.000Z: published twice');
    const [broken] = await run('exit 3');
    expect(broken?.summary).toMatch(
      /^2 fault\(s\): restart command failed: Command failed: sh -c exit 3/,
    );
  });
});

import { join } from 'node:path';
import { isErrorCode, signOhlcv, streamNames } from '@fxcm/contracts';
import { freePort } from '../harness/free-port';
import { labelValues, sumOf } from '../harness/metrics-page';
import { judgeBars, readReferenceBars, type BarVerdict } from '../harness/reference-bars';
import { ROOT, SERVICE_NAMES, waitFor, type ServiceName } from '../harness/suite';
import { SuiteRun } from '../harness/suite-run';
import {
  entryTemplates,
  malformedEntries,
  malformedOhlcv,
  type EntryTarget,
  type MalformedEntry,
  type MalformedMessage,
} from './malformed-entries';

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  /** Malformed entries and messages in all. */
  count: number;
  /** `FXCM_REPLAY_SPEED` of the gateway: how long the day lasts while they are written. */
  speed: string;
  seed?: number;
  /** Progress lines. */
  say?: (line: string) => void;
  /** Called with the run once the day is complete, before it is stopped (extra assertions). */
  inspect?: (run: SuiteRun) => void | Promise<void>;
}

/** What a fuzz run found. */
export interface FuzzResult {
  entries: number;
  /** Entries per internal stream, and messages on the ingestor's `ohlcv` channel. */
  byTarget: Record<EntryTarget | 'ohlcv', number>;
  /** Services that exited or logged an unhandled error. */
  crashes: ServiceName[];
  /** Entries still pending in some consumer group at the end (`stream group n` each). */
  pending: string[];
  /** Rejections the entries must cause (one per consumer of their stream) and those counted. */
  expected: number;
  counted: number;
  /** Codes on the rejection counters that are not in the error registry. */
  unregistered: string[];
  verdict: BarVerdict;
  wrongBars: number;
  /** The last entry was written before the day's last minute was final. */
  writtenMidReplay: boolean;
  /** The final line: `N entries, 0 crashes, 0 pending, 0 wrong bars`. */
  summary: string;
}

const SERVICES = SERVICE_NAMES;
const REFERENCE = readReferenceBars(join(ROOT, 'data', 'EURUSD_20140505_m1.csv'));
/** The services reading `x:control` (each with its own reader, no group). */
const CONTROL_READERS = 3;
/** The bar builder's default `FXCM_FUTURE_TOLERANCE_MS`. */
const FUTURE_TOLERANCE_MS = 300_000;
/** One in five is a message on `fxcm:ohlcv` for the ingestor. */
const OHLCV_EVERY = 5;
const BATCH = 500;
/** How far the writer may run ahead of the consumers' counters. */
const AHEAD = 10_000;

/**
 * The fuzz run: the whole suite replays the bundled real day while `count` malformed entries go
 * to every internal stream and to the ingestor's input. Then: every service still alive with no
 * unhandled error, every consumer group's pending list empty, each entry rejected once per
 * consumer of its stream and counted under a registry code (the services' `/metrics`), every
 * message refused by the ingestor, and the day's bars exactly the reference.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const say = options.say ?? (() => undefined);
  const seed = options.seed ?? 1;
  const ports = new Map<ServiceName, number>();
  for (const s of SERVICES) ports.set(s, await freePort());
  const extraEnv = Object.fromEntries(
    SERVICES.map((s) => [
      s,
      {
        FXCM_METRICS_PORT: String(ports.get(s)),
        FXCM_METRICS_HOST: '127.0.0.1',
        FXCM_LOG_LEVEL: 'error',
        ...(s === 'ingestor' ? { FXCM_API_ENABLED: 'false' } : {}),
      },
    ]),
  );
  const run = new SuiteRun(options.speed, REFERENCE.length, extraEnv, { signedOnly: true });
  const names = streamNames(run.namespace);
  const streamOf: Record<EntryTarget, string> = {
    ticks: names.ticks(0),
    history: names.history(0),
    bars: names.bars(0),
    status: names.status,
    control: names.control,
  };
  const page = async (s: ServiceName): Promise<string> => {
    try {
      return await (await fetch(`http://127.0.0.1:${ports.get(s)}/metrics`)).text();
    } catch {
      return '';
    }
  };
  const pages = () => Promise.all(SERVICES.map(page));
  const rejections = async (): Promise<{ streams: number; ohlcv: number }> => {
    const all = await pages();
    return {
      streams: all.reduce(
        (n, p) =>
          n + sumOf(p, 'fxcm_stream_dead_lettered_total') + sumOf(p, 'fxcm_control_rejected_total'),
        0,
      ),
      ohlcv: sumOf(all[SERVICES.indexOf('ingestor')]!, 'fxcm_ingestor_messages_total', {
        outcome: 'rejected',
      }),
    };
  };
  const groupsOf = async (stream: string): Promise<string[]> => {
    const info = (await run.redis.xinfo('GROUPS', stream).catch(() => [])) as unknown[][];
    return info.map((g) => String(g[g.indexOf('name') + 1]));
  };

  try {
    await run.start();
    await waitFor(
      () => run.finals1m().length >= 20,
      120_000,
      () => `no bars\n${run.logs()}`,
    );
    await waitFor(
      async () => (await pages()).every((p) => p !== ''),
      30_000,
      () => `a /metrics did not answer\n${run.logs()}`,
    );
    const consumers = {} as Record<EntryTarget, number>;
    for (const target of ['ticks', 'history', 'bars', 'status'] as const) {
      consumers[target] = (await groupsOf(streamOf[target])).length;
    }
    consumers.control = CONTROL_READERS;
    say(`consumers per stream: ${JSON.stringify(consumers)}`);
    const base = await rejections();

    const at = REFERENCE[Math.floor(REFERENCE.length / 2)]!;
    const entries = malformedEntries(
      options.count,
      seed,
      entryTemplates(at.open_time, at.bid.open),
      Date.now(),
      FUTURE_TOLERANCE_MS,
    );
    const messages = malformedOhlcv(
      options.count,
      seed + 1,
      { open_time: at.open_time, open: at.bid.open },
      (text) => signOhlcv(text, SuiteRun.SECRET, 'sha256'),
    );
    const byTarget = { ticks: 0, history: 0, bars: 0, status: 0, control: 0, ohlcv: 0 };
    let expected = 0;
    let batch = run.redis.pipeline();
    for (let i = 1; i <= options.count; i++) {
      if (i % OHLCV_EVERY === 0) {
        batch.publish(`${run.prefix}:ohlcv`, (messages.next().value as MalformedMessage).text);
        byTarget.ohlcv += 1;
      } else {
        const e = entries.next().value as MalformedEntry;
        batch.xadd(streamOf[e.target], '*', ...e.fields);
        byTarget[e.target] += 1;
        expected += consumers[e.target];
      }
      if (i % BATCH === 0 || i === options.count) {
        await batch.exec();
        batch = run.redis.pipeline();
        // Pub/sub has no backpressure (Redis drops a subscriber that falls too far behind), and
        // the point is to fuzz during the replay: keep the writer close to the consumers.
        await waitFor(
          async () => {
            const r = await rejections();
            return (
              byTarget.ohlcv - (r.ohlcv - base.ohlcv) <= AHEAD / 2 &&
              expected - (r.streams - base.streams) <= AHEAD
            );
          },
          300_000,
          () => `the consumers fell behind at ${i}\n${run.logs()}`,
        );
        if (i % 10_000 === 0) say(`${i} written, ${run.finals1m().length} final bars so far`);
      }
    }
    const minutesWhenWritten = new Set(run.finals1m().map((b) => b.open_time)).size;
    say(
      `${options.count} written: ${JSON.stringify(byTarget)}; ${minutesWhenWritten}/${REFERENCE.length} minutes final by then`,
    );
    let now = await rejections();
    await waitFor(
      async () => {
        now = await rejections();
        return now.streams - base.streams >= expected && now.ohlcv - base.ohlcv >= byTarget.ohlcv;
      },
      300_000,
      () =>
        `counted ${now.streams - base.streams}/${expected} stream rejections, ` +
        `${now.ohlcv - base.ohlcv}/${byTarget.ohlcv} ingestor rejections\n${run.logs()}`,
    ).catch((err: Error) => say(err.message.slice(0, 2_000)));

    await run.untilComplete(600_000);
    const pendingNow = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const stream of Object.values(streamOf)) {
        for (const group of await groupsOf(stream)) {
          const n = ((await run.redis.xpending(stream, group)) as [number])[0];
          if (n > 0) out.push(`${stream} ${group} ${n}`);
        }
      }
      return out;
    };
    let pending: string[] = [];
    await waitFor(
      async () => (pending = await pendingNow()).length === 0,
      60_000,
      () => pending.join('; '),
    ).catch(() => undefined);
    now = await rejections();
    const counted = now.streams - base.streams + (now.ohlcv - base.ohlcv);
    const all = await pages();
    const codes = all.flatMap((p) => [
      ...labelValues(p, 'fxcm_stream_dead_lettered_total', 'code'),
      ...labelValues(p, 'fxcm_control_rejected_total', 'code'),
      ...labelValues(p, 'fxcm_ingestor_messages_total', 'reason')
        .filter((r) => r !== '')
        .map((r) => `INGEST_${r.toUpperCase()}`),
    ]);
    const unregistered = [...new Set(codes)].filter((c) => !isErrorCode(c));
    const crashes = SERVICES.filter((s) => {
      const proc = run.services.get(s)!;
      return !proc.alive() || /unhandled|uncaught/i.test(proc.output.join(''));
    });
    const verdict = judgeBars(run.finals1m(), REFERENCE);
    const wrongBars =
      verdict.lost.length + verdict.duplicated.length + verdict.wrong.length + verdict.extra.length;
    await options.inspect?.(run);
    const pendingTotal = pending.reduce((n, p) => n + Number(p.split(' ').pop()), 0);
    return {
      entries: options.count,
      byTarget,
      crashes,
      pending,
      expected: expected + byTarget.ohlcv,
      counted,
      unregistered,
      verdict,
      wrongBars,
      writtenMidReplay: minutesWhenWritten < REFERENCE.length,
      summary: `${options.count} entries, ${crashes.length} crashes, ${pendingTotal} pending, ${wrongBars} wrong bars`,
    };
  } finally {
    await run.stop();
  }
}

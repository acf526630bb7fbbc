import type { EngineSettings } from '@fxcm/bar-builder';
import type { TradingCalendar } from '@fxcm/calendar';
import type { Redis } from 'ioredis';
import type { ChannelNames, StreamTarget } from '@fxcm/contracts';
import type { ProofPack } from './proof-pack';

/** How a gate ended: `skip` means it does not apply now (market closed, nothing configured). */
export type Verdict = 'pass' | 'fail' | 'skip';

/** What one gate found. */
export interface GateResult {
  readonly verdict: Verdict;
  /** One line for a person: what was checked and what was found. */
  readonly summary: string;
  /** The figures behind the verdict; written to the proof pack. */
  readonly facts: Readonly<Record<string, unknown>>;
}

/** The deployment under test, described by the configuration the services use. */
export interface Deployment {
  readonly namespace: string;
  readonly shards: number;
  readonly channels: ChannelNames;
  /** The V1 stream targets (`XAU/USD:m1` → `{ symbol: 'XAUUSD', tf: '1m' }`). */
  readonly targets: readonly StreamTarget[];
  /** The HMAC secret of `fxcm:ohlcv`, when the deployment signs. */
  readonly hmacSecret?: string;
  /** The services' `/metrics` addresses (`http://host:port/metrics`). */
  readonly metricsUrls: readonly string[];
  /**
   * The calendar the services run on, loaded from the same `FXCM_CALENDAR_FILE` /
   * `FXCM_CALENDAR_SYMBOLS` they read, so a gate judges minutes by the deployment's own schedule.
   */
  calendarFor(symbol: string): TradingCalendar;
  /** Where that calendar comes from (`detail.calendar` of the services' status records). */
  readonly calendar: Readonly<Record<string, unknown>>;
  /** The settings the bar builder's engine runs on, read from the bar builder's own fields. */
  readonly engine: EngineSettings;
}

/** What a gate may use. */
export interface GateContext {
  readonly deployment: Deployment;
  /** A connection for commands (reads, XRANGE); a gate that subscribes duplicates it. */
  readonly redis: Redis;
  readonly pack: ProofPack;
  /** Wall clock (ms); injectable so the calendar gate can be pinned in tests. */
  now(): number;
}

/** One gate: a named check with arguments from the manifest. */
export interface Gate {
  readonly name: string;
  /** What it proves, for `--list` and the proof pack's summary. */
  readonly description: string;
  run(context: GateContext, args: Readonly<Record<string, unknown>>): Promise<GateResult>;
}

/** The distinct symbols of the deployment's targets, in order. */
export function symbolsOf(deployment: Deployment): string[] {
  return [...new Set(deployment.targets.map((t) => t.symbol))];
}

/** The verdict of a gate that reads `/metrics` when the runner was given no endpoint. */
export const NO_METRICS_ENDPOINT: GateResult = {
  verdict: 'fail',
  summary: 'no /metrics endpoint given (--metrics-urls)',
  facts: {},
};

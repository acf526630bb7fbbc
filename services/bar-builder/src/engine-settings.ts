import { defineFields, type ConfigOfFields } from '@fxcm/config';
import { parseTimeframe } from '@fxcm/contracts';
import type { BarEngineOptions, SessionCalendar, Timeframe } from './domain';

/**
 * The settings that decide what bars the engine builds from its inputs. The bar builder and
 * the replay-determinism gate both read them from these fields (same env, same
 * `runtime_settings.json` paths), so a replay cannot run on other settings than the service.
 */
export const ENGINE_FIELDS = defineFields([
  {
    key: 'priceMode',
    env: 'FXCM_PRICE_MODE',
    type: 'enum',
    values: ['mid', 'bid', 'ask'],
    default: 'mid',
    description: 'Which price builds the bars: mid = (bid + ask) / 2 per tick (V1), bid or ask.',
  },
  {
    key: 'openMode',
    env: 'FXCM_OPEN_MODE',
    type: 'enum',
    values: ['first_tick', 'previous_close'],
    default: 'first_tick',
    description:
      "A bar's open: its first tick, or the previous bar's close (FXCM's candle convention).",
  },
  {
    key: 'timeframes',
    env: 'FXCM_TIMEFRAMES',
    type: 'list',
    default: ['1m', '5m', '15m', '30m', '1h', '4h', '1d'],
    min: 1,
    description: 'Timeframes built (1m always); higher ones are derived from final 1m bars.',
  },
  {
    key: 'maxSynthGapMinutes',
    env: 'FXCM_MAX_SYNTH_GAP_MINUTES',
    setting: 'stream.tick_aggregation_max_synth_gap_minutes',
    type: 'int',
    min: 0,
    default: 60,
    description: 'Longest run of tick-less open minutes filled with flat synthetic bars.',
  },
  {
    key: 'futureToleranceMs',
    env: 'FXCM_FUTURE_TOLERANCE_MS',
    type: 'int',
    min: 0,
    default: 300_000,
    description:
      'A tick stamped more than this ahead of the watermark, or a tick, watermark, history bar or status record dated more than this ahead of the wall clock, is rejected and counted; 0 turns the checks off.',
  },
  {
    key: 'partialWaitMs',
    env: 'FXCM_PARTIAL_HISTORY_WAIT_MS',
    type: 'int',
    min: 0,
    default: 180_000,
    description:
      'How long after the feed is back a minute it saw only in part waits for its history bar before its tick-built bar is published (loudly).',
  },
] as const);

/** The engine part of the bar builder's configuration. */
export type EngineSettings = ConfigOfFields<typeof ENGINE_FIELDS>;

/** The engine options of a bar builder running on `settings` and the calendar `calendarFor`. */
export function engineOptionsOf(
  settings: EngineSettings,
  calendarFor: (symbol: string) => SessionCalendar,
): BarEngineOptions {
  return {
    priceMode: settings.priceMode,
    openMode: settings.openMode,
    timeframes: settings.timeframes.map((tf) => parseTimeframe(tf) as Timeframe),
    maxSynthGapMinutes: settings.maxSynthGapMinutes,
    ...(settings.futureToleranceMs > 0 ? { futureToleranceMs: settings.futureToleranceMs } : {}),
    // Cold start: a window begun before the builder saw it is final only once history covers it.
    holdUncoveredWindows: true,
    partialWaitMs: settings.partialWaitMs,
    calendarFor,
  };
}

/** The engine settings of a configuration that holds them among others, and nothing else. */
export function engineSettingsOf(config: EngineSettings): EngineSettings {
  const { priceMode, openMode, timeframes, maxSynthGapMinutes, futureToleranceMs, partialWaitMs } =
    config;
  return { priceMode, openMode, timeframes, maxSynthGapMinutes, futureToleranceMs, partialWaitMs };
}

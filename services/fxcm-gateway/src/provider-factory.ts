import type { TradingCalendar } from '@fxcm/calendar';
import { ConfigError } from '@fxcm/config';
import { sessionStaleMs } from './connection/stale-threshold';
import {
  parseReplaySpeed,
  parseSimStart,
  resolveProvider,
  symbolsOf,
  type GatewayConfig,
} from './config';
import { shiftedClock, systemClock } from './connection/clock';
import type { CandleSource } from './history/candle-source';
import type { FxcmError } from './providers/fxcm-rest/fxcm-errors';
import { FxcmRestProvider } from './providers/fxcm-rest/fxcm-rest-provider';
import type { QuoteProvider } from './providers/provider';
import type { ArchiveLineError } from './providers/replay/tick-archive';
import { ReplayProvider } from './providers/replay/replay-provider';
import { SimCandleSource } from './providers/sim/sim-candle-source';
import { ReplayCandleSource } from './providers/replay/replay-candle-source';
import { SimProvider } from './providers/sim/sim-provider';
import { expandReplayFiles } from './replay-files';

/** What the composition root gets: the provider, its history (live providers) and symbols. */
export interface ProviderBundle {
  provider: QuoteProvider;
  candles?: CandleSource;
  symbols: string[];
}

/** Callbacks the providers report through (counted and logged by the app). */
export interface ProviderHooks {
  onBackfill: (symbols: readonly string[], fromMs: number, toMs: number) => void;
  onBadLine: (err: ArchiveLineError) => void;
  onBadInput: (err: FxcmError) => void;
  onDuplicate: (symbol: string) => void;
  onSinkError: (err: unknown) => void;
  /** The calendar in force for a symbol (FXCM_CALENDAR_*); default: the shipped calendar. */
  calendarFor?: (symbol: string) => TradingCalendar;
}

function invalid(name: string, message: string): ConfigError {
  return new ConfigError('CONFIG_INVALID', [{ name, message }]);
}

/** Builds the provider `FXCM_PROVIDER` names; a missing token or file list is a config error. */
export function createProvider(config: GatewayConfig, hooks: ProviderHooks): ProviderBundle {
  const kind = resolveProvider(config);
  if (kind === 'replay') {
    const files = expandReplayFiles(config.replayFiles);
    if (files.length === 0) {
      throw invalid(
        'FXCM_REPLAY_FILES',
        'FXCM_REPLAY_FILES names no tick-archive file (SYMBOL_…_ticks.csv.gz)',
      );
    }
    const provider = new ReplayProvider({
      files,
      speed: parseReplaySpeed(config.replaySpeed),
      shift: config.replayShift,
      onBadLine: hooks.onBadLine,
    });
    if (!config.replayHistory) return { provider, symbols: [] };
    // History comes from the same recording, shifted as the replay is.
    const candles = new ReplayCandleSource(files, () => provider.shiftMs, hooks.onBadLine);
    return { provider, candles, symbols: [] };
  }
  const symbols = symbolsOf(config.streamTargets);
  if (symbols.length === 0)
    throw invalid('FXCM_STREAM_CONFIG', 'FXCM_STREAM_CONFIG names no symbol');
  const policy =
    config.staleSeconds !== undefined
      ? { staleMs: config.staleSeconds * 1000 }
      : { staleMs: 360_000, staleMsAt: sessionStaleMs };
  const onBackfill = (fromMs: number, toMs: number): void =>
    hooks.onBackfill(symbols, fromMs, toMs);
  if (kind === 'sim') {
    const start = parseSimStart(config.simStart);
    const clock = start === undefined ? systemClock() : shiftedClock(start);
    const provider = new SimProvider({
      clock,
      symbols,
      seed: config.simSeed,
      ticksPerSecond: config.simTicksPerSecond,
      policy,
      graceMs: config.watermarkGraceMs,
      onBackfill,
      ...(hooks.calendarFor ? { calendarFor: hooks.calendarFor } : {}),
    });
    return { provider, candles: new SimCandleSource(provider.market, clock.now), symbols };
  }
  if (!config.accessToken) {
    throw invalid(
      'FXCM_ACCESS_TOKEN',
      'FXCM_PROVIDER=fxcm-rest needs FXCM_ACCESS_TOKEN (an FXCM REST access token)',
    );
  }
  const provider = new FxcmRestProvider({
    baseUrl: config.restUrl.replace(/\/+$/, ''),
    token: config.accessToken,
    symbols,
    socketIdSource: config.socketIdSource,
    ...(hooks.calendarFor ? { calendarFor: hooks.calendarFor } : {}),
    policy,
    graceMs: config.watermarkGraceMs,
    onBackfill,
    onBadInput: hooks.onBadInput,
    onDuplicate: hooks.onDuplicate,
    onSinkError: hooks.onSinkError,
  });
  return { provider, candles: provider.candles, symbols };
}

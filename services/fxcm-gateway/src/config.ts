import { ConfigError, defineConfig, type ConfigOf } from '@fxcm/config';
import { COMMON_FIELDS } from '@fxcm/service-runtime';

/** The gateway's configuration; nothing else in the service reads the environment. */
export const configSpec = defineConfig([
  ...COMMON_FIELDS,
  {
    key: 'provider',
    env: 'FXCM_PROVIDER',
    type: 'enum',
    values: ['replay'],
    default: 'replay',
    description: 'Where quotes come from: replay (recorded FXCM tick-archive files).',
  },
  {
    key: 'replayFiles',
    env: 'FXCM_REPLAY_FILES',
    type: 'list',
    default: [],
    description:
      'Tick-archive files (SYMBOL_….csv.gz) or folders of them, comma-separated; several symbols are merged by time.',
  },
  {
    key: 'replaySpeed',
    env: 'FXCM_REPLAY_SPEED',
    type: 'string',
    default: '1',
    description: 'Replay speed: a factor of real time (1, 60, 600) or "max".',
  },
  {
    key: 'maxCrossedRatio',
    env: 'FXCM_MAX_CROSSED_RATIO',
    type: 'number',
    min: 0,
    max: 0.1,
    default: 5e-4,
    description:
      'Largest accepted (bid − ask) / mid of a crossed quote; real FXCM feeds cross briefly, wider is a bad tick.',
  },
  {
    key: 'tickMaxLen',
    env: 'FXCM_TICK_STREAM_MAXLEN',
    type: 'int',
    min: 1_000,
    default: 1_000_000,
    description: 'Approximate retention of each tick stream (XADD MAXLEN ~).',
  },
] as const);

/** The validated configuration object. */
export type GatewayConfig = ConfigOf<typeof configSpec>;

/** `FXCM_REPLAY_SPEED` as the replay provider takes it; throws a message naming the variable. */
export function parseReplaySpeed(text: string): number | 'max' {
  if (text.trim().toLowerCase() === 'max') return 'max';
  const factor = Number(text);
  if (!Number.isFinite(factor) || factor <= 0) {
    throw new ConfigError('CONFIG_INVALID', [
      {
        name: 'FXCM_REPLAY_SPEED',
        message: `FXCM_REPLAY_SPEED must be a positive number or "max", got ${JSON.stringify(text)}`,
      },
    ]);
  }
  return factor;
}

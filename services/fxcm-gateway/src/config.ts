import { ConfigError, defineConfig, type ConfigOf } from '@fxcm/config';
import { CALENDAR_FIELDS, COMMON_FIELDS, TARGET_FIELDS } from '@fxcm/service-runtime';

/** The gateway's configuration; nothing else in the service reads the environment. */
export const configSpec = defineConfig([
  ...COMMON_FIELDS,
  ...CALENDAR_FIELDS,
  {
    key: 'provider',
    env: 'FXCM_PROVIDER',
    type: 'enum',
    values: ['auto', 'sim', 'replay', 'fxcm-rest'],
    default: 'auto',
    description:
      'Where quotes come from: fxcm-rest (FXCM Socket REST API), sim (deterministic simulator), replay (recorded tick files); auto = replay when FXCM_REPLAY_FILES is set, else sim.',
  },
  ...TARGET_FIELDS,
  {
    key: 'accessToken',
    env: 'FXCM_ACCESS_TOKEN',
    type: 'string',
    secret: true,
    description:
      'FXCM REST persistent access token (Trading Station Web → Token Management); fxcm-rest only.',
  },
  {
    key: 'restUrl',
    env: 'FXCM_REST_URL',
    type: 'url',
    default: 'https://api-demo.fxcm.com:443',
    description:
      'FXCM REST host: https://api-demo.fxcm.com:443 (demo) or https://api.fxcm.com:443 (real).',
  },
  {
    key: 'socketIdSource',
    env: 'FXCM_SOCKET_ID_SOURCE',
    type: 'enum',
    values: ['socket', 'engine'],
    default: 'socket',
    description:
      'Id in the bearer Bearer <id><token>: socket.io socket.id or the engine.io id (tried once on a 401 either way).',
  },
  {
    key: 'simSeed',
    env: 'FXCM_SIM_SEED',
    type: 'int',
    min: 0,
    max: 4_294_967_295,
    default: 1,
    description: 'Seed of the simulator: the same seed gives the same quotes and history.',
  },
  {
    key: 'simStart',
    env: 'FXCM_SIM_START',
    type: 'string',
    default: '',
    description:
      'Simulator only: ISO instant its clock starts at (e.g. a Wednesday 10:00Z for a live-looking session on a weekend); empty = now.',
  },
  {
    key: 'staleSeconds',
    env: 'FXCM_STALE_SECONDS',
    type: 'int',
    min: 5,
    max: 3_600,
    description:
      'No tick for this long while the calendar is open ⇒ stale: resubscribe once, then reconnect. Unset = per session from the real tick gaps: 90 s 06–16 UTC, 180 s 16–21 and 00–06 UTC, 360 s 21–24 UTC.',
  },
  {
    key: 'watermarkGraceMs',
    env: 'FXCM_WATERMARK_GRACE_MS',
    type: 'int',
    min: 0,
    max: 60_000,
    default: 1_000,
    description:
      'Live providers write a watermark now − grace every 100 ms; a quote later than that is late.',
  },
  {
    key: 'historyWorker',
    env: 'FXCM_HISTORY_WORKER',
    type: 'bool',
    default: true,
    description:
      'Run history jobs from the BullMQ queue "history" and backfill gaps (fxcm-rest and sim).',
  },
  {
    key: 'historyMaxRequests',
    env: 'FXCM_HISTORY_MAX_REQUESTS',
    type: 'int',
    min: 1,
    default: 50,
    description:
      'Per-run request budget of a history job without its own max_requests (retries included).',
  },
  {
    key: 'historyMaxSeconds',
    env: 'FXCM_HISTORY_MAX_SECONDS',
    type: 'int',
    min: 1,
    default: 600,
    description: 'Per-run time budget of a history job without its own max_seconds.',
  },
  {
    key: 'historyMaxLen',
    env: 'FXCM_HISTORY_STREAM_MAXLEN',
    type: 'int',
    min: 1_000,
    default: 1_000_000,
    description: 'Approximate retention of each history stream (XADD MAXLEN ~).',
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
    key: 'replayShift',
    env: 'FXCM_REPLAY_SHIFT',
    type: 'enum',
    values: ['none', 'now', 'weeks'],
    default: 'none',
    description:
      'Replay time shift, by whole minutes: now = the first tick lands in the current minute; weeks = by whole weeks, keeping weekday and time (stays inside the sessions); none = as recorded.',
  },
  {
    key: 'replaySpeed',
    env: 'FXCM_REPLAY_SPEED',
    type: 'string',
    default: '1',
    description: 'Replay speed: a factor of real time (1, 60, 600) or "max".',
  },
  {
    key: 'recordDir',
    env: 'FXCM_RECORD_DIR',
    type: 'string',
    default: '',
    description:
      'Record every quote the provider delivers (before the rails) to tick-archive files in this folder, readable by the replay provider; empty = off.',
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

/** The provider `FXCM_PROVIDER` names, with `auto` resolved. */
export function resolveProvider(config: GatewayConfig): 'sim' | 'replay' | 'fxcm-rest' {
  if (config.provider !== 'auto') return config.provider;
  return config.replayFiles.length > 0 ? 'replay' : 'sim';
}

/** The distinct symbols of the V1 stream targets (`XAU/USD:m1,XAU/USD:m5` → `XAU/USD`). */
export function symbolsOf(targets: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const target of targets) {
    const symbol = (target.split(':')[0] ?? '').trim();
    if (symbol === '') continue;
    const key = symbol.toUpperCase().replace(/[^A-Z0-9]/g, '');
    if (!seen.has(key)) seen.set(key, symbol);
  }
  return [...seen.values()];
}

/** `FXCM_SIM_START` as epoch ms, undefined when empty; throws a message naming the variable. */
export function parseSimStart(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new ConfigError('CONFIG_INVALID', [
      {
        name: 'FXCM_SIM_START',
        message: `FXCM_SIM_START must be an ISO instant like 2026-11-18T10:00:00Z, got ${JSON.stringify(text)}`,
      },
    ]);
  }
  return ms;
}

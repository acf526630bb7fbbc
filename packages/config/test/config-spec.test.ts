import { join } from 'node:path';
import {
  buildConfig,
  defineConfig,
  defineFields,
  describeConfig,
  loadRuntimeSettings,
  redactConfig,
  renderConfigTable,
  type ConfigOf,
} from '../src';
import { captureError } from './capture-error';

const redisFields = defineFields([
  {
    key: 'redisHost',
    env: 'FXCM_REDIS_HOST',
    type: 'string',
    default: '127.0.0.1',
    description: 'Redis host',
  },
  {
    key: 'redisPort',
    env: 'FXCM_REDIS_PORT',
    type: 'int',
    default: 6379,
    min: 1,
    max: 65535,
    description: 'Redis port',
  },
]);

const spec = defineConfig([
  ...redisFields,
  {
    key: 'metricsPort',
    env: 'FXCM_METRICS_PORT',
    type: 'int',
    default: 9200,
    min: 0,
    max: 65535,
    description: 'Port of /metrics',
  },
  {
    key: 'priceMode',
    env: 'FXCM_PRICE_MODE',
    type: 'enum',
    values: ['mid', 'bid', 'ask'],
    default: 'mid',
    description: 'Quote side used for bar prices',
  },
  {
    key: 'pollSeconds',
    env: 'FXCM_POLL_SECONDS',
    setting: 'stream.poll_seconds',
    type: 'number',
    default: 5,
    min: 0,
    description: 'History poll period',
  },
  {
    key: 'streamTargets',
    env: 'FXCM_STREAM_CONFIG',
    setting: 'stream.config',
    type: 'list',
    default: ['XAU/USD:m1'],
    min: 1,
    description: 'Symbols and timeframes to stream',
  },
  {
    key: 'metricsEnabled',
    env: 'FXCM_METRICS_ENABLED',
    type: 'bool',
    default: true,
    description: 'Serve Prometheus metrics',
  },
  {
    key: 'tickAggregation',
    env: 'FXCM_TICK_AGGREGATION_ENABLED',
    setting: 'stream.tick_aggregation_enabled',
    type: 'bool',
    default: false,
    description: 'Build bars from ticks',
  },
  {
    key: 'hostUrl',
    env: 'FXCM_HOST_URL',
    type: 'url',
    default: 'http://www.fxcorporate.com/Hosts.jsp',
    description: 'FXCM hosts endpoint',
  },
  {
    key: 'username',
    env: 'FXCM_USERNAME',
    type: 'string',
    required: true,
    description: 'FXCM login',
  },
  {
    key: 'password',
    env: 'FXCM_PASSWORD',
    type: 'string',
    required: true,
    secret: true,
    description: 'FXCM password',
  },
  {
    key: 'hmacSecret',
    env: 'FXCM_HMAC_SECRET',
    type: 'string',
    secret: true,
    min: 16,
    description: 'HMAC key for sig',
  },
  {
    key: 'statusChannel',
    env: 'FXCM_STATUS_CHANNEL',
    setting: 'stream.status_channel',
    type: 'string',
    description: 'Status channel override',
  },
]);

type Config = ConfigOf<typeof spec>;

// Compile-time checks: `pnpm typecheck` fails if inference regresses.
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const typeChecks: [
  Equal<Config['metricsPort'], number>,
  Equal<Config['redisHost'], string>,
  Equal<Config['priceMode'], 'mid' | 'bid' | 'ask'>,
  Equal<Config['streamTargets'], string[]>,
  Equal<Config['metricsEnabled'], boolean>,
  Equal<Config['username'], string>,
  Equal<Config['hmacSecret'], string | undefined>,
  Equal<Config['statusChannel'], string | undefined>,
] = [true, true, true, true, true, true, true, true];

const creds = { FXCM_USERNAME: 'demo-user', FXCM_PASSWORD: 'pw-123' };

describe('buildConfig', () => {
  it('applies defaults when nothing else is set', () => {
    expect(typeChecks).toHaveLength(8);
    const config: Config = buildConfig(spec, { env: creds });
    expect(config).toEqual({
      redisHost: '127.0.0.1',
      redisPort: 6379,
      metricsPort: 9200,
      priceMode: 'mid',
      pollSeconds: 5,
      streamTargets: ['XAU/USD:m1'],
      metricsEnabled: true,
      tickAggregation: false,
      hostUrl: 'http://www.fxcorporate.com/Hosts.jsp',
      username: 'demo-user',
      password: 'pw-123',
      hmacSecret: undefined,
      statusChannel: undefined,
    });
  });

  it('takes runtime settings over defaults (V1 example file)', () => {
    const settings = loadRuntimeSettings(join(__dirname, 'fixtures', 'runtime-settings.v1.json'));
    const config = buildConfig(spec, { env: creds, settings });
    expect(config.pollSeconds).toBe(5);
    expect(config.streamTargets).toEqual(['XAU/USD:m1', 'XAU/USD:m5', 'EUR/USD:m1', 'EUR/USD:m5']);
    expect(config.tickAggregation).toBe(false);
    expect(config.statusChannel).toBe('fxcm:status');
  });

  it('takes env over runtime settings, and accepts plain settings objects', () => {
    const settings = {
      stream: {
        poll_seconds: 7,
        tick_aggregation_enabled: true,
        config: [
          { symbol: 'XAU/USD', tf: 'm1' },
          { symbol: 'EUR/USD', tf: 'm5' },
        ],
      },
    };
    expect(buildConfig(spec, { env: creds, settings })).toMatchObject({
      pollSeconds: 7,
      tickAggregation: true,
      streamTargets: ['XAU/USD:m1', 'EUR/USD:m5'],
    });
    const env = {
      ...creds,
      FXCM_POLL_SECONDS: '2.5',
      FXCM_TICK_AGGREGATION_ENABLED: 'No',
      FXCM_STREAM_CONFIG: ' GBP/USD:m1 , ,USD/JPY:m5 ',
    };
    expect(buildConfig(spec, { env, settings })).toMatchObject({
      pollSeconds: 2.5,
      tickAggregation: false,
      streamTargets: ['GBP/USD:m1', 'USD/JPY:m5'],
    });
  });

  it('treats an empty env var as unset', () => {
    const config = buildConfig(spec, {
      env: { ...creds, FXCM_METRICS_PORT: '', FXCM_POLL_SECONDS: '  ' },
    });
    expect(config.metricsPort).toBe(9200);
    expect(config.pollSeconds).toBe(5);
  });

  it.each([
    ['1', true],
    ['0', false],
    ['TRUE', true],
    ['false', false],
    ['Yes', true],
    ['no', false],
  ])('reads bool %j as %j', (raw, expected) => {
    expect(buildConfig(spec, { env: { ...creds, FXCM_METRICS_ENABLED: raw } }).metricsEnabled).toBe(
      expected,
    );
  });

  it('matches enum values case-insensitively and returns the declared spelling', () => {
    expect(buildConfig(spec, { env: { ...creds, FXCM_PRICE_MODE: ' BID ' } }).priceMode).toBe(
      'bid',
    );
  });

  it('lists every bad key at once, naming the env var or settings path', () => {
    const err = captureError(() =>
      buildConfig(spec, {
        env: {
          FXCM_METRICS_PORT: 'abc',
          FXCM_REDIS_PORT: '70000',
          FXCM_PRICE_MODE: 'last',
          FXCM_METRICS_ENABLED: 'maybe',
          FXCM_HOST_URL: 'not a url',
          FXCM_PASSWORD: 'pw',
        },
        settings: { stream: { poll_seconds: '5s', config: [] } },
      }),
    );
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(
      [
        'FXCM_REDIS_PORT must be an integer in [1, 65535], got "70000"',
        'FXCM_METRICS_PORT must be an integer in [0, 65535], got "abc"',
        'FXCM_PRICE_MODE must be one of mid|bid|ask, got "last"',
        'stream.poll_seconds (runtime_settings.json) must be a number >= 0, got "5s"',
        'stream.config (runtime_settings.json) must be a comma-separated list of at least 1 items, got []',
        'FXCM_METRICS_ENABLED must be a boolean (1/0/true/false/yes/no), got "maybe"',
        'FXCM_HOST_URL must be a URL, got "not a url"',
        'FXCM_USERNAME is required',
      ].join('; '),
    );
    expect(err.issues.map((i) => i.name)).toEqual([
      'FXCM_REDIS_PORT',
      'FXCM_METRICS_PORT',
      'FXCM_PRICE_MODE',
      'stream.poll_seconds',
      'stream.config',
      'FXCM_METRICS_ENABLED',
      'FXCM_HOST_URL',
      'FXCM_USERNAME',
    ]);
  });

  it('rejects a fractional int and never echoes a secret value', () => {
    const err = captureError(() =>
      buildConfig(spec, {
        env: { ...creds, FXCM_METRICS_PORT: '9200.5', FXCM_HMAC_SECRET: 'short-secret' },
      }),
    );
    expect(err.message).toBe(
      'FXCM_METRICS_PORT must be an integer in [0, 65535], got "9200.5"; ' +
        'FXCM_HMAC_SECRET must be a string of length at least 16, got [REDACTED]',
    );
    expect(err.message).not.toContain('short-secret');
  });

  it('names the settings path when a required field can come from either source', () => {
    const needsChannel = defineConfig([
      {
        key: 'ohlcvChannel',
        env: 'FXCM_OHLCV_CHANNEL',
        setting: 'stream.ohlcv_channel',
        type: 'string',
        required: true,
        description: 'OHLCV channel',
      },
    ]);
    expect(() => buildConfig(needsChannel, { env: {} })).toThrow(
      'FXCM_OHLCV_CHANNEL (or stream.ohlcv_channel in runtime_settings.json) is required',
    );
    const settings = { stream: { ohlcv_channel: 'fxcm_local:ohlcv' } };
    expect(buildConfig(needsChannel, { env: {}, settings }).ohlcvChannel).toBe('fxcm_local:ohlcv');
  });

  it('returns a fresh list, not the default array itself', () => {
    const first = buildConfig(spec, { env: creds });
    first.streamTargets.push('EUR/USD:m1');
    expect(buildConfig(spec, { env: creds }).streamTargets).toEqual(['XAU/USD:m1']);
  });
});

describe('defineConfig', () => {
  it('refuses an impossible declaration, listing each problem', () => {
    const err = captureError(() =>
      defineConfig([
        { key: 'a', env: 'X', type: 'int', min: 5, max: 1, description: '' },
        { key: 'a', env: 'X', type: 'string', description: '' },
        { key: 'b', type: 'bool', description: '' },
        { key: 'c', env: 'C', type: 'enum', values: [], description: '' },
        { key: 'd', env: 'D', type: 'string', required: true, default: 'x', description: '' },
      ]),
    );
    expect(err.code).toBe('CONFIG_SPEC_INVALID');
    expect(err.issues.map((i) => i.message)).toEqual([
      'a: min 5 is above max 1',
      'a: key is declared twice',
      'a: env X is used by two fields',
      'b: needs an env var or a settings path',
      'c: enum needs values',
      'd: is required and has a default',
    ]);
  });

  it('refuses a default that breaks its own rules', () => {
    expect(() =>
      defineConfig([
        { key: 'port', env: 'P', type: 'int', default: 70000, max: 65535, description: '' },
        { key: 'mode', env: 'M', type: 'enum', values: ['mid'], default: 'last', description: '' },
      ]),
    ).toThrow(
      'default of port must be an integer <= 65535, got 70000; default of mode must be one of mid, got "last"',
    );
  });

  it('generates a draft 2020-12 JSON Schema with the V1 names as annotations', () => {
    const small = defineConfig([
      {
        key: 'metricsPort',
        env: 'FXCM_METRICS_PORT',
        type: 'int',
        default: 9200,
        min: 0,
        max: 65535,
        description: 'Port of /metrics',
      },
      {
        key: 'token',
        env: 'FXCM_TOKEN',
        type: 'string',
        secret: true,
        required: true,
        description: 'API token',
      },
    ]);
    expect(small.schema).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        metricsPort: {
          type: 'integer',
          minimum: 0,
          maximum: 65535,
          description: 'Port of /metrics',
          default: 9200,
          'x-env': 'FXCM_METRICS_PORT',
        },
        token: {
          type: 'string',
          description: 'API token',
          'x-env': 'FXCM_TOKEN',
          'x-secret': true,
        },
      },
      required: ['token'],
      additionalProperties: false,
    });
  });
});

describe('describeConfig / renderConfigTable / redactConfig', () => {
  it('describes each field in declaration order', () => {
    const rows = describeConfig(spec);
    expect(rows.map((r) => r.env)).toEqual([
      'FXCM_REDIS_HOST',
      'FXCM_REDIS_PORT',
      'FXCM_METRICS_PORT',
      'FXCM_PRICE_MODE',
      'FXCM_POLL_SECONDS',
      'FXCM_STREAM_CONFIG',
      'FXCM_METRICS_ENABLED',
      'FXCM_TICK_AGGREGATION_ENABLED',
      'FXCM_HOST_URL',
      'FXCM_USERNAME',
      'FXCM_PASSWORD',
      'FXCM_HMAC_SECRET',
      'FXCM_STATUS_CHANNEL',
    ]);
    expect(rows[5]).toEqual({
      key: 'streamTargets',
      env: 'FXCM_STREAM_CONFIG',
      setting: 'stream.config',
      type: 'list',
      allowed: 'a comma-separated list of at least 1 items',
      default: 'XAU/USD:m1',
      required: false,
      secret: false,
      description: 'Symbols and timeframes to stream',
    });
  });

  it('renders a Markdown table', () => {
    const table = renderConfigTable(spec).split('\n');
    expect(table[0]).toBe('| Env | runtime_settings | Type | Default | Description |');
    expect(table[5]).toBe(
      '| `FXCM_PRICE_MODE` | – | one of mid\\|bid\\|ask | `mid` | Quote side used for bar prices |',
    );
    expect(table[6]).toBe(
      '| `FXCM_POLL_SECONDS` | `stream.poll_seconds` | number >= 0 | `5` | History poll period |',
    );
    expect(table[12]).toBe('| `FXCM_PASSWORD` | – | string | required | FXCM password (secret) |');
    expect(table).toHaveLength(15);
  });

  it('hides set secrets and leaves unset ones undefined', () => {
    const config = buildConfig(spec, { env: creds });
    const shown = redactConfig(config, spec);
    expect(shown.password).toBe('[REDACTED]');
    expect(shown.hmacSecret).toBeUndefined();
    expect(shown.username).toBe('demo-user');
    expect(config.password).toBe('pw-123');
  });
});

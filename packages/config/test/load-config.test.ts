import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defineConfig, loadConfig } from '../src';

const spec = defineConfig([
  {
    key: 'pollSeconds',
    env: 'FXCM_POLL_SECONDS',
    setting: 'stream.poll_seconds',
    type: 'number',
    default: 1,
    min: 0,
    description: 'poll',
  },
  {
    key: 'channelPrefix',
    env: 'FXCM_CHANNEL_PREFIX',
    type: 'string',
    default: 'fxcm',
    description: 'prefix',
  },
  {
    key: 'metricsPort',
    env: 'FXCM_METRICS_PORT',
    type: 'int',
    default: 9200,
    min: 0,
    max: 65535,
    description: 'port',
  },
]);

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fxcm-config-load-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('layers .env, profile, real env and config/runtime_settings.json', () => {
    mkdirSync(join(dir, 'config'));
    copyFileSync(
      join(__dirname, 'fixtures', 'runtime-settings.unknown-keys.json'),
      join(dir, 'config', 'runtime_settings.json'),
    );
    writeFileSync(join(dir, '.env'), 'AI_ONE_ENV_FILE=.env.local\nFXCM_CHANNEL_PREFIX=fxcm\n');
    writeFileSync(
      join(dir, '.env.local'),
      'FXCM_CHANNEL_PREFIX=fxcm_local\nFXCM_METRICS_PORT=9300\n',
    );
    const loaded = loadConfig(spec, { cwd: dir, env: { FXCM_METRICS_PORT: '9400' } });
    expect(loaded.config).toEqual({
      pollSeconds: 5,
      channelPrefix: 'fxcm_local',
      metricsPort: 9400,
    });
    expect(loaded.envFiles).toEqual([join(dir, '.env'), join(dir, '.env.local')]);
    expect(loaded.settings.found).toBe(true);
    expect(loaded.warnings).toHaveLength(3);
  });

  it('runs on defaults in an empty directory', () => {
    const loaded = loadConfig(spec, { cwd: dir, env: {} });
    expect(loaded.config).toEqual({ pollSeconds: 1, channelPrefix: 'fxcm', metricsPort: 9200 });
    expect(loaded.settings.found).toBe(false);
    expect(loaded.envFiles).toEqual([]);
  });

  it('reads the settings file from settingsPath and stops on its first bad stage', () => {
    writeFileSync(join(dir, 'settings.json'), '{"stream":{"poll_seconds":"5s"}}');
    expect(() => loadConfig(spec, { cwd: dir, env: {}, settingsPath: 'settings.json' })).toThrow(
      new ConfigError('CONFIG_SETTINGS_INVALID', [
        {
          name: 'stream.poll_seconds',
          message: 'stream.poll_seconds: must be a number >= 0 (got "5s")',
        },
      ]),
    );
  });
});

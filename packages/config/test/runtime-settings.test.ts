import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isRuntimeSettings,
  loadRuntimeSettings,
  parseRuntimeSettings,
  parseStreamTargets,
} from '../src';
import { captureError } from './capture-error';

const fixture = (name: string): string => join(__dirname, 'fixtures', name);

describe('loadRuntimeSettings', () => {
  it('accepts the V1 example file with no warnings and keeps its values', () => {
    const settings = loadRuntimeSettings(fixture('runtime-settings.v1.json'));
    expect(settings.found).toBe(true);
    expect(settings.warnings).toEqual([]);
    expect(isRuntimeSettings(settings)).toBe(true);
    const { cache, stream, backoff, viewer, sample_request } = settings.values;
    expect(cache).toEqual({ dir: 'cache', max_bars: 3000, warmup_bars: 1000 });
    expect(stream?.mode).toBe(1);
    expect(stream?.poll_seconds).toBe(5);
    expect(stream?.config).toBe('XAU/USD:m1,XAU/USD:m5, EUR/USD:m1,EUR/USD:m5');
    expect(stream?.history_priority_targets).toEqual(['XAU/USD:m1']);
    expect(stream?.history_load_thresholds).toEqual({
      min_interval: 0.7,
      warn: 0.9,
      reserve: 0.9,
      critical: 0.95,
    });
    expect(stream?.redis_backoff).toEqual({
      base_seconds: 2,
      max_seconds: 45,
      multiplier: 2,
      jitter: 0.25,
    });
    expect(backoff?.fxcm_stream).toEqual({ base_delay: 5, factor: 2, max_delay: 300 });
    expect(viewer?.market_status_channel).toBe('fxcm:market_status');
    expect(sample_request).toEqual({ symbol: 'XAU/USD', timeframe: 'm1', hours: 24 });
  });

  it('accepts unknown keys and lists each of them as a warning', () => {
    const settings = loadRuntimeSettings(fixture('runtime-settings.unknown-keys.json'));
    const path = fixture('runtime-settings.unknown-keys.json');
    expect(settings.warnings).toEqual([
      `calendar: unknown key in ${path}, ignored`,
      `cache.compress: unknown key in ${path}, ignored`,
      `stream.legacy_gui: unknown key in ${path}, ignored`,
    ]);
    expect(settings.values.stream?.config).toEqual([
      { symbol: 'XAU/USD', tf: 'm1' },
      { symbol: 'EUR/USD', tf: 'm5' },
    ]);
  });

  it('names every wrong key with its JSON path and why, all at once', () => {
    const err = captureError(() => loadRuntimeSettings(fixture('runtime-settings.invalid.json')));
    expect(err.code).toBe('CONFIG_SETTINGS_INVALID');
    expect(err.issues.map((i) => i.message)).toEqual([
      'cache.dir: must be a non-empty string (got "")',
      'cache.max_bars: must be an integer >= 1 (got 0)',
      'stream.mode: must be one of 0|1 (got 2)',
      'stream.poll_seconds: must be a number >= 0 (got "5s")',
      'stream.config[0]: must be a non-empty string or an object {symbol, tf} (got {"symbol":"XAU/USD"})',
      'stream.dynamic_universe_enabled: must be a boolean (got "yes")',
      'stream.history_load_thresholds.warn: must be a number in [0, 1] (got 1.5)',
      'stream.history_backoff.multiplier: must be a number >= 1 (got 0.5)',
      'backoff.fxcm_login.base_delay: must be a number >= 0 (got -1)',
    ]);
    expect(err.message).toContain('stream.poll_seconds: must be a number >= 0 (got "5s"); ');
  });

  it('describes a stream.config that is neither a string nor a list', () => {
    expect(() => parseRuntimeSettings({ stream: { config: 5 } })).toThrow(
      'stream.config: must be a string or an array (items: a non-empty string or an object {symbol, tf}) (got 5)',
    );
  });

  it('rejects a file whose top level is not an object', () => {
    expect(() => parseRuntimeSettings([1, 2], 'settings.json')).toThrow(
      'settings.json: must be an object (got [1,2])',
    );
  });

  describe('with a temporary directory', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'fxcm-config-settings-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('gives empty settings when the file is missing', () => {
      const path = join(dir, 'runtime_settings.json');
      const settings = loadRuntimeSettings(path);
      expect(settings).toMatchObject({ values: {}, warnings: [], found: false, path });
    });

    it('reports a file that is not JSON', () => {
      const path = join(dir, 'runtime_settings.json');
      writeFileSync(path, '{ "stream": { "poll_seconds": 5, } }');
      const err = captureError(() => loadRuntimeSettings(path));
      expect(err.code).toBe('CONFIG_SETTINGS_UNREADABLE');
      expect(err.message).toMatch(new RegExp(`^${escape(path)} is not valid JSON \\(.+\\)$`));
    });
  });
});

describe('parseStreamTargets', () => {
  it('splits the V1 string form, trimming and keeping the FXCM spelling', () => {
    const settings = loadRuntimeSettings(fixture('runtime-settings.v1.json'));
    expect(parseStreamTargets(settings.values.stream?.config ?? '')).toEqual([
      { symbol: 'XAU/USD', tf: 'm1' },
      { symbol: 'XAU/USD', tf: 'm5' },
      { symbol: 'EUR/USD', tf: 'm1' },
      { symbol: 'EUR/USD', tf: 'm5' },
    ]);
  });

  it('accepts objects, "SYMBOL:tf" strings and a bare symbol (tf m1)', () => {
    expect(
      parseStreamTargets([{ symbol: ' GBP/USD ', tf: 'm5' }, 'XAU/USD:m1', 'EUR/USD', ' ']),
    ).toEqual([
      { symbol: 'GBP/USD', tf: 'm5' },
      { symbol: 'XAU/USD', tf: 'm1' },
      { symbol: 'EUR/USD', tf: 'm1' },
    ]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvFiles, loadEnvLayers, parseEnvFile } from '../src';
import { captureError } from './capture-error';

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines with export, comments and both quote styles', () => {
    const text = [
      '# FXCM profile',
      'export FXCM_CONNECTION=Demo',
      'FXCM_REDIS_HOST = 127.0.0.1   # inline comment',
      'FXCM_PASSWORD=\'p#ss "word" $HOME\'',
      'FXCM_HMAC_SECRET="line1\\nline2 \\"q\\" \\\\ end" # trailing',
      'FXCM_TOKEN=abc#def',
      'EMPTY=',
      'ONLY_COMMENT= # nothing here',
      '',
      '   FXCM_CHANNEL_PREFIX=fxcm_local',
      'FXCM_CONNECTION=Real',
    ].join('\r\n');
    expect(parseEnvFile(text)).toEqual({
      FXCM_CONNECTION: 'Real',
      FXCM_REDIS_HOST: '127.0.0.1',
      FXCM_PASSWORD: 'p#ss "word" $HOME',
      FXCM_HMAC_SECRET: 'line1\nline2 "q" \\ end',
      FXCM_TOKEN: 'abc#def',
      EMPTY: '',
      ONLY_COMMENT: '',
      FXCM_CHANNEL_PREFIX: 'fxcm_local',
    });
  });

  it('keeps a double-quoted value that spans lines', () => {
    expect(parseEnvFile('KEY="first\nsecond"\nNEXT=1')).toEqual({
      KEY: 'first\nsecond',
      NEXT: '1',
    });
  });

  it('does not interpolate ${VAR}', () => {
    expect(parseEnvFile('A=1\nB=${A}-x\nC="${A}"')).toEqual({ A: '1', B: '${A}-x', C: '${A}' });
  });

  it('names the file and line of a line that is not KEY=VALUE', () => {
    expect(() => parseEnvFile('A=1\n\nnot a pair\n', '.env.local')).toThrow(
      '.env.local:3: expected KEY=VALUE, got "not a pair"',
    );
  });

  it('rejects an unterminated quote and text after a closing quote', () => {
    const unterminated = captureError(() => parseEnvFile("A='open\nB=2", '.env'));
    expect(unterminated.code).toBe('CONFIG_ENV_FILE_INVALID');
    expect(unterminated.message).toBe(".env:1: A: unterminated ' quote");
    expect(() => parseEnvFile('A="x" y', '.env')).toThrow(
      '.env:1: A: unexpected text after closing quote: "y"',
    );
  });
});

describe('loadEnvFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fxcm-config-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the real env when there is no .env', () => {
    expect(loadEnvFiles({ cwd: dir, env: { FXCM_CONNECTION: 'Demo', UNSET: undefined } })).toEqual({
      FXCM_CONNECTION: 'Demo',
    });
  });

  it('layers .env, then the profile named in .env, then the real env', () => {
    writeFileSync(
      join(dir, '.env'),
      'AI_ONE_ENV_FILE=.env.local\nFXCM_CONNECTION=Demo\nFXCM_REDIS_HOST=redis\nFXCM_METRICS_PORT=9200\n',
    );
    writeFileSync(join(dir, '.env.local'), 'FXCM_REDIS_HOST=127.0.0.1\nFXCM_USERNAME=local-user\n');
    const layers = loadEnvLayers({ cwd: dir, env: { FXCM_USERNAME: 'real-user' } });
    expect(layers.env).toEqual({
      AI_ONE_ENV_FILE: '.env.local',
      FXCM_CONNECTION: 'Demo',
      FXCM_REDIS_HOST: '127.0.0.1',
      FXCM_METRICS_PORT: '9200',
      FXCM_USERNAME: 'real-user',
    });
    expect(layers.files).toEqual([join(dir, '.env'), join(dir, '.env.local')]);
  });

  it('takes the profile name from the real env over the one in .env', () => {
    writeFileSync(join(dir, '.env'), 'AI_ONE_ENV_FILE=.env.local\nFXCM_CONNECTION=Demo\n');
    writeFileSync(join(dir, '.env.local'), 'FXCM_CONNECTION=Local\n');
    writeFileSync(join(dir, '.env.prod'), 'FXCM_CONNECTION=Real\n');
    const env = loadEnvFiles({ cwd: dir, env: { AI_ONE_ENV_FILE: '.env.prod' } });
    expect(env.FXCM_CONNECTION).toBe('Real');
    expect(env.AI_ONE_ENV_FILE).toBe('.env.prod');
  });

  it('lets a profile exist without a .env', () => {
    writeFileSync(join(dir, '.env.prod'), 'FXCM_CONNECTION=Real\n');
    expect(loadEnvFiles({ cwd: dir, env: { AI_ONE_ENV_FILE: '.env.prod' } })).toEqual({
      AI_ONE_ENV_FILE: '.env.prod',
      FXCM_CONNECTION: 'Real',
    });
  });

  it('fails when the named profile is missing', () => {
    const err = captureError(() =>
      loadEnvFiles({ cwd: dir, env: { AI_ONE_ENV_FILE: '.env.nope' } }),
    );
    expect(err.code).toBe('CONFIG_ENV_FILE_MISSING');
    expect(err.message).toBe(
      `AI_ONE_ENV_FILE names the profile file ${join(dir, '.env.nope')}, which does not exist`,
    );
  });

  it('reports a syntax error in the profile with its path and line', () => {
    writeFileSync(join(dir, '.env.local'), 'OK=1\nBROKEN\n');
    expect(() => loadEnvFiles({ cwd: dir, env: { AI_ONE_ENV_FILE: '.env.local' } })).toThrow(
      `${join(dir, '.env.local')}:2: expected KEY=VALUE, got "BROKEN"`,
    );
  });
});

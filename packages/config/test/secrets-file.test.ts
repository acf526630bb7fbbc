import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvLayers } from '../src';
import { captureError } from './capture-error';

describe('the secrets file (FXCM_SECRETS_FILE)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fxcm-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeSecrets = (mode: number, text = 'FXCM_HMAC_SECRET=s3cret\n'): string => {
    const path = join(dir, 'secrets.env');
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };

  it('layers over .env and the profile, under the real environment', () => {
    const secrets = writeSecrets(0o600, 'FXCM_HMAC_SECRET=from-secrets\nFXCM_ACCESS_TOKEN=tok\n');
    writeFileSync(join(dir, '.env'), `AI_ONE_ENV_FILE=prod.env\nFXCM_HMAC_SECRET=from-dotenv\n`);
    writeFileSync(
      join(dir, 'prod.env'),
      `FXCM_SECRETS_FILE=${secrets}\nFXCM_HMAC_SECRET=from-profile\n`,
    );
    const layers = loadEnvLayers({ cwd: dir, env: { FXCM_ACCESS_TOKEN: 'from-env' } });
    expect(layers.env.FXCM_HMAC_SECRET).toBe('from-secrets');
    expect(layers.env.FXCM_ACCESS_TOKEN).toBe('from-env');
    expect(layers.files).toEqual([join(dir, '.env'), join(dir, 'prod.env'), secrets]);
  });

  it('takes a path relative to the working directory and a group-readable file', () => {
    writeSecrets(0o640);
    const layers = loadEnvLayers({ cwd: dir, env: { FXCM_SECRETS_FILE: 'secrets.env' } });
    expect(layers.env.FXCM_HMAC_SECRET).toBe('s3cret');
  });

  it.each([0o644, 0o604, 0o602, 0o601])(
    'refuses a file other users can access (mode %o)',
    (mode) => {
      const path = writeSecrets(mode);
      const err = captureError(() => loadEnvLayers({ cwd: dir, env: { FXCM_SECRETS_FILE: path } }));
      expect(err.code).toBe('CONFIG_SECRETS_FILE_EXPOSED');
      expect(err.message).toBe(
        `FXCM_SECRETS_FILE names ${path} with mode ${mode.toString(8)}, which other users can access; run \`chmod 600 ${path}\``,
      );
      expect(err.message).not.toContain('s3cret');
    },
  );

  it('fails when the named file is missing', () => {
    const err = captureError(() =>
      loadEnvLayers({ cwd: dir, env: { FXCM_SECRETS_FILE: 'nope.env' } }),
    );
    expect(err.code).toBe('CONFIG_ENV_FILE_MISSING');
    expect(err.message).toBe(
      `FXCM_SECRETS_FILE names the secrets file ${join(dir, 'nope.env')}, which does not exist`,
    );
  });
});

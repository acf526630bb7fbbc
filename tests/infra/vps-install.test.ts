import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { parseEnvFile } from '@fxcm/config';
import { configSpec as barBuilder } from '../../services/bar-builder/src/config';
import { configSpec as gateway } from '../../services/fxcm-gateway/src/config';
import { configSpec as ingestor } from '../../services/ingestor/src/config';
import { configSpec as publisher } from '../../services/publisher/src/config';
import { configSpec as scheduler } from '../../services/scheduler/src/config';
import { nodeFlagsOf, ROOT, waitFor } from '../harness/suite';

// The VPS deployment end to end, short of a running systemd: install.mjs puts the built suite
// into a scratch folder, systemd-analyze verifies the rendered units, and a service is started
// the way its unit starts it (working directory, EnvironmentFile lines, ExecStart).

const INSTALL = join(ROOT, 'infra', 'systemd', 'install.mjs');
const SECRET = `hmac-${randomUUID()}`;

let scratch: string;
let paths: { prefix: string; conf: string; state: string; units: string };

function install(...args: string[]) {
  return spawnSync(
    process.execPath,
    [
      INSTALL,
      ...['--prefix', paths.prefix, '--conf', paths.conf, '--state', paths.state],
      ...['--units', paths.units, '--skip-user', ...args],
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
}

/** The environment systemd gives an instance: its EnvironmentFile lines, in order. */
function unitEnv(instance: string): Record<string, string> {
  const files = [join(paths.conf, 'profile.env'), join(paths.conf, 'instances', `${instance}.env`)];
  return Object.assign({}, ...files.map((f) => parseEnvFile(readFileSync(f, 'utf8'), f)));
}

/** Runs an instance as its unit would; the test's own Redis namespace and a free metrics port. */
function startInstance(instance: string) {
  const env = unitEnv(instance);
  const main = join(paths.prefix, 'current', env.FXCM_SERVICE_DIR ?? '', 'dist', 'main.js');
  // ExecStart=@NODE@ $FXCM_NODE_FLAGS …/dist/main.js: the flags split at spaces, none when empty
  const flags = (env.FXCM_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
  const child = spawn(process.execPath, [...flags, main], {
    cwd: paths.conf,
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      FXCM_NAMESPACE: `vps_${randomUUID().slice(0, 8)}`,
      FXCM_METRICS_PORT: '0',
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exited, output: () => output };
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'fxcm-vps-'));
  paths = {
    prefix: join(scratch, 'opt', 'fxcm-suite'),
    conf: join(scratch, 'etc', 'fxcm-suite'),
    state: join(scratch, 'var', 'lib', 'fxcm-suite'),
    units: join(scratch, 'etc', 'systemd', 'system'),
  };
  const result = install('--profile', 'dev', '--shards', '2', '--version', '1.2.3-test');
  if (result.status !== 0) throw new Error(`install failed:\n${result.stdout}\n${result.stderr}`);
  // What an operator does next: put the secrets in, keep the file private.
  const secrets = join(paths.conf, 'secrets.env');
  writeFileSync(secrets, `FXCM_HMAC_SECRET=${SECRET}\n`);
  chmodSync(secrets, 0o600);
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('infra/systemd/install.mjs', () => {
  it('lays out releases, config, data and units', () => {
    expect(readlinkSync(join(paths.prefix, 'current'))).toBe(join('releases', '1.2.3-test'));
    for (const service of ['fxcm-gateway', 'bar-builder', 'scheduler', 'publisher', 'ingestor']) {
      expect(existsSync(join(paths.prefix, 'current', service, 'dist', 'main.js'))).toBe(true);
    }
    expect(statSync(join(paths.conf, 'secrets.env')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(paths.conf, 'profiles')).sort()).toEqual([
      'dev.env',
      'prod.env',
      'stage.env',
    ]);
    expect(readdirSync(join(paths.conf, 'instances')).sort()).toEqual([
      'bar-builder-0.env',
      'bar-builder-1.env',
      'fxcm-gateway.env',
      'ingestor.env',
      'publisher-0.env',
      'scheduler.env',
    ]);
    expect(readdirSync(paths.state).sort()).toEqual(['bar-builder-0', 'bar-builder-1']);
    expect(readdirSync(join(paths.units, 'fxcm-suite.target.wants')).sort()).toEqual([
      'fxcm@bar-builder-0.service',
      'fxcm@bar-builder-1.service',
      'fxcm@fxcm-gateway.service',
      'fxcm@ingestor.service',
      'fxcm@publisher-0.service',
      'fxcm@scheduler.service',
    ]);
    // node's own options, from each service's package.json (ExecStart passes them)
    expect(unitEnv('ingestor').FXCM_NODE_FLAGS).toBe(nodeFlagsOf('ingestor').join(' '));
    expect(unitEnv('ingestor').FXCM_NODE_FLAGS).toMatch(/^--max-semi-space-size=\d+$/);
    expect(unitEnv('bar-builder-1').FXCM_NODE_FLAGS).toBe('');
    expect(unitEnv('bar-builder-1')).toMatchObject({
      FXCM_SHARD: '1',
      FXCM_SHARDS: '2',
      FXCM_CACHE_DIR: `${paths.state}/bar-builder-1`,
      AI_ONE_ENV_FILE: `${paths.conf}/profiles/dev.env`,
    });
  });

  it('renders units that systemd-analyze verify accepts without a warning', () => {
    const units = [
      ...readdirSync(join(paths.units, 'fxcm-suite.target.wants')),
      'fxcm-suite.target',
    ].map((unit) => join(paths.units, unit));
    const result = spawnSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const unit = readFileSync(join(paths.units, 'fxcm@.service'), 'utf8');
    expect(unit).not.toMatch(/@[A-Z]+@/);
    expect(unit).toContain('Restart=always');
    expect(unit).toContain(`EnvironmentFile=${paths.conf}/profile.env`);
  });

  it('is caught by systemd-analyze when a unit is broken', () => {
    const broken = join(scratch, 'broken@.service');
    const unit = readFileSync(join(paths.units, 'fxcm@.service'), 'utf8');
    writeFileSync(broken, unit.replace('Restart=always', 'Restart=sometimes'));
    const result = spawnSync('systemd-analyze', ['verify', join(scratch, 'broken@x.service')], {
      encoding: 'utf8',
    });
    expect(result.stderr).toContain('Failed to parse service restart specifier');
  });

  it('names only settings the services declare in its profiles', () => {
    const known = new Set<string>(
      [gateway, barBuilder, scheduler, publisher, ingestor].flatMap((spec) =>
        spec.fields.flatMap((f): string[] => (f.env ? [f.env] : [])),
      ),
    );
    for (const profile of readdirSync(join(ROOT, 'infra', 'systemd', 'profiles'))) {
      const file = join(ROOT, 'infra', 'systemd', 'profiles', profile);
      const unknown = Object.keys(parseEnvFile(readFileSync(file, 'utf8'), file)).filter(
        (key) => !known.has(key),
      );
      expect({ profile, unknown }).toEqual({ profile, unknown: [] });
    }
  });

  it('starts a service the way its unit does, with the profile and the secrets, never logging them', async () => {
    const run = startInstance('scheduler');
    try {
      await waitFor(() => run.output().includes('"started"'), 60_000, run.output);
      // The dev profile's values and the secret from secrets.env are in force.
      expect(run.output()).toContain('"channelPrefix":"fxcm_dev"');
      expect(run.output()).toContain('"logLevel":"debug"');
      expect(run.output()).toContain('"hmacSecret":"[REDACTED]"');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('"stopped"');
    expect(run.output()).not.toContain(SECRET);
  }, 90_000);

  it('refuses to start when other users can read the secrets file', async () => {
    const secrets = join(paths.conf, 'secrets.env');
    chmodSync(secrets, 0o644);
    const run = startInstance('publisher-0');
    try {
      const exit = await Promise.race([run.exited, sleep(45_000).then(() => 'still running')]);
      expect({ exit, output: run.output() }).toMatchObject({ exit: 78 });
      expect(run.output()).toContain(
        `FXCM_SECRETS_FILE names ${secrets} with mode 644, which other users can access`,
      );
      expect(run.output()).not.toContain(SECRET);
    } finally {
      run.child.kill('SIGKILL');
      chmodSync(secrets, 0o600);
    }
  }, 60_000);

  it('rolls back to an installed release and refuses an unknown one', () => {
    const releases = join(paths.prefix, 'releases');
    cpSync(join(releases, '1.2.3-test'), join(releases, '1.2.2'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    const back = install('--rollback', '1.2.2');
    expect(back.status).toBe(0);
    expect(readlinkSync(join(paths.prefix, 'current'))).toBe(join('releases', '1.2.2'));
    const unknown = install('--rollback', '0.0.1');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no release 0.0.1');
    expect(unknown.stderr).toContain('1.2.2, 1.2.3-test');
  });
});

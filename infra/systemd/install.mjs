#!/usr/bin/env node
// Puts the built suite on a VPS run by systemd, the way the V1 connector was deployed:
//   code     <prefix>/releases/<version>/<service>   (pnpm deploy --prod), <prefix>/current -> it
//   config   <conf>/.env, profiles/, secrets.env (600), profile.env, instances/<instance>.env
//   data     <state>/bar-builder-<shard>              (the bar store of each shard)
//   units    /etc/systemd/system/fxcm@.service, fxcm-suite.target and its wants/ links
// `--root DIR` writes all of it below DIR instead of / (a package build); the units still name the
// final paths. `--prefix`, `--conf`, `--state` and `--units` move each part (a test installs into a
// scratch folder with them). `--rollback VERSION` points `current` back at an installed release.
// Plain Node with no dependencies: it runs from a checkout after `pnpm build`.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nodeFlagsOf } from '../../scripts/node-flags.mjs';
import { pnpmCommand } from '../../scripts/pnpm-command.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');

/** The processes of one host, with the metrics port each listens on. */
export function instancesOf({ shards, publishers }) {
  const list = [
    { name: 'fxcm-gateway', dir: 'fxcm-gateway', port: 9201 },
    { name: 'scheduler', dir: 'scheduler', port: 9202 },
    { name: 'ingestor', dir: 'ingestor', port: 9203 },
  ];
  for (let i = 0; i < publishers; i++)
    list.push({ name: `publisher-${i}`, dir: 'publisher', port: 9210 + i });
  for (let i = 0; i < shards; i++)
    list.push({ name: `bar-builder-${i}`, dir: 'bar-builder', port: 9220 + i, shard: i });
  return list;
}

/**
 * The settings file of one instance (`EnvironmentFile=` of its unit). `FXCM_NODE_FLAGS` are the
 * options node starts the service with (its package.json `fxcm.nodeFlags`; the unit's ExecStart
 * passes them, split at spaces).
 */
export function instanceEnv(instance, paths) {
  const lines = [
    '# Written by infra/systemd/install.mjs; rewritten by every install.',
    `FXCM_SERVICE_DIR=${instance.dir}`,
    `FXCM_INSTANCE=${instance.name}`,
    `FXCM_METRICS_PORT=${instance.port}`,
    `FXCM_NODE_FLAGS=${nodeFlagsOf(repo, instance.dir).join(' ')}`,
  ];
  if (instance.shard !== undefined) {
    lines.push(`FXCM_SHARD=${instance.shard}`, `FXCM_CACHE_DIR=${paths.state}/${instance.name}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Replaces the @WORD@ placeholders of a unit template. */
export function renderUnit(template, paths) {
  return template
    .replaceAll('@PREFIX@', paths.prefix)
    .replaceAll('@CONF@', paths.conf)
    .replaceAll('@STATE@', paths.state)
    .replaceAll('@USER@', paths.user)
    .replaceAll('@NODE@', paths.node);
}

const SERVICES = ['fxcm-gateway', 'bar-builder', 'scheduler', 'publisher', 'ingestor'];
const PROFILES = ['dev', 'stage', 'prod'];

function fail(message) {
  console.error(`install: ${message}`);
  process.exit(2);
}

function say(message) {
  console.log(`install: ${message}`);
}

function releaseVersion(explicit) {
  if (explicit) return explicit;
  const file = join(repo, 'VERSION');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : 'dev';
}

/** Writes `text` unless the file exists (operators' edits survive a reinstall). */
function writeOnce(path, text, mode) {
  if (existsSync(path)) return false;
  writeFileSync(path, text, { mode });
  if (mode !== undefined) chmodSync(path, mode);
  return true;
}

function pointCurrent(prefixDir, version) {
  const tmp = join(prefixDir, `.current-${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(join('releases', version), tmp);
  renameSync(tmp, join(prefixDir, 'current')); // atomic switch
}

function deployRelease(releaseDir) {
  const pnpm = pnpmCommand();
  rmSync(releaseDir, { recursive: true, force: true });
  mkdirSync(releaseDir, { recursive: true });
  for (const service of SERVICES) {
    if (!existsSync(join(repo, 'services', service, 'dist', 'main.js'))) {
      fail(`services/${service}/dist is missing: run \`pnpm build\` first`);
    }
    const args = [
      ...pnpm.slice(1),
      '--filter',
      `@fxcm/${service}`,
      'deploy',
      '--prod',
      '--legacy',
      join(releaseDir, service),
    ];
    const result = spawnSync(pnpm[0], args, { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0)
      fail(`pnpm deploy of ${service} failed (exit ${result.status ?? result.signal})`);
    say(`deployed ${service}`);
  }
  cpSync(join(repo, 'docs'), join(releaseDir, 'docs'), { recursive: true });
  copyFileSync(join(repo, 'README.md'), join(releaseDir, 'README.md'));
}

function writeConfig(confDir, paths, options) {
  mkdirSync(join(confDir, 'profiles'), { recursive: true });
  mkdirSync(join(confDir, 'config'), { recursive: true });
  mkdirSync(join(confDir, 'instances'), { recursive: true });
  for (const profile of PROFILES) {
    copyIfMissing(
      join(here, 'profiles', `${profile}.env`),
      join(confDir, 'profiles', `${profile}.env`),
    );
  }
  writeOnce(
    join(confDir, '.env'),
    '# Local overrides of every profile (V1 .env); secrets go in secrets.env.\n',
  );
  if (
    writeOnce(
      join(confDir, 'secrets.env'),
      readFileSync(join(here, 'secrets.env.example'), 'utf8'),
      0o600,
    )
  ) {
    say(`wrote ${join(confDir, 'secrets.env')} (mode 600): fill in the token and secrets`);
  }
  for (const file of readdirSync(join(repo, 'config'))) {
    copyIfMissing(join(repo, 'config', file), join(confDir, 'config', file));
  }
  writeFileSync(
    join(confDir, 'profile.env'),
    [
      '# Written by infra/systemd/install.mjs: the profile in force and where the secrets are.',
      `AI_ONE_ENV_FILE=${paths.conf}/profiles/${options.profile}.env`,
      `FXCM_SECRETS_FILE=${paths.conf}/secrets.env`,
      `FXCM_SHARDS=${options.shards}`,
      '',
    ].join('\n'),
  );
  const instanceDir = join(confDir, 'instances');
  for (const stale of readdirSync(instanceDir)) rmSync(join(instanceDir, stale));
  for (const instance of instancesOf(options)) {
    writeFileSync(join(instanceDir, `${instance.name}.env`), instanceEnv(instance, paths));
  }
}

function copyIfMissing(from, to) {
  if (!existsSync(to)) copyFileSync(from, to);
}

function writeUnits(unitDir, paths, options) {
  mkdirSync(unitDir, { recursive: true });
  for (const unit of ['fxcm@.service', 'fxcm-suite.target']) {
    const template = readFileSync(join(here, `${unit}.in`), 'utf8');
    writeFileSync(join(unitDir, unit), renderUnit(template, paths));
  }
  // What `systemctl enable` would link: every instance wanted by the target, the target by boot.
  const wants = join(unitDir, 'fxcm-suite.target.wants');
  rmSync(wants, { recursive: true, force: true });
  mkdirSync(wants);
  for (const instance of instancesOf(options)) {
    symlinkSync(join('..', 'fxcm@.service'), join(wants, `fxcm@${instance.name}.service`));
  }
  const boot = join(unitDir, 'multi-user.target.wants');
  mkdirSync(boot, { recursive: true });
  rmSync(join(boot, 'fxcm-suite.target'), { force: true });
  symlinkSync(join('..', 'fxcm-suite.target'), join(boot, 'fxcm-suite.target'));
}

function ensureUser(paths, dirs) {
  const exists = spawnSync('id', ['-u', paths.user], { stdio: 'ignore' }).status === 0;
  if (!exists) {
    const made = spawnSync(
      'useradd',
      ['--system', '--home-dir', paths.state, '--shell', '/usr/sbin/nologin', paths.user],
      { stdio: 'inherit' },
    );
    if (made.status !== 0) fail(`could not create the user ${paths.user}`);
    say(`created the system user ${paths.user}`);
  }
  for (const dir of dirs)
    spawnSync('chown', ['-R', `${paths.user}:${paths.user}`, dir], { stdio: 'inherit' });
}

function main() {
  const { values } = parseArgs({
    options: {
      root: { type: 'string', default: '/' },
      prefix: { type: 'string', default: '/opt/fxcm-suite' },
      conf: { type: 'string', default: '/etc/fxcm-suite' },
      state: { type: 'string', default: '/var/lib/fxcm-suite' },
      user: { type: 'string', default: 'fxcm' },
      profile: { type: 'string', default: 'prod' },
      shards: { type: 'string', default: '1' },
      publishers: { type: 'string', default: '1' },
      version: { type: 'string' },
      node: { type: 'string', default: process.execPath },
      units: { type: 'string', default: '/etc/systemd/system' },
      'skip-user': { type: 'boolean', default: false },
      rollback: { type: 'string' },
    },
  });
  const at = (path) => join(values.root, path);
  const prefixDir = at(values.prefix);

  if (values.rollback !== undefined) {
    if (!existsSync(join(prefixDir, 'releases', values.rollback))) {
      const have = existsSync(join(prefixDir, 'releases'))
        ? readdirSync(join(prefixDir, 'releases')).join(', ')
        : 'none';
      fail(`no release ${values.rollback} under ${prefixDir}/releases (installed: ${have})`);
    }
    pointCurrent(prefixDir, values.rollback);
    say(`current -> releases/${values.rollback}; now: systemctl restart fxcm-suite.target`);
    return;
  }

  if (!PROFILES.includes(values.profile)) fail(`--profile must be one of ${PROFILES.join(', ')}`);
  const shards = Number(values.shards);
  const publishers = Number(values.publishers);
  if (!Number.isInteger(shards) || shards < 1 || shards > 64)
    fail('--shards must be an integer in [1, 64]');
  if (!Number.isInteger(publishers) || publishers < 1 || publishers > 10)
    fail('--publishers must be an integer in [1, 10]');
  const version = releaseVersion(values.version);
  if (!/^[0-9A-Za-z][0-9A-Za-z._+-]*$/.test(version))
    fail(`version ${JSON.stringify(version)} is not a plain release name`);
  const options = { profile: values.profile, shards, publishers };
  const paths = {
    prefix: values.prefix,
    conf: values.conf,
    state: values.state,
    user: values.user,
    node: values.node,
  };

  deployRelease(join(prefixDir, 'releases', version));
  pointCurrent(prefixDir, version);
  writeConfig(at(values.conf), paths, options);
  for (const instance of instancesOf(options).filter((i) => i.shard !== undefined)) {
    mkdirSync(join(at(values.state), instance.name), { recursive: true, mode: 0o750 });
  }
  writeUnits(at(values.units), paths, options);

  if (values.root === '/' && !values['skip-user'] && process.getuid?.() === 0) {
    ensureUser(paths, [at(values.state), join(at(values.conf), 'secrets.env')]);
  } else {
    say(
      `not creating the user ${paths.user} under --root ${values.root}; chown the state dir and secrets.env to it`,
    );
  }
  say(
    `installed ${version} (profile ${values.profile}, ${shards} shard(s), ${publishers} publisher(s))`,
  );
  say(
    'next: fill secrets.env, then `systemctl daemon-reload && systemctl enable --now fxcm-suite.target`',
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();

#!/usr/bin/env node
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isConfigError } from '@fxcm/config';
import { Redis } from 'ioredis';
import { loadDeployment, type LoadedDeployment } from './deployment';
import { loadManifest, ManifestError } from './manifest';
import { packStamp } from './proof-pack';
import { GATES } from './registry';
import { runGates } from './runner';

const USAGE = `usage: pnpm gates [--manifest FILE] [--only a,b] [--seconds N] [--out DIR]
                  [--metrics-urls URL,URL] [--list]
Runs the manifest's gates against the deployment the environment configures (REDIS_URL,
FXCM_NAMESPACE, FXCM_SHARDS, FXCM_STREAM_CONFIG, FXCM_CALENDAR_FILE, … as the services
read them) and writes a proof pack to DIR/<timestamp>/ (default audit/). Exit 0 when no gate failed, 1 when one did,
2 for a usage or configuration error.`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        manifest: { type: 'string', default: join(__dirname, '..', 'manifest.json') },
        only: { type: 'string' },
        seconds: { type: 'string' },
        out: { type: 'string', default: 'audit' },
        'metrics-urls': { type: 'string', default: '' },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.list) {
    for (const gate of GATES.values()) process.stdout.write(`${gate.name}  ${gate.description}\n`);
    return 0;
  }
  const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  if (seconds !== undefined && !(Number.isInteger(seconds) && seconds > 0)) {
    process.stderr.write(`--seconds must be a positive integer\n${USAGE}\n`);
    return 2;
  }

  const metricsUrls = values['metrics-urls']
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let loaded: LoadedDeployment;
  let manifest;
  try {
    loaded = loadDeployment(process.env, process.cwd(), metricsUrls);
    manifest = loadManifest(resolve(values.manifest));
  } catch (err) {
    if (isConfigError(err) || err instanceof ManifestError) {
      process.stderr.write(`gates: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((name) => !manifest.gates.some((e) => e.gate === name)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`gates: not in the manifest: ${unknown.join(', ')}\n`);
    return 2;
  }

  const { deployment } = loaded;
  const { hmacSecret: _secret, calendarFor: _calendarFor, ...recorded } = deployment;
  const configHash = createHash('sha256')
    .update(
      JSON.stringify({
        deployment: { ...recorded, signed: _secret !== undefined, provider: loaded.provider },
        calendar: loaded.calendarSpec,
        manifest,
      }),
    )
    .digest('hex');
  const redis = new Redis(loaded.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  redis.on('error', () => {}); // a refused connection surfaces as the failing command below
  const packDir = resolve(values.out, packStamp(Date.now()));
  try {
    await redis.connect();
    const outcomes = await runGates(manifest, {
      context: { deployment, redis, now: () => Date.now() },
      packDir,
      configHash,
      provider: loaded.provider,
      ...(only ? { only } : {}),
      ...(seconds !== undefined ? { seconds } : {}),
    });
    const failed = outcomes.filter((o) => o.verdict === 'fail').map((o) => o.gate);
    process.stdout.write(
      `${failed.length === 0 ? 'gates passed' : `gates FAILED: ${failed.join(', ')}`} — proof pack ${packDir}\n`,
    );
    return failed.length === 0 ? 0 : 1;
  } catch (err) {
    process.stderr.write(`gates: cannot reach the deployment's Redis: ${(err as Error).message}\n`);
    return 2;
  } finally {
    redis.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`gates: ${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../harness/suite';

// promtool (Debian package `prometheus`, declared in scripts/system-packages.json) checks the
// alert rules and runs their unit tests: each alert fires on the series that should raise it
// and stays silent on a healthy one.

const DIR = join(ROOT, 'infra', 'prometheus');
const rules = parse(readFileSync(join(DIR, 'alerts.yml'), 'utf8')) as {
  groups: { rules: { alert: string; expr: string; annotations?: { runbook?: string } }[] }[];
};
const alerts = rules.groups.flatMap((g) => g.rules);

function promtool(...args: string[]): { status: number | null; out: string } {
  const run = spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8' });
  if (run.error)
    throw new Error(`promtool is missing (apt-get install prometheus): ${run.error.message}`);
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('infra/prometheus/alerts.yml', () => {
  it('is valid for promtool', () => {
    const run = promtool('check', 'rules', 'alerts.yml');
    expect([run.status, run.out]).toEqual([0, expect.stringContaining('SUCCESS')]);
  });

  it('passes its promtool unit tests (alerts.test.yml)', () => {
    const run = promtool('test', 'rules', 'alerts.test.yml');
    expect([run.status, run.out]).toEqual([0, expect.stringContaining('SUCCESS')]);
  });

  it('has a unit test and a runbook section in docs/operations.md for every alert', () => {
    const tests = readFileSync(join(DIR, 'alerts.test.yml'), 'utf8');
    const runbook = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
    const missing = alerts.flatMap((a) => [
      ...(tests.includes(`alertname: ${a.alert}`) ? [] : [`${a.alert}: no test`]),
      ...(runbook.includes(`### ${a.alert}`) ? [] : [`${a.alert}: no runbook section`]),
      ...(a.annotations?.runbook === `docs/operations.md#${a.alert.toLowerCase()}`
        ? []
        : [`${a.alert}: runbook annotation`]),
    ]);
    expect(missing).toEqual([]);
  });

  it('carries the seed alerts: lag > 180 s for 3 min, heartbeat absent > 30 s, cache_io errors', () => {
    const byName = new Map(alerts.map((a) => [a.alert, a]));
    expect(byName.get('FxcmStreamLagHigh')?.expr).toContain('fxcm_stream_lag_seconds');
    expect(byName.get('FxcmStreamLagHigh')?.expr).toContain('> 180');
    expect(byName.get('FxcmHeartbeatAbsent')?.expr).toContain('> 30');
    expect(byName.get('FxcmCacheReadOnly')?.expr).toContain('type="cache_io"');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATES, nonZeroMetrics, parseManifest } from '../src';

describe('parseManifest', () => {
  it('reads the shipped manifest, every gate known', () => {
    const path = join(__dirname, '..', 'manifest.json');
    const manifest = parseManifest(readFileSync(path, 'utf8'), path);
    expect(manifest.gates.map((e) => e.gate)).toEqual([...GATES.keys()]);
  });

  it('names an unknown gate and bad arguments', () => {
    expect(() => parseManifest('{"gates":[{"gate":"nope"}]}', 'm.json')).toThrow(
      'm.json: gates[0]: unknown gate "nope" (known: calendar, tick-liveness, final-invariants, calendar-gaps, slo-minimum, history-smoke, restart-safe, replay-determinism, load-smoke, canary-profile)',
    );
    expect(() => parseManifest('{"gates":[{"gate":"calendar","args":[1]}]}', 'm.json')).toThrow(
      'm.json: gates[0] (calendar): args must be an object',
    );
    expect(() => parseManifest('{"gates":', 'm.json')).toThrow(/^m\.json: not JSON/);
  });
});

describe('nonZeroMetrics', () => {
  it('keeps names with a sample above zero, histograms under their family name', () => {
    const page = [
      '# HELP fxcm_a_total a',
      'fxcm_a_total{symbol="EURUSD"} 0',
      'fxcm_a_total{symbol="XAUUSD"} 3',
      'fxcm_b_total 0',
      'fxcm_lag_seconds_bucket{le="1"} 4',
      'fxcm_lag_seconds_count 4',
    ].join('\n');
    const names = nonZeroMetrics(page);
    expect(names.has('fxcm_a_total')).toBe(true);
    expect(names.has('fxcm_b_total')).toBe(false);
    expect(names.has('fxcm_lag_seconds')).toBe(true);
  });
});

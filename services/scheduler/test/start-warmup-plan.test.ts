import { parseStreamTargets } from '@fxcm/contracts';
import type { ServiceStatusRecord } from '@fxcm/service-runtime';
import {
  coverageFromRecords,
  decideStartWarmup,
  type TargetCoverage,
} from '../src/warmup-on-start/start-warmup-plan';

const TARGETS = parseStreamTargets('XAU/USD:m1,XAU/USD:m5,EUR/USD:m1,EUR/USD:H1');
const N = 1_600;
const coverage = (entries: [string, TargetCoverage][]): Map<string, TargetCoverage> =>
  new Map(entries);

describe('decideStartWarmup', () => {
  it('warms the targets below N, skips the full ones, leaves the unanswered alone', () => {
    const decisions = decideStartWarmup(
      TARGETS,
      N,
      coverage([
        ['XAUUSD:1m', { stored: 1_600, expected: 1_600 }],
        ['XAUUSD:5m', { stored: 1_599, expected: 1_600 }],
        ['EURUSD:1m', { stored: 0, expected: 1_600 }],
      ]),
    );
    expect(decisions).toEqual([
      { symbol: 'XAUUSD', tf: '1m', stored: 1_600, wanted: 1_600, action: 'skip' },
      { symbol: 'XAUUSD', tf: '5m', stored: 1_599, wanted: 1_600, action: 'warmup' },
      { symbol: 'EURUSD', tf: '1m', stored: 0, wanted: 1_600, action: 'warmup' },
      { symbol: 'EURUSD', tf: '1h', stored: null, wanted: null, action: 'unanswered' },
    ]);
  });

  it('wants no more than the span can hold when the warmup span was capped', () => {
    // 1,600 1h bars are more than the 7-day cap of a warmup span opens (120 windows)
    const capped = (stored: number) =>
      decideStartWarmup(
        parseStreamTargets('EUR/USD:H1'),
        N,
        coverage([['EURUSD:1h', { stored, expected: 120 }]]),
      )[0];
    expect(capped(120)).toMatchObject({ wanted: 120, action: 'skip' });
    expect(capped(119)).toMatchObject({ wanted: 120, action: 'warmup' });
  });

  it('skips a target whose span opens no window at all (nothing to fetch)', () => {
    expect(
      decideStartWarmup(
        parseStreamTargets('EUR/USD:m1'),
        N,
        coverage([['EURUSD:1m', { stored: 0, expected: 0 }]]),
      ),
    ).toEqual([{ symbol: 'EURUSD', tf: '1m', stored: 0, wanted: 0, action: 'skip' }]);
  });
});

const record = (service: string, detail: Record<string, unknown>): ServiceStatusRecord =>
  ({
    service,
    instance: `${service}-0`,
    state: 'ok',
    ts: 1,
    degraded: [],
    errors: [],
    detail,
  }) as unknown as ServiceStatusRecord;

describe('coverageFromRecords', () => {
  it('merges the answers of every shard to this request and passes over the rest', () => {
    const answer = (reqId: unknown, targets: unknown) => ({
      store_coverage: { req_id: reqId, ts: 1, targets },
    });
    const found = coverageFromRecords(
      [
        record(
          'bar-builder',
          answer('q1', [{ symbol: 'XAUUSD', tf: '1m', stored: 5, expected: 9 }]),
        ),
        record(
          'bar-builder',
          answer('q1', [
            { symbol: 'EURUSD', tf: '1m', stored: 9, expected: 9 },
            { symbol: 'EURUSD', tf: '5m', stored: -1, expected: 9 }, // malformed
            { symbol: 'EURUSD', tf: '1h', stored: 1.5, expected: 9 }, // malformed
            null,
            'EURUSD:15m',
          ]),
        ),
        record(
          'bar-builder',
          answer('q0', [{ symbol: 'GBPUSD', tf: '1m', stored: 1, expected: 1 }]),
        ),
        record('bar-builder', answer('q1', 'not a list')),
        record('bar-builder', { store_coverage: null }),
        record('bar-builder', {}),
        record('scheduler', answer('q1', [{ symbol: 'USDJPY', tf: '1m', stored: 1, expected: 1 }])),
      ],
      'q1',
    );
    expect([...found]).toEqual([
      ['XAUUSD:1m', { stored: 5, expected: 9 }],
      ['EURUSD:1m', { stored: 9, expected: 9 }],
    ]);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  chunkRange,
  parseCandleRows,
  toEpochMs,
  toHistoryBar,
} from '../src/providers/fxcm-rest/candles';
import { checkEnvelope, httpError, isFxcmError } from '../src/providers/fxcm-rest/fxcm-errors';
import { offerTableOf, resolveOffer } from '../src/providers/fxcm-rest/offers';
import { parsePriceEvent, parseSubscribePairs } from '../src/providers/fxcm-rest/price-event';

const SAMPLES = path.resolve(__dirname, '../../../../shared/fxcm-data/rest-samples');
const HOUR = 3_600_000;
const FAR_FUTURE = Date.UTC(2100, 0, 1);

describe('FXCM /candles rows (spec sample, EUR/USD H1 2017-06-22)', () => {
  const body = JSON.parse(
    readFileSync(path.join(SAMPLES, 'spec_candles_offer1_h1_2017-06-22.json'), 'utf8'),
  ) as Record<string, unknown>;

  it('passes the envelope and keeps the last of each repeated timestamp', () => {
    const parsed = parseCandleRows(checkEnvelope(body, 'candles')['candles'], {
      periodMs: HOUR,
      now: FAR_FUTURE,
    });
    expect(parsed.bad).toEqual([]);
    expect(parsed.duplicates).toBe(2);
    expect(parsed.candles.map((c) => c.ts / 1000)).toEqual([
      1498125600, 1498129200, 1498132800, 1498136400, 1498140000, 1498143600, 1498147200,
      1498150800,
    ]);
    // 1498136400 appears twice; the second row has AskClose 1.11611 and TickQty 18743.
    const dup = parsed.candles[3]!;
    expect(dup.askClose).toBe(1.11611);
    expect(dup.tickQty).toBe(18743);
    expect(parsed.candles[4]!.tickQty).toBe(20572);
  });

  it('reads the columns in FXCM order O, C, H, L', () => {
    const first = parseCandleRows(body['candles'], { periodMs: HOUR, now: FAR_FUTURE }).candles[0]!;
    expect(first).toEqual({
      ts: 1498125600_000,
      bidOpen: 1.11641,
      bidClose: 1.11643,
      bidHigh: 1.11664,
      bidLow: 1.11592,
      askOpen: 1.11664,
      askClose: 1.11667,
      askHigh: 1.11688,
      askLow: 1.11616,
      tickQty: 10423,
    });
  });

  it('drops the still-forming last candle', () => {
    // "now" inside the last hour (starts 1498150800): that bar is not finished.
    const parsed = parseCandleRows(body['candles'], {
      periodMs: HOUR,
      now: 1498150800_000 + 30 * 60_000,
    });
    expect(parsed.forming).toBe(1);
    expect(parsed.candles.at(-1)!.ts).toBe(1498147200_000);
  });
});

describe('FXCM /candles rows (fxcmpy H1 sample 2022-11-28 .. 2022-12-04)', () => {
  const lines = readFileSync(
    path.join(SAMPLES, 'fxcmpy_get_candles_H1_2022-11-28_to_2022-12-04.csv'),
    'utf8',
  )
    .trim()
    .split('\n');
  // fxcmpy wrote the REST columns in their wire order; turn them back into wire rows.
  const rows = lines.slice(1).map((line) => {
    const [date, ...values] = line.split(',');
    return [Date.parse(`${date!.replace(' ', 'T')}Z`) / 1000, ...values.map(Number)];
  });
  const parsed = parseCandleRows(rows, { periodMs: HOUR, now: FAR_FUTURE });

  it('keeps all 100 bars, highs above and lows below open and close', () => {
    expect(lines[0]).toBe(
      'date,bidopen,bidclose,bidhigh,bidlow,askopen,askclose,askhigh,asklow,tickqty',
    );
    expect(parsed.candles).toHaveLength(100);
    for (const c of parsed.candles) {
      expect(c.bidHigh).toBeGreaterThanOrEqual(Math.max(c.bidOpen, c.bidClose));
      expect(c.bidLow).toBeLessThanOrEqual(Math.min(c.bidOpen, c.bidClose));
      expect(c.askHigh).toBeGreaterThanOrEqual(Math.max(c.askOpen, c.askClose));
      expect(c.askLow).toBeLessThanOrEqual(Math.min(c.askOpen, c.askClose));
    }
  });

  it('shows the weekend gap: Friday 21:00 then Sunday 21:00 with 12 ticks', () => {
    const sunday = parsed.candles.find((c) => c.ts === Date.UTC(2022, 11, 4, 21))!;
    expect(sunday.tickQty).toBe(12);
    const before = parsed.candles[parsed.candles.indexOf(sunday) - 1]!;
    expect(new Date(before.ts).toISOString()).toBe('2022-12-02T21:00:00.000Z');
  });

  it('maps a candle to a history_bar entry', () => {
    expect(toHistoryBar('USD/CAD', parsed.candles[0]!, 'job-1')).toEqual({
      symbol: 'USDCAD',
      tf: '1m',
      open_time: Date.UTC(2022, 10, 28, 20),
      bid_open: 1.34899,
      bid_high: 1.35041,
      bid_low: 1.34862,
      bid_close: 1.35024,
      ask_open: 1.34912,
      ask_high: 1.35055,
      ask_low: 1.34875,
      ask_close: 1.3504,
      volume: 10464,
      job_id: 'job-1',
      source: 'history',
    });
  });
});

describe('candle rows: bad input', () => {
  it('skips nulls, names the bad field, keeps the rest', () => {
    const parsed = parseCandleRows(
      [
        null,
        [1498125600, 1, 1, 1, 1, 1, 1, 1, 1, 5],
        [1498129200, 1, 'x', 1, 1, 1, 1, 1, 1, 5],
        [3],
      ],
      { periodMs: HOUR, now: FAR_FUTURE },
    );
    expect(parsed.nulls).toBe(1);
    expect(parsed.candles).toHaveLength(1);
    expect(parsed.bad.map((e) => e.message)).toEqual([
      'candles[2].BidClose: "x" is not a finite number',
      'candles[3]: expected an array of 10 numbers',
    ]);
  });
});

describe('epoch units and chunking', () => {
  it('detects seconds vs ms', () => {
    expect(toEpochMs(1503314642)).toBe(1503314642000);
    expect(toEpochMs(1503314642637)).toBe(1503314642637);
  });

  it('splits a range into ≤ 10 000-candle windows aligned to the period', () => {
    const from = Date.UTC(2024, 0, 1, 0, 0, 30);
    const to = from + 25_000 * 60_000;
    const windows = chunkRange(from, to, 60_000);
    expect(windows).toEqual([
      { fromMs: Date.UTC(2024, 0, 1), toMs: Date.UTC(2024, 0, 1) + 10_000 * 60_000 },
      {
        fromMs: Date.UTC(2024, 0, 1) + 10_000 * 60_000,
        toMs: Date.UTC(2024, 0, 1) + 20_000 * 60_000,
      },
      {
        fromMs: Date.UTC(2024, 0, 1) + 20_000 * 60_000,
        toMs: Date.UTC(2024, 0, 1) + 25_001 * 60_000,
      },
    ]);
  });
});

describe('price events', () => {
  it('parses the pushed JSON string, ms epoch, Rates by index', () => {
    expect(
      parsePriceEvent(
        '{"Updated":1503314642637,"Rates":[1.17626,1.17644,1.17818,1.17475],"Symbol":"EUR/USD"}',
      ),
    ).toEqual({
      symbol: 'EUR/USD',
      ts: 1503314642637,
      bid: 1.17626,
      ask: 1.17644,
      high: 1.17818,
      low: 1.17475,
    });
  });

  it('reads seconds as seconds and tolerates extra Rates items', () => {
    const e = parsePriceEvent({
      Updated: 1503314642,
      Rates: [1.1, 1.2, 1.3, 1.0, 0, 0],
      Symbol: 'EUR/USD',
    });
    expect(e.ts).toBe(1503314642000);
  });

  it('names what is wrong', () => {
    expect(() => parsePriceEvent('{"Updated":1,"Rates":[1.1]}', 'EUR/USD')).toThrow(
      'price event EUR/USD: Rates must be [Bid, Ask, …]',
    );
    expect(() => parsePriceEvent('not json')).toThrow(/not JSON/);
  });

  it('accepts the subscribe reply pairs as a string, object or array', () => {
    const one = { Updated: 1503314642637, Rates: [1.1, 1.2, 1.3, 1.0], Symbol: 'EUR/USD' };
    expect(parseSubscribePairs(JSON.stringify(one))).toHaveLength(1);
    expect(parseSubscribePairs(one)).toHaveLength(1);
    expect(parseSubscribePairs([one, one])).toHaveLength(2);
  });
});

describe('offers', () => {
  it('resolves from the Offer model first, the documented ids second', () => {
    const table = offerTableOf({
      offers: [
        { t: 0, offerId: 99, currency: 'EUR/USD', sell: 1.1, buy: 1.2 },
        { isTotal: true, currency: 'x' },
      ],
    });
    expect(resolveOffer('EURUSD', table)).toEqual({ instrument: 'EUR/USD', offerId: 99 });
    expect(resolveOffer('US30', table)).toEqual({ instrument: 'US30', offerId: 1013 });
    expect(() => resolveOffer('ABCDEF', table)).toThrow(/ABCDEF/);
  });
});

describe('envelope and HTTP errors', () => {
  it('classifies', () => {
    expect(checkEnvelope({ response: { executed: true } }, 'x')).toEqual({
      response: { executed: true },
    });
    const codeOf = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        if (isFxcmError(err)) return `${err.code}:${err.transient}`;
      }
      return 'none';
    };
    expect(
      codeOf(() => checkEnvelope({ response: { executed: false, error: 'Unauthorized' } }, 'x')),
    ).toBe('FXCM_AUTH_FAILED:false');
    expect(codeOf(() => checkEnvelope({ response: { executed: false, error: 'boom' } }, 'x'))).toBe(
      'FXCM_NOT_EXECUTED:false',
    );
    expect(codeOf(() => checkEnvelope({ candles: [] }, 'x'))).toBe('FXCM_BAD_RESPONSE:false');
    expect(httpError(401, { Code: 1, Message: 'token' }, 'x').code).toBe('FXCM_AUTH_FAILED');
    const quota = httpError(
      403,
      { Code: 2, Message: 'number of API requests per session has been exceeded' },
      'x',
    );
    expect([quota.code, quota.transient]).toEqual(['FXCM_QUOTA_EXCEEDED', true]);
    expect([httpError(520, '', 'x').code, httpError(520, '', 'x').transient]).toEqual([
      'FXCM_SERVER_ERROR',
      true,
    ]);
  });
});

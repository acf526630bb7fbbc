import {
  HEADER_SIZE,
  RECORD_SIZE,
  decodeHeader,
  decodeRecord,
  encodeHeader,
  encodeRecords,
  isRecordIntact,
  scanRecords,
} from '../../src/store/record-codec';
import type { StoredBar } from '../../src/store';
import { referenceBars } from './reference-bars';

const synthetic: StoredBar = {
  open_time: 1_399_266_060_000,
  close_time: 1_399_266_119_999,
  open: 1.38755,
  high: 1.38755,
  low: 1.38755,
  close: 1.38755,
  volume: 0,
  tick_count: 0,
  complete: true,
  synthetic: true,
  source: 'tick_agg',
};

describe('records', () => {
  it('round-trips real bars bit for bit, with and without the spread fields', () => {
    const bars = [...referenceBars('20140505').slice(0, 200), synthetic];
    const buf = encodeRecords(bars);
    expect(buf.length).toBe(bars.length * RECORD_SIZE);
    const back = bars.map((_, i) => decodeRecord(buf, i * RECORD_SIZE));
    expect(back).toEqual(bars);
    expect('avg_spread' in back[back.length - 1]!).toBe(false);
  });

  it('keeps times beyond 32 bits and the largest tick count exactly', () => {
    const bar = {
      ...synthetic,
      open_time: 2 ** 52 + 1,
      close_time: 2 ** 53 - 1,
      tick_count: 2 ** 32 - 1,
    };
    expect(decodeRecord(encodeRecords([bar]), 0)).toEqual(bar);
  });

  it('detects a change of any single byte', () => {
    const buf = encodeRecords([referenceBars('20140505')[0]!]);
    for (let i = 0; i < RECORD_SIZE; i++) {
      const copy = Buffer.from(buf);
      copy[i] = copy[i]! ^ 0x10;
      expect([i, isRecordIntact(copy, 0), decodeRecord(copy, 0)]).toEqual([i, false, undefined]);
    }
  });

  it('scans up to the first damaged or out-of-order record', () => {
    const bars = referenceBars('20140505').slice(0, 6);
    const buf = encodeRecords(bars);
    const times = new Float64Array(6);
    expect(scanRecords(buf, 6, times)).toBe(6);
    expect([...times]).toEqual(bars.map((b) => b.open_time));
    buf[3 * RECORD_SIZE + 5] = buf[3 * RECORD_SIZE + 5]! ^ 1;
    expect(scanRecords(buf, 6)).toBe(3);
    const swapped = encodeRecords([bars[0]!, bars[2]!, bars[1]!]);
    expect(scanRecords(swapped, 3)).toBe(2);
  });
});

describe('header', () => {
  it('round-trips symbol and timeframe', () => {
    const buf = encodeHeader({ symbol: 'XAU/USD', tf: '1m' });
    expect(buf.length).toBe(HEADER_SIZE);
    expect(buf.subarray(0, 8).toString('latin1')).toBe('FXBARLOG');
    expect(decodeHeader(buf, 'f.bars')).toEqual({ symbol: 'XAU/USD', tf: '1m' });
  });

  it('names the file and the versions on a version mismatch, before checking the checksum', () => {
    const buf = encodeHeader({ symbol: 'EURUSD', tf: '1m' });
    buf.writeUInt16LE(7, 8);
    expect(() => decodeHeader(buf, '/data/EURUSD_1m.bars')).toThrow(
      expect.objectContaining({
        code: 'STORE_VERSION_MISMATCH',
        file: '/data/EURUSD_1m.bars',
        message: '/data/EURUSD_1m.bars has store format version 7, this build reads version 1',
      }),
    );
  });

  it('refuses a damaged header', () => {
    const buf = encodeHeader({ symbol: 'EURUSD', tf: '1m' });
    buf[20] = buf[20]! ^ 1;
    expect(() => decodeHeader(buf, 'x.bars')).toThrow(
      expect.objectContaining({
        code: 'STORE_CORRUPT_HEADER',
        message: 'x.bars header checksum mismatch',
      }),
    );
    expect(() => decodeHeader(buf.subarray(0, 10), 'x.bars')).toThrow(
      expect.objectContaining({ code: 'STORE_CORRUPT_HEADER' }),
    );
  });
});

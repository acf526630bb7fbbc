import { checkOhlcvSignature, encodeStreamEntry, type StreamEntryType } from '@fxcm/contracts';
import { signOhlcv } from '@fxcm/contracts';
import { checkOhlcvPayload } from '../../services/ingestor/src/ohlcv-rails';
import {
  entryTemplates,
  malformedEntries,
  malformedOhlcv,
  refusedOnSight,
  type EntryTarget,
} from './malformed-entries';

const AT = Date.UTC(2014, 4, 5, 12, 0);
const NOW = Date.UTC(2026, 0, 1);
const TOLERANCE = 300_000;
const templates = entryTemplates(AT, 1.38756);
const SECRET = 'fuzz-secret';

describe('malformed stream entries', () => {
  it('start from templates that are valid entries of their kind', () => {
    for (const [kind, data] of Object.entries(templates)) {
      expect(() => encodeStreamEntry(kind as StreamEntryType, data as never)).not.toThrow();
    }
  });

  it('are each refused on sight by every consumer of their stream, over every stream and category', () => {
    const seen = new Map<EntryTarget, Set<string>>();
    for (const e of malformedEntries(10_000, 3, templates, NOW, TOLERANCE)) {
      expect(refusedOnSight(e.target, e.fields, NOW, TOLERANCE)).toBe(true);
      expect(e.fields.length % 2).toBe(0);
      const base = e.category.replace('+extra_field', '');
      seen.set(e.target, (seen.get(e.target) ?? new Set()).add(base));
    }
    expect([...seen.keys()].sort()).toEqual(['bars', 'control', 'history', 'status', 'ticks']);
    for (const target of ['ticks', 'history', 'control'] as const) {
      expect([...seen.get(target)!].sort()).toEqual([
        'date_1970',
        'date_2100',
        'duplicate',
        'huge_value',
        'missing_data_field',
        'missing_key',
        'missing_type_field',
        'nan',
        'not_json',
        'repeated_field',
        'unknown_type',
        'wrong_kind',
        'wrong_type',
      ]);
    }
  });

  it('are the same for the same seed', () => {
    const a = [...malformedEntries(500, 9, templates, NOW, TOLERANCE)];
    const b = [...malformedEntries(500, 9, templates, NOW, TOLERANCE)];
    expect(a).toEqual(b);
  });

  it('refusedOnSight lets a valid entry of the stream through', () => {
    expect(refusedOnSight('ticks', encodeStreamEntry('tick', templates.tick), NOW, TOLERANCE)).toBe(
      false,
    );
    expect(refusedOnSight('bars', encodeStreamEntry('tick', templates.tick), NOW, TOLERANCE)).toBe(
      false,
    );
    const future = { ...templates.tick, ts: NOW + TOLERANCE + 1 };
    expect(refusedOnSight('ticks', encodeStreamEntry('tick', future), NOW, TOLERANCE)).toBe(true);
  });
});

describe('malformed fxcm:ohlcv messages', () => {
  const rails = {
    allowedSymbols: new Set(['EURUSD']),
    allowedTimeframes: new Set(['1m', '5m', '15m', '30m', '1h', '4h', '1d']),
    maxBars: 5_000,
    now: NOW,
  };
  it('fail the signature or, signed, the rails; none is a signed 1m message', () => {
    const categories = new Set<string>();
    for (const m of malformedOhlcv(5_000, 4, { open_time: AT, open: 1.38756 }, (text) =>
      signOhlcv(text, SECRET),
    )) {
      categories.add(m.category);
      const sig = checkOhlcvSignature(m.text, SECRET);
      expect(sig.ok).toBe(m.signed);
      if (m.signed) {
        const payload = JSON.parse(m.text) as { tf: string };
        expect(payload.tf).not.toBe('1m');
        expect(checkOhlcvPayload(payload, rails).ok).toBe(false);
      }
    }
    expect(categories.size).toBe(7);
  });
});

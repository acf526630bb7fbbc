import { readFileSync } from 'node:fs';
import {
  ContractError,
  canonicalOhlcvBase,
  checkOhlcvSignature,
  hmacHex,
  parseHmacAlgo,
  signOhlcv,
  verifyOhlcvSignature,
  type HmacAlgo,
} from '../src';

interface Vector {
  name: string;
  secret: string;
  algo: HmacAlgo;
  message: string;
  canonical: string;
  valid: boolean;
}

// Golden vectors produced with CPython's json + hmac modules.
const VECTORS_PATH = '/work/shared/vectors/ohlcv-hmac.jsonl';
const vectors: Vector[] = readFileSync(VECTORS_PATH, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Vector);

describe('V1 ohlcv HMAC golden vectors', () => {
  test('the vector file is complete', () => {
    expect(vectors).toHaveLength(14);
    expect(vectors.filter((v) => v.valid)).toHaveLength(11);
  });

  test.each(vectors.map((v) => [v.name, v] as const))('%s: canonical base', (_name, v) => {
    expect(canonicalOhlcvBase(v.message)).toBe(v.canonical);
  });

  test.each(vectors.map((v) => [v.name, v] as const))('%s: verification verdict', (_name, v) => {
    expect(verifyOhlcvSignature(v.message, v.secret, v.algo)).toBe(v.valid);
  });

  test.each(vectors.filter((v) => v.valid).map((v) => [v.name, v] as const))(
    '%s: signOhlcv reproduces the Python sig',
    (_name, v) => {
      const sig = (JSON.parse(v.message) as { sig: string }).sig;
      expect(signOhlcv(v.message, v.secret, v.algo)).toBe(sig);
      expect(hmacHex(v.canonical, v.secret, v.algo)).toBe(sig);
    },
  );

  test('a secret given as bytes signs like the same secret as a string', () => {
    const v = vectors.find((x) => x.name === 'integral_floats')!;
    expect(verifyOhlcvSignature(v.message, Buffer.from(v.secret, 'utf8'), v.algo)).toBe(true);
  });
});

describe('checkOhlcvSignature reasons', () => {
  const good = vectors.find((x) => x.name === 'integral_floats')!;

  test('mismatch for a tampered message', () => {
    const t = vectors.find((x) => x.name === 'tampered_close')!;
    expect(checkOhlcvSignature(t.message, t.secret, t.algo)).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });

  test('unsigned when sig is absent or not a string', () => {
    const parsed = JSON.parse(good.message) as Record<string, unknown>;
    delete parsed['sig'];
    expect(checkOhlcvSignature(JSON.stringify(parsed), good.secret)).toMatchObject({
      reason: 'unsigned',
    });
    parsed['sig'] = 12;
    expect(checkOhlcvSignature(JSON.stringify(parsed), good.secret)).toMatchObject({
      reason: 'unsigned',
    });
  });

  test('malformed for bad JSON, a non-object, a missing base key or a lone surrogate', () => {
    expect(checkOhlcvSignature('{"symbol":', 'k')).toMatchObject({ reason: 'malformed' });
    expect(checkOhlcvSignature('[1,2]', 'k')).toMatchObject({ reason: 'malformed' });
    expect(checkOhlcvSignature('{"symbol":"X","bars":[],"sig":"00"}', 'k')).toMatchObject({
      reason: 'malformed',
      detail: expect.stringContaining("'tf'"),
    });
    expect(
      checkOhlcvSignature('{"symbol":"\\ud800","tf":"1m","bars":[],"sig":"00"}', 'k'),
    ).toMatchObject({ reason: 'malformed', detail: expect.stringContaining('surrogate') });
    expect(verifyOhlcvSignature('not json', 'k')).toBe(false);
  });

  test('an upper-case sig does not verify (Python compares the hex strings exactly)', () => {
    const sig = (JSON.parse(good.message) as { sig: string }).sig;
    const upper = good.message.replace(sig, sig.toUpperCase());
    expect(verifyOhlcvSignature(upper, good.secret, good.algo)).toBe(false);
  });
});

describe('algorithms', () => {
  test('accepts the four hashlib names, case-insensitively', () => {
    expect(parseHmacAlgo('SHA256')).toBe('sha256');
    expect(parseHmacAlgo('sha1')).toBe('sha1');
    expect(parseHmacAlgo(' sha384 ')).toBe('sha384');
    expect(parseHmacAlgo('sha512')).toBe('sha512');
  });

  test('rejects anything else with HMAC_ALGO_UNSUPPORTED', () => {
    for (const bad of ['md5', 'sha3_256', '', 'sha-256']) {
      expect(() => parseHmacAlgo(bad)).toThrow(ContractError);
      try {
        parseHmacAlgo(bad);
      } catch (err) {
        expect((err as ContractError).code).toBe('HMAC_ALGO_UNSUPPORTED');
      }
    }
    const v = vectors[0]!;
    expect(() => verifyOhlcvSignature(v.message, v.secret, 'md5' as HmacAlgo)).toThrow(
      /not supported/,
    );
  });

  test('sha1 and sha384 digests match the RFC 2202 / RFC 4231 test vectors', () => {
    // Known HMAC-SHA1 value from RFC 2202 test case 2.
    expect(hmacHex('what do ya want for nothing?', 'Jefe', 'sha1')).toBe(
      'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
    );
    // RFC 4231 test case 2, HMAC-SHA-384.
    expect(hmacHex('what do ya want for nothing?', 'Jefe', 'sha384')).toBe(
      'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
    );
  });
});

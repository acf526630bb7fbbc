import { crc32 } from '../../src/store/crc32';

describe('crc32', () => {
  // Check values of CRC-32/ISO-HDLC (the zlib/PNG/Ethernet CRC).
  it.each([
    ['', 0x00000000],
    ['a', 0xe8b7be43],
    ['123456789', 0xcbf43926],
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
  ])('crc32(%j) is the standard check value', (text, expected) => {
    expect(crc32(Buffer.from(text, 'ascii'))).toBe(expected);
  });

  it('covers only the given range', () => {
    const bytes = Buffer.from('xx123456789yy', 'ascii');
    expect(crc32(bytes, 2, 11)).toBe(0xcbf43926);
  });
});

import { streamAppendArgs } from '../src/stream-append';

describe('streamAppendArgs', () => {
  it('names each stream once as a key, with its MAXLEN, and each entry by key index and field count', () => {
    const args = streamAppendArgs(
      [
        { stream: 'x:ticks:0', fields: ['type', 'tick', 'data', '{}'] },
        { stream: 'x:ticks:1', fields: ['v', '1'] },
        { stream: 'x:ticks:0', fields: ['type', 'watermark', 'data', '{"ts":1}'] },
      ],
      (stream) => (stream.endsWith('0') ? 1_000 : 50),
    );
    expect(args).toEqual([
      2,
      'x:ticks:0',
      'x:ticks:1',
      1_000,
      50,
      1,
      4,
      'type',
      'tick',
      'data',
      '{}',
      2,
      2,
      'v',
      '1',
      1,
      4,
      'type',
      'watermark',
      'data',
      '{"ts":1}',
    ]);
  });
});

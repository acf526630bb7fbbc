import { ContractError, GROUPS, channelNames, fnv1a32, keys, shardOf, streamNames } from '../src';

describe('channelNames (V1 rule)', () => {
  test('defaults', () => {
    expect(channelNames({})).toEqual({
      ohlcv: 'fxcm:ohlcv',
      priceTik: 'fxcm:price_tik',
      heartbeat: 'fxcm:heartbeat',
      status: 'fxcm:status',
      commands: 'fxcm:commands',
      marketStatus: 'fxcm:market_status',
    });
  });

  test('prefix applies to all but market status', () => {
    expect(channelNames({ FXCM_CHANNEL_PREFIX: 'fxcm_local' })).toEqual({
      ohlcv: 'fxcm_local:ohlcv',
      priceTik: 'fxcm_local:price_tik',
      heartbeat: 'fxcm_local:heartbeat',
      status: 'fxcm_local:status',
      commands: 'fxcm_local:commands',
      marketStatus: 'fxcm:market_status',
    });
  });

  test('per-channel overrides win over the prefix; blanks are ignored', () => {
    const env = {
      FXCM_CHANNEL_PREFIX: 'p',
      FXCM_OHLCV_CHANNEL: 'bars',
      FXCM_PRICE_SNAPSHOT_CHANNEL: 'ticks',
      FXCM_HEARTBEAT_CHANNEL: 'hb',
      FXCM_STATUS_CHANNEL: 'st',
      FXCM_COMMANDS_CHANNEL: '  ',
      FXCM_MARKET_STATUS_CHANNEL: 'ms',
    };
    expect(channelNames(env)).toEqual({
      ohlcv: 'bars',
      priceTik: 'ticks',
      heartbeat: 'hb',
      status: 'st',
      commands: 'p:commands',
      marketStatus: 'ms',
    });
  });
});

describe('streamNames, groups, keys', () => {
  test('streams carry the shard as a hash tag', () => {
    const s = streamNames();
    expect(s.ticks(0)).toBe('fxcm:x:ticks:{0}');
    expect(s.history(3)).toBe('fxcm:x:history:{3}');
    expect(s.bars(12)).toBe('fxcm:x:bars:{12}');
    expect(s.status).toBe('fxcm:x:status');
    expect(s.control).toBe('fxcm:x:control');
    expect(streamNames('test:abc').ticks(1)).toBe('test:abc:x:ticks:{1}');
  });

  test('bad namespaces and shards are refused', () => {
    for (const ns of ['', 'a b', 'a{b}', 'ns:']) {
      expect(() => streamNames(ns)).toThrow(ContractError);
    }
    expect(() => streamNames().ticks(-1)).toThrow('non-negative integer');
    expect(() => streamNames().bars(1.5)).toThrow('non-negative integer');
  });

  test('group names', () => {
    expect(GROUPS).toEqual({
      barBuilder: 'bar-builder',
      publisher: 'publisher',
      scheduler: 'scheduler',
      fxcmGateway: 'fxcm-gateway',
    });
  });

  test('keys', () => {
    const k = keys('fxcm');
    expect(k.statusSnapshot).toBe('fxcm:status:snapshot');
    expect(k.published('XAU/USD', '1m', 1765557600000)).toBe(
      'fxcm:published:{XAUUSD}:1m:1765557600000',
    );
    expect(k.store('eurusd', '5m')).toBe('fxcm:store:{EURUSD}:5m');
    expect(() => k.published('XAUUSD', '1m', 1.5)).toThrow('openTime must be an integer');
    expect(() => k.store('XAUUSD', '1m:x')).toThrow('not alphanumeric');
  });
});

/** FNV-1a 32 spelled out independently with BigInt arithmetic modulo 2^32. */
function referenceFnv1a(text: string): number {
  let h = 2166136261n;
  for (const b of new TextEncoder().encode(text)) {
    h ^= BigInt(b);
    h = (h * 16777619n) % 4294967296n;
  }
  return Number(h);
}

describe('shardOf = FNV-1a 32 of the normalized symbol, mod shardCount', () => {
  test('fnv1a32 matches the published FNV test vectors', () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(fnv1a32(enc(''))).toBe(0x811c9dc5);
    expect(fnv1a32(enc('a'))).toBe(0xe40c292c);
    expect(fnv1a32(enc('foobar'))).toBe(0xbf9cf968);
  });

  test.each(['XAUUSD', 'EURUSD', 'GBPUSD', 'USDJPY', 'US30', 'USOIL', 'NZDUSD', 'SPX500'])(
    '%s agrees with the reference for 1..16 shards',
    (symbol) => {
      for (let n = 1; n <= 16; n++) expect(shardOf(symbol, n)).toBe(referenceFnv1a(symbol) % n);
    },
  );

  test('spelling does not change the shard', () => {
    expect(shardOf('XAU/USD', 8)).toBe(shardOf('xauusd', 8));
    expect(shardOf('EUR-USD', 5)).toBe(shardOf('EURUSD', 5));
  });

  test('exact hashes of a few symbols', () => {
    expect(referenceFnv1a('XAUUSD')).toBe(fnv1a32(Buffer.from('XAUUSD')));
    expect(shardOf('EURUSD', 4)).toBe(referenceFnv1a('EURUSD') % 4);
  });

  test('bad shard counts are refused', () => {
    expect(() => shardOf('XAUUSD', 0)).toThrow('positive integer');
    expect(() => shardOf('XAUUSD', 2.5)).toThrow('positive integer');
  });
});

import { createLogger, LoggingError, type Logger, type LoggerOptions } from '../src';
import { captureStream } from './capture-stream';

const T0 = Date.parse('2024-05-01T12:00:00.000Z');

function setup(options: Pick<LoggerOptions, 'level' | 'secrets'> = {}): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  raw: () => string;
} {
  const capture = captureStream();
  const logger = createLogger({
    service: 'publisher',
    stream: capture.stream,
    now: () => T0,
    ...options,
  });
  return { logger, lines: capture.lines, raw: capture.raw };
}

describe('createLogger', () => {
  it('writes one JSON line with ts, level, service, msg first, then metadata', () => {
    const { logger, raw } = setup();
    logger.info('started', { shard: 0, streams: ['x:bars:0'] });
    expect(raw()).toBe(
      '{"ts":"2024-05-01T12:00:00.000Z","level":"info","service":"publisher","msg":"started","shard":0,"streams":["x:bars:0"]}\n',
    );
  });

  it('drops lines below the configured level', () => {
    const { logger, lines } = setup({ level: 'warn' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines().map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
    ]);
  });

  it('logs debug lines when asked to', () => {
    const { logger, lines } = setup({ level: 'debug' });
    logger.debug('detail', { n: 1 });
    expect(lines()).toEqual([
      { ts: '2024-05-01T12:00:00.000Z', level: 'debug', service: 'publisher', msg: 'detail', n: 1 },
    ]);
  });

  it('redacts secret-named keys at any depth without touching the caller object', () => {
    const { logger, lines } = setup();
    const meta = {
      password: 'p1',
      FXCM_PASSWD: 'p2',
      redis: { url: 'redis://h:6379', Authorization: 'Bearer abc', auth: { api_key: 'k1' } },
      headers: [{ cookie: 'c=1' }, { 'x-api-key': 'k2' }, { apiKey: 'k3' }],
      fxcmToken: { value: 'nested object is hidden whole' },
      hmacSecret: 's',
      tokenCount: 3,
      passwordHint: null,
      unrelated: 'visible',
    };
    const before = structuredClone(meta);
    logger.info('connecting', meta);
    expect(lines()[0]).toEqual({
      ts: '2024-05-01T12:00:00.000Z',
      level: 'info',
      service: 'publisher',
      msg: 'connecting',
      password: '[REDACTED]',
      FXCM_PASSWD: '[REDACTED]',
      redis: {
        url: 'redis://h:6379',
        Authorization: '[REDACTED]',
        auth: { api_key: '[REDACTED]' },
      },
      headers: [{ cookie: '[REDACTED]' }, { 'x-api-key': '[REDACTED]' }, { apiKey: '[REDACTED]' }],
      fxcmToken: '[REDACTED]',
      hmacSecret: '[REDACTED]',
      tokenCount: '[REDACTED]',
      passwordHint: null,
      unrelated: 'visible',
    });
    expect(meta).toEqual(before);
  });

  it('cuts secret literals out of msg, nested strings, error messages and stacks', () => {
    const { logger, lines, raw } = setup({
      secrets: ['hmac-key-123', 'tok_ABCDEF', '', undefined, null],
    });
    const err = new Error('login failed for token tok_ABCDEF');
    logger.error('signing with hmac-key-123 failed', {
      detail: {
        url: 'https://api.fxcm.com/?access_token_x=tok_ABCDEF&x=1',
        list: ['a hmac-key-123 b'],
      },
      err,
    });
    const line = lines()[0] ?? {};
    expect(line.msg).toBe('signing with [REDACTED] failed');
    expect(line.detail).toEqual({
      url: 'https://api.fxcm.com/?access_token_x=[REDACTED]&x=1',
      list: ['a [REDACTED] b'],
    });
    expect((line.err as { message: string }).message).toBe('login failed for token [REDACTED]');
    expect((line.err as { stack: string }).stack).toMatch(
      /^Error: login failed for token \[REDACTED\]\n/,
    );
    expect(raw()).not.toContain('tok_ABCDEF');
    expect(raw()).not.toContain('hmac-key-123');
  });

  it('serializes errors with name, message, code, stack, cause and extra fields', () => {
    const { logger, lines } = setup();
    const cause = new TypeError('socket closed');
    const err = Object.assign(new Error('redis unavailable', { cause }), {
      code: 'REDIS_UNAVAILABLE',
      attempt: 3,
      password: 'hidden',
    });
    logger.warn('retrying', { err });
    const logged = lines()[0]?.err as Record<string, unknown>;
    expect(Object.keys(logged)).toEqual([
      'name',
      'message',
      'code',
      'stack',
      'cause',
      'attempt',
      'password',
    ]);
    expect(logged).toMatchObject({
      name: 'Error',
      message: 'redis unavailable',
      code: 'REDIS_UNAVAILABLE',
      attempt: 3,
      password: '[REDACTED]',
      cause: { name: 'TypeError', message: 'socket closed' },
    });
    expect(logged.stack).toMatch(/^Error: redis unavailable\n\s+at /);
  });

  it('logs an Error given as meta under err', () => {
    const { logger, lines } = setup();
    logger.error('crashed', new RangeError('bad index'));
    expect(lines()[0]?.err).toMatchObject({ name: 'RangeError', message: 'bad index' });
  });

  it('makes awkward values JSON-safe', () => {
    const { logger, lines } = setup();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    const shared = { id: 1 };
    logger.info('values', {
      loop,
      twice: [shared, shared],
      at: new Date(T0),
      big: 12345678901234567890n,
      bytes: Buffer.from('secret bytes'),
      fn: function onTick() {},
      map: new Map([['a', 1]]),
      set: new Set(['x']),
      url: new URL('https://example.test/a'),
    });
    expect(lines()[0]).toMatchObject({
      loop: { name: 'loop', self: '[Circular]' },
      twice: [{ id: 1 }, { id: 1 }],
      at: '2024-05-01T12:00:00.000Z',
      big: '12345678901234567890',
      bytes: '[Buffer 12 bytes]',
      fn: '[Function onTick]',
      map: { a: 1 },
      set: ['x'],
      url: 'https://example.test/a',
    });
  });

  it('adds child metadata to every line, call-time fields winning', () => {
    const { logger, lines } = setup();
    const child = logger.child({ component: 'reader', shard: 1 }).child({ group: 'g' });
    child.info('read', { shard: 2 });
    logger.info('root');
    expect(lines()).toEqual([
      {
        ts: '2024-05-01T12:00:00.000Z',
        level: 'info',
        service: 'publisher',
        msg: 'read',
        component: 'reader',
        shard: 2,
        group: 'g',
      },
      { ts: '2024-05-01T12:00:00.000Z', level: 'info', service: 'publisher', msg: 'root' },
    ]);
  });

  it('keeps ts, level, service and msg from being overwritten by metadata', () => {
    const { logger, lines } = setup();
    logger.info('real', { level: 'fake', msg: 'other', service: 'x', ts: 1 });
    expect(lines()[0]).toEqual({
      ts: '2024-05-01T12:00:00.000Z',
      level: 'info',
      service: 'publisher',
      msg: 'real',
      meta_level: 'fake',
      meta_msg: 'other',
      meta_service: 'x',
      meta_ts: 1,
    });
  });

  it('rejects an unknown level', () => {
    const make = () => createLogger({ service: 's', level: 'verbose' as 'info' });
    expect(make).toThrow(LoggingError);
    expect(make).toThrow('log level must be one of error|warn|info|debug, got "verbose"');
  });
});

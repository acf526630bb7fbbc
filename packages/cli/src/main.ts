#!/usr/bin/env node
import {
  keys,
  normalizeSymbol,
  parseStreamTargets,
  parseTimeframe,
  tfMs,
  type ChannelNames,
} from '@fxcm/contracts';
import { Command, InvalidArgumentError } from 'commander';
import { Redis } from 'ioredis';
import { cliConfig } from './cli-config';
import { v1Command, v2Envelope, type CommandValue } from './command-message';
import { followCommand } from './command-progress';
import { renderStatusScreen, type TargetLag } from './status-screen';
import { formatMessage } from './watch-format';

// The only module that touches process: configuration from the environment, output, exit code.
const config = cliConfig(process.env);
const opened: Redis[] = [];
const connect = (options: { maxRetriesPerRequest?: null } = {}): Redis => {
  const redis = new Redis(config.redisUrl, { lazyConnect: false, ...options });
  redis.on('error', () => undefined); // a failed command reports it; no unhandled error events
  opened.push(redis);
  return redis;
};
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const fail = (line: string, code = 1): void => {
  process.stderr.write(`fxcm: ${line}\n`);
  process.exitCode = code;
};

const int =
  (name: string) =>
  (value: string): number => {
    if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
    return Number(value);
  };
const symbolArg = (value: string): string => {
  try {
    return normalizeSymbol(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
const tfArg = (value: string): string => {
  try {
    return parseTimeframe(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

const CHANNEL_ALIASES: Record<string, keyof ChannelNames> = {
  ohlcv: 'ohlcv',
  price_tik: 'priceTik',
  price: 'priceTik',
  status: 'status',
  heartbeat: 'heartbeat',
  market_status: 'marketStatus',
  commands: 'commands',
};

const program = new Command('fxcm')
  .description(
    'Operator CLI of the FXCM connector suite. Reads REDIS_URL, FXCM_NAMESPACE, FXCM_CHANNEL_PREFIX (and the per-channel overrides), FXCM_HMAC_SECRET/FXCM_HMAC_KID (V2 envelopes), FXCM_STREAM_CONFIG.',
  )
  .showHelpAfterError();

program
  .command('status')
  .description('one screen: market, price, ohlcv, session, lag per target, recent errors')
  .option('--json', 'print the snapshot and the per-target lag as JSON')
  .action(async (opts: { json?: boolean }) => {
    const redis = connect();
    const snapshotText = await redis.get(keys(config.namespace).statusSnapshot);
    const snapshot: unknown = snapshotText ? JSON.parse(snapshotText) : null;
    const targets: TargetLag[] = await Promise.all(
      parseStreamTargets(config.streamTargets).map(async ({ symbol, tf }) => {
        const hash = keys(config.namespace).store(symbol, tf);
        const [last] = await redis.zrevrange(`${hash}:index`, 0, 0);
        const row = last === undefined ? null : await redis.hget(hash, last);
        const close = row === null ? null : (JSON.parse(row) as { close_time: number }).close_time;
        return { symbol, tf, lastClose: close, tfMs: tfMs(tf) };
      }),
    );
    if (opts.json) return out(JSON.stringify({ snapshot, targets }));
    if (snapshot === null)
      fail(
        `no status snapshot at ${keys(config.namespace).statusSnapshot} (is the scheduler running, FXCM_NAMESPACE right?)`,
      );
    out(renderStatusScreen(snapshot, targets, Date.now()));
  });

program
  .command('watch')
  .description(
    'print the messages of channels: ohlcv, price_tik, status, heartbeat, market_status, commands (or full names)',
  )
  .argument('<channel...>')
  .option('--raw', 'one raw JSON line per message')
  .option('--count <n>', 'stop after n messages', int('--count'))
  .action(async (names: string[], opts: { raw?: boolean; count?: number }) => {
    const channels = names.map((n) => {
      const alias = CHANNEL_ALIASES[n];
      return alias ? config.channels[alias] : n;
    });
    const sub = connect();
    let seen = 0;
    await new Promise<void>((resolve) => {
      sub.on('message', (channel: string, text: string) => {
        out(opts.raw ? text : formatMessage(channel, text));
        seen += 1;
        if (opts.count !== undefined && seen >= opts.count) resolve();
      });
      void sub.subscribe(...channels).then(() => {
        if (!opts.raw) process.stderr.write(`watching ${channels.join(', ')}\n`);
      });
      process.once('SIGINT', () => resolve());
    });
  });

interface SendOptions {
  v2?: boolean;
  follow: boolean;
  settle: number;
  timeout: number;
}

/** Publishes a command, then follows it: decision, history jobs' progress, bars published. */
async function send(
  type: string,
  text: string,
  symbols: string[],
  opts: SendOptions,
): Promise<void> {
  const redis = connect();
  const subscriber = connect();
  const queueConnection = connect({ maxRetriesPerRequest: null });
  const sentAt = Date.now();
  // subscribe before sending, so no bar published in reply is missed
  const follow = opts.follow
    ? followCommand({
        redis,
        subscriber,
        queueConnection,
        namespace: config.namespace,
        ohlcvChannel: config.channels.ohlcv,
        type,
        symbols,
        sentAt,
        settleMs: opts.settle * 1_000,
        timeoutMs: opts.timeout * 1_000,
        out: process.stderr,
      })
    : undefined;
  await new Promise((r) => setTimeout(r, 200));
  const receivers = await redis.publish(config.channels.commands, text);
  out(`sent on ${config.channels.commands} (${receivers} listening): ${text}`);
  if (receivers === 0) fail('nobody listens on the commands channel (is the scheduler running?)');
  if (!follow) return;
  const result = await follow;
  const summary = `published ${result.published} bars (${result.jobs} history jobs, ${result.fetched} bars fetched)`;
  if (result.outcome === 'done') out(summary);
  else if (result.outcome === 'rejected')
    fail(`the scheduler refused the command: ${result.detail ?? ''}`);
  else
    fail(
      `${result.outcome === 'timeout' ? 'timed out' : `history job failed: ${result.detail ?? ''}`}; ${summary}`,
    );
}

function envelope(cmd: string, args: Record<string, CommandValue>): string {
  if (!config.hmacSecret)
    process.stderr.write('fxcm: FXCM_HMAC_SECRET is not set: sending the envelope unsigned\n');
  return v2Envelope(cmd, args, { secret: config.hmacSecret, kid: config.hmacKid, now: Date.now() })
    .text;
}

const withSendOptions = (command: Command): Command =>
  command
    .option('--v2', 'send a V2 envelope {cmd, req_id, ts, args, auth} signed with FXCM_HMAC_SECRET')
    .option('--no-follow', 'send and exit, without following the history jobs')
    .option('--settle <seconds>', 'quiet time that means done', int('--settle'), 3)
    .option('--timeout <seconds>', 'give up following after this long', int('--timeout'), 300);

withSendOptions(
  program
    .command('warmup')
    .description(
      'fxcm_warmup: history for a symbol; shows the history jobs, ends with the bars published',
    )
    .argument('<symbol>', 'XAUUSD or XAU/USD', symbolArg)
    .argument('[tf]', 'timeframe (V1)', tfArg, '1m')
    .option('--bars <n>', 'V1 min_history_bars', int('--bars'))
    .option('--lookback-minutes <n>', 'V1 lookback_minutes', int('--lookback-minutes'))
    .option('--lookback-hours <n>', 'V2 lookback_hours', int('--lookback-hours')),
).action(
  async (
    symbol: string,
    tf: string,
    opts: SendOptions & { bars?: number; lookbackMinutes?: number; lookbackHours?: number },
  ) => {
    const text = opts.v2
      ? envelope('fxcm_warmup', {
          symbols: [symbol],
          ...(opts.lookbackHours ? { lookback_hours: opts.lookbackHours } : {}),
        })
      : v1Command('fxcm_warmup', {
          symbol,
          tf,
          ...(opts.bars !== undefined ? { min_history_bars: opts.bars } : {}),
          ...(opts.lookbackMinutes !== undefined ? { lookback_minutes: opts.lookbackMinutes } : {}),
        });
    await send('fxcm_warmup', text, [symbol], opts);
  },
);

withSendOptions(
  program
    .command('backfill')
    .description('fxcm_backfill: refetch recent history for a symbol')
    .argument('<symbol>', 'XAUUSD or XAU/USD', symbolArg)
    .argument('[tf]', 'timeframe (V1)', tfArg, '1m')
    .option(
      '--lookback-minutes <n>',
      'V1 lookback_minutes (clamped by the scheduler)',
      int('--lookback-minutes'),
    )
    .option('--start <iso>', 'V2 start_utc')
    .option('--end <iso>', 'V2 end_utc'),
).action(
  async (
    symbol: string,
    tf: string,
    opts: SendOptions & { lookbackMinutes?: number; start?: string; end?: string },
  ) => {
    const text = opts.v2
      ? envelope('fxcm_backfill', {
          symbol,
          ...(opts.start ? { start_utc: opts.start } : { start_ms: Date.now() - 60 * 60_000 }),
          ...(opts.end ? { end_utc: opts.end } : {}),
        })
      : v1Command('fxcm_backfill', {
          symbol,
          tf,
          ...(opts.lookbackMinutes !== undefined ? { lookback_minutes: opts.lookbackMinutes } : {}),
        });
    await send('fxcm_backfill', text, [symbol], opts);
  },
);

withSendOptions(
  program
    .command('universe')
    .description('fxcm_set_universe: the targets to stream, SYMBOL:tf (XAU/USD:m1 EURUSD:5m)')
    .argument('<target...>'),
).action(async (targets: string[], opts: SendOptions) => {
  const parsed = parseStreamTargets(targets.join(','));
  const list = parsed.map(({ symbol, tf }) => ({ symbol, tf }));
  const text = opts.v2
    ? envelope('fxcm_set_universe', { targets: list })
    : v1Command('fxcm_set_universe', { targets: list });
  await send('fxcm_set_universe', text, [...new Set(parsed.map((t) => t.symbol))], {
    ...opts,
    follow: false,
  });
});

withSendOptions(
  program
    .command('tail-guard')
    .description('fxcm_tail_guard (V2 only): audit, optionally repair, the recent tail of symbols')
    .argument('[symbol...]', 'symbols (default: the scheduler decides)')
    .option('--window-hours <n>', 'window_hours', int('--window-hours'), 48)
    .option('--repair', 'repair what is missing'),
).action(
  async (symbols: string[], opts: SendOptions & { windowHours: number; repair?: boolean }) => {
    const list = symbols.map(symbolArg);
    const text = envelope('fxcm_tail_guard', {
      ...(list.length > 0 ? { symbols: list } : {}),
      window_hours: opts.windowHours,
      repair: opts.repair === true,
    });
    await send('fxcm_tail_guard', text, list, opts);
  },
);

program
  .command('bars')
  .description('the last bars the ingestor stored for a symbol and timeframe')
  .argument('<symbol>', 'XAUUSD or XAU/USD', symbolArg)
  .argument('<tf>', 'timeframe', tfArg)
  .option('--last <n>', 'how many', int('--last'), 10)
  .option('--json', 'one JSON bar per line')
  .action(async (symbol: string, tf: string, opts: { last: number; json?: boolean }) => {
    const redis = connect();
    const hash = keys(config.namespace).store(symbol, tf);
    const times = await redis.zrevrange(`${hash}:index`, 0, Math.max(0, opts.last - 1));
    const rows = times.length === 0 ? [] : await redis.hmget(hash, ...times.reverse());
    const bars = rows
      .filter((r): r is string => r !== null)
      .map((r) => JSON.parse(r) as Record<string, number | string | boolean>);
    if (bars.length === 0) fail(`no ${symbol} ${tf} bars stored in namespace ${config.namespace}`);
    for (const bar of bars) {
      if (opts.json) out(JSON.stringify(bar));
      else
        out(
          `${new Date(Number(bar.open_time)).toISOString().slice(0, 16).replace('T', ' ')}  O ${bar.open} H ${bar.high} L ${bar.low} C ${bar.close} V ${bar.volume}  ${bar.synthetic ? 'synthetic' : ''}${String(bar.source ?? '')}`,
        );
    }
  });

program
  .parseAsync(process.argv)
  .catch((err: unknown) => fail((err as Error).message))
  .finally(() => Promise.all(opened.map((r) => r.quit().catch(() => r.disconnect()))));

import { createHmac } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { defaultCalendarBook } from '@fxcm/calendar';
import {
  HISTORY_PRIORITY_TARGET,
  HISTORY_QUEUE,
  historyJobPriority,
  historyPriorityKeys,
  parseStreamTargets,
  queuePrefix,
} from '@fxcm/contracts';
import { createLogger } from '@fxcm/logging';
import { createMetrics } from '@fxcm/metrics';
import { createRedis } from '@fxcm/redis-streams';
import { StatusReporter } from '@fxcm/service-runtime';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ActiveUniverse } from '../src/active-universe';
import { ControlBus } from '../src/control-bus';
import { CommandListener } from '../src/commands/command-listener';
import { CommandInterpreter, DEFAULT_COMMAND_RULES } from '../src/commands/command-rules';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NOW = Date.UTC(2025, 11, 10, 15, 0, 30);
const END = Date.UTC(2025, 11, 10, 14, 58);

let redis: Redis;
beforeAll(() => {
  redis = createRedis(REDIS_URL, { name: 'command-listener-test' });
});
afterAll(() => redis.quit());

describe('CommandListener on a real Redis', () => {
  it('turns a command published on the channel into a history job, and counts a bad one', async () => {
    const ns = `test_cmd_${randomUUID().slice(0, 8)}`;
    const channel = `${ns}:commands`;
    const metrics = createMetrics({ service: 'scheduler' });
    const status = new StatusReporter({
      service: 'scheduler',
      instance: 't',
      namespace: ns,
      redis,
    });
    const listener = new CommandListener({
      subscriber: createRedis(REDIS_URL, { name: 'cmd-sub', blocking: true }),
      queueConnection: createRedis(REDIS_URL, { name: 'cmd-queue', blocking: true }),
      namespace: ns,
      channel,
      interpreter: new CommandInterpreter({
        ...DEFAULT_COMMAND_RULES,
        calendarFor: (symbol) => defaultCalendarBook().calendarFor(symbol),
        rateLimitMs: 0,
        universe: new ActiveUniverse(parseStreamTargets('XAUUSD:1m'), false, 20),
        auth: { mode: 'verify', secrets: new Map([['smc', 'k3y']]), maxSkewMs: 300_000 },
      }),
      control: new ControlBus(redis, `${ns}:x:control`),
      logger: createLogger({
        service: 'scheduler',
        stream: new Writable({ write: (_c, _e, cb) => cb() }),
      }),
      metrics,
      status,
      jobPriority: (job) =>
        historyJobPriority(historyPriorityKeys('XAU/USD:m1'), job.symbol, job.target_tf ?? '1m'),
      now: () => NOW,
    });
    const readerConnection = createRedis(REDIS_URL, { name: 'cmd-reader', blocking: true });
    const reader = new Queue(HISTORY_QUEUE, {
      connection: readerConnection,
      prefix: queuePrefix(ns),
    });
    try {
      await listener.start();
      await redis.publish(
        channel,
        '{"type":"fxcm_backfill","symbol":"XAUUSD","tf":"1m","lookback_minutes":30}',
      );
      await redis.publish(channel, '{"type":"fxcm_backfill","symbol":"XAUUSD"}');
      const jobId = `fxcm_backfill-XAUUSD-1m-${END - 30 * 60_000}-${END}`;
      const deadline = Date.now() + 10_000;
      while (!(await reader.getJob(jobId)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      const job = await reader.getJob(jobId);
      expect(job?.data).toEqual({
        symbol: 'XAUUSD',
        tf: '1m',
        target_tf: '1m',
        from: END - 30 * 60_000,
        to: END,
        reason: 'fxcm_backfill',
        req_id: `fxcm_backfill:XAUUSD:1m:${NOW}`,
      });
      // XAU/USD:m1 is a priority target: its history goes first
      expect(job?.opts.priority).toBe(HISTORY_PRIORITY_TARGET);
      while (
        !(await metrics.registry.metrics()).includes('result="rejected",service="scheduler"} 1') &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const text = await metrics.registry.metrics();
      expect(text).toMatch(
        /fxcm_commands_total\{type="fxcm_backfill",result="accepted",service="scheduler"\} 1/,
      );
      expect(text).toMatch(
        /fxcm_commands_total\{type="fxcm_backfill",result="rejected",service="scheduler"\} 1/,
      );
      expect(status.snapshot().errors.map((e) => e.code)).toEqual(['COMMAND_CONTRACT_ERROR']);

      // a signed V2 envelope is good once: the same nonce again is a replay
      const start = END - 600_000;
      const canonical = `{"args":{"start_ms":${start},"symbol":"XAUUSD"},"cmd":"fxcm_backfill","kid":"smc","nonce":"r-9","req_id":"r-9","ts":${NOW}}`;
      const sig = createHmac('sha256', 'k3y').update(canonical).digest('hex');
      const envelope = JSON.stringify({
        cmd: 'fxcm_backfill',
        req_id: 'r-9',
        ts: NOW,
        args: { symbol: 'XAUUSD', start_ms: start },
        auth: { kid: 'smc', sig },
      });
      expect(await listener.handle(envelope)).toMatchObject({
        result: 'accepted',
        replay: { kid: 'smc', nonce: 'r-9' },
      });
      expect(await listener.handle(envelope)).toMatchObject({
        result: 'rejected',
        code: 'replay_rejected',
      });
    } finally {
      await listener.close();
      await listener.close();
      await reader.obliterate({ force: true });
      await reader.close();
      await readerConnection.quit();
      const found = await redis.keys(`*${ns}*`);
      if (found.length > 0) await redis.del(...found);
    }
  });
});

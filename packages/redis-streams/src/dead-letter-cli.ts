/**
 * `pnpm dlq list <stream> [count]` prints the dead letters of a stream (one JSON line each);
 * `pnpm dlq replay <stream> [dead-letter-id …]` appends them to the stream again and deletes
 * them. Redis from `REDIS_URL` (default redis://127.0.0.1:6379).
 */
import { createRedis } from './client';
import { listDeadLetters, replayDeadLetters } from './dead-letter';

const USAGE = 'usage: dlq list <stream> [count] | dlq replay <stream> [dead-letter-id …]';

async function main(argv: string[]): Promise<number> {
  const [command, stream, ...rest] = argv;
  if (!stream || (command !== 'list' && command !== 'replay')) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { name: 'dlq-cli' });
  try {
    if (command === 'list') {
      const count = rest[0] ? Number(rest[0]) : 100;
      for (const letter of await listDeadLetters(redis, stream, count)) {
        process.stdout.write(`${JSON.stringify(letter)}\n`);
      }
    } else {
      const ids = await replayDeadLetters(redis, stream, rest.length > 0 ? rest : undefined);
      process.stdout.write(`replayed ${ids.length} dead letter(s) into ${stream}\n`);
    }
    return 0;
  } finally {
    await redis.quit();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`dlq: ${(err as Error).message}\n`);
    process.exit(1);
  },
);

// Finding a Redis for local runs and tests, without any npm dependency:
// REDIS_URL if set, else 127.0.0.1:6379, else a private redis-server from PATH.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';

/** Resolves true when a Redis at `url` answers PING within `timeoutMs`. */
export function pingRedis(url, timeoutMs = 1500) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    // A password-protected Redis answers -NOAUTH: it is there, the URL carries the credentials.
    socket.on('data', (buf) => done(/^(\+PONG|-NOAUTH)/.test(buf.toString())));
  });
}

/** The first reachable Redis URL among the configured one and the default, or undefined. */
export async function findRedis(configured) {
  const candidates = configured ? [configured] : ['redis://127.0.0.1:6379'];
  for (const url of candidates) {
    if (await pingRedis(url)) return url;
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Starts a throw-away redis-server (no persistence) owned by this process, or undefined. */
export async function startPrivateRedis(workDir) {
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  mkdirSync(workDir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      workDir,
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i += 1) {
    if (await pingRedis(url, 200)) {
      return { url, stop: () => child.kill('SIGTERM') };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  return undefined;
}

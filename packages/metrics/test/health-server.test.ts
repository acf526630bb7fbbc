import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMetrics,
  type HealthServer,
  MetricsError,
  type Readiness,
  startHealthServer,
} from '../src';

interface Reply {
  status: number;
  type: string | undefined;
  body: string;
}

/** Plain node:http request with keep-alive off, so nothing lingers after a test. */
function call(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startHealthServer', () => {
  const open: HealthServer[] = [];
  const start = async (
    options: Omit<Parameters<typeof startHealthServer>[0], 'port' | 'metrics'> = {},
  ) => {
    const metrics = createMetrics({ service: 'publisher', defaultMetrics: false });
    const server = await startHealthServer({ port: 0, host: '127.0.0.1', metrics, ...options });
    open.push(server);
    return { server, metrics };
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('binds a real port when asked for port 0 and serves /metrics', async () => {
    const { server, metrics } = await start();
    expect(server.port).toBeGreaterThan(0);
    metrics.errors.inc({ type: 'redis' });
    const reply = await call(server.port, '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(reply.body).toContain(
      'fxcm_connector_errors_total{type="redis",service="publisher"} 1\n',
    );
  });

  it('answers /healthz 200 {"status":"ok"} while live and 503 when not', async () => {
    let live = true;
    const { server } = await start({ isLive: () => live });
    expect(await call(server.port, '/healthz')).toEqual({
      status: 200,
      type: 'application/json; charset=utf-8',
      body: '{"status":"ok"}',
    });
    live = false;
    expect(await call(server.port, '/healthz')).toMatchObject({
      status: 503,
      body: '{"status":"unhealthy"}',
    });
  });

  it('answers /readyz with the reasons while not ready', async () => {
    let readiness: Readiness = {
      ready: false,
      reasons: ['redis: connecting', 'fxcm: login pending'],
    };
    const { server } = await start({ isReady: () => readiness });
    expect(await call(server.port, '/readyz')).toEqual({
      status: 503,
      type: 'application/json; charset=utf-8',
      body: '{"ready":false,"reasons":["redis: connecting","fxcm: login pending"]}',
    });
    readiness = { ready: true, reasons: [] };
    expect(await call(server.port, '/readyz?verbose=1')).toMatchObject({
      status: 200,
      body: '{"ready":true,"reasons":[]}',
    });
  });

  it('is live and ready by default', async () => {
    const { server } = await start();
    expect((await call(server.port, '/healthz')).status).toBe(200);
    expect((await call(server.port, '/readyz')).body).toBe('{"ready":true,"reasons":[]}');
  });

  it('turns a throwing or rejecting probe into 503 with the reason', async () => {
    const { server } = await start({
      isLive: () => {
        throw new Error('loop stalled');
      },
      isReady: () => Promise.reject(new Error('status unknown')),
    });
    expect(await call(server.port, '/healthz')).toMatchObject({
      status: 503,
      body: '{"status":"unhealthy","reason":"liveness probe failed: loop stalled"}',
    });
    expect(await call(server.port, '/readyz')).toMatchObject({
      status: 503,
      body: '{"ready":false,"reasons":["readiness probe failed: status unknown"]}',
    });
    expect((await call(server.port, '/healthz')).status).toBe(503);
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    const { server } = await start();
    expect(await call(server.port, '/')).toMatchObject({
      status: 404,
      body: '{"error":"not found","path":"/"}',
    });
    expect((await call(server.port, '/metrics/x')).status).toBe(404);
    expect((await call(server.port, '/metrics', 'POST')).status).toBe(405);
    expect(await call(server.port, '/healthz', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('closes idempotently and then refuses connections', async () => {
    const { server } = await start();
    await Promise.all([server.close(), server.close()]);
    await server.close();
    await expect(call(server.port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('reports a port that is already taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const metrics = createMetrics({ service: 'x', defaultMetrics: false });
      const attempt = startHealthServer({ port, host: '127.0.0.1', metrics });
      await expect(attempt).rejects.toThrow(MetricsError);
      await expect(attempt).rejects.toMatchObject({
        code: 'HEALTH_SERVER_LISTEN_FAILED',
        message: `health server cannot listen on 127.0.0.1:${port}: EADDRINUSE`,
      });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('refuses a port outside [0, 65535]', async () => {
    const metrics = createMetrics({ service: 'x', defaultMetrics: false });
    await expect(startHealthServer({ port: 70000, metrics })).rejects.toMatchObject({
      code: 'HEALTH_SERVER_OPTIONS_INVALID',
    });
  });
});

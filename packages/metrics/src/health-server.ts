import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsError } from './metrics-error';
import type { Metrics } from './metrics';

/** Answer of a readiness probe: not ready says why. */
export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/** Options of {@link startHealthServer}. */
export interface HealthServerOptions {
  /** Port to bind; 0 picks a free one (read it back from the result). */
  readonly port: number;
  /** Interface to bind; default: all interfaces (what a container probe needs). */
  readonly host?: string;
  /** Whose registry `/metrics` serves. */
  readonly metrics: Metrics;
  /** Liveness: false means "restart me". Default: always live. */
  readonly isLive?: () => boolean | Promise<boolean>;
  /** Readiness: not ready means "send no work yet". Default: always ready. */
  readonly isReady?: () => Readiness | Promise<Readiness>;
}

/** A running health server. */
export interface HealthServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Stops listening and drops open connections; safe to call more than once. */
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Serves `/metrics` (Prometheus text), `/healthz` (200 `{"status":"ok"}` or 503) and `/readyz`
 * (200 or 503 with `{"ready":false,"reasons":[...]}`); any other path is 404. A probe that throws
 * answers 503 with the error message instead of crashing the server.
 *
 * @example
 * const health = await startHealthServer({ port: config.metricsPort, metrics, isReady: () => app.readiness() });
 * // on shutdown
 * await health.close();
 * @throws MetricsError `HEALTH_SERVER_OPTIONS_INVALID` | `HEALTH_SERVER_LISTEN_FAILED`
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { port, host, metrics } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MetricsError(
      'HEALTH_SERVER_OPTIONS_INVALID',
      `health server port must be an integer in [0, 65535], got ${String(port)}`,
    );
  }
  const isLive = options.isLive ?? (() => true);
  const isReady = options.isReady ?? (() => ({ ready: true, reasons: [] }));

  const server = createServer((req, res) => {
    route(req, res, metrics, isLive, isReady).catch((err: unknown) => {
      // Only reached if writing the response itself failed; the socket is already broken.
      if (!res.headersSent)
        send(res, 500, 'text/plain; charset=utf-8', `internal error: ${message(err)}`);
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        new MetricsError(
          'HEALTH_SERVER_LISTEN_FAILED',
          `health server cannot listen on ${host ?? '*'}:${port}: ${err.code ?? err.message}`,
          { cause: err },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets from scrapers would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: Metrics,
  isLive: () => boolean | Promise<boolean>,
  isReady: () => Readiness | Promise<Readiness>,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://health.local').pathname;
  const known = path === '/metrics' || path === '/healthz' || path === '/readyz';
  if (!known) return send(res, 404, JSON_TYPE, JSON.stringify({ error: 'not found', path }));
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, JSON_TYPE, JSON.stringify({ error: 'method not allowed' }));
  }

  if (path === '/metrics') {
    try {
      return send(res, 200, metrics.contentType, await metrics.text());
    } catch (err) {
      return send(
        res,
        500,
        'text/plain; charset=utf-8',
        `metrics collection failed: ${message(err)}`,
      );
    }
  }

  if (path === '/healthz') {
    let live: boolean;
    let reason: string | undefined;
    try {
      live = (await isLive()) === true;
    } catch (err) {
      live = false;
      reason = `liveness probe failed: ${message(err)}`;
    }
    const body = live ? { status: 'ok' } : { status: 'unhealthy', ...(reason ? { reason } : {}) };
    return send(res, live ? 200 : 503, JSON_TYPE, JSON.stringify(body));
  }

  let readiness: Readiness;
  try {
    readiness = await isReady();
  } catch (err) {
    readiness = { ready: false, reasons: [`readiness probe failed: ${message(err)}`] };
  }
  const ready = readiness.ready === true;
  const body = { ready, reasons: [...(readiness.reasons ?? [])] };
  return send(res, ready ? 200 : 503, JSON_TYPE, JSON.stringify(body));
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { BarStore } from '../bar-store';
import { ApiError } from './api-errors';
import { parseBarsQuery, type BarsQueryLimits } from './bars-query';
import type { LiveEvent, LiveFeed } from './live-feed';

/** The V1 `viewer.*` alert thresholds, seconds, handed to the page as they are configured. */
export interface ViewerThresholds {
  lag_warn_seconds: number;
  lag_error_seconds: number;
  idle_warn_seconds: number;
  idle_error_seconds: number;
  heartbeat_alert_seconds: number;
}

/** What the read API serves from. */
export interface ReadApiDeps {
  store: BarStore;
  live: LiveFeed;
  limits: BarsQueryLimits;
  /** Reads the scheduler's full status snapshot (`{ns}:status:snapshot`), raw text or null. */
  readSnapshot: () => Promise<string | null>;
  viewer: ViewerThresholds;
  /** Live viewers served at once; one more is refused with API_TOO_MANY_CLIENTS. */
  maxClients: number;
  /** Sent to idle live connections so proxies keep them open, ms. */
  keepAliveMs?: number;
  /** Called with every refusal, for the caller's metric and log. */
  onRefused?: (err: ApiError) => void;
}

/** Where the page's own files are (beside src/ and dist/). */
export const VIEWER_DIR = join(__dirname, '..', '..', 'viewer');
const CHART_LIBRARY = join(
  dirname(require.resolve('lightweight-charts/package.json')),
  'dist',
  'lightweight-charts.standalone.production.js',
);

/** The page's files: a fixed list, so no request path ever reaches the file system. */
const VIEWER_ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: join(VIEWER_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/viewer.js': { file: join(VIEWER_DIR, 'viewer.js'), type: 'text/javascript; charset=utf-8' },
  '/viewer.css': { file: join(VIEWER_DIR, 'viewer.css'), type: 'text/css; charset=utf-8' },
  '/vendor/lightweight-charts.js': { file: CHART_LIBRARY, type: 'text/javascript; charset=utf-8' },
};

function parseSnapshot(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { unreadable: true };
  }
}

function sendEvent(
  reply: FastifyReply,
  event: LiveEvent | { type: 'init'; [k: string]: unknown },
): void {
  reply.raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
}

/**
 * Builds the read API and the viewer as a fastify instance, without listening: `GET /bars`,
 * `GET /symbols`, `GET /status`, `GET /events` (server-sent events), and the page at `/`.
 * Every refusal is JSON `{error: {code, reason}}` with a code from {@link API_ERRORS}.
 */
export function buildReadApi(deps: ReadApiDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  // Live connections are hijacked from fastify, so closing the server must end them itself.
  const streams = new Set<FastifyReply>();
  app.addHook('preClose', async () => {
    for (const reply of streams) reply.raw.end();
  });
  const refuse = (reply: FastifyReply, err: ApiError): FastifyReply => {
    deps.onRefused?.(err);
    return reply.code(err.status).send(err.body());
  };

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof ApiError) return refuse(reply, err);
    const { statusCode, message } = err as { statusCode?: number; message?: string };
    const reason = String(message ?? err);
    if (statusCode !== undefined && statusCode >= 400 && statusCode < 500)
      return refuse(reply, new ApiError('API_BAD_REQUEST', reason));
    return refuse(reply, new ApiError('API_STORE_UNAVAILABLE', reason));
  });
  app.setNotFoundHandler((request, reply) =>
    refuse(
      reply,
      new ApiError('API_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );

  app.get('/bars', async (request) => {
    const q = parseBarsQuery(request.query as Record<string, unknown>, deps.limits);
    const bars = await deps.store.latest(q.symbol, q.tf, q.from, q.to, q.limit);
    return { symbol: q.symbol, tf: q.tf, bars };
  });

  app.get('/symbols', async () => {
    const symbols = await Promise.all(
      [...deps.limits.allowedSymbols].sort().map(async (symbol) => ({
        symbol,
        timeframes: await Promise.all(
          [...deps.limits.allowedTimeframes].map(async (tf) => ({
            tf,
            ...(await deps.store.extent(symbol, tf)),
          })),
        ),
      })),
    );
    return { symbols };
  });

  app.get('/status', async () => ({
    ...deps.live.snapshot(),
    snapshot: parseSnapshot(await deps.readSnapshot()),
    now_ms: Date.now(),
  }));

  app.get('/viewer/config', async () => ({
    symbols: [...deps.limits.allowedSymbols].sort(),
    timeframes: [...deps.limits.allowedTimeframes],
    thresholds: deps.viewer,
  }));

  app.get('/events', (request, reply) => {
    if (deps.live.listenerCount >= deps.maxClients) {
      return refuse(
        reply,
        new ApiError('API_TOO_MANY_CLIENTS', `${deps.maxClients} viewers are connected`),
      );
    }
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    sendEvent(reply, { type: 'init', ...deps.live.snapshot(), now_ms: Date.now() });
    streams.add(reply);
    const unsubscribe = deps.live.subscribe((event) => sendEvent(reply, event));
    const keepAlive = setInterval(
      () => reply.raw.write(': keep-alive\n\n'),
      deps.keepAliveMs ?? 15_000,
    );
    request.raw.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      streams.delete(reply);
    });
    return reply;
  });

  for (const [path, asset] of Object.entries(VIEWER_ASSETS)) {
    let body: Buffer | undefined;
    app.get(path, (_request, reply) => {
      body ??= readFileSync(asset.file); // read once, on first use: nothing at build time
      return reply.type(asset.type).header('cache-control', 'no-cache').send(body);
    });
  }
  return app;
}

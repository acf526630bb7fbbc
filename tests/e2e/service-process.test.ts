import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../harness/free-port';
import { ServiceProcess, waitFor } from '../harness/suite';

// Each service is its own process: it refuses a bad configuration with a message naming the
// key, serves /metrics /healthz /readyz, and stops cleanly on SIGTERM.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('a service process', () => {
  it('refuses to start on a bad configuration value, naming every bad key and why', async () => {
    const proc = new ServiceProcess('publisher', {
      REDIS_URL,
      FXCM_METRICS_PORT: 'abc',
      FXCM_HMAC_ALGO: 'md5',
    });
    expect(await proc.exited).toBe(78);
    const out = proc.tail();
    expect(out).toMatch(/refusing to start/);
    expect(out).toMatch(/FXCM_METRICS_PORT/);
    expect(out).toMatch(/FXCM_HMAC_ALGO/);
  });

  it('refuses to start on a calendar file that fails validation, naming the bad entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fxcm-bad-calendar-'));
    const file = join(dir, 'calendar_overrides.json');
    writeFileSync(file, JSON.stringify({ daily_breaks: ['22:00-23:01@UTC', '25:00-26:00@UTC'] }));
    try {
      const proc = new ServiceProcess('bar-builder', {
        REDIS_URL,
        FXCM_NAMESPACE: `e2e_cal_${randomUUID().slice(0, 8)}`,
        FXCM_METRICS_PORT: '0',
        FXCM_CACHE_DIR: dir,
        FXCM_CALENDAR_FILE: file,
      });
      expect(await proc.exited).toBe(78);
      const out = proc.tail();
      expect(out).toMatch(/refusing to start: CALENDAR_INVALID/);
      expect(out).toMatch(/daily_breaks\[1\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves health and metrics, becomes ready, and exits 0 on SIGTERM', async () => {
    const ns = `e2e_proc_${randomUUID().slice(0, 8)}`;
    const port = await freePort();
    const proc = new ServiceProcess('scheduler', {
      REDIS_URL,
      FXCM_NAMESPACE: ns,
      FXCM_METRICS_PORT: String(port),
      FXCM_METRICS_HOST: '127.0.0.1',
    });
    try {
      const get = async (path: string): Promise<{ status: number; body: string }> => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}${path}`);
          return { status: res.status, body: await res.text() };
        } catch {
          return { status: 0, body: '' };
        }
      };
      await waitFor(
        async () => (await get('/readyz')).status === 200,
        15_000,
        () => proc.tail(),
      );
      expect((await get('/healthz')).status).toBe(200);
      const metrics = await get('/metrics');
      expect(metrics.body).toMatch(/fxcm_connector_errors_total/);
      expect(metrics.body).toMatch(/service="scheduler"/);
      expect(await proc.stop()).toBe(0);
    } finally {
      await proc.stop();
      const redis = new Redis(REDIS_URL);
      const found = await redis.keys(`${ns}:*`);
      if (found.length > 0) await redis.del(...found);
      await redis.quit();
    }
  });
});

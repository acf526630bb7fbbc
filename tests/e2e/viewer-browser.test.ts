import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OhlcvBar } from '@fxcm/contracts';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { readReferenceBars } from '../harness/reference-bars';
import { IsolatedSuite } from '../harness/isolated-suite';
import { ROOT, waitFor, type ServiceName } from '../harness/suite';

// The viewer in a real browser (Debian's Chromium driven by playwright-core) over the whole
// suite replaying the bundled real day, time-shifted: the candles the page holds and draws must
// be the reference bars of that day, and the status panel must show the published status.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHROMIUM = '/usr/bin/chromium';
const REFERENCE = readReferenceBars(join(ROOT, 'data', 'EURUSD_20140505_m1.csv'));
const TICKS = join(ROOT, 'data', 'EURUSD_20140505_ticks.csv.gz');
const OUTPUT = join(ROOT, 'tests', 'output');
const WEEK = 7 * 86_400_000;

/** A bar as the page holds it: the published V1 bar. */
type PageBar = OhlcvBar;

/** The page's globals, for the functions `page.evaluate` runs there (this project has no DOM types). */
interface PageGlobals {
  fxcmViewer: {
    bars(symbol: string, tf: string): PageBar[];
    drawn(): { time: number; open: number; close: number }[];
    status(): Record<string, unknown> | null;
  };
  document: { querySelector(selector: string): { textContent: string | null } | null };
}

const ns = `e2e_view_${randomUUID().slice(0, 8)}`;
const cacheDir = mkdtempSync(join(tmpdir(), 'fxcm-viewer-cache-'));
const profileDir = mkdtempSync(join(tmpdir(), 'fxcm-viewer-chromium-'));
let context: BrowserContext | undefined;

const suite = new IsolatedSuite(REDIS_URL, ns, (service) => {
  const own: Record<ServiceName, Record<string, string>> = {
    // 60x, shifted by whole weeks into the past: same weekday and time, inside the sessions
    'fxcm-gateway': {
      FXCM_PROVIDER: 'replay',
      FXCM_REPLAY_FILES: TICKS,
      FXCM_REPLAY_SPEED: '60',
      FXCM_REPLAY_SHIFT: 'weeks',
    },
    'bar-builder': { FXCM_PRICE_MODE: 'bid', FXCM_CACHE_DIR: cacheDir },
    scheduler: { FXCM_TELEMETRY_INTERVAL_SECONDS: '0.5' },
    publisher: { FXCM_PRICE_SNAP_INTERVAL_SECONDS: '0.5' },
    ingestor: {
      FXCM_INGEST_ALLOWED_SYMBOLS: 'EURUSD',
      FXCM_API_PORT: '0',
      FXCM_API_HOST: '127.0.0.1',
      FXCM_LOG_LEVEL: 'info', // its start line carries the viewer's address
    },
  };
  return own[service];
});
const logs = (): string => suite.logs();

afterAll(async () => {
  await context?.close();
  await suite.stop();
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(profileDir, { recursive: true, force: true });
});

async function finals(page: Page): Promise<PageBar[]> {
  const bars = await page.evaluate(() =>
    (globalThis as unknown as PageGlobals).fxcmViewer.bars('EURUSD', '1m'),
  );
  return bars.filter((b) => b.complete !== false && b.synthetic !== true);
}

it('shows the replayed day as candles equal to the reference bars, and the status', async () => {
  suite.start();
  const ingestor = suite.get('ingestor');
  let url: string | undefined;
  await waitFor(
    () => {
      url = /"url":"(http:\/\/127\.0\.0\.1:\d+\/)"/.exec(ingestor.output.join(''))?.[1];
      return url !== undefined;
    },
    60_000,
    logs,
  );

  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${url!}?symbol=EURUSD&tf=1m`);

  let bars: PageBar[] = [];
  await waitFor(
    async () => (bars = await finals(page)).length >= 3,
    120_000,
    () => `${bars.length} final EURUSD 1m candles on the page\n${logs()}`,
  );

  // the recording moved by whole weeks; the reference minute of a bar is its time minus that
  const shift = Math.round((bars[0]!.open_time - REFERENCE[0]!.open_time) / WEEK) * WEEK;
  expect(shift % WEEK).toBe(0);
  const reference = new Map(REFERENCE.map((r) => [r.open_time + shift, r.bid]));
  const compared = bars.map((b) => {
    const ref = reference.get(b.open_time);
    return {
      open_time: b.open_time,
      page: [b.open, b.high, b.low, b.close].join(),
      reference: ref ? [ref.open, ref.high, ref.low, ref.close].join() : 'no such minute',
    };
  });
  expect(compared.filter((c) => c.page !== c.reference)).toEqual([]);

  // and the chart itself draws those candles (time in seconds)
  const drawn = await page.evaluate(() =>
    (globalThis as unknown as PageGlobals).fxcmViewer.drawn(),
  );
  const drawnByTime = new Map(drawn.map((c) => [c.time * 1000, c]));
  for (const bar of bars) {
    expect(drawnByTime.get(bar.open_time)).toMatchObject({ open: bar.open, close: bar.close });
  }

  // the status panel shows what fxcm:status said
  await waitFor(
    async () => (await page.textContent('#status dd[data-field="market"]')) !== '–',
    30_000,
    () => `the status panel stayed empty\n${logs()}`,
  );
  // the panel renders once a second: retry until one render and the state it shows agree
  let panel = '';
  let published = '';
  await waitFor(
    async () => {
      const seen = await page.evaluate(() => {
        const status = (globalThis as unknown as PageGlobals).fxcmViewer.status();
        const fields = ['market', 'price', 'ohlcv', 'process'];
        return {
          panel: fields
            .map(
              (f) =>
                `${f}=${(globalThis as unknown as PageGlobals).document.querySelector(`#status dd[data-field="${f}"]`)?.textContent}`,
            )
            .join(' '),
          published: fields.map((f) => `${f}=${String(status?.[f])}`).join(' '),
        };
      });
      ({ panel, published } = seen);
      return panel === published;
    },
    10_000,
    () => `status panel "${panel}" vs fxcm:status "${published}"`,
  );
  expect(panel).toMatch(/market=(open|closed) price=\w+ ohlcv=\w+ process=\w+/);
  expect(await page.textContent('#lag tbody')).toMatch(/EURUSD\s*1m/);
  expect(pageErrors).toEqual([]);

  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: join(OUTPUT, 'viewer.png') });
}, 240_000);

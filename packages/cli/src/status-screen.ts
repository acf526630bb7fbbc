/** One target's last stored final bar, as the ingestor holds it. */
export interface TargetLag {
  symbol: string;
  tf: string;
  /** close_time of the newest stored bar, ms; null when nothing is stored. */
  lastClose: number | null;
  tfMs: number;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
const text = (v: unknown): string => (v === undefined || v === null || v === '' ? '–' : String(v));
const secs = (s: number | null): string =>
  s === null
    ? '–'
    : s < 120
      ? `${s.toFixed(1)}s`
      : s < 7200
        ? `${(s / 60).toFixed(1)}min`
        : `${(s / 3600).toFixed(1)}h`;

/** How far past its due time the next final bar of a target is, seconds (0 while on time). */
export function lagSeconds(target: TargetLag, now: number): number | null {
  if (target.lastClose === null) return null;
  return Math.max(0, (now - (target.lastClose + 1) - target.tfMs) / 1000);
}

/**
 * The `fxcm status` screen from the scheduler's snapshot (`{status, market_status, services}`)
 * and the stored bars per target: market, price, ohlcv, session, per-target lag, errors.
 * Pure: the caller reads Redis and prints.
 */
export function renderStatusScreen(snapshot: unknown, targets: TargetLag[], now: number): string {
  const snap = obj(snapshot);
  const status = obj(snap.status);
  const session = obj(status.session);
  const market = obj(snap.market_status);
  const services = Array.isArray(snap.services) ? snap.services.map(obj) : [];
  const ts = typeof status.ts === 'number' ? status.ts * 1000 : undefined;
  const lines = [
    `market ${text(status.market)}   price ${text(status.price)}   ohlcv ${text(status.ohlcv)}   process ${text(status.process)}`,
    `note   ${text(status.note)}${ts ? `   (status ${secs((now - ts) / 1000)} old)` : ''}`,
    `session ${text(session.name)} [${text(session.tag)}] ${text(session.state)}${session.state_detail ? ` (${String(session.state_detail)})` : ''}   next open ${text(session.next_open_utc ?? market.next_open_utc)}   to close ${typeof session.seconds_to_close === 'number' ? secs(session.seconds_to_close) : '–'}`,
    '',
    'target        last final (UTC)      lag',
    ...targets.map((t) => {
      const last =
        t.lastClose === null
          ? '–'
          : new Date(t.lastClose + 1 - t.tfMs).toISOString().slice(0, 16).replace('T', ' ');
      return `${`${t.symbol} ${t.tf}`.padEnd(14)}${last.padEnd(22)}${secs(lagSeconds(t, now))}`;
    }),
    '',
    `services ${services.map((s) => `${text(s.service)}:${text(s.state)}`).join(' ') || '–'}`,
  ];
  const degraded = services.flatMap((s) =>
    (Array.isArray(s.degraded) ? s.degraded : []).map((d) => `${text(s.service)}:${text(d)}`),
  );
  if (degraded.length > 0) lines.push(`degraded ${degraded.join(' ')}`);
  const errors: Json[] = [
    ...(Array.isArray(snap.errors) ? snap.errors.map(obj) : []),
    ...services.flatMap((s) =>
      (Array.isArray(s.errors) ? s.errors.map(obj) : []).map((e): Json => ({
        ...e,
        service: s.service,
      })),
    ),
  ]
    .sort((a, b) => Number(b.ts ?? 0) - Number(a.ts ?? 0))
    .slice(0, 8);
  lines.push('', errors.length === 0 ? 'errors: none' : 'recent errors:');
  for (const e of errors) {
    const at = typeof e.ts === 'number' ? new Date(e.ts).toISOString().slice(11, 19) : '–';
    lines.push(`  ${at} ${text(e.service)} ${text(e.code)} ${text(e.message)}`);
  }
  return lines.join('\n');
}

type Json = Record<string, unknown>;

const iso = (ms: unknown): string =>
  typeof ms === 'number' ? new Date(ms).toISOString().slice(0, 19).replace('T', ' ') : '–';

/**
 * One line per message of a public channel, for `fxcm watch` (pure): bars with their kind,
 * prices, status and heartbeat in a few fields; anything else as compact JSON.
 */
export function formatMessage(channel: string, text: string): string {
  let msg: Json;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return `${channel}  ${text.slice(0, 200)}`;
    msg = parsed as Json;
  } catch {
    return `${channel}  (not JSON) ${text.slice(0, 200)}`;
  }
  if (Array.isArray(msg.bars)) {
    return msg.bars
      .map((raw) => {
        const b = raw as Json;
        const kind = b.complete === false ? 'preview' : b.synthetic ? 'synthetic' : 'final';
        return `${channel}  ${String(msg.symbol)} ${String(msg.tf).padEnd(3)} ${iso(b.open_time)}  O ${String(b.open)} H ${String(b.high)} L ${String(b.low)} C ${String(b.close)} V ${String(b.volume)}  ${kind} ${String(b.source ?? msg.source ?? '')}`.trimEnd();
      })
      .join('\n');
  }
  if (typeof msg.mid === 'number')
    return `${channel}  ${String(msg.symbol)} bid ${String(msg.bid)} ask ${String(msg.ask)} mid ${String(msg.mid)}`;
  if (msg.type === 'heartbeat')
    return `${channel}  heartbeat ${String(msg.state)} ${String(msg.ts)} last close ${iso(msg.last_bar_close_ms)}`;
  if (msg.type === 'market_status')
    return `${channel}  market ${String(msg.state)} ${String(msg.ts)}${msg.next_open_utc ? ` next open ${String(msg.next_open_utc)}` : ''}`;
  if ('ohlcv' in msg && 'market' in msg)
    return `${channel}  market ${String(msg.market)} price ${String(msg.price)} ohlcv ${String(msg.ohlcv)} process ${String(msg.process)} note ${String(msg.note)}`;
  return `${channel}  ${JSON.stringify(msg).slice(0, 300)}`;
}

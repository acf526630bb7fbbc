/**
 * One V1 heartbeat `context.diag.backoff.<key>` entry: written by the service that backs off
 * (the gateway's history backoff) and read by the one that builds the heartbeat (the scheduler).
 */
export interface HeartbeatBackoffEntry {
  active: boolean;
  sleep_seconds: number;
  remaining_seconds: number;
  fail_count: number;
  last_error: string | null;
  last_error_ts: number | null;
  resume_at: string | null;
}

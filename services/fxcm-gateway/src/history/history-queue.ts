/**
 * The BullMQ queue the scheduler feeds and the gateway works off. Queue name and key prefix are
 * fixed here; the prefix carries a hash tag so the queue's keys share one Redis Cluster slot.
 */

/** Queue name (design: BullMQ queue "history"). */
export const HISTORY_QUEUE = 'history';

/** BullMQ key prefix of the suite's queues in namespace `ns`: `{fxcm}:bull` for `fxcm`. */
export function queuePrefix(ns: string): string {
  return `{${ns}}:bull`;
}

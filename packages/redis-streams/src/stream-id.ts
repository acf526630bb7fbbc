/** A Redis stream id `<ms>-<seq>` as its two numbers. */
export type StreamIdParts = readonly [ms: number, seq: number];

/** The time a stream entry was added: the ms part of its id (`<ms>-<seq>`). */
export function streamIdMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/** A stream id as its two numbers; an id without a sequence (`<ms>`) is `<ms>-0`, as in Redis. */
export function parseStreamId(id: string): StreamIdParts {
  const dash = id.indexOf('-');
  return dash === -1 ? [Number(id), 0] : [Number(id.slice(0, dash)), Number(id.slice(dash + 1))];
}

/** True when id `a` comes after id `b` in a stream. */
export function streamIdAfter(a: StreamIdParts, b: StreamIdParts): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
}

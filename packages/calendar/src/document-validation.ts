/**
 * Validation shared by every calendar format: JSON Schema (ajv) for shape, turned into
 * `path: message` issues that name the entry (`profiles[1].closed_intervals_utc[3]`), plus the
 * hand-written span rules (start < end, sorted, non-overlapping, inside the epoch-ms rails).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { CalendarIssue } from './errors';
import { formatUtc } from './zoned-time';

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });

/** Lowest instant a closed span may touch: 2000-01-01T00:00Z (catches seconds passed as ms). */
export const RAIL_MIN_MS = Date.UTC(2000, 0, 1);
/** Highest instant a closed span may touch: 2100-01-01T00:00Z. */
export const RAIL_MAX_MS = Date.UTC(2100, 0, 1);

/** Turns a JSON pointer (`/profiles/1/closed_intervals_utc/3`) into `profiles[1].closed_intervals_utc[3]`. */
export function entryPath(pointer: string): string {
  if (pointer === '') return '(root)';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** Joins a parent entry path and a child key or index. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent === '(root)' ? '' : parent}[${key}]`;
  return parent === '(root)' || parent === '' ? key : `${parent}.${key}`;
}

const shown = (v: unknown): string => {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

function describe(e: ErrorObject): CalendarIssue | undefined {
  const path = entryPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  // A bad key (propertyNames) is reported once, at the key itself.
  if (e.keyword === 'propertyNames') return undefined;
  if (e.propertyName !== undefined) {
    const hint = (e.parentSchema as { description?: string } | undefined)?.description;
    return {
      path: childPath(path, e.propertyName),
      message: `bad key: must be ${hint ?? e.message ?? 'valid'}`,
    };
  }
  switch (e.keyword) {
    case 'required':
      return { path, message: `missing required property "${String(params.missingProperty)}"` };
    case 'additionalProperties':
      return { path, message: `unknown property "${String(params.additionalProperty)}"` };
    case 'pattern': {
      const hint = (e.parentSchema as { description?: string } | undefined)?.description;
      return {
        path,
        message: `must be ${hint ?? `a string matching ${String(params.pattern)}`}, got ${shown(e.data)}`,
      };
    }
    case 'enum':
      return {
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).map(shown).join(', ')}, got ${shown(e.data)}`,
      };
    case 'const':
      return { path, message: `must be ${shown(params.allowedValue)}, got ${shown(e.data)}` };
    default:
      return { path, message: `${e.message ?? e.keyword}, got ${shown(e.data)}` };
  }
}

/** A compiled schema check that returns issues instead of booleans. */
export type SchemaCheck = (doc: unknown) => CalendarIssue[];

/** Compiles `schema` on first use; the returned check lists every violation with its entry path. */
export function compileSchema(schema: object): SchemaCheck {
  let validate: ValidateFunction | undefined;
  return (doc) => {
    validate ??= ajv.compile(schema);
    if (validate(doc)) return [];
    const issues = (validate.errors ?? [])
      .map(describe)
      .filter((i): i is CalendarIssue => i !== undefined);
    const seen = new Set<string>();
    return issues.filter((i) => {
      const key = `${i.path}\u0000${i.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };
}

/** JSON Schema fragment for `HH:MM` (00:00–23:59). */
export const TIME_OF_DAY_SCHEMA = {
  type: 'string',
  pattern: '^([01]\\d|2[0-3]):[0-5]\\d$',
  description: '"HH:MM" (00:00-23:59)',
} as const;

/** A resolved closed span with the path of the entry it came from. */
export interface SpanEntry {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The closed-interval rules of the SSOT format: every span has start < end and lies inside the
 * epoch-ms rails; the list is sorted by start and no span overlaps the one before it.
 */
export function checkSpans(entries: readonly SpanEntry[]): CalendarIssue[] {
  const issues: CalendarIssue[] = [];
  let prev: SpanEntry | undefined;
  for (const e of entries) {
    if (!(e.start < e.end)) {
      issues.push({
        path: e.path,
        message: `start >= end (${formatUtc(e.start)} >= ${formatUtc(e.end)})`,
      });
      continue;
    }
    if (e.start < RAIL_MIN_MS || e.end > RAIL_MAX_MS) {
      issues.push({
        path: e.path,
        message: `outside the epoch-ms rails [2000-01-01, 2100-01-01) (start ${e.start}, end ${e.end}; seconds instead of ms?)`,
      });
      continue;
    }
    if (prev !== undefined) {
      if (e.start < prev.start) {
        issues.push({
          path: e.path,
          message: `not sorted: starts ${formatUtc(e.start)}, before ${prev.path} (${formatUtc(prev.start)})`,
        });
      } else if (e.start < prev.end) {
        issues.push({
          path: e.path,
          message: `overlaps ${prev.path}, which ends ${formatUtc(prev.end)} after this starts ${formatUtc(e.start)}`,
        });
      }
    }
    prev = e;
  }
  return issues;
}

import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject } from 'ajv/dist/2020';

/** The JSON Schema dialect every schema of this package declares. */
export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** A JSON Schema node as this package writes them (a plain JSON object). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** An ajv instance for draft 2020-12 that reports every error with its schema node. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true });
  // WHATWG URL parsing: what the services will do with the value anyway.
  ajv.addFormat('url', (value: string) => URL.canParse(value));
  // Annotations that make a generated config schema self-describing (docs, drift checks).
  ajv.addKeyword({ keyword: 'x-env', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-setting', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-secret', schemaType: 'boolean' });
  return ajv;
}

/**
 * Phrases what a schema node accepts, for error messages and docs tables:
 * `a number >= 0`, `an integer in [0, 65535]`, `one of mid|bid|ask`, `a string or an array of {symbol, tf}`.
 */
export function describeExpectation(schema: JsonSchema): string {
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(alternatives)) return alternatives.map(describeExpectation).join(' or ');
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(String).join('|')}`;
  switch (schema.type) {
    case 'integer':
      return `an integer${describeRange(schema)}`;
    case 'number':
      return `a number${describeRange(schema)}`;
    case 'boolean':
      return 'a boolean';
    case 'string': {
      if (schema.format === 'url') return 'a URL';
      const length = describeBounds(schema.minLength, schema.maxLength);
      if (schema.minLength === 1 && schema.maxLength === undefined) return 'a non-empty string';
      return length ? `a string of length ${length}` : 'a string';
    }
    case 'array': {
      const items = schema.items as JsonSchema | undefined;
      const count = describeBounds(schema.minItems, schema.maxItems);
      const itemText = items ? describeExpectation(items) : '';
      const what = !items
        ? 'an array'
        : itemText.includes(' or ')
          ? `an array (items: ${itemText})`
          : `an array of ${stripArticle(itemText)}s`;
      return count ? `${what} with ${count} items` : what;
    }
    case 'object': {
      const required = schema.required as string[] | undefined;
      return required?.length ? `an object {${required.join(', ')}}` : 'an object';
    }
    default:
      return 'a valid value';
  }
}

function describeRange(schema: JsonSchema): string {
  const min = schema.minimum as number | undefined;
  const max = schema.maximum as number | undefined;
  const exMin = schema.exclusiveMinimum as number | undefined;
  if (min !== undefined && max !== undefined) return ` in [${min}, ${max}]`;
  const parts: string[] = [];
  if (min !== undefined) parts.push(`>= ${min}`);
  if (exMin !== undefined) parts.push(`> ${exMin}`);
  if (max !== undefined) parts.push(`<= ${max}`);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

function describeBounds(min: unknown, max: unknown): string {
  if (typeof min === 'number' && typeof max === 'number') return `${min} to ${max}`;
  if (typeof min === 'number') return `at least ${min}`;
  if (typeof max === 'number') return `at most ${max}`;
  return '';
}

function stripArticle(text: string): string {
  return text.replace(/^an? /, '');
}

/** Turns an ajv instance path (`/stream/config/0/tf`) into the dotted form (`stream.config[0].tf`). */
export function dottedPath(instancePath: string): string {
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(segment) ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** One failure at one instance location, reduced from ajv's per-keyword errors. */
export interface SchemaFailure {
  /** ajv instance path (`/stream/poll_seconds`). */
  readonly instancePath: string;
  /** What the schema node at that location accepts. */
  readonly expected: string;
  /** The offending value. */
  readonly value: unknown;
}

/** Splits ajv errors into unknown keys (`additionalProperties`) and one failure per location. */
export function reduceErrors(errors: readonly ErrorObject[]): {
  unknownKeys: string[];
  failures: SchemaFailure[];
} {
  const unknownKeys: string[] = [];
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    if (error.keyword === 'additionalProperties') {
      const extra = String((error.params as { additionalProperty?: unknown }).additionalProperty);
      unknownKeys.push(`${error.instancePath}/${extra.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      continue;
    }
    const list = byPath.get(error.instancePath) ?? [];
    list.push(error);
    byPath.set(error.instancePath, list);
  }

  const failures: SchemaFailure[] = [];
  for (const [path, list] of byPath) {
    // A deeper failure explains an anyOf branch mismatch better than the union itself does.
    const hasDeeper = [...byPath.keys()].some((other) => other.startsWith(`${path}/`));
    if (hasDeeper) continue;
    const best = list.find((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf') ?? list[0];
    if (!best) continue;
    failures.push({
      instancePath: path,
      expected: describeExpectation((best.parentSchema ?? {}) as JsonSchema),
      value: best.data,
    });
  }
  return { unknownKeys, failures };
}

/** Renders a value for an error message: strings quoted, long values shortened. */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

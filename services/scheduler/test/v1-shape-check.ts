import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePythonJson, PyFloat, PyInt, type PyValue } from '@fxcm/contracts';

interface Shape {
  required: Record<string, string>;
  optional: Record<string, string>;
  values?: Record<string, string[]>;
}

/** The V1 shapes of the public status channels (explicit, reviewable fixture). */
export const V1_SHAPES = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'v1-shapes.json'), 'utf8'),
) as Record<string, Shape>;

function typeOf(v: PyValue): string {
  if (v === null) return 'null';
  if (v instanceof PyFloat) return 'float';
  if (v instanceof PyInt) return 'int';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Map) return 'object';
  return typeof v;
}

function accepts(spec: string, v: PyValue): boolean {
  const t = typeOf(v);
  return spec.split('|').some((s) => s === t || (s === 'number' && (t === 'int' || t === 'float')));
}

/**
 * Compares a message, as a Python consumer parses it from `text`, key by key with the V1 shape
 * `kind` and every nested shape of the fixture (names, JSON types with float vs int, value
 * sets). Returns the list of differences (empty when the message is V1-shaped).
 */
export function v1ShapeProblems(kind: string, text: string): string[] {
  const problems: string[] = [];
  const visit = (path: string, value: PyValue): void => {
    if (!(value instanceof Map)) return;
    const shape = V1_SHAPES[path];
    // V1's heartbeat context and its blocks are open: extra keys are allowed there only.
    const open = path.startsWith('heartbeat.context');
    for (const key of Object.keys(shape?.required ?? {})) {
      if (!value.has(key)) problems.push(`${path}.${key}: missing`);
    }
    for (const [key, v] of value) {
      const spec = shape?.required[key] ?? shape?.optional[key];
      if (shape && spec === undefined && !open) problems.push(`${path}.${key}: not a V1 key`);
      if (spec !== undefined && !accepts(spec, v))
        problems.push(`${path}.${key}: ${typeOf(v)}, V1 has ${spec}`);
      const allowed = shape?.values?.[key];
      if (allowed && typeof v === 'string' && !allowed.includes(v))
        problems.push(`${path}.${key}: '${v}' not in V1 values ${allowed.join('|')}`);
      if (Array.isArray(v)) for (const item of v as PyValue[]) visit(`${path}.${key}[]`, item);
      else if (v instanceof Map) {
        visit(`${path}.${key}`, v);
        if (V1_SHAPES[`${path}.${key}.*`])
          for (const inner of v.values()) visit(`${path}.${key}.*`, inner);
      }
    }
  };
  visit(kind, parsePythonJson(text));
  return problems;
}

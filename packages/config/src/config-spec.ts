import type { ValidateFunction } from 'ajv/dist/2020';
import { ConfigError, type ConfigIssue } from './config-error';
import type { Env } from './env-file';
import {
  createAjv,
  describeExpectation,
  type JsonSchema,
  SCHEMA_DIALECT,
  showValue,
} from './json-schema';
import {
  isRuntimeSettings,
  type RuntimeSettings,
  type RuntimeSettingsValues,
} from './runtime-settings';

/** Value kinds a configuration field can have. */
export type FieldType = 'int' | 'number' | 'bool' | 'string' | 'enum' | 'list' | 'url';

/** What every field declares, whatever its type. */
export interface FieldCommon {
  /** Property name in the built config object (camelCase). */
  readonly key: string;
  /** Environment variable (V1 `FXCM_*` name); wins over the setting and the default. */
  readonly env?: string;
  /** Dotted path in `runtime_settings.json` (`stream.poll_seconds`); wins over the default. */
  readonly setting?: string;
  /** Refuse to start when no source gives a value. */
  readonly required?: boolean;
  /** Never logged or echoed in errors; {@link redactConfig} hides it. */
  readonly secret?: boolean;
  /** One line for the service README's configuration table. */
  readonly description: string;
}

/** `int` (whole numbers) or `number`; `min`/`max` bound the value. */
export interface NumberField extends FieldCommon {
  readonly type: 'int' | 'number';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
}

/** `bool`: from env, 1/0/true/false/yes/no (any case). */
export interface BoolField extends FieldCommon {
  readonly type: 'bool';
  readonly default?: boolean;
}

/** `string`, or `url` (must parse as a WHATWG URL); `min`/`max` bound a string's length. */
export interface StringField extends FieldCommon {
  readonly type: 'string' | 'url';
  readonly default?: string;
  readonly min?: number;
  readonly max?: number;
}

/** `enum`: one of `values` (matched case-insensitively, returned in the declared spelling). */
export interface EnumField extends FieldCommon {
  readonly type: 'enum';
  readonly values: readonly string[];
  readonly default?: string;
}

/** `list`: comma-separated in env, trimmed, empties dropped; `min`/`max` bound the item count. */
export interface ListField extends FieldCommon {
  readonly type: 'list';
  readonly default?: readonly string[];
  readonly min?: number;
  readonly max?: number;
}

/** One declared configuration field. */
export type ConfigField = NumberField | BoolField | StringField | EnumField | ListField;

/** A service's configuration declaration, made by {@link defineConfig}. */
export interface ConfigSpec<F extends readonly ConfigField[] = readonly ConfigField[]> {
  /** The fields, as declared. */
  readonly fields: F;
  /** JSON Schema (draft 2020-12) of the built config object; the config is validated against it. */
  readonly schema: JsonSchema;
}

/** TypeScript type of one field's value. */
export type FieldValue<F> = F extends { type: 'int' | 'number' }
  ? number
  : F extends { type: 'bool' }
    ? boolean
    : F extends { type: 'enum'; values: readonly (infer V)[] }
      ? V
      : F extends { type: 'list' }
        ? string[]
        : string;

type AlwaysSet<F> = F extends { required: true }
  ? true
  : F extends { default: infer D }
    ? undefined extends D
      ? false
      : true
    : false;

/** The built config object for a field list: required or defaulted fields are never `undefined`. */
export type ConfigOfFields<F extends readonly ConfigField[]> = {
  -readonly [E in F[number] as E['key']]: AlwaysSet<E> extends true
    ? FieldValue<E>
    : FieldValue<E> | undefined;
};

/**
 * The built config type of a spec: `type GatewayConfig = ConfigOf<typeof gatewayConfigSpec>`.
 */
export type ConfigOf<S> = S extends ConfigSpec<infer F> ? ConfigOfFields<F> : never;

/** Inputs of {@link buildConfig}. */
export interface BuildConfigInput {
  /** Merged environment, usually from `loadEnvFiles`. */
  readonly env: Env;
  /** Result of `loadRuntimeSettings`, or the plain settings object. */
  readonly settings?: RuntimeSettings | RuntimeSettingsValues | Readonly<Record<string, unknown>>;
}

const SETTINGS_FILE = 'runtime_settings.json';
const KEY_PATTERN = /^[A-Za-z_$][\w$]*$/;
const TRUE_WORDS = new Set(['1', 'true', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'no']);

let sharedAjv: ReturnType<typeof createAjv> | undefined;
const validators = new WeakMap<object, ValidateFunction>();

/**
 * Keeps the literal types of a reusable group of fields, so it can be spread into
 * {@link defineConfig} (`defineConfig([...redisFields, ...])`) without losing inference.
 */
export function defineFields<const F extends readonly ConfigField[]>(fields: F): F {
  return fields;
}

/**
 * Declares a service's configuration. Checks the declaration itself (unique keys and env
 * names, enum values, defaults that pass their own rules) and compiles its JSON Schema once.
 *
 * @example
 * export const configSpec = defineConfig([
 *   { key: 'metricsPort', env: 'FXCM_METRICS_PORT', type: 'int', default: 9200, min: 0, max: 65535,
 *     description: 'Port of /metrics, /healthz and /readyz' },
 *   { key: 'priceMode', env: 'FXCM_PRICE_MODE', type: 'enum', values: ['mid', 'bid', 'ask'],
 *     default: 'mid', description: 'Which quote side makes the bar price' },
 * ]);
 * export type Config = ConfigOf<typeof configSpec>;
 * @throws ConfigError `CONFIG_SPEC_INVALID` for an impossible declaration (a programmer error)
 */
export function defineConfig<const F extends readonly ConfigField[]>(fields: F): ConfigSpec<F> {
  const issues = checkFields(fields);
  if (issues.length > 0) throw new ConfigError('CONFIG_SPEC_INVALID', issues);

  const schema = specSchema(fields);
  const validate = compile(schema);
  const defaults: Record<string, unknown> = {};
  for (const field of fields) if (field.default !== undefined) defaults[field.key] = field.default;
  if (!validate(defaults)) {
    const bad = (validate.errors ?? []).filter((e) => e.keyword !== 'required');
    if (bad.length > 0) {
      throw new ConfigError(
        'CONFIG_SPEC_INVALID',
        bad.map((e) => {
          const key = e.instancePath.split('/')[1] ?? '';
          const field = fields.find((f) => f.key === key);
          return {
            name: key,
            message: `default of ${key} must be ${field ? fieldExpectation(field) : 'valid'}, got ${showValue(field?.default)}`,
          };
        }),
      );
    }
  }
  const spec: ConfigSpec<F> = { fields, schema };
  validators.set(spec, validate);
  return spec;
}

function checkFields(fields: readonly ConfigField[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const keys = new Set<string>();
  const envs = new Set<string>();
  const issue = (name: string, message: string): void => {
    issues.push({ name, message: `${name}: ${message}` });
  };
  for (const field of fields) {
    const { key } = field;
    if (!KEY_PATTERN.test(key)) issue(key, 'key must be an identifier');
    if (keys.has(key)) issue(key, 'key is declared twice');
    keys.add(key);
    if (field.env !== undefined) {
      if (envs.has(field.env)) issue(key, `env ${field.env} is used by two fields`);
      envs.add(field.env);
    }
    if (field.env === undefined && field.setting === undefined) {
      issue(key, 'needs an env var or a settings path');
    }
    if (field.required && field.default !== undefined) issue(key, 'is required and has a default');
    if (field.type === 'enum' && field.values.length === 0) issue(key, 'enum needs values');
    if ('min' in field && 'max' in field && field.min !== undefined && field.max !== undefined) {
      if (field.min > field.max) issue(key, `min ${field.min} is above max ${field.max}`);
    }
  }
  return issues;
}

function fieldSchema(field: ConfigField): JsonSchema {
  const node: Record<string, unknown> = {};
  switch (field.type) {
    case 'int':
    case 'number':
      node.type = field.type === 'int' ? 'integer' : 'number';
      if (field.min !== undefined) node.minimum = field.min;
      if (field.max !== undefined) node.maximum = field.max;
      break;
    case 'bool':
      node.type = 'boolean';
      break;
    case 'string':
      node.type = 'string';
      if (field.min !== undefined) node.minLength = field.min;
      if (field.max !== undefined) node.maxLength = field.max;
      break;
    case 'url':
      node.type = 'string';
      node.format = 'url';
      break;
    case 'enum':
      node.type = 'string';
      node.enum = [...field.values];
      break;
    case 'list':
      node.type = 'array';
      node.items = { type: 'string' };
      if (field.min !== undefined) node.minItems = field.min;
      if (field.max !== undefined) node.maxItems = field.max;
      break;
  }
  node.description = field.description;
  if (field.default !== undefined && !field.secret) node.default = field.default;
  if (field.env !== undefined) node['x-env'] = field.env;
  if (field.setting !== undefined) node['x-setting'] = field.setting;
  if (field.secret) node['x-secret'] = true;
  return node;
}

function specSchema(fields: readonly ConfigField[]): JsonSchema {
  return {
    $schema: SCHEMA_DIALECT,
    type: 'object',
    properties: Object.fromEntries(fields.map((f) => [f.key, fieldSchema(f)])),
    required: fields.filter((f) => f.required).map((f) => f.key),
    additionalProperties: false,
  };
}

function compile(schema: JsonSchema): ValidateFunction {
  sharedAjv ??= createAjv();
  return sharedAjv.compile(schema);
}

/** What a field accepts, phrased for messages: `an integer in [0, 65535]`, `one of mid|bid|ask`. */
export function fieldExpectation(field: ConfigField): string {
  if (field.type === 'bool') return 'a boolean (1/0/true/false/yes/no)';
  if (field.type === 'list') {
    const { min, max } = field;
    if (min !== undefined && max !== undefined)
      return `a comma-separated list of ${min} to ${max} items`;
    if (min !== undefined) return `a comma-separated list of at least ${min} items`;
    if (max !== undefined) return `a comma-separated list of at most ${max} items`;
    return 'a comma-separated list';
  }
  return describeExpectation(fieldSchema(field));
}

type Source =
  | { readonly kind: 'env'; readonly name: string; readonly raw: string }
  | { readonly kind: 'setting'; readonly name: string; readonly raw: unknown }
  | { readonly kind: 'default'; readonly raw: unknown };

function settingsTree(settings: BuildConfigInput['settings']): unknown {
  if (settings === undefined) return {};
  return isRuntimeSettings(settings) ? settings.values : settings;
}

function readSetting(tree: unknown, path: string): unknown {
  let node = tree;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function pickSource(field: ConfigField, env: Env, tree: unknown): Source | undefined {
  if (field.env !== undefined) {
    const raw = env[field.env];
    // An empty variable counts as unset, so `KEY=` lines in a template do not mask defaults.
    if (raw !== undefined && raw.trim() !== '') return { kind: 'env', name: field.env, raw };
  }
  if (field.setting !== undefined) {
    const raw = readSetting(tree, field.setting);
    if (raw !== undefined && raw !== null) return { kind: 'setting', name: field.setting, raw };
  }
  if (field.default !== undefined) return { kind: 'default', raw: field.default };
  return undefined;
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Turns a raw env string or JSON setting into the field's type; `undefined` when impossible. */
function coerce(field: ConfigField, raw: unknown): { value: unknown } | undefined {
  switch (field.type) {
    case 'int':
    case 'number': {
      if (typeof raw === 'number') return { value: raw };
      if (typeof raw !== 'string') return undefined;
      const text = raw.trim();
      const ok = field.type === 'int' ? /^[+-]?\d+$/.test(text) : NUMBER_TEXT.test(text);
      return ok ? { value: Number(text) } : undefined;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return { value: raw };
      const text = String(raw).trim().toLowerCase();
      if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
      if (TRUE_WORDS.has(text)) return { value: true };
      if (FALSE_WORDS.has(text)) return { value: false };
      return undefined;
    }
    case 'string':
      if (typeof raw === 'string') return { value: raw };
      return typeof raw === 'number' ? { value: String(raw) } : undefined;
    case 'url':
      return typeof raw === 'string' ? { value: raw.trim() } : undefined;
    case 'enum': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
      const text = String(raw).trim();
      const exact = field.values.find((v) => v === text);
      const loose = exact ?? field.values.find((v) => v.toLowerCase() === text.toLowerCase());
      return { value: loose ?? text };
    }
    case 'list':
      return coerceList(raw);
  }
}

function coerceList(raw: unknown): { value: string[] } | undefined {
  if (typeof raw === 'string') {
    return {
      value: raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    };
  }
  if (!Array.isArray(raw)) return undefined;
  const out: string[] = [];
  for (const item of raw) {
    if (typeof item === 'string') {
      if (item.trim() !== '') out.push(item.trim());
    } else if (typeof item === 'number') {
      out.push(String(item));
    } else if (isTargetObject(item)) {
      // V1 stream targets given as objects become the string spelling `SYMBOL:tf`.
      out.push(`${item.symbol}:${item.tf}`);
    } else {
      return undefined;
    }
  }
  return { value: out };
}

function isTargetObject(item: unknown): item is { symbol: string; tf: string } {
  if (typeof item !== 'object' || item === null) return false;
  const { symbol, tf } = item as { symbol?: unknown; tf?: unknown };
  return typeof symbol === 'string' && typeof tf === 'string';
}

function sourceLabel(source: Source): string {
  if (source.kind === 'env') return source.name;
  if (source.kind === 'setting') return `${source.name} (${SETTINGS_FILE})`;
  return 'default';
}

function invalid(field: ConfigField, source: Source): ConfigIssue {
  const label = source.kind === 'default' ? `default of ${field.key}` : sourceLabel(source);
  const got = field.secret ? '[REDACTED]' : showValue(source.raw);
  return {
    name: source.kind === 'default' ? field.key : source.name,
    message: `${label} must be ${fieldExpectation(field)}, got ${got}`,
  };
}

function missing(field: ConfigField): ConfigIssue {
  const names = [field.env, field.setting && `${field.setting} in ${SETTINGS_FILE}`].filter(
    (n): n is string => Boolean(n),
  );
  const label = names.length > 1 ? `${names[0]} (or ${names[1]})` : (names[0] ?? field.key);
  return { name: field.env ?? field.setting ?? field.key, message: `${label} is required` };
}

/**
 * Builds the typed config object. Precedence per field: env var > runtime_settings path > default.
 * Every field is checked; all problems are reported at once.
 *
 * @example
 * const config = buildConfig(configSpec, { env, settings: loadRuntimeSettings(settingsPath) });
 * config.metricsPort; // number
 * @throws ConfigError `CONFIG_INVALID` whose message names each env var or settings path and why, e.g.
 *   `FXCM_METRICS_PORT must be an integer in [0, 65535], got "abc"; FXCM_PRICE_MODE must be one of mid|bid|ask, got "last"`
 */
export function buildConfig<F extends readonly ConfigField[]>(
  spec: ConfigSpec<F>,
  { env, settings }: BuildConfigInput,
): ConfigOfFields<F> {
  let validate = validators.get(spec);
  if (!validate) {
    validate = compile(spec.schema);
    validators.set(spec, validate);
  }
  const tree = settingsTree(settings);
  const issues = new Map<string, ConfigIssue>();
  const sources = new Map<string, Source>();
  const candidate: Record<string, unknown> = {};

  for (const field of spec.fields) {
    const source = pickSource(field, env, tree);
    if (!source) {
      if (field.required) issues.set(field.key, missing(field));
      continue;
    }
    sources.set(field.key, source);
    const coerced = coerce(field, source.raw);
    if (!coerced) issues.set(field.key, invalid(field, source));
    else candidate[field.key] = Array.isArray(coerced.value) ? [...coerced.value] : coerced.value;
  }

  if (!validate(candidate)) {
    for (const error of validate.errors ?? []) {
      const key = error.instancePath.split('/')[1];
      const field = spec.fields.find((f) => f.key === key);
      const source = key === undefined ? undefined : sources.get(key);
      if (!field || !source || issues.has(field.key)) continue;
      issues.set(field.key, invalid(field, source));
    }
  }

  if (issues.size > 0) {
    const ordered = spec.fields.flatMap((f) => issues.get(f.key) ?? []);
    throw new ConfigError('CONFIG_INVALID', ordered);
  }
  const config: Record<string, unknown> = {};
  for (const field of spec.fields) config[field.key] = candidate[field.key];
  return config as ConfigOfFields<F>;
}

/** One row of a configuration table (see {@link describeConfig}). */
export interface ConfigRow {
  readonly key: string;
  readonly env: string | undefined;
  readonly setting: string | undefined;
  readonly type: FieldType;
  /** What the field accepts, e.g. `an integer in [0, 65535]`. */
  readonly allowed: string;
  /** Rendered default (`a,b` for lists); `undefined` when none; `[REDACTED]` for secrets. */
  readonly default: string | undefined;
  readonly required: boolean;
  readonly secret: boolean;
  readonly description: string;
}

/** Rows describing every field, in declaration order, for a README configuration table. */
export function describeConfig(spec: ConfigSpec): ConfigRow[] {
  return spec.fields.map((field) => ({
    key: field.key,
    env: field.env,
    setting: field.setting,
    type: field.type,
    allowed: fieldExpectation(field),
    default: renderDefault(field),
    required: field.required === true,
    secret: field.secret === true,
    description: field.description,
  }));
}

function renderDefault(field: ConfigField): string | undefined {
  if (field.default === undefined) return undefined;
  if (field.secret) return '[REDACTED]';
  return Array.isArray(field.default) ? field.default.join(',') : String(field.default);
}

/**
 * A Markdown table of {@link describeConfig} rows (Env | runtime_settings | Type | Default | Description),
 * ready to paste into a service README.
 */
export function renderConfigTable(spec: ConfigSpec): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const code = (text: string | undefined): string => (text ? `\`${cell(text)}\`` : '–');
  const lines = [
    '| Env | runtime_settings | Type | Default | Description |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const row of describeConfig(spec)) {
    const type = cell(row.allowed.replace(/^an? /, ''));
    const dflt = row.required ? 'required' : row.default === '' ? '`""`' : code(row.default);
    const secret = row.secret ? ' (secret)' : '';
    lines.push(
      `| ${code(row.env)} | ${code(row.setting)} | ${type} | ${dflt} | ${cell(row.description)}${secret} |`,
    );
  }
  return lines.join('\n');
}

/**
 * A copy of `config` fit for the startup log line: every `secret` field that has a value
 * becomes `"[REDACTED]"` (unset secrets stay `undefined`, so the log shows they are missing).
 */
export function redactConfig<C extends object>(
  config: C,
  spec: ConfigSpec,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const field of spec.fields) {
    if (field.secret && out[field.key] !== undefined) out[field.key] = '[REDACTED]';
  }
  return out;
}

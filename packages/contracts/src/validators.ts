import type Ajv2020 from 'ajv/dist/2020';
import type { AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import { createContractAjv } from './ajv-setup';
import { ContractError } from './errors';
import { payloadSchemaNames, schemas } from './generated/schemas';
import type { ContractTypes } from './generated/types';

/** Name of a payload contract (schema file name without `.schema.json`), e.g. `'ohlcv'`. */
export type ContractName = keyof ContractTypes;

/** `'stream-tick'` → `'streamTick'`. */
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** A compiled validator: a type guard whose `.errors` holds the failures of the last call. */
export type ContractValidator<T> = ValidateFunction<T>;

/** One typed validator per payload contract, keyed by the camel-cased contract name. */
export type ContractValidators = {
  readonly [K in ContractName as CamelCase<K>]: ContractValidator<ContractTypes[K]>;
};

/** Every payload contract name. */
export const CONTRACT_NAMES: readonly ContractName[] = payloadSchemaNames;

/** `$id` of a schema by name. */
export function schemaId(name: string): string {
  return `https://fxcm-suite/contracts/${name}.schema.json`;
}

let ajvInstance: Ajv2020 | undefined;
const compiled = new Map<ContractName, ValidateFunction>();

function ajv(): Ajv2020 {
  if (ajvInstance === undefined) {
    const instance = createContractAjv();
    // The generated objects are `as const` (readonly); ajv only reads them.
    for (const schema of Object.values(schemas))
      instance.addSchema(schema as unknown as AnySchemaObject);
    ajvInstance = instance;
  }
  return ajvInstance;
}

/** The compiled validator of a contract; compiled on first use, then cached for the process. */
export function validatorFor<K extends ContractName>(name: K): ContractValidator<ContractTypes[K]> {
  let fn = compiled.get(name);
  if (fn === undefined) {
    if (!(payloadSchemaNames as readonly string[]).includes(name)) {
      throw new ContractError('CONTRACT_VIOLATION', `unknown contract '${String(name)}'`);
    }
    fn = ajv().getSchema(schemaId(name));
    if (fn === undefined) throw new ContractError('CONTRACT_VIOLATION', `schema ${name} missing`);
    compiled.set(name, fn);
  }
  return fn as ContractValidator<ContractTypes[K]>;
}

/** Compiles every validator now (services call it at start so the first message is not slower). */
export function compileAllValidators(): void {
  for (const name of payloadSchemaNames) validatorFor(name);
}

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Typed validators, one per contract: `validate.ohlcv(x)` narrows `x` to `Ohlcv`;
 * `describeErrors(validate.ohlcv.errors)` explains a failure. Compiled lazily, once.
 */
export const validate: ContractValidators = (() => {
  const target = {};
  for (const name of payloadSchemaNames) {
    Object.defineProperty(target, camel(name), {
      enumerable: true,
      get: () => validatorFor(name),
    });
  }
  return target as ContractValidators;
})();

function describeOne(e: ErrorObject): string | undefined {
  const at = e.instancePath === '' ? '(root)' : e.instancePath;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'if':
      // The 'then' branch already reported the real cause.
      return undefined;
    case 'additionalProperties':
      return `${at}: unknown property '${String(params['additionalProperty'])}'`;
    case 'required':
      return `${at}: missing required property '${String(params['missingProperty'])}'`;
    case 'enum':
      return `${at}: must be one of ${JSON.stringify(params['allowedValues'])}`;
    case 'const':
      return `${at}: must be ${JSON.stringify(params['allowedValue'])}`;
    default:
      return `${at}: ${e.message ?? e.keyword}`;
  }
}

/**
 * Turns ajv errors into one readable line naming each path and reason, e.g.
 * `/bars/0/open: must be number; (root): missing required property 'tf'`. At most `max` reasons.
 */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined, max = 8): string {
  if (!errors || errors.length === 0) return 'no errors';
  const lines = [...new Set(errors.map(describeOne).filter((l): l is string => l !== undefined))];
  if (lines.length === 0) return 'invalid';
  const shown = lines.slice(0, max).join('; ');
  return lines.length > max ? `${shown}; (+${lines.length - max} more)` : shown;
}

/** Result of {@link checkContract}. */
export type ContractCheck<T> = { ok: true; value: T } | { ok: false; error: string };

/** Validates `value` against contract `name` without throwing. */
export function checkContract<K extends ContractName>(
  name: K,
  value: unknown,
): ContractCheck<ContractTypes[K]> {
  const fn = validatorFor(name);
  if (fn(value)) return { ok: true, value };
  return { ok: false, error: describeErrors(fn.errors) };
}

/** Validates `value` against contract `name`; throws `ContractError` (`CONTRACT_VIOLATION`) naming the schema, paths and reasons. */
export function assertContract<K extends ContractName>(
  name: K,
  value: unknown,
): asserts value is ContractTypes[K] {
  const result = checkContract(name, value);
  if (!result.ok) {
    throw new ContractError('CONTRACT_VIOLATION', `${name}: ${result.error}`, { schema: name });
  }
}

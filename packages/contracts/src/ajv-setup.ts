import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Builds the ajv instance every contract is compiled with (draft 2020-12, strict, all errors).
 * The generator uses the same settings, so a schema that generates also compiles at run time.
 */
export function createContractAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    strictNumbers: true,
    // ["number","null"] unions are how optional-but-nullable V1 keys are written.
    allowUnionTypes: true,
    allErrors: true,
  });
  addFormats(ajv, ['date-time']);
  return ajv;
}

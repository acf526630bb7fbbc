/**
 * `@fxcm/contracts`: the wire and stream contracts of the FXCM connector suite — JSON Schemas
 * (from `contracts/`, embedded), generated TypeScript types, ajv validators, channel/stream/key
 * names, symbol and timeframe vocabulary, and the Python-compatible V1 HMAC signature.
 */
export * from './generated/types';
export { schemas, payloadSchemaNames } from './generated/schemas';
export * from './errors';
export * from './error-registry';
export * from './validators';
export * from './stream-entries';
export * from './names';
export * from './sharding';
export * from './symbols';
export * from './timeframes';
export * from './stream-targets';
export * from './python-json';
export * from './hmac';
export * from './wire-encoding';
export * from './heartbeat-context';
export { createContractAjv } from './ajv-setup';

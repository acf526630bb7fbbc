import { ContractError } from './errors';
import { normalizeSymbol } from './symbols';

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit hash of a byte sequence, as an unsigned integer. */
export function fnv1a32(bytes: Uint8Array): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Shard of a symbol: FNV-1a 32-bit over the UTF-8 bytes of the normalized symbol, modulo
 * `shardCount`. Every service and any external bridge must use exactly this rule, or ticks and
 * bars of a symbol land on different shards.
 */
export function shardOf(symbol: string, shardCount: number): number {
  if (!Number.isSafeInteger(shardCount) || shardCount < 1) {
    throw new ContractError(
      'NAME_INVALID',
      `shardCount must be a positive integer, got ${String(shardCount)}`,
    );
  }
  return fnv1a32(Buffer.from(normalizeSymbol(symbol), 'utf8')) % shardCount;
}

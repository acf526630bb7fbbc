/**
 * The durable store of final bars: one crash-safe file per (symbol, tf), merge by open_time,
 * retention, read-only fallback on I/O errors, CSV export, backup and restore (docs/store.md).
 */
export {
  openStore,
  type AppendOptions,
  type AppendResult,
  type BarConflict,
  type BarStore,
  type ConflictPolicy,
  type ReadOptions,
  type Recovery,
  type SeriesInfo,
  type StoreOptions,
  type StoreState,
} from './bar-store';
export {
  createBackup,
  restoreBackup,
  type ArchiveSummary,
  type ArchivedFile,
} from './backup-archive';
export { CSV_HEADER, formatCsv } from './csv-export';
export { nodeStoreFs, type StoreFs } from './store-fs';
export { StoreError, isStoreError, type StoreErrorCode } from './store-error';
export type { BarSource, StoredBar } from './stored-bar';

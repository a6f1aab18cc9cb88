export { CHUNK_ROWS, ChunkFiller } from "./chunks.js";
export { type ExportCounts, exportParquet } from "./exportParquet.js";
export { DEFAULT_DB_PATH, type OpenStoreOptions, openStore, type Store, StoreError, withStore } from "./openStore.js";
export { deleteRuns, type OrphanRows, orphanRows, perRunTables } from "./perRunRows.js";
export {
  type CompareRun,
  compareRuns,
  jsonSafe,
  LIST_RUNS_SQL,
  parseRunIds,
  type QueryResult,
  query,
  rowObjects,
} from "./queries.js";
export { openRunWriter, type RunExtras, type RunMeta, type RunWriter } from "./runWriter.js";
export { migrate, SCHEMA_VERSION } from "./schema.js";
export { queryKeepingRunsWhole, READ_ONLY_REFUSAL } from "./writeQuery.js";

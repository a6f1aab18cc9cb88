export { CHUNK_ROWS, ChunkFiller } from "./chunks.js";
export { DEFAULT_DB_PATH, type OpenStoreOptions, openStore, type Store, StoreError } from "./openStore.js";
export { openRunWriter, type RunExtras, type RunMeta, type RunWriter } from "./runWriter.js";
export { migrate, SCHEMA_VERSION } from "./schema.js";

/** The line llama-run.mjs prints when loading is done; blkrx run --phase-marker splits load from inference there. */
export const LOADED_MARKER = "LLM-OFFLOAD MODEL LOADED";

import { defineConfig } from "vitest/config";

/** The timing tests (`*.alone.test.ts`), one file at a time with nothing beside them: `npm test` runs them before the rest. */
export default defineConfig({
  test: {
    include: ["test/**/*.alone.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ["default"],
  },
});

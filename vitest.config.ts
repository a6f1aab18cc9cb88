import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Timing tests run first, alone (vitest.alone.config.ts): beside other test files their times measure the load.
    exclude: ["**/node_modules/**", "test/**/*.alone.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});

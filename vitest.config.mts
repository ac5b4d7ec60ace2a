import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup/functionsCore.ts", "test/setup/secretScan.ts"],
    globalSetup: ["test/setup/azurite.ts"],
    // Two cores: a couple of workers keep the suite quick without starving Azurite.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
    // One test file per core (vitest's default leaves one idle): the property tests fill them all.
    maxWorkers: availableParallelism(),
  },
});

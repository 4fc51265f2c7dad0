import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** The workbench page, built into dist/web: static assets `stargate serve` serves at `/`. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    // One script for the page (charts, editor, YAML), served from this machine: no split needed.
    chunkSizeWarningLimit: 1200,
  },
});

import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The charts script of self-contained HTML pages (web/report.ts with Observable Plot, one IIFE file):
 * dist/report/charts.js, which cli/html.ts inlines into every `--html` report and run download.
 */
export default defineConfig({
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../dist/report", import.meta.url)),
    emptyOutDir: true,
    lib: {
      entry: fileURLToPath(new URL("report.ts", import.meta.url)),
      formats: ["iife"],
      name: "StargateReport",
      fileName: () => "charts.js",
    },
  },
});

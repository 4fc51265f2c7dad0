import { existsSync, readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";

/** The built workbench (dist/web), beside this file's dist folder or under the package root. */
const WEB_DIR = [
  fileURLToPath(new URL("../../web", import.meta.url)),
  fileURLToPath(new URL("../../dist/web", import.meta.url)),
].find((d) => existsSync(join(d, "index.html")) && existsSync(join(d, "assets")));

/** The package's example scenarios the workbench offers, by kind (read from the package, never from a request). */
const EXAMPLES_DIR = [
  fileURLToPath(new URL("../../examples", import.meta.url)),
  fileURLToPath(new URL("../../../examples", import.meta.url)),
].find((d) => existsSync(d));
const EXAMPLES = [
  ["train-explicit.yaml", "train"],
  ["train-search.yaml", "train"],
  ["lora-70b.yaml", "train"],
  ["infer-batch.yaml", "infer"],
  ["custom-chip.yaml", "infer"],
  ["serve-online.yaml", "infer"],
  ["serve-offline.yaml", "infer"],
  ["campus-1gw.yaml", "sites"],
  ["plan-global.yaml", "plan"],
  ["stargate-korea.yaml", "plan"],
  ["fleet-small.yaml", "fleet"],
  ["design.yaml", "design"],
] as const;

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Serve the workbench at `/` (its assets under /assets) and the examples at /v1/examples. */
export function addWorkbench(app: Hono): void {
  app.get("/v1/examples", (c) =>
    c.json({
      examples:
        EXAMPLES_DIR === undefined
          ? []
          : EXAMPLES.filter(([f]) => existsSync(join(EXAMPLES_DIR, f))).map(([f, kind]) => ({
              name: f.replace(/\.yaml$/, ""),
              kind,
              yaml: readFileSync(join(EXAMPLES_DIR, f), "utf8"),
            })),
    }),
  );
  const file = (rel: string) => {
    if (WEB_DIR === undefined) return null;
    const path = normalize(join(WEB_DIR, rel));
    // Only files inside the built folder.
    if (!path.startsWith(WEB_DIR) || !existsSync(path)) return null;
    return { body: readFileSync(path), type: TYPES[extname(path)] ?? "application/octet-stream" };
  };
  const send = (rel: string) => {
    const f = file(rel);
    return f === null
      ? new Response("the workbench is not built (npm run build)", { status: 404 })
      : new Response(f.body, { headers: { "content-type": f.type } });
  };
  app.get("/", () => send("index.html"));
  app.get("/assets/:name", (c) => send(join("assets", c.req.param("name"))));
}

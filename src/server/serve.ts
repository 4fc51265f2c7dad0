import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import type { CatalogOverlay } from "../catalog/index.js";
import { catalogFor } from "../cli/point.js";
import { InputError } from "../errors.js";
import { createApp } from "./app.js";
import { RunStore } from "./store.js";

/** The package's version, stamped on every run (package.json two levels up from src/server, three from dist). */
export const VERSION: string = (() => {
  for (const rel of ["../../package.json", "../../../package.json"])
    try {
      return (
        JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), "utf8")) as { version: string }
      ).version;
    } catch {
      // Not at this depth: the other.
    }
  return "unknown";
})();

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  /** Folder of the run store (created if missing). */
  readonly dataDir: string;
  readonly token?: string;
  /** Catalog overlays (--catalog files) on the built-in catalog. */
  readonly overlays: readonly CatalogOverlay[];
}

export interface RunningServer {
  readonly url: string;
  readonly store: RunStore;
  close(): Promise<void>;
}

/**
 * Start the API on host:port with the run store under dataDir. Beyond loopback a bearer token is
 * required: without one this refuses to start.
 */
export function startServer(o: ServeOptions): Promise<RunningServer> {
  if (!LOOPBACK.has(o.host) && o.token === undefined)
    throw new InputError(
      "--host",
      o.host,
      "a loopback address (127.0.0.1, ::1, localhost), or --token beside it",
    );
  const store = new RunStore(o.dataDir, VERSION);
  const { app, stop } = createApp({
    store,
    catalog: catalogFor(o.overlays),
    overlays: o.overlays,
    version: VERSION,
    ...(o.token !== undefined ? { token: o.token } : {}),
  });
  return new Promise((done, fail) => {
    const server = serve({ fetch: app.fetch, port: o.port, hostname: o.host }, (info: AddressInfo) => {
      const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
      done({
        url: `http://${host}:${info.port}`,
        store,
        close: () =>
          new Promise((closed) => {
            server.close(() => {
              stop().then(() => {
                store.close();
                closed();
              });
            });
          }),
      });
    });
    server.on("error", (err: NodeJS.ErrnoException) => {
      store.close();
      fail(
        err.code === "EADDRINUSE"
          ? new InputError("--port", o.port, "a free port (this one is in use)")
          : err.code === "EADDRNOTAVAIL"
            ? new InputError("--host", o.host, "an address of this machine")
            : err,
      );
    });
  });
}

import { parentPort, workerData } from "node:worker_threads";
import type { CatalogOverlay } from "../catalog/index.js";
import { catalogFor } from "../cli/point.js";
import { finiteOnly, type RunKind, runResult, runSweepResult } from "../cli/results.js";
import { errorBody, type RunReply, type RunRequest } from "./run-messages.js";

/**
 * The run worker: runs one scenario at a time off the server's event loop and posts back its result as
 * `--json` would print it, and the page that shows it (or the error, as the CLI's line would name it).
 */
const { overlays } = workerData as { overlays: CatalogOverlay[] };
const catalog = catalogFor(overlays);
const clock = () => performance.now() / 1000;
parentPort?.on("message", async (m: RunRequest) => {
  const t0 = clock();
  // Progress in whole percent, each step once.
  let told = -1;
  const progress = (fraction: number) => {
    const pct = Math.floor(fraction * 100);
    if (pct <= told) return;
    told = pct;
    const reply: RunReply = { id: m.id, type: "progress", fraction: pct / 100 };
    parentPort?.postMessage(reply);
  };
  let reply: RunReply;
  try {
    // A sweep runs its points on this machine's worker threads, as the CLI's local pool does.
    const r =
      m.sweep !== null
        ? await runSweepResult(m.kind as RunKind, m.scenario, m.sweep, overlays, progress)
        : runResult(m.kind as RunKind, m.scenario, catalog, clock, progress);
    const result = JSON.stringify(r.json, finiteOnly);
    reply = { id: m.id, type: "done", result, view: JSON.stringify(r.view, finiteOnly), wallS: clock() - t0 };
  } catch (err) {
    reply = { id: m.id, type: "failed", error: errorBody(err), wallS: clock() - t0 };
  }
  parentPort?.postMessage(reply);
});

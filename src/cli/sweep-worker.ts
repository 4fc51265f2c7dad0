import { parentPort } from "node:worker_threads";
import type { Catalog } from "../catalog/index.js";
import { sweepPoint } from "../scenario/sweep.js";
import { catalogFor, evaluatePoint } from "./point.js";
import type { SweepSpec } from "./sweep-pool.js";

/**
 * A sweep worker thread: evaluates the index ranges it is sent and posts the rows back (as a JSON
 * array when asked). A range carries
 * its sweep's spec when the thread has not seen that sweep yet (the pool keeps threads across sweeps).
 */
let held: { spec: SweepSpec; catalog: Catalog } | null = null;
parentPort?.on("message", (msg: { spec?: SweepSpec; start: number; end: number; json: boolean } | null) => {
  if (msg === null) process.exit(0);
  if (msg.spec !== undefined) held = { spec: msg.spec, catalog: catalogFor(msg.spec.job.overlays) };
  if (held === null) throw new Error("a range arrived before its sweep");
  const { spec, catalog } = held;
  const rows: unknown[] = [];
  for (let i = msg.start; i < msg.end; i++) {
    const point = sweepPoint(spec.axes, i);
    rows.push({ index: i, point, result: evaluatePoint(spec.job, catalog, point) });
  }
  // A queue worker's rows go on to Redis as JSON: written here, on the thread, they cross to the main
  // thread as one string instead of being cloned there and written again.
  parentPort?.postMessage(msg.json ? JSON.stringify(rows) : rows);
});

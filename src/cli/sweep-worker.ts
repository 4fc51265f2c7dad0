import { parentPort, workerData } from "node:worker_threads";
import type { SweepAxis } from "../scenario/sweep.js";
import { sweepPoint } from "../scenario/sweep.js";
import { catalogFor, evaluatePoint, type SweepJob } from "./point.js";

/** A sweep worker: evaluates the index ranges the main thread sends and posts the rows back. */
const { job, axes } = workerData as { job: SweepJob; axes: SweepAxis[] };
const catalog = catalogFor(job.overlays);
parentPort?.on("message", (msg: { start: number; end: number } | null) => {
  if (msg === null) {
    process.exit(0);
  }
  const rows: unknown[] = [];
  for (let i = msg.start; i < msg.end; i++) {
    const point = sweepPoint(axes, i);
    rows.push({ index: i, point, result: evaluatePoint(job, catalog, point) });
  }
  parentPort?.postMessage(rows);
});

import { builtinCatalog, type Catalog, type CatalogOverlay, extendCatalog } from "../catalog/index.js";
import { InputError } from "../errors.js";
import { applyInferOverrides, type InferOverrides, resolveInferScenario } from "../scenario/infer.js";
import { setPath } from "../scenario/sweep.js";
import { strip } from "../scenario/system.js";
import { applyTrainOverrides, resolveTrainScenario, type TrainOverrides } from "../scenario/train.js";
import { inferJson, runInferBatch, runServe, serveJson } from "./infer.js";
import { runTrain, trainJson } from "./train.js";

/** Everything a sweep worker needs to evaluate points: plain data, so it crosses thread boundaries. */
export interface SweepJob {
  readonly command: "train" | "infer";
  readonly data: unknown;
  readonly overlays: readonly CatalogOverlay[];
  readonly overrides: TrainOverrides & InferOverrides;
}

export function catalogFor(overlays: readonly CatalogOverlay[]): Catalog {
  return overlays.reduce((c, o) => extendCatalog(c, strip(o) as CatalogOverlay), builtinCatalog());
}

/** The fields of a result a sweep keeps per point. */
const KEEP = [
  "fits",
  "reason",
  "stepTimeS",
  "tokensPerS",
  "mfu",
  "modelTflopsPerGpu",
  "memoryPerGpuGiB",
  "bottleneck",
  "timeToTrainDays",
  "parallelism",
  "ttftMs",
  "tpotMs",
  "outputTokensPerS",
  "maxBatch",
  "kvCacheGiB",
  "ttftP50Ms",
  "ttftP99Ms",
  "tpotP50Ms",
  "tpotP99Ms",
  "sloAttainment",
  "usdPerMillionOutputTokens",
];

/** Evaluate one sweep point: the scenario with the point's fields set. Bad points become error rows. */
export function evaluatePoint(
  job: SweepJob,
  catalog: Catalog,
  point: Record<string, number | string>,
): Record<string, unknown> {
  try {
    let data = job.data;
    for (const [path, value] of Object.entries(point)) data = setPath(data, path, value);
    let full: Record<string, unknown>;
    if (job.command === "train") {
      full = trainJson(
        runTrain(resolveTrainScenario(applyTrainOverrides(data, job.overrides), catalog, job.overrides)),
      );
    } else {
      const s = resolveInferScenario(applyInferOverrides(data, job.overrides), catalog, job.overrides);
      if (s.workload !== null && s.workload !== undefined && "trace" in s.workload) {
        throw new InputError(
          "inference.workload.trace",
          s.workload.trace,
          "a generated workload (traces are not swept)",
        );
      }
      full = s.workload !== null ? serveJson(runServe(s)) : inferJson(runInferBatch(s));
    }
    const row: Record<string, unknown> = {};
    for (const k of KEEP) if (full[k] !== undefined) row[k] = full[k];
    return row;
  } catch (err) {
    if (err instanceof InputError) return { error: err.message };
    throw err;
  }
}

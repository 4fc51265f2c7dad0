import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Catalog } from "../catalog/index.js";
import { parseYaml } from "../scenario/load.js";
import { type QueueingRow, queueingCheck } from "../validation/queueing.js";
import { parseTrainingCases, runTrainingValidation, type ValidationReport } from "../validation/training.js";
import { duration, pct, table } from "./format.js";

/** The project's validation set, shipped beside the code. */
export function trainingCasesPath(): string {
  // src/cli/validate.ts sits two levels below the package root, dist/src/cli/validate.js three.
  const candidates = ["../../validation/training.yaml", "../../../validation/training.yaml"];
  const found = candidates.map((c) => fileURLToPath(new URL(c, import.meta.url))).find((p) => existsSync(p));
  if (found === undefined) throw new Error("validation/training.yaml not found beside the package");
  return found;
}

export function loadTrainingCases(path = trainingCasesPath()) {
  return parseTrainingCases(parseYaml(readFileSync(path, "utf8"), "validation/training.yaml"));
}

export interface FullReport {
  readonly training: ValidationReport;
  readonly queueing: readonly QueueingRow[];
}

export function runValidate(catalog: Catalog): FullReport {
  return { training: runTrainingValidation(loadTrainingCases(), catalog), queueing: queueingCheck(catalog) };
}

export function validateJson(full: FullReport): Record<string, unknown> {
  const r = full.training;
  return {
    kind: "validate",
    servingQueueing: full.queueing.map((q) => ({
      metric: q.metric,
      expectedS: Number(q.expectedS.toPrecision(6)),
      simulatedS: Number(q.simulatedS.toPrecision(6)),
      error: Number(q.error.toFixed(4)),
    })),
    training: {
      cases: r.cases.map((c) => ({
        id: c.id,
        group: c.group,
        heldOut: c.heldOut,
        measuredStepTimeS: Number(c.measuredStepTimeS.toPrecision(6)),
        predictedStepTimeS: Number(c.predictedStepTimeS.toPrecision(6)),
        error: Number(c.error.toFixed(4)),
        fits: c.fits,
        parallelism: c.result.parallelism,
        bottleneck: c.result.bottleneck,
        source: c.source,
      })),
      meanAbsError: Number(r.meanAbsError.toFixed(4)),
      maxAbsError: Number(r.maxAbsError.toFixed(4)),
      worst: r.worst,
    },
  };
}

export function validateReport(full: FullReport): string {
  const r = full.training;
  const rows = r.cases.map((c) => [
    c.id,
    c.group,
    duration(c.measuredStepTimeS),
    duration(c.predictedStepTimeS),
    `${c.error >= 0 ? "+" : ""}${pct(c.error)}`,
    c.fits ? c.result.bottleneck : "DOES NOT FIT",
    `tp${c.result.parallelism.tp} pp${c.result.parallelism.pp} v${c.result.parallelism.interleave} mb${c.result.parallelism.microBatch} ${c.result.parallelism.recompute}`,
  ]);
  return `Training step time: predicted vs published (same constants for every case)\n${table(
    ["case", "group", "measured", "predicted", "error", "bottleneck", "config"],
    rows,
    [false, false, true, true, true, false, false],
  )}\n\nmean |error| ${pct(r.meanAbsError)}   max |error| ${pct(r.maxAbsError)} (${r.worst})   cases ${r.cases.length}\n\nServing simulation against queueing theory (M/D/1: one request at a time, fixed prompt, Poisson arrivals, ρ = 0.7)\n${table(
    ["metric", "expected", "simulated", "error"],
    full.queueing.map((q) => [
      q.metric,
      duration(q.expectedS),
      duration(q.simulatedS),
      `${q.error >= 0 ? "+" : ""}${pct(q.error)}`,
    ]),
  )}\n\nInference throughput against MLPerf Inference: not yet (the datasets' input-length statistics have no source here).\n`;
}

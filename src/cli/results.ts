import type { Catalog } from "../catalog/index.js";
import { InputError } from "../errors.js";
import { resolveCampusScenario } from "../scenario/campus.js";
import { validateFleetScenario } from "../scenario/fleet.js";
import { resolveInferScenario } from "../scenario/infer.js";
import { resolvePlanScenario } from "../scenario/plan.js";
import { resolveTrainScenario } from "../scenario/train.js";
import { fleetJson, runFleet } from "./fleet.js";
import { deployJson, inferJson, runDeploy, runInferBatch, runServe, serveJson } from "./infer.js";
import { planJson, runPlan } from "./plan.js";
import { bounded, FLEET_RATES, PERF_CACHE } from "./point.js";
import { runSites, sitesJson } from "./sites.js";
import { runTrain, trainJson } from "./train.js";

/**
 * JSON has no NaN or Infinity (they would print as null, a silent wrong answer): a model that produces one
 * is a bug, reported as such (CLI exit 1, a failed run over HTTP) rather than printed. A JSON.stringify
 * replacer, for every result the CLI prints and the server stores.
 */
export function finiteOnly(key: string, v: unknown): unknown {
  if (typeof v === "number" && !Number.isFinite(v))
    throw new Error(`non-finite number ${v} in the output's "${key}"`);
  return v;
}

/** The scenario kinds a run may be (the commands that take one scenario and answer with one result). */
export const RUN_KINDS = ["train", "infer", "plan", "sites", "fleet"] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** A scenario that names a file (a trace) is refused where no file may be read: over HTTP. */
function noFile(path: string, value: unknown): void {
  if (typeof value === "string")
    throw new InputError(path, value, "no file path here (traces are read only by the CLI, from files)");
}

/**
 * Check a scenario before it is queued, cheaply: its schema and what resolving it finds (catalog ids,
 * shapes, the fleet's work), without running a model. Throws the InputError the CLI would print.
 */
export function checkScenario(kind: RunKind, data: unknown, catalog: Catalog): void {
  if (kind === "train") resolveTrainScenario(data, catalog, {});
  else if (kind === "infer") {
    const w = resolveInferScenario(data, catalog, {}).workload;
    if (w !== null && w !== undefined && "trace" in w) noFile("inference.workload.trace", w.trace);
  } else if (kind === "plan") resolvePlanScenario(data, catalog);
  else if (kind === "sites") resolveCampusScenario(data, catalog);
  else noFile("trace", validateFleetScenario(data, catalog).s.trace);
}

/**
 * What `stargate KIND FILE --json` prints for the scenario `data` (no flags), as an object: the one
 * result the CLI and the HTTP API share. Nothing here reads a file: a scenario naming a trace is refused.
 * `progress` hears a fleet's share of days simulated.
 */
export function resultJson(
  kind: RunKind,
  data: unknown,
  catalog: Catalog,
  clock: () => number,
  progress?: (fraction: number) => void,
): Record<string, unknown> {
  if (kind === "train") return trainJson(runTrain(resolveTrainScenario(data, catalog, {})));
  if (kind === "infer") {
    const scenario = resolveInferScenario(data, catalog, {});
    if (scenario.deploy !== null) return deployJson(scenario, runDeploy(scenario));
    const w = scenario.workload;
    if (w !== null && w !== undefined) {
      if ("trace" in w) noFile("inference.workload.trace", w.trace);
      return serveJson(runServe(scenario, null));
    }
    return inferJson(runInferBatch(scenario));
  }
  if (kind === "plan") return planJson(runPlan(data, catalog, undefined, bounded(PERF_CACHE)));
  if (kind === "sites") return sitesJson(runSites(data, catalog));
  noFile("trace", (data as { trace?: unknown } | null)?.trace);
  return fleetJson(runFleet(data, catalog, [], clock, progress, bounded(FLEET_RATES)));
}

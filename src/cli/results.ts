import type { Catalog, CatalogOverlay } from "../catalog/index.js";
import { InputError } from "../errors.js";
import { resolveCampusScenario } from "../scenario/campus.js";
import { resolveDesignScenario } from "../scenario/design.js";
import { validateFleetScenario } from "../scenario/fleet.js";
import { resolveInferScenario } from "../scenario/infer.js";
import { resolvePlanScenario } from "../scenario/plan.js";
import type { SweepAxis } from "../scenario/sweep.js";
import { resolveTrainScenario } from "../scenario/train.js";
import type { PageView } from "./chart-spec.js";
import { designJson, designView, runDesignHere } from "./design.js";
import { fleetJson, fleetView, runFleet } from "./fleet.js";
import { deployJson, inferJson, runDeploy, runInferBatch, runServe, serveJson } from "./infer.js";
import { planJson, runPlan } from "./plan.js";
import { planView } from "./plan-html.js";
import { bounded, FLEET_RATES, PERF_CACHE, type SweepJob } from "./point.js";
import { runSites, sitesJson } from "./sites.js";
import { checkSomePointRan, runSweep, sweepAxes } from "./sweep.js";
import { runTrain, trainJson } from "./train.js";
import { deployView, inferView, serveView, sitesView, sweepView, trainView } from "./views.js";

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
export const RUN_KINDS = ["train", "infer", "plan", "sites", "fleet", "design"] as const;
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
  else if (kind === "design") resolveDesignScenario(data, catalog);
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
  return runResult(kind, data, catalog, clock, progress).json;
}

/** A run's result: what `--json` prints, and the page that shows it (charts, text report). */
export interface RunResult {
  readonly json: Record<string, unknown>;
  readonly view: PageView;
}

/** Run the scenario `data` of `kind` (see resultJson); its JSON and its page. */
export function runResult(
  kind: RunKind,
  data: unknown,
  catalog: Catalog,
  clock: () => number,
  progress?: (fraction: number) => void,
): RunResult {
  if (kind === "train") {
    const o = runTrain(resolveTrainScenario(data, catalog, {}));
    return { json: trainJson(o), view: trainView(o) };
  }
  if (kind === "infer") {
    const scenario = resolveInferScenario(data, catalog, {});
    if (scenario.deploy !== null) {
      const r = runDeploy(scenario);
      return { json: deployJson(scenario, r), view: deployView(scenario, r) };
    }
    const w = scenario.workload;
    if (w !== null && w !== undefined) {
      if ("trace" in w) noFile("inference.workload.trace", w.trace);
      const o = runServe(scenario, null);
      return { json: serveJson(o), view: serveView(o) };
    }
    const o = runInferBatch(scenario);
    return { json: inferJson(o), view: inferView(o) };
  }
  if (kind === "plan") {
    const o = runPlan(data, catalog, undefined, bounded(PERF_CACHE));
    return { json: planJson(o), view: planView(o) };
  }
  if (kind === "sites") {
    const r = runSites(data, catalog);
    return { json: sitesJson(r), view: sitesView(r) };
  }
  if (kind === "design") {
    // One thread: the server's run worker is one (the CLI runs a design's points on the pool).
    const o = runDesignHere(data, catalog, progress);
    return { json: designJson(o), view: designView(o) };
  }
  noFile("trace", (data as { trace?: unknown } | null)?.trace);
  const o = runFleet(data, catalog, [], clock, progress, bounded(FLEET_RATES));
  return { json: fleetJson(o), view: fleetView(o) };
}

/** A sweep or Monte Carlo as the API asks for one: the CLI's `--sweep` specs, `--samples` and `--seed`. */
export interface SweepSpec {
  readonly sweep: readonly string[];
  readonly samples?: number;
  readonly seed?: number;
}

/** The kinds that sweep (as the CLI's commands do), and those that also sample their uncertain inputs. */
export const SWEEP_KINDS: readonly RunKind[] = ["train", "infer", "plan", "fleet"];
export const SAMPLE_KINDS: readonly RunKind[] = ["plan", "fleet"];

/** The most points a sweep over HTTP may have: its result is stored whole (the CLI's --shard and merge go further). */
export const MAX_API_SWEEP_POINTS = 20_000;

/** The axes of an API sweep, checked (paths, ranges, point count), as InputErrors naming `sweep`. */
export function apiSweepAxes(spec: SweepSpec): SweepAxis[] {
  return sweepAxes(
    spec.sweep,
    spec.samples,
    "sweep",
    MAX_API_SWEEP_POINTS,
    " over HTTP (the CLI's --shard and merge go further)",
  );
}

/**
 * Run a sweep of the scenario `data` as `stargate KIND FILE --sweep ... --samples N --seed S --json` would
 * (the same points, the same rows, on this machine's worker threads); its output and page. `progress`
 * hears the share of points done.
 */
export async function runSweepResult(
  kind: RunKind,
  data: unknown,
  spec: SweepSpec,
  overlays: readonly CatalogOverlay[],
  progress?: (fraction: number) => void,
): Promise<RunResult> {
  if (kind === "sites")
    throw new InputError("sweep", spec.sweep, "a kind that sweeps: train, infer, plan or fleet");
  const job: SweepJob = {
    command: kind,
    data,
    overlays,
    overrides: {},
    seed: kind === "plan" ? (spec.seed ?? 1) : 1,
  };
  const sweep = await runSweep(job, apiSweepAxes(spec), { index: 1, count: 1 }, (done, total) =>
    progress?.(done / Math.max(1, total)),
  );
  checkSomePointRan(sweep);
  return { json: sweep as unknown as Record<string, unknown>, view: sweepView(sweep) };
}

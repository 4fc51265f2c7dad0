import { type Catalog, resolveAccelerator } from "../catalog/index.js";
import { InputError } from "../errors.js";
import type { DeployOption } from "../perf/deploy.js";
import {
  defaultKvPrecision,
  type EngineKernels,
  type InferenceJob,
  type ReplicaShape,
} from "../perf/infer.js";
import { DEFAULT_ENGINE, type EngineOptions, enginePreset } from "../perf/serving.js";
import { validate } from "./load.js";
import { type InferScenario, inferScenarioSchema } from "./schema.js";
import { type AcceleratorChanges, resolveSystem, strip } from "./system.js";

/** An inference scenario resolved against the catalog. */
export interface ResolvedInferScenario {
  readonly name: string;
  readonly job: InferenceJob;
  /** Replica-shape fields the user gave; the rest are searched. */
  readonly fixed: Partial<ReplicaShape>;
  /** The fixed batch to evaluate (batch mode). */
  readonly batch: { readonly batch: number; readonly inputLen: number; readonly outputLen: number } | null;
  readonly workload: InferScenario["inference"]["workload"] | null;
  readonly slo: InferScenario["inference"]["slo"] | null;
  readonly engine: EngineOptions;
  readonly deploy: InferScenario["inference"]["deploy"] | null;
  /** Deployment search: each accelerator to compare, with its price per hour when given. */
  readonly deployOptions: readonly DeployOption[];
  readonly usdPerGpuHour: number | null;
}

/** Command-line overrides of common inference fields. */
export interface InferOverrides extends AcceleratorChanges {
  readonly gpus?: number;
  readonly accelerator?: string;
  readonly tp?: number;
  readonly pp?: number;
  readonly ep?: number;
  readonly precision?: string;
  readonly batch?: number;
  readonly nodeSize?: number;
}

/** Apply CLI overrides to raw scenario data before validation, so errors name the same paths. */
export function applyInferOverrides(data: unknown, o: InferOverrides): unknown {
  if (data === null || typeof data !== "object") return data;
  const d = structuredClone(data) as Record<string, Record<string, unknown> | undefined>;
  const system = { ...(d["system"] ?? {}) };
  const inference = { ...(d["inference"] ?? {}) };
  const par = { ...((inference["parallelism"] as Record<string, unknown> | undefined) ?? {}) };
  if (o.gpus !== undefined) system["count"] = o.gpus;
  if (o.nodeSize !== undefined) system["nodeSize"] = o.nodeSize;
  if (o.accelerator !== undefined) system["accelerator"] = o.accelerator;
  for (const k of ["tp", "pp", "ep"] as const) if (o[k] !== undefined) par[k] = o[k];
  if (o.precision !== undefined) inference["precision"] = o.precision;
  if (o.batch !== undefined) inference["batch"] = o.batch;
  if (Object.keys(par).length > 0) inference["parallelism"] = par;
  return { ...d, system, inference };
}

export function resolveInferScenario(
  data: unknown,
  base: Catalog,
  whatIf: AcceleratorChanges = {},
): ResolvedInferScenario {
  const s: InferScenario = validate(inferScenarioSchema, data);
  const { catalog, job } = resolveInferJob(s, base, whatIf);
  const inf = s.inference;
  if (inf.deploy !== undefined) {
    if (inf.workload === undefined || "trace" in inf.workload) {
      throw new InputError(
        "inference.workload",
        inf.workload,
        "the request lengths (and seed) to deploy for, not a trace",
      );
    }
    if (inf.slo === undefined)
      throw new InputError("inference.slo", undefined, "the latency limits (ttftMs, tpotMs) to deploy for");
  }
  let batch: ResolvedInferScenario["batch"] = null;
  if (inf.workload === undefined) {
    for (const k of ["batch", "inputLen", "outputLen"] as const) {
      if (inf[k] === undefined) {
        throw new InputError(
          `inference.${k}`,
          undefined,
          "a positive integer (or give inference.workload to simulate serving)",
        );
      }
    }
    batch = { batch: inf.batch ?? 1, inputLen: inf.inputLen ?? 1, outputLen: inf.outputLen ?? 1 };
  }
  return {
    name: s.name ?? job.model.name,
    job,
    fixed: fixedShape(s),
    batch,
    workload: inf.workload ?? null,
    slo: inf.slo ?? null,
    engine: resolveEngine(inf.engine),
    deploy: inf.deploy ?? null,
    deployOptions: deployOptions(inf.deploy, job, catalog),
    usdPerGpuHour: inf.costPerGpuHourUsd ?? null,
  };
}

/** The serving job a validated scenario describes: model, accelerators, precisions. */
export function resolveInferJob(s: InferScenario, base: Catalog, whatIf: AcceleratorChanges = {}) {
  const { catalog, model, accelerator, gpus, domainSize } = resolveSystem(s, base, whatIf);
  const inf = s.inference;
  const job: InferenceJob = {
    model,
    accelerator,
    gpus,
    domainSize,
    precision: inf.precision,
    kvPrecision: inf.kvPrecision ?? defaultKvPrecision(inf.precision),
    kernels: kernelsOf(resolveEngine(inf.engine)),
  };
  return { catalog, job };
}

/** The kernel-level traits of an engine the performance model reads. */
export function kernelsOf(e: EngineOptions): EngineKernels {
  return { fusedEpilogues: e.fusedEpilogues, cudaGraphs: e.cudaGraphs };
}

/** The replica-shape fields the scenario fixes. */
export function fixedShape(s: InferScenario): Partial<ReplicaShape> {
  const p = s.inference.parallelism;
  return strip({ tp: p?.tp, pp: p?.pp, ep: p?.ep });
}

function deployOptions(
  d: InferScenario["inference"]["deploy"],
  job: InferenceJob,
  catalog: Catalog,
): DeployOption[] {
  if (d === undefined) return [];
  const price = (id: string) => d.costPerGpuHourUsd?.[id] ?? null;
  if (d.accelerators === undefined) return [{ job, usdPerGpuHour: price(job.accelerator.id) }];
  // A repeated accelerator is compared once (its first mention names it in errors).
  return d.accelerators.flatMap((id, i) => {
    if (d.accelerators?.indexOf(id) !== i) return [];
    const accelerator = resolveAccelerator(catalog, id, `inference.deploy.accelerators[${i}]`);
    return [
      {
        job: { ...job, accelerator, domainSize: accelerator.scaleUp.domainSize },
        usdPerGpuHour: price(id),
      },
    ];
  });
}

/** The engine settings: the named preset (default vLLM's), then the scenario's own fields. */
export function resolveEngine(e: InferScenario["inference"]["engine"]): EngineOptions {
  if (e === undefined) return DEFAULT_ENGINE;
  if (typeof e === "string") return enginePreset(e);
  const { preset, ...own } = e;
  const base = preset !== undefined ? enginePreset(preset) : DEFAULT_ENGINE;
  return { ...base, ...strip(own) };
}

import {
  type AcceleratorInput,
  type Catalog,
  type CatalogOverlay,
  extendCatalog,
  resolveAccelerator,
  resolveModel,
} from "../catalog/index.js";
import { InputError } from "../errors.js";
import type { Parallelism, TrainingJob } from "../perf/types.js";
import { validate } from "./load.js";
import { type TrainScenario, trainScenarioSchema } from "./schema.js";

/** A training scenario resolved against the catalog: the job, and whatever parallelism the user fixed. */
export interface ResolvedTrainScenario {
  readonly name: string;
  readonly job: TrainingJob;
  /** Fields of the parallelism the user gave; the search fills the rest. */
  readonly fixed: Partial<Parallelism>;
  readonly top: number;
}

/** Command-line overrides of common fields. */
export interface TrainOverrides {
  readonly gpus?: number;
  readonly accelerator?: string;
  readonly tp?: number;
  readonly pp?: number;
  readonly dp?: number;
  readonly cp?: number;
  readonly ep?: number;
  readonly microBatch?: number;
  readonly globalBatch?: number;
  readonly seqLen?: number;
  readonly precision?: string;
  readonly top?: number;
  readonly nodeSize?: number;
  /** What-if: replace the accelerator's memory with `stacks` stacks of HBM generation `generation`. */
  readonly hbm?: { readonly generation: string; readonly stacks: number };
  /** What-if: per-accelerator scale-up bandwidth, GB/s bidirectional. */
  readonly scaleUpGBps?: number;
  /** What-if: per-accelerator scale-out bandwidth, GB/s bidirectional. */
  readonly scaleOutGBps?: number;
}

/** Apply what-if changes to an accelerator definition; the id and name say what changed. */
export function changeAccelerator(a: AcceleratorInput, o: TrainOverrides): AcceleratorInput {
  const notes: string[] = [];
  let out: AcceleratorInput = { ...a, id: a.id ?? a.name };
  if (o.hbm !== undefined) {
    out = { ...out, hbm: { generation: o.hbm.generation, stacks: o.hbm.stacks } };
    notes.push(`${o.hbm.stacks}× ${o.hbm.generation}`);
  }
  if (o.scaleUpGBps !== undefined) {
    out = { ...out, scaleUp: { ...out.scaleUp, bandwidthGBps: o.scaleUpGBps } };
    notes.push(`scale-up ${o.scaleUpGBps} GB/s`);
  }
  if (o.scaleOutGBps !== undefined) {
    out = { ...out, scaleOut: { ...out.scaleOut, bandwidthGBps: o.scaleOutGBps } };
    notes.push(`scale-out ${o.scaleOutGBps} GB/s`);
  }
  if (notes.length === 0) return a;
  return { ...out, id: `${out.id}+what-if`, name: `${out.name} (what-if: ${notes.join(", ")})` };
}

/** `T` with `undefined` removed from every optional field, recursively (zod output → catalog input types). */
type Defined<T> = T extends readonly (infer U)[]
  ? Defined<U>[]
  : T extends object
    ? { [K in keyof T]: Defined<Exclude<T[K], undefined>> }
    : T;

/** Drop fields whose value is undefined, recursively, so optional fields are absent rather than undefined. */
export function strip<T>(o: T): Defined<T> {
  if (Array.isArray(o)) return o.map(strip) as Defined<T>;
  if (o === null || typeof o !== "object") return o as Defined<T>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = strip(v);
  return out as Defined<T>;
}

/** Apply CLI overrides to raw scenario data before validation, so errors name the same paths. */
export function applyTrainOverrides(data: unknown, o: TrainOverrides): unknown {
  if (data === null || typeof data !== "object") return data;
  const d = structuredClone(data) as Record<string, Record<string, unknown> | undefined>;
  const system = { ...(d["system"] ?? {}) };
  const training = { ...(d["training"] ?? {}) };
  const par = { ...((training["parallelism"] as Record<string, unknown> | undefined) ?? {}) };
  if (o.gpus !== undefined) system["count"] = o.gpus;
  if (o.nodeSize !== undefined) system["nodeSize"] = o.nodeSize;
  if (o.accelerator !== undefined) system["accelerator"] = o.accelerator;
  for (const k of ["tp", "pp", "dp", "cp", "ep"] as const) if (o[k] !== undefined) par[k] = o[k];
  if (o.gpus !== undefined && o.dp === undefined) delete par["dp"];
  if (o.microBatch !== undefined) training["microBatch"] = o.microBatch;
  if (o.globalBatch !== undefined) training["globalBatch"] = o.globalBatch;
  if (o.seqLen !== undefined) training["seqLen"] = o.seqLen;
  if (o.precision !== undefined) training["precision"] = o.precision;
  if (o.top !== undefined) training["top"] = o.top;
  if (Object.keys(par).length > 0) training["parallelism"] = par;
  return { ...d, system, training };
}

export function resolveTrainScenario(
  data: unknown,
  base: Catalog,
  whatIf: TrainOverrides = {},
): ResolvedTrainScenario {
  const s: TrainScenario = validate(trainScenarioSchema, data);
  const catalog = s.catalog !== undefined ? extendCatalog(base, strip(s.catalog) as CatalogOverlay) : base;
  const model = resolveModel(catalog, typeof s.model === "string" ? s.model : strip(s.model), "model");
  let accInput: string | AcceleratorInput =
    typeof s.system.accelerator === "string" ? s.system.accelerator : strip(s.system.accelerator);
  const so = s.system.scaleOut;
  if (so !== undefined) {
    const base = typeof accInput === "string" ? catalog.accelerators.get(accInput) : accInput;
    if (base !== undefined) {
      const scaleOut = typeof so === "string" ? { fabric: so } : strip(so);
      accInput = { ...base, id: base.id ?? base.name, scaleOut };
    }
  }
  if (whatIf.hbm !== undefined || whatIf.scaleUpGBps !== undefined || whatIf.scaleOutGBps !== undefined) {
    const base = typeof accInput === "string" ? catalog.accelerators.get(accInput) : accInput;
    if (base !== undefined) accInput = changeAccelerator(base, whatIf);
  }
  const accelerator = resolveAccelerator(catalog, accInput, "system.accelerator");
  const domainSize = s.system.nodeSize ?? accelerator.scaleUp.domainSize;
  const t = s.training;
  if (t.seqLen > 0 && model.positionEmbeddings > 0 && t.seqLen > model.positionEmbeddings) {
    throw new InputError(
      "training.seqLen",
      t.seqLen,
      `at most the model's ${model.positionEmbeddings} learned positions`,
    );
  }
  const par = t.parallelism ?? {};
  const fixed: Partial<Parallelism> = strip({
    tp: par.tp,
    pp: par.pp,
    dp: par.dp,
    ep: par.ep,
    cp: par.cp,
    interleave: par.interleave,
    microBatch: par.microBatch ?? t.microBatch,
    sequenceParallel: par.sequenceParallel,
    zero: par.zero,
    recompute: par.recompute ?? t.recompute,
  });
  const job: TrainingJob = {
    model,
    accelerator,
    gpus: s.system.count,
    domainSize,
    seqLen: t.seqLen,
    globalBatch: t.globalBatch,
    precision: t.precision,
    attention: t.attention,
    dropout: t.dropout,
    tpCommOverlap: t.tpCommOverlap,
    dpOverlap: t.dpOverlap,
    epCommOverlap: t.epCommOverlap,
    tokens: t.tokens ?? null,
  };
  return { name: s.name ?? model.name, job, fixed, top: t.top ?? 1 };
}

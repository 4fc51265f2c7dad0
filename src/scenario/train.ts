import {
  type Catalog,
  DEFAULT_TRAINING_SETTINGS,
  TRAINING_FRAMEWORK_PRESETS,
  type TrainingFramework,
} from "../catalog/index.js";
import { InputError } from "../errors.js";
import type { Parallelism, TrainingJob, ZeroStage } from "../perf/types.js";
import { validate } from "./load.js";
import { type TrainScenario, trainScenarioSchema } from "./schema.js";
import { type AcceleratorChanges, resolveSystem, strip } from "./system.js";

/** A training scenario resolved against the catalog: the job, and whatever parallelism the user fixed. */
export interface ResolvedTrainScenario {
  readonly name: string;
  readonly job: TrainingJob;
  /** Fields of the parallelism the user gave; the search fills the rest. */
  readonly fixed: Partial<Parallelism>;
  readonly top: number;
  /** The framework preset the scenario named, or null (Stargate's defaults). */
  readonly framework: TrainingFramework | null;
  /** ZeRO stages the framework offers, for the search (null: any). */
  readonly zeroStages: readonly ZeroStage[] | null;
}

/** Command-line overrides of common fields. */
export interface TrainOverrides extends AcceleratorChanges {
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
  whatIf: AcceleratorChanges = {},
): ResolvedTrainScenario {
  const s: TrainScenario = validate(trainScenarioSchema, data);
  const { model, accelerator, gpus, domainSize } = resolveSystem(s, base, whatIf);
  const t = s.training;
  if (t.seqLen > 0 && model.positionEmbeddings > 0 && t.seqLen > model.positionEmbeddings) {
    throw new InputError(
      "training.seqLen",
      t.seqLen,
      `at most the model's ${model.positionEmbeddings} learned positions`,
    );
  }
  const par = t.parallelism ?? {};
  const preset = TRAINING_FRAMEWORK_PRESETS.find((f) => f.id === t.framework);
  const settings = preset?.settings ?? DEFAULT_TRAINING_SETTINGS;
  const fixed: Partial<Parallelism> = strip({
    tp: par.tp,
    pp: par.pp,
    dp: par.dp,
    ep: par.ep,
    cp: par.cp,
    interleave: par.interleave ?? (settings.maxInterleave === 1 ? 1 : undefined),
    microBatch: par.microBatch ?? t.microBatch,
    sequenceParallel: par.sequenceParallel,
    zero: par.zero ?? (settings.zeroStages?.length === 1 ? settings.zeroStages[0] : undefined),
    recompute: par.recompute ?? t.recompute,
  });
  const job: TrainingJob = {
    model,
    accelerator,
    gpus,
    domainSize,
    seqLen: t.seqLen,
    globalBatch: t.globalBatch,
    precision: t.precision,
    attention: t.attention ?? settings.attention,
    dropout: t.dropout ?? settings.dropout,
    tpCommOverlap: t.tpCommOverlap ?? settings.tpCommOverlap,
    dpOverlap: t.dpOverlap ?? settings.dpOverlap,
    epCommOverlap: t.epCommOverlap ?? settings.epCommOverlap,
    ppCommOverlap: t.ppCommOverlap ?? settings.ppCommOverlap,
    ...(t.fp8Scaling !== undefined ? { fp8Scaling: t.fp8Scaling } : {}),
    ...(t.commSmShare !== undefined ? { commSmShare: t.commSmShare } : {}),
    ...(t.pipelineSchedule === "dualpipe" ? { pipelineSchedule: "dualpipe" as const } : {}),
    ...(t.optimizerStates === "bf16" ? { optimizerStates: "bf16" as const } : {}),
    ...(t.recomputeModules !== undefined && t.recomputeModules.length > 0
      ? { recomputeModules: t.recomputeModules }
      : {}),
    ...(t.fp8ActivationCache === true ? { fp8ActivationCache: true } : {}),
    tokens: t.tokens ?? null,
    lora: t.lora ?? null,
  };
  return {
    name: s.name ?? model.name,
    job,
    fixed,
    top: t.top ?? 1,
    framework: preset?.id ?? null,
    zeroStages: settings.zeroStages ?? null,
  };
}

/** What the scenario's framework lets the search vary. */
export function searchOptionsOf(s: ResolvedTrainScenario): { zeroStages?: readonly ZeroStage[] } {
  return s.zeroStages !== null ? { zeroStages: s.zeroStages } : {};
}

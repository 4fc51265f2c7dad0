import { z } from "zod";
import type { Catalog } from "../catalog/index.js";
import { attentionFlopsPerTokenFwd, modelFlopsPerToken } from "../perf/accounting.js";
import { peakOf } from "../perf/roofline.js";
import { searchTraining } from "../perf/search.js";
import type { Cause, Parallelism, TrainingJob, TrainResult } from "../perf/types.js";
import { validate } from "../scenario/load.js";
import { trainScenarioSchema } from "../scenario/schema.js";
import { resolveTrainScenario, searchOptionsOf } from "../scenario/train.js";

/**
 * Published training measurements and how to compare with them. Every measurement is turned into
 * seconds per optimizer step, using the publication's own FLOP formula where it reports FLOP/s, so the
 * comparison is of the one quantity the model predicts.
 */
const measuredSchema = z.union([
  z.strictObject({ stepTimeS: z.number().positive() }),
  z.strictObject({ tokensPerSPerGpu: z.number().positive() }),
  z.strictObject({
    tflopsPerGpu: z.number().positive(),
    /**
     * How the publication counted FLOPs. `megatron`: 96·B·s·l·h²·(1 + s/6h + V/16lh) per step
     * (Narayanan et al. 2021 eq. 3, recompute counted); `model`: model FLOPs, 6·N plus attention
     * (see perf/accounting.ts modelFlopsPerToken); `model-causal`: the same with the attention products
     * halved, as a causal kernel performs them.
     */
    flops: z.enum(["megatron", "model", "model-causal"]),
  }),
  /** Model FLOPs utilisation as published: model FLOPs (6·N plus attention, no causal halving) over the dense peak of the run's precision. */
  z.strictObject({ mfu: z.number().positive().max(1) }),
]);

export const trainingCaseSchema = z.strictObject({
  id: z.string().min(1),
  group: z.string().min(1),
  source: z.string().min(1),
  note: z.string().optional(),
  /** Cases kept aside while developing, checked at the end. */
  heldOut: z.boolean().default(false),
  measured: measuredSchema,
  scenario: trainScenarioSchema.omit({ kind: true }),
});

export const trainingCasesSchema = z.strictObject({ cases: z.array(trainingCaseSchema).min(1) });

export type TrainingCase = z.output<typeof trainingCaseSchema>;

export interface CaseResult {
  readonly id: string;
  readonly group: string;
  /** The framework preset the case ran on (`training.framework`). */
  readonly framework: string | null;
  readonly accelerator: string;
  readonly precision: string;
  readonly heldOut: boolean;
  readonly measuredStepTimeS: number;
  readonly predictedStepTimeS: number;
  /** (predicted − measured) / measured. */
  readonly error: number;
  readonly fits: boolean;
  readonly result: TrainResult;
  readonly source: string;
}

export interface ValidationReport {
  readonly cases: readonly CaseResult[];
  readonly meanAbsError: number;
  readonly maxAbsError: number;
  readonly worst: string;
}

/** The MFU a case's measurement stands for: the model's FLOP count over the measured step time. */
export function measuredMfu(c: CaseResult): number {
  return (c.result.mfu * c.predictedStepTimeS) / c.measuredStepTimeS;
}

/** The measurement as seconds per optimizer step. */
export function measuredStepTime(c: TrainingCase, job: TrainingJob): number {
  const gpus = job.gpus;
  const batch = job.globalBatch;
  const seq = job.seqLen;
  const m = c.measured;
  if ("stepTimeS" in m) return m.stepTimeS;
  if ("tokensPerSPerGpu" in m) return (batch * seq) / (m.tokensPerSPerGpu * gpus);
  if ("mfu" in m) {
    const peak = peakOf(job.accelerator, job.precision, `${c.id}.scenario.training.precision`);
    return (modelFlopsPerToken(job.model, seq) * batch * seq) / (m.mfu * peak * gpus);
  }
  let flops: number;
  if (m.flops === "model" || m.flops === "model-causal") {
    const attention = 3 * attentionFlopsPerTokenFwd(job.model, seq);
    const perToken = modelFlopsPerToken(job.model, seq) - (m.flops === "model-causal" ? attention / 2 : 0);
    flops = perToken * batch * seq;
  } else {
    const { layers: l, hidden: h, vocab: v } = job.model;
    flops = 96 * batch * seq * l * h * h * (1 + seq / (6 * h) + v / (16 * l * h));
  }
  return flops / (m.tflopsPerGpu * 1e12 * gpus);
}

export function parseTrainingCases(data: unknown, file = "validation/training.yaml"): TrainingCase[] {
  return validate(trainingCasesSchema, data, file).cases;
}

/** Predict every case with the same model constants and compare. */
export function runTrainingValidation(cases: readonly TrainingCase[], catalog: Catalog): ValidationReport {
  const results: CaseResult[] = cases.map((c) => {
    const scenario = resolveTrainScenario({ kind: "train", ...c.scenario }, catalog);
    const r = searchTraining(scenario.job, scenario.fixed, searchOptionsOf(scenario)).best;
    const measured = measuredStepTime(c, scenario.job);
    return {
      id: c.id,
      group: c.group,
      framework: scenario.framework,
      accelerator: scenario.job.accelerator.id,
      precision: scenario.job.precision,
      heldOut: c.heldOut,
      measuredStepTimeS: measured,
      predictedStepTimeS: r.stepTimeS,
      error: (r.stepTimeS - measured) / measured,
      fits: r.fits,
      result: r,
      source: c.source,
    };
  });
  const abs = results.map((r) => Math.abs(r.error));
  const meanAbsError = abs.reduce((a, b) => a + b, 0) / Math.max(1, abs.length);
  let worst = results[0];
  for (const r of results) if (worst === undefined || Math.abs(r.error) > Math.abs(worst.error)) worst = r;
  return { cases: results, meanAbsError, maxAbsError: Math.max(0, ...abs), worst: worst?.id ?? "" };
}

/** The search beside a published configuration: what the model finds when only the hardware, model and batch are fixed. */
export interface SearchBeside {
  readonly id: string;
  readonly accelerator: string;
  readonly precision: string;
  /** MFU the run achieved (measured step time, the model's FLOP count and peak). */
  readonly publishedMfu: number;
  /** The model's MFU at the published configuration. */
  readonly atPublishedMfu: number;
  readonly searchedMfu: number;
  readonly published: Parallelism;
  readonly searched: Parallelism;
  /** Where the searched configuration saves time against the published one (model's breakdown), largest first. */
  readonly gains: readonly { readonly cause: Cause; readonly seconds: number }[];
  /** The best MFU published on this accelerator and precision among the cases. */
  readonly classBestMfu: number;
}

/**
 * For every case, search with only the hardware, model, batch (sequence length and global batch),
 * precision and framework fixed, and set the best found beside the published configuration.
 */
export function searchBesidePublished(
  cases: readonly TrainingCase[],
  report: ValidationReport,
  catalog: Catalog,
): SearchBeside[] {
  const classBest = new Map<string, number>();
  for (const r of report.cases) {
    const key = `${r.accelerator}|${r.precision}`;
    classBest.set(key, Math.max(classBest.get(key) ?? 0, measuredMfu(r)));
  }
  return cases.map((c, i) => {
    const r = report.cases[i];
    if (r === undefined || r.id !== c.id) throw new Error("validation report out of step with its cases");
    const { parallelism: _p, microBatch: _mb, recompute: _rc, ...training } = c.scenario.training;
    const open = resolveTrainScenario({ kind: "train", ...c.scenario, training }, catalog);
    const best = searchTraining(open.job, open.fixed, searchOptionsOf(open)).best;
    const gains = (Object.keys(best.breakdown) as Cause[])
      .map((cause) => ({ cause, seconds: r.result.breakdown[cause] - best.breakdown[cause] }))
      .filter((g) => g.seconds > 0)
      .sort((a, b) => b.seconds - a.seconds);
    return {
      id: c.id,
      accelerator: r.accelerator,
      precision: r.precision,
      publishedMfu: measuredMfu(r),
      atPublishedMfu: r.result.mfu,
      searchedMfu: best.mfu,
      published: r.result.parallelism,
      searched: best.parallelism,
      gains,
      classBestMfu: classBest.get(`${r.accelerator}|${r.precision}`) ?? 0,
    };
  });
}

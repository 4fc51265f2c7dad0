import type { Catalog } from "../catalog/index.js";
import { searchTraining } from "../perf/search.js";
import { resolveTrainScenario, searchOptionsOf } from "../scenario/train.js";
import type { InferenceValidationReport } from "./inference.js";
import type { PartsReport } from "./parts.js";
import type { ValidationReport } from "./training.js";

/** One acceptance bound of the performance model, what it stands at, and whether it is met. */
export interface BoundRow {
  readonly what: string;
  /** `error`: a relative error, at most `limit`; `mfu`: a searched MFU, at most `limit`. */
  readonly unit: "error" | "mfu";
  readonly value: number;
  readonly limit: number;
  readonly met: boolean;
}

/**
 * The search the bound on searched MFU is stated for: Llama 3.1 405B on 16,384 H100 (BF16, sequence
 * 8,192, 2,048 sequences), nothing else fixed, on the default framework settings
 * (examples/train-search.yaml without its token count).
 */
export const LLAMA_405B_SEARCH = {
  kind: "train",
  model: "llama3.1-405b",
  system: { accelerator: "h100-sxm", count: 16384, nodeSize: 8 },
  training: { seqLen: 8192, globalBatch: 2048, precision: "bf16" },
} as const;

/** The best MFU the search finds for LLAMA_405B_SEARCH. */
export function llama405bSearchedMfu(catalog: Catalog): number {
  const s = resolveTrainScenario(LLAMA_405B_SEARCH, catalog);
  return searchTraining(s.job, s.fixed, searchOptionsOf(s)).best.mfu;
}

/** The development case of Meta's published 405B configuration the step-time bound is stated for. */
export const META_405B_CASE = "llama3-405b-16384gpu-seq8192";

const summary = (p: PartsReport, part: string, scope: string) =>
  p.summary.find((s) => s.part === part && s.scope === scope)?.meanAbsError ?? Number.NaN;

/**
 * The bounds the model is accepted against (training and MLPerf Inference errors on the development
 * cases, the parts' fits, the 405B search and Meta's configuration), each beside its current value. A
 * bound is met only when its value is a number at or under the limit.
 */
export function acceptanceBounds(
  training: ValidationReport,
  inference: InferenceValidationReport,
  parts: PartsReport,
  searchedMfu405b: number,
): BoundRow[] {
  const meta = training.cases.find((c) => c.id === META_405B_CASE);
  const row = (what: string, unit: BoundRow["unit"], value: number, limit: number): BoundRow => ({
    what,
    unit,
    value,
    limit,
    met: Number.isFinite(value) && Math.abs(value) <= limit,
  });
  return [
    row("training steps (development cases): mean |error|", "error", training.meanAbsError, 0.06),
    row("training steps (development cases): max |error|", "error", training.maxAbsError, 0.15),
    row("MLPerf Inference (development cases): mean |error|", "error", inference.meanAbsError, 0.1),
    row("MLPerf Inference (development cases): max |error|", "error", inference.maxAbsError, 0.2),
    row("parts: GEMM rows with M ≥ 256, mean |error|", "error", summary(parts, "gemm", "M ≥ 256"), 0.1),
    row("parts: collectives at ≥ 1 MB, mean |error|", "error", summary(parts, "collective", "≥ 1 MB"), 0.15),
    row("search: Llama 3.1 405B on 16,384 H100 (BF16), best MFU", "mfu", searchedMfu405b, 0.5),
    row(
      "Meta's 405B configuration on 16,384 H100: step time |error|",
      "error",
      meta?.error ?? Number.NaN,
      0.08,
    ),
  ];
}

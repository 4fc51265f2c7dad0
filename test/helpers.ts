import { builtinCatalog, resolveAccelerator, resolveModel } from "../src/catalog/index.js";
import type { InferenceJob } from "../src/perf/infer.js";

/** An inference job on catalog parts with the KV cache in the format the precision implies. */
export function inferenceJob(
  modelId: string,
  accId: string,
  gpus: number,
  precision: InferenceJob["precision"] = "bf16",
): InferenceJob {
  const cat = builtinCatalog();
  const accelerator = resolveAccelerator(cat, accId);
  return {
    model: resolveModel(cat, modelId),
    accelerator,
    gpus,
    domainSize: accelerator.scaleUp.domainSize,
    precision,
    kvPrecision: precision === "fp8" || precision === "fp4" ? "fp8" : "bf16",
  };
}

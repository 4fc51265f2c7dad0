import type { TrainingJob } from "./types.js";

/** What a training job must state; everything else has a default. */
export type TrainingJobInput = Pick<
  TrainingJob,
  "model" | "accelerator" | "gpus" | "seqLen" | "globalBatch"
> &
  Partial<TrainingJob>;

/**
 * A training job with defaults: the accelerator's own scale-up domain, bf16, flash attention, no dropout,
 * data-parallel reduction overlapped with backward (as current frameworks do), tensor- and
 * expert-parallel communication exposed, no token target.
 */
export function trainingJob(input: TrainingJobInput): TrainingJob {
  return {
    domainSize: input.accelerator.scaleUp.domainSize,
    precision: "bf16",
    attention: "flash",
    dropout: false,
    tpCommOverlap: false,
    dpOverlap: true,
    epCommOverlap: false,
    ppCommOverlap: true,
    tokens: null,
    lora: null,
    ...input,
  };
}

import type { Accelerator, Model } from "../catalog/types.js";
import type { Precision } from "../units.js";
import type { PodSpec } from "./collectives.js";

export type Recompute = "none" | "selective" | "full";
export type ZeroStage = 0 | 1 | 2 | 3;
export const RECOMPUTE_MODULES = ["layernorm", "mla-up-proj", "moe-act"] as const;
export type RecomputeModule = (typeof RECOMPUTE_MODULES)[number];
/** `flash`: fused attention that never stores the score matrix and skips masked blocks; `standard`: unfused. */
export type AttentionKernel = "flash" | "standard";

/** How a training job is split. The product tp·pp·dp·cp equals the accelerator count; ep divides dp. */
export interface Parallelism {
  readonly tp: number;
  readonly pp: number;
  readonly dp: number;
  /** Expert parallelism, carved out of the data-parallel ranks (Megatron convention). */
  readonly ep: number;
  readonly cp: number;
  /** Virtual pipeline stages per rank (interleaved 1F1B); 1 = plain 1F1B. */
  readonly interleave: number;
  /** Sequences per micro-batch. */
  readonly microBatch: number;
  readonly sequenceParallel: boolean;
  readonly zero: ZeroStage;
  readonly recompute: Recompute;
}

/** Low-rank adaptation: frozen base weights, trainable rank-r adapters on the chosen projections. */
export interface LoraSpec {
  readonly rank: number;
  /** `attention`: Q, K, V and output projections; `all`: also the MLP (and expert) matrices. */
  readonly targets: "attention" | "all";
}

/** A training job with every default resolved. */
export interface TrainingJob {
  readonly model: Model;
  readonly accelerator: Accelerator;
  readonly gpus: number;
  /** Accelerators per scale-up domain in this system. */
  readonly domainSize: number;
  readonly seqLen: number;
  /** Sequences per optimizer step. */
  readonly globalBatch: number;
  readonly precision: Precision;
  readonly attention: AttentionKernel;
  /** Dropout after attention and MLP (GPT-3-era training); modern recipes train without. */
  readonly dropout: boolean;
  /** Tensor-parallel communication overlapped with GEMMs (Transformer Engine userbuffers). */
  readonly tpCommOverlap: boolean;
  /**
   * Data-parallel gradient reduction overlapped with backward (bucketed, as Megatron-core, DeepSpeed and
   * FSDP do); false: reduced after the last micro-batch's backward (Megatron-LM before 2022).
   */
  readonly dpOverlap: boolean;
  /**
   * Expert-parallel all-to-all overlapped with another micro-batch's compute (DeepSeek's DualPipe,
   * Megatron-core's a2a overlap); only what exceeds the layer's compute stays exposed.
   */
  readonly epCommOverlap: boolean;
  /**
   * Pipeline sends overlapped with the next chunk's compute in the interleaved schedule (Megatron-core's
   * default); false: every transfer waits (Megatron-LM before 2022).
   */
  readonly ppCommOverlap: boolean;
  /**
   * Scaling of 8-bit GEMMs: `tensor` (one scale per tensor, Transformer Engine's recipe; default) or
   * `blockwise` (1×128 activation and 128×128 weight tiles, DeepSeek-V3's recipe, DeepGEMM kernels).
   */
  readonly fp8Scaling?: "tensor" | "blockwise";
  /**
   * Share of the SMs that overlapped communication kernels hold for the whole step (DeepSeek-V3: 20 of
   * the H800's 132 SMs for DualPipe's all-to-all, §3.2.2); the compute beside them runs on the rest.
   */
  readonly commSmShare?: number;
  /**
   * DeepSeek-V3's DualPipe (§3.2.1): micro-batches enter from both ends of the pipeline, each rank
   * holding two stages, so forward and backward chunks of opposite directions overlap; absent: 1F1B
   * (interleaved with `interleave` > 1).
   */
  readonly pipelineSchedule?: "dualpipe";
  /** Adam's first and second moments kept in bf16 (DeepSeek-V3 §3.3.3); absent: fp32. */
  readonly optimizerStates?: "bf16";
  /**
   * Parts of each layer recomputed in backward instead of stored (Megatron-Core's --recompute-modules;
   * DeepSeek-V3 §3.3.2): the norms' outputs, MLA's up-projected queries, keys and values, the MoE
   * experts' activation output.
   */
  readonly recomputeModules?: readonly RecomputeModule[];
  /** The MLP activation's input cached in 8 bits for backward (DeepSeek-V3 §3.3.3). */
  readonly fp8ActivationCache?: boolean;
  /** Total training tokens, for time-to-train. */
  readonly tokens: number | null;
  /** Fine-tuning with LoRA adapters; null for full training. */
  readonly lora: LoraSpec | null;
  /** Pods with oversubscribed links between them, when the job spans several (perf/collectives.ts). */
  readonly pod?: PodSpec;
}

export type Cause =
  | "compute"
  | "hbm-bandwidth"
  | "recompute"
  | "tensor-parallel"
  | "context-parallel"
  | "expert-parallel"
  | "pipeline-p2p"
  | "pipeline-bubble"
  | "data-parallel"
  | "optimizer";

export type Breakdown = Readonly<Record<Cause, number>>;

export interface MemoryBreakdown {
  readonly weightsBytes: number;
  readonly gradientsBytes: number;
  readonly optimizerBytes: number;
  readonly activationsBytes: number;
  readonly buffersBytes: number;
  readonly totalBytes: number;
}

interface TrainResultBase {
  readonly parallelism: Parallelism;
  readonly memory: MemoryBreakdown;
  readonly memoryPerGpuGiB: number;
  /** Seconds per optimizer step (for a configuration that does not fit: what it would take if it did). */
  readonly stepTimeS: number;
  readonly tokensPerS: number;
  readonly mfu: number;
  /** Hardware FLOPs (recompute included) over peak. */
  readonly hfu: number;
  readonly modelTflopsPerGpu: number;
  readonly breakdown: Breakdown;
  readonly timeToTrainDays: number | null;
  readonly microBatches: number;
}

/** A configuration that fits: the largest cause of step time is its bottleneck. */
export interface TrainFit extends TrainResultBase {
  readonly fits: true;
  readonly bottleneck: Cause;
}

/** A configuration that does not fit accelerator memory: why. */
export interface TrainNoFit extends TrainResultBase {
  readonly fits: false;
  readonly reason: string;
  readonly bottleneck: "hbm-capacity";
}

export type TrainResult = TrainFit | TrainNoFit;

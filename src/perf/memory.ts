import type { Model } from "../catalog/types.js";
import { BYTES_PER_ELEMENT, GiB, isLowPrecision } from "../units.js";
import { layerParams, loraLayerParams, paramCount } from "./accounting.js";
import { CALIBRATION } from "./calibration.js";
import type {
  AttentionKernel,
  LoraSpec,
  MemoryBreakdown,
  Parallelism,
  Recompute,
  TrainingJob,
} from "./types.js";

/** Bytes per activation element: 2 for 16-bit and 8-bit training (activations stay 16-bit), 4 for fp32. */
export function activationBytes(job: Pick<TrainingJob, "precision">): number {
  return job.precision === "fp32" ? 4 : 2;
}

export interface ActivationOptions {
  readonly seqLen: number;
  readonly microBatch: number;
  readonly tp: number;
  readonly cp: number;
  readonly sequenceParallel: boolean;
  readonly recompute: Recompute;
  readonly attention: AttentionKernel;
  readonly dropout: boolean;
  /** Bytes per activation element (2 for fp16/bf16). */
  readonly elementBytes: number;
  /**
   * Bytes per element of the GEMM inputs kept for backward; fp8 training keeps the 8-bit copies the
   * forward GEMMs consumed (Transformer Engine saves the cast inputs for the weight-gradient GEMM).
   * Defaults to `elementBytes`.
   */
  readonly gemmInputBytes?: number;
}

/**
 * Activation bytes one transformer layer keeps for backward, for one micro-batch, per accelerator.
 * Generalises Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large Transformer Models")
 * §4 tensor by tensor, so that for a GPT block (MHA, 4h GeLU MLP, dropout, 16-bit) it reproduces their
 * s·b·h·(34 + 5·a·s/h) with no parallelism, s·b·h·(10 + 24/t + 5·a·s/(h·t)) with tensor parallelism,
 * s·b·h·(34/t + 5·a·s/(h·t)) with sequence parallelism, the 5·a·s/h term dropped by selective recompute,
 * and 2·s·b·h (divided by t with sequence parallelism) kept by full recompute.
 */
export function layerActivationBytes(m: Model, o: ActivationOptions, moe = false): number {
  const e = o.elementBytes;
  const g = o.gemmInputBytes ?? e;
  const h = m.hidden;
  const t = o.tp;
  const tokens = (o.seqLen / o.cp) * o.microBatch;
  const sp = o.sequenceParallel && t > 1;
  const tokensPerRankReplicated = sp ? tokens / t : tokens;
  if (o.recompute === "full") return tokensPerRankReplicated * h * e;

  const qDim = m.mla !== null ? m.heads * (m.mla.qkNopeHeadDim + m.mla.qkRopeHeadDim) : m.heads * m.headDim;
  const kDim = m.mla !== null ? qDim : m.kvHeads * m.headDim;
  const vDim = m.mla !== null ? m.heads * m.mla.vHeadDim : m.kvHeads * m.headDim;
  const outDim = m.mla !== null ? m.heads * m.mla.vHeadDim : m.heads * m.headDim;
  const mask = o.dropout ? 1 : 0;

  let ffnActivations: number;
  if (moe && m.moe !== null) {
    const gated = m.gatedMlp ? 2 : 1;
    const f = m.moe.expertFfnHidden;
    // Each token's hidden state is copied to top-k experts (and the shared ones); each expert keeps its
    // input, activation input and output.
    const visits = m.moe.topK + m.moe.sharedExperts;
    ffnActivations = visits * (g * h + e * gated * f + g * f);
  } else {
    const gated = m.gatedMlp ? 2 : 1;
    ffnActivations = g * h + e * gated * m.ffnHidden + g * m.ffnHidden;
  }

  // Replicated across tensor-parallel ranks unless sequence-parallel: norm inputs, dropout masks, and the
  // inputs of the first projection of each block.
  const replicated =
    e * h /* LN1 input */ + g * h /* QKV input */ + mask * h + e * h /* LN2 input */ + mask * h;
  const ffnInput = g * h; // MLP input (part of `replicated` in Korthikanti's accounting)
  // Split across tensor-parallel ranks: Q, K, V, attention output (the output projection's input),
  // MLP intermediates (the down projection's input is a GEMM input).
  const split = e * (qDim + kDim) + e * vDim + g * outDim + (ffnActivations - ffnInput);

  let perToken = (sp ? (replicated + ffnInput) / t : replicated + ffnInput) + split / t;
  if (o.attention === "standard" && o.recompute === "none") {
    // Softmax output (e), dropout mask (1) and dropout output (e) of the a·s score matrix per token.
    const scores = (e + mask + (o.dropout ? e : 0)) * m.heads * o.seqLen;
    perToken += scores / t;
  }
  return perToken * tokens;
}

/** Parameters held by one accelerator of pipeline stage `stage`, split by kind. */
export interface StageParams {
  /** Parameters replicated across data-parallel ranks (attention, dense MLP, norms, embeddings). */
  readonly dense: number;
  /** Routed-expert parameters (sharded over ep; replicated across dp/ep). */
  readonly experts: number;
  readonly layers: number;
  readonly moeLayers: number;
}

/** Layers owned by each pipeline rank: as even as possible, remainders on the middle ranks. */
export function layersOfStage(layers: number, pp: number, stage: number): number {
  const base = Math.floor(layers / pp);
  const extra = layers - base * pp;
  // Give remainders to the middle ranks so first (embedding) and last (head) stay lighter.
  const start = Math.floor((pp - extra) / 2);
  return base + (stage >= start && stage < start + extra ? 1 : 0);
}

/**
 * The pipeline stages that can be the heaviest: the first (embedding), the last (LM head) and one that
 * carries a remainder layer (the middle one when the layers divide evenly).
 */
export function representativeStages(layers: number, pp: number): number[] {
  if (pp === 1) return [0];
  const extra = layers % pp;
  const middle = extra > 0 ? Math.floor((pp - extra) / 2) : Math.floor(pp / 2);
  return [...new Set([0, middle, pp - 1])];
}

export function stageParams(m: Model, p: Pick<Parallelism, "tp" | "pp" | "ep">, stage: number): StageParams {
  const layers = layersOfStage(m.layers, p.pp, stage);
  let firstLayer = 0;
  for (let s = 0; s < stage; s++) firstLayer += layersOfStage(m.layers, p.pp, s);
  const denseLayerCount =
    m.moe === null ? layers : Math.max(0, Math.min(firstLayer + layers, m.moe.denseLayers) - firstLayer);
  const moeLayers = layers - denseLayerCount;
  const dl = layerParams(m, false);
  const ml = layerParams(m, true);
  const counts = paramCount(m);
  let dense = denseLayerCount * (dl.attention + dl.denseMlp + dl.norms);
  dense += moeLayers * (ml.attention + ml.denseMlp + ml.norms + ml.router);
  if (stage === 0) dense += counts.embedding;
  // The last stage holds the LM head; with tied embeddings on more than one stage it keeps its own copy
  // of the embedding matrix (Megatron all-reduces the two copies' gradients).
  if (stage === p.pp - 1)
    dense += (m.tiedEmbeddings && p.pp > 1 ? m.vocab * m.hidden : counts.head) + m.hidden;
  return { dense: dense / p.tp, experts: (moeLayers * ml.experts) / (p.ep * p.tp), layers, moeLayers };
}

/**
 * Trainable parameters one accelerator of `stage` holds: all of its parameters for full training, the
 * LoRA adapters of its layers (split like the matrices they adapt) for fine-tuning.
 */
export function trainableStageParams(
  m: Model,
  p: Pick<Parallelism, "tp" | "pp" | "ep">,
  stage: number,
  lora: LoraSpec | null,
): { readonly dense: number; readonly experts: number } {
  const sp = stageParams(m, p, stage);
  if (lora === null) return { dense: sp.dense, experts: sp.experts };
  const d = loraLayerParams(m, lora, false);
  const e = loraLayerParams(m, lora, true);
  const denseLayers = sp.layers - sp.moeLayers;
  return {
    dense: (denseLayers * d.dense + sp.moeLayers * e.dense) / p.tp,
    experts: (sp.moeLayers * e.experts) / (p.ep * p.tp),
  };
}

/** Bytes per weight of a frozen base: its compute format (8-bit for fp8/fp4 fine-tuning, else 16-bit). */
function frozenWeightBytes(precision: TrainingJob["precision"]): number {
  return precision === "fp32" ? 4 : isLowPrecision(precision) ? 1 : 2;
}

/** Bytes per parameter of weights, gradients and optimizer state for a precision (mixed precision with Adam). */
export function stateBytesPerParam(precision: TrainingJob["precision"]): {
  weights: number;
  grads: number;
  optimizer: number;
} {
  if (precision === "fp32") return { weights: 4, grads: 4, optimizer: 8 };
  // 16-bit weights; fp16 grads for fp16 training, fp32 main grads for bf16/fp8/fp4 (Megatron-LM turns on
  // accumulate_allreduce_grads_in_fp32 for bf16); fp32 master weights + Adam m and v.
  return { weights: BYTES_PER_ELEMENT.bf16, grads: precision === "fp16" ? 2 : 4, optimizer: 12 };
}

/**
 * Micro-batches whose activations pipeline rank `stage` holds at its peak, in units of its whole layer
 * set. 1F1B: min(m, p − stage). Interleaved with v chunks: Megatron's warm-up runs
 * (p − stage − 1)·2 + (v − 1)·p chunk-forwards before the first backward, so (that + 1)/v; on rank 0 this
 * is Korthikanti et al.'s p·(1 + (p − 1)/(p·v)).
 */
export function inFlightMicroBatches(p: Parallelism, microBatches: number, stage = 0): number {
  if (p.pp === 1) return 1;
  if (p.interleave <= 1) return Math.min(microBatches, p.pp - stage);
  const chunks = (p.pp - stage - 1) * 2 + (p.interleave - 1) * p.pp + 1;
  return Math.min(microBatches * p.interleave, chunks) / p.interleave;
}

/** Peak memory per accelerator (the heavier of the first and last pipeline stage). */
export function trainingMemory(job: TrainingJob, p: Parallelism, microBatches: number): MemoryBreakdown {
  const m = job.model;
  const bytes = stateBytesPerParam(job.precision);
  const e = activationBytes(job);
  const opts: ActivationOptions = {
    seqLen: job.seqLen,
    microBatch: p.microBatch,
    tp: p.tp,
    cp: p.cp,
    sequenceParallel: p.sequenceParallel,
    recompute: p.recompute,
    attention: job.attention,
    dropout: job.dropout,
    elementBytes: e,
    gemmInputBytes: isLowPrecision(job.precision) ? 1 : e,
  };
  const denseLayerAct = layerActivationBytes(m, opts, false);
  const moeLayerAct = m.moe !== null ? layerActivationBytes(m, opts, true) : denseLayerAct;
  const fullOpts: ActivationOptions = { ...opts, recompute: "none" };
  const oneLayerFull = Math.max(
    layerActivationBytes(m, fullOpts, false),
    m.moe !== null ? layerActivationBytes(m, fullOpts, true) : 0,
  );
  const dpShard = p.dp * p.cp; // optimizer/gradient sharding group (data-parallel × context-parallel)
  const expertShard = Math.max(1, dpShard / p.ep);
  const tokens = (job.seqLen / p.cp) * p.microBatch;

  let worst: MemoryBreakdown | null = null;
  const stages = representativeStages(m.layers, p.pp);
  for (const stage of stages) {
    const sp = stageParams(m, p, stage);
    const trainable = trainableStageParams(m, p, stage, job.lora);
    const denseShard = (k: number, stageZero: boolean) =>
      (stageZero ? trainable.dense / dpShard : trainable.dense) * k;
    const expertPart = (k: number, stageZero: boolean) =>
      (stageZero ? trainable.experts / expertShard : trainable.experts) * k;
    // LoRA: the frozen base is held once in its compute format (sharded only by ZeRO-3), without
    // gradients or optimizer state.
    const frozen = job.lora !== null ? (sp.dense + sp.experts) * frozenWeightBytes(job.precision) : 0;
    const weightsBytes =
      (p.zero >= 3 ? frozen / dpShard : frozen) +
      denseShard(bytes.weights, p.zero >= 3) +
      expertPart(bytes.weights, p.zero >= 3);
    const gradientsBytes = denseShard(bytes.grads, p.zero >= 2) + expertPart(bytes.grads, p.zero >= 2);
    const optimizerBytes =
      denseShard(bytes.optimizer, p.zero >= 1) + expertPart(bytes.optimizer, p.zero >= 1);
    const layerAct = (sp.layers - sp.moeLayers) * denseLayerAct + sp.moeLayers * moeLayerAct;
    let activationsBytes = layerAct * inFlightMicroBatches(p, microBatches, stage);
    if (p.recompute === "full") activationsBytes += oneLayerFull;
    if (stage === p.pp - 1) {
      // Logits of one micro-batch: 16-bit from the head GEMM plus the fp32 copy for the loss.
      activationsBytes += (tokens * m.vocab * (e + 4)) / p.tp;
    }
    // ZeRO-3 gathers one layer's full weights at a time; keep two for prefetch.
    const gatherBuffer =
      p.zero >= 3 ? (2 * (sp.dense + sp.experts) * bytes.weights) / Math.max(1, sp.layers) : 0;
    const buffersBytes =
      CALIBRATION.runtimeReserveBytes + gatherBuffer + CALIBRATION.allocatorFragmentation * activationsBytes;
    const totalBytes = weightsBytes + gradientsBytes + optimizerBytes + activationsBytes + buffersBytes;
    if (worst === null || totalBytes > worst.totalBytes) {
      worst = { weightsBytes, gradientsBytes, optimizerBytes, activationsBytes, buffersBytes, totalBytes };
    }
  }
  if (worst === null) throw new Error("no pipeline stage");
  return worst;
}

export function bytesToGiB(b: number): number {
  return b / GiB;
}

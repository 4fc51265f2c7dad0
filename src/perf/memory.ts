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
  RecomputeModule,
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
  /** Parts recomputed in backward rather than stored (see TrainingJob.recomputeModules). */
  readonly recomputeModules?: readonly RecomputeModule[];
  /** The MLP activation's input cached in 8 bits. */
  readonly fp8ActivationCache?: boolean;
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

  const modules = o.recomputeModules ?? [];
  // The MLP activation's input: 16-bit, or 8-bit when cached so.
  const actIn = o.fp8ActivationCache === true ? 1 : e;
  let ffnActivations: number;
  if (moe && m.moe !== null) {
    const gated = m.gatedMlp ? 2 : 1;
    const f = m.moe.expertFfnHidden;
    // Each token's hidden state is copied to top-k experts (and the shared ones); each expert keeps its
    // input, activation input and output (recomputed from the activation's input with `moe-act`).
    const visits = m.moe.topK + m.moe.sharedExperts;
    const actOut = modules.includes("moe-act") ? 0 : g * f;
    ffnActivations = visits * (g * h + actIn * gated * f + actOut);
  } else {
    const gated = m.gatedMlp ? 2 : 1;
    ffnActivations = g * h + actIn * gated * m.ffnHidden + g * m.ffnHidden;
  }

  // Replicated across tensor-parallel ranks unless sequence-parallel: norm inputs, dropout masks, and the
  // inputs of the first projection of each block (the norms' outputs, recomputed with `layernorm`).
  const normOut = modules.includes("layernorm") ? 0 : g * h;
  const replicated =
    e * h /* LN1 input */ + normOut /* QKV input */ + mask * h + e * h /* LN2 input */ + mask * h;
  const ffnInput = normOut; // MLP input (part of `replicated` in Korthikanti's accounting)
  // Q, K and V; with `mla-up-proj` MLA keeps only the latents they are projected up from.
  const qkv =
    m.mla !== null && modules.includes("mla-up-proj")
      ? g * (m.mla.qLoraRank + m.mla.kvLoraRank + m.mla.qkRopeHeadDim)
      : e * (qDim + kDim) + e * vDim;
  // Split across tensor-parallel ranks: Q, K, V, attention output (the output projection's input),
  // MLP intermediates (the down projection's input is a GEMM input).
  const split = qkv + g * outDim + (ffnActivations - g * h);

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
 * Layers of each pipeline stage in training, placed so the heaviest stage's GEMM work is as small as
 * possible: frameworks let the first and last stages take fewer layers (Megatron-Core's
 * --decoder-first/last-pipeline-num-layers; Llama 3 §3.3.2 takes one layer off each), because the last
 * stage also runs the output head (16-bit in 8- and 4-bit recipes, so it weighs peak/bf16-peak times its
 * parameters) and any multi-token-prediction modules. Work per layer is the GEMM parameters a token
 * multiplies through; each stage keeps at least one layer; among equally heavy placements the earlier
 * stages, which hold more micro-batches in flight, get the fewer layers.
 */
export function pipelinePlacement(job: TrainingJob, pp: number): readonly number[] {
  const m = job.model;
  const low = isLowPrecision(job.precision);
  const peak = job.accelerator.peakFlops;
  const headRate = low ? (peak[job.precision] ?? 1) / (peak.bf16 ?? peak[job.precision] ?? 1) : 1;
  let byJob = PLACEMENTS.get(job);
  const known = byJob?.get(pp);
  if (known !== undefined) return known;
  const dl = layerParams(m, false);
  const ml = layerParams(m, true);
  const denseWork = dl.attention + dl.denseMlp;
  const moeWork = ml.attention + ml.denseMlp + ml.activeExperts + ml.router;
  const firstMoe = m.moe === null ? m.layers : m.moe.denseLayers;
  const work = (i: number) => (i < firstMoe ? denseWork : moeWork);
  const head = m.vocab * m.hidden * headRate;
  const lastExtra =
    head + m.mtpDepth * (head + (m.moe !== null ? moeWork : denseWork) + 2 * m.hidden * m.hidden);
  const counts =
    job.pipelineSchedule === "dualpipe" && pp > 1 && pp % 2 === 0
      ? pairedPartition(m.layers, pp, work, lastExtra)
      : balancedPartition(m.layers, pp, work, lastExtra);
  if (byJob === undefined) {
    byJob = new Map();
    PLACEMENTS.set(job, byJob);
  }
  byJob.set(pp, counts);
  return counts;
}

/** Placements by job and pipeline depth: a search evaluates thousands of configurations of one job. */
const PLACEMENTS = new WeakMap<TrainingJob, Map<number, readonly number[]>>();
/** Representative ranks by placement and schedule. */
const RANKS = new WeakMap<readonly number[], number[]>();

/**
 * DualPipe: rank r holds stages r and p − 1 − r, so balance the pairs: layers per pair as a balanced
 * partition over p/2 pair-stages (the first pair carries the head), each pair's layers split between its
 * two stages (at least one each), the front stage taking the larger half.
 */
function pairedPartition(
  layers: number,
  pp: number,
  work: (layer: number) => number,
  lastExtra: number,
): readonly number[] {
  const half = pp / 2;
  // Pair 0 (holding the head) goes last in the partition, so it carries the extra work there.
  const perPair = [...balancedPartition(layers, half, work, lastExtra)].reverse();
  const counts = new Array<number>(pp).fill(1);
  for (let r = 0; r < half; r++) {
    const n = Math.max(2, perPair[r] ?? 2);
    counts[r] = Math.ceil(n / 2);
    counts[pp - 1 - r] = n - Math.ceil(n / 2);
  }
  // Keep the total: trim or pad the middle pair's stages.
  let diff = layers - counts.reduce((a, b) => a + b, 0);
  for (let s = half - 1; diff !== 0 && s >= 0; s--) {
    for (const t of [s, pp - 1 - s]) {
      while (diff > 0) {
        counts[t] = (counts[t] ?? 0) + 1;
        diff--;
      }
      while (diff < 0 && (counts[t] ?? 0) > 1) {
        counts[t] = (counts[t] ?? 0) - 1;
        diff++;
      }
    }
  }
  return counts;
}

/**
 * Contiguous layers per stage (each ≥ 1) minimising the heaviest stage, the last carrying `lastExtra`:
 * bisection on the bound, stages filled from the last backwards so stage 0 takes what is left.
 */
function balancedPartition(
  layers: number,
  pp: number,
  work: (layer: number) => number,
  lastExtra: number,
): readonly number[] {
  if (pp <= 1) return [layers];
  if (layers < pp) return Array.from({ length: pp }, (_, s) => layersOfStage(layers, pp, s));
  const fill = (bound: number): number[] | null => {
    const counts = new Array<number>(pp).fill(0);
    let next = layers - 1; // the deepest layer not yet placed
    for (let s = pp - 1; s >= 1; s--) {
      let load = s === pp - 1 ? lastExtra : 0;
      let n = 0;
      // Leave at least one layer for each earlier stage.
      while (next >= s && (n === 0 || load + work(next) <= bound)) {
        load += work(next);
        next--;
        n++;
      }
      if (load > bound) return null;
      counts[s] = n;
    }
    let first = 0;
    for (let i = 0; i <= next; i++) first += work(i);
    if (first > bound) return null;
    counts[0] = next + 1;
    return counts;
  };
  let total = lastExtra;
  for (let i = 0; i < layers; i++) total += work(i);
  let lo = 0;
  let hi = total;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (fill(mid) !== null) hi = mid;
    else lo = mid;
  }
  return fill(hi) ?? Array.from({ length: pp }, (_, s) => layersOfStage(layers, pp, s));
}

/** The stages that can be the heaviest under a placement: the first, the first with the most layers, the last. */
export function representativeStagesOf(counts: readonly number[]): number[] {
  const pp = counts.length;
  if (pp === 1) return [0];
  let most = 0;
  for (let s = 1; s < pp; s++) if ((counts[s] ?? 0) > (counts[most] ?? 0)) most = s;
  return [...new Set([0, most, pp - 1])].sort((a, b) => a - b);
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

/**
 * Parameters and layers of one pipeline stage on one accelerator. `mtp` multi-token-prediction modules
 * (training only) sit on the last stage beside the LM head (DeepSeek-V3 §3.2.1): a block like the
 * model's last, a 2h→h projection and two norms each, sharing the embedding and the output head.
 */
export function stageParams(
  m: Model,
  p: Pick<Parallelism, "tp" | "pp" | "ep">,
  stage: number,
  mtp = 0,
  placement?: readonly number[],
): StageParams {
  if (placement === undefined) return computeStageParams(m, p, stage, mtp, undefined);
  // Placements belong to one job (one model): memoise by stage, tp, ep and MTP depth.
  let byKey = STAGE_PARAMS.get(placement);
  if (byKey === undefined) {
    byKey = new Map();
    STAGE_PARAMS.set(placement, byKey);
  }
  const key = stage + 1024 * (p.tp + 1024 * (p.ep + 1024 * mtp));
  const known = byKey.get(key);
  if (known !== undefined) return known;
  const computed = computeStageParams(m, p, stage, mtp, placement);
  byKey.set(key, computed);
  return computed;
}

const STAGE_PARAMS = new WeakMap<readonly number[], Map<number, StageParams>>();

function computeStageParams(
  m: Model,
  p: Pick<Parallelism, "tp" | "pp" | "ep">,
  stage: number,
  mtp: number,
  placement: readonly number[] | undefined,
): StageParams {
  const countOf = (s: number) => placement?.[s] ?? layersOfStage(m.layers, p.pp, s);
  const main = countOf(stage);
  const mtpHere = stage === p.pp - 1 ? mtp : 0;
  const layers = main + mtpHere;
  let firstLayer = 0;
  for (let s = 0; s < stage; s++) firstLayer += countOf(s);
  const denseLayerCount =
    m.moe === null ? layers : Math.max(0, Math.min(firstLayer + main, m.moe.denseLayers) - firstLayer);
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
  dense += mtpHere * (2 * m.hidden * m.hidden + 2 * m.hidden);
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
  mtp = 0,
  placement?: readonly number[],
): { readonly dense: number; readonly experts: number } {
  const sp = stageParams(m, p, stage, mtp, placement);
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
export function stateBytesPerParam(
  precision: TrainingJob["precision"],
  optimizerStates?: TrainingJob["optimizerStates"],
): {
  weights: number;
  grads: number;
  optimizer: number;
} {
  if (precision === "fp32") return { weights: 4, grads: 4, optimizer: 8 };
  // 16-bit weights; fp16 grads for fp16 training, fp32 main grads for bf16/fp8/fp4 (Megatron-LM turns on
  // accumulate_allreduce_grads_in_fp32 for bf16); fp32 master weights + Adam m and v (bf16 m and v:
  // DeepSeek-V3 §3.3.3).
  const moments = optimizerStates === "bf16" ? 2 * 2 : 2 * 4;
  return { weights: BYTES_PER_ELEMENT.bf16, grads: precision === "fp16" ? 2 : 4, optimizer: 4 + moments };
}

/**
 * The pipeline stages one rank holds: its own in 1F1B; in DualPipe rank r < p/2 holds stage r and stage
 * p − 1 − r (DeepSeek-V3 §3.2.1: micro-batches enter from both ends), so each stage lives on two ranks.
 */
export function rankStages(job: TrainingJob, pp: number, rank: number): readonly number[] {
  return job.pipelineSchedule === "dualpipe" && pp > 1 ? [rank, pp - 1 - rank] : [rank];
}

/** The ranks that can be the heaviest: 1F1B the representative stages; DualPipe every rank pair. */
export function representativeRanks(job: TrainingJob, placement: readonly number[]): readonly number[] {
  const known = RANKS.get(placement);
  if (known !== undefined) return known;
  const pp = placement.length;
  const ranks =
    job.pipelineSchedule === "dualpipe" && pp > 1
      ? Array.from({ length: pp / 2 }, (_, r) => r)
      : representativeStagesOf(placement);
  RANKS.set(placement, ranks);
  return ranks;
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
  const bytes = stateBytesPerParam(job.precision, job.optimizerStates);
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
    ...(job.recomputeModules !== undefined ? { recomputeModules: job.recomputeModules } : {}),
    ...(job.fp8ActivationCache === true ? { fp8ActivationCache: true } : {}),
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
  const placement = pipelinePlacement(job, p.pp);
  const dual = job.pipelineSchedule === "dualpipe" && p.pp > 1;
  /** Bytes one stage's share puts on its rank: states, and activations at `inFlight` micro-batches. */
  const stageBytes = (stage: number, inFlight: number) => {
    const sp = stageParams(m, p, stage, m.mtpDepth, placement);
    const trainable = trainableStageParams(m, p, stage, job.lora, m.mtpDepth, placement);
    const denseShard = (k: number, stageZero: boolean) =>
      (stageZero ? trainable.dense / dpShard : trainable.dense) * k;
    const expertPart = (k: number, stageZero: boolean) =>
      (stageZero ? trainable.experts / expertShard : trainable.experts) * k;
    // LoRA: the frozen base is held once in its compute format (sharded only by ZeRO-3), without
    // gradients or optimizer state.
    const frozen = job.lora !== null ? (sp.dense + sp.experts) * frozenWeightBytes(job.precision) : 0;
    const layerAct = (sp.layers - sp.moeLayers) * denseLayerAct + sp.moeLayers * moeLayerAct;
    // Logits of one micro-batch on the last stage: 16-bit from the head GEMM plus the fp32 copy for the loss.
    const logits = stage === p.pp - 1 ? (tokens * m.vocab * (e + 4)) / p.tp : 0;
    return {
      weightsBytes:
        (p.zero >= 3 ? frozen / dpShard : frozen) +
        denseShard(bytes.weights, p.zero >= 3) +
        expertPart(bytes.weights, p.zero >= 3),
      gradientsBytes: denseShard(bytes.grads, p.zero >= 2) + expertPart(bytes.grads, p.zero >= 2),
      optimizerBytes: denseShard(bytes.optimizer, p.zero >= 1) + expertPart(bytes.optimizer, p.zero >= 1),
      activationsBytes: layerAct * inFlight + logits,
      // ZeRO-3 gathers one layer's full weights at a time; keep two for prefetch.
      gatherBuffer: p.zero >= 3 ? (2 * (sp.dense + sp.experts) * bytes.weights) / Math.max(1, sp.layers) : 0,
    };
  };
  for (const rank of representativeRanks(job, placement)) {
    // DualPipe holds p + 1 micro-batches of activations (DeepSeek-V3 Table 2), half on each of the
    // rank's two stages; 1F1B the rank's own in-flight count.
    const a = stageBytes(rank, dual ? (p.pp + 1) / 2 : inFlightMicroBatches(p, microBatches, rank));
    const b = dual ? stageBytes(p.pp - 1 - rank, (p.pp + 1) / 2) : null;
    const weightsBytes = a.weightsBytes + (b?.weightsBytes ?? 0);
    const gradientsBytes = a.gradientsBytes + (b?.gradientsBytes ?? 0);
    const optimizerBytes = a.optimizerBytes + (b?.optimizerBytes ?? 0);
    let activationsBytes = a.activationsBytes + (b?.activationsBytes ?? 0);
    if (p.recompute === "full") activationsBytes += oneLayerFull;
    const buffersBytes =
      CALIBRATION.runtimeReserveBytes +
      Math.max(a.gatherBuffer, b?.gatherBuffer ?? 0) +
      CALIBRATION.allocatorFragmentation * activationsBytes;
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

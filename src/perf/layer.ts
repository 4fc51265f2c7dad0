import type { MlaSpec, Model } from "../catalog/types.js";
import { BYTES_PER_ELEMENT, type Precision } from "../units.js";
import { attentionDims, attentionParams } from "./accounting.js";
import type { Op } from "./roofline.js";
import type { AttentionKernel } from "./types.js";

/** Numeric formats of a run: what GEMM inputs, weights, activations and the KV cache are stored in. */
export interface NumericFormat {
  /** Precision GEMMs run at (whose peak applies). */
  readonly compute: Precision;
  /** Bytes per weight as read by GEMMs (int4 weight-only: 0.5 with 16-bit compute). */
  readonly weightBytes: number;
  /** Bytes per element of GEMM activation inputs (8-bit formats cast activations before the GEMM). */
  readonly gemmInputBytes: number;
  /** Bytes per element of activations between kernels (16-bit, or 4 for fp32). */
  readonly activationBytes: number;
}

/** The training format of a precision: weights and GEMM inputs in it, activations 16-bit. */
export function trainingFormat(p: Precision): NumericFormat {
  const e = p === "fp32" ? 4 : 2;
  return {
    compute: p,
    weightBytes: BYTES_PER_ELEMENT[p],
    gemmInputBytes: BYTES_PER_ELEMENT[p],
    activationBytes: e,
  };
}

/** The shard of a layer one accelerator computes for one micro-batch (training) or one step (inference). */
export interface LayerShard {
  /** Query tokens on this rank: micro-batch × sequence / cp (training, prefill) or the batch (decode). */
  readonly tokens: number;
  /**
   * Keys each query attends over: the full sequence in training and prefill (context parallelism splits
   * queries; causal masking halves the work), the cached length in decode.
   */
  readonly contextLen: number;
  readonly microBatch: number;
  readonly tp: number;
  readonly ep: number;
  readonly sequenceParallel: boolean;
  readonly format: NumericFormat;
  readonly attention: AttentionKernel;
  readonly dropout: boolean;
  /**
   * Decode: each query token reads `contextLen` cached keys and values of this many bytes per element
   * (no causal halving: every cached position is read).
   */
  readonly decodeKvBytes?: number;
  /**
   * Serving engines' fused kernels (TensorRT-LLM, vLLM): the residual add, norm and quantisation of
   * the next GEMM's input run as one kernel; RoPE and the KV-cache write happen inside the attention
   * kernel's prologue; SwiGLU and the activation cast in the up-projection's epilogue.
   */
  readonly fusedEpilogues?: boolean;
}

/** Forward operators of one layer split by role, so backward and recompute can scale each group. */
export interface LayerOps {
  readonly matmul: Op[];
  readonly attention: Op[];
  readonly memory: Op[];
  /** Score/softmax work selective recompute redoes. */
  readonly attentionCore: Op[];
  /**
   * Element-wise work only the backward does: with 8-/4-bit GEMMs, casting each output gradient and
   * writing transposed low-precision copies of both weight-gradient operands (Transformer Engine's fused
   * cast-transpose); with fp4, the 16×16 random Hadamard transform of both weight-gradient operands
   * (NVFP4 recipe), a read and a write of each.
   */
  readonly backwardMemory: Op[];
  /**
   * What recompute modules re-run in backward (TrainingJob.recomputeModules): the two norms, MLA's
   * up-projections (part of the QKV GEMM), the MLP activation of MoE layers.
   */
  readonly recomputable: { readonly layernorm: Op[]; readonly mlaUpProj: Op[]; readonly moeAct: Op[] };
  /** Bytes of one full hidden-state tensor of the micro-batch (tokens × hidden × element), for TP collectives. */
  readonly hiddenBytes: number;
}

function elementwise(bytes: number): Op {
  return { kind: "memory", flops: 0, bytes };
}

/**
 * Token-visits the busiest of `ep` expert-parallel ranks processes when each receives `mean` on average:
 * the all-to-all waits for it. With a perfectly balanced router the counts are binomial, and the largest
 * of ep of them exceeds the mean by about σ·√(2 ln ep), σ = √(mean·(1 − 1/ep)) (the Gaussian extreme-value
 * approximation): the statistical floor of expert imbalance. A learned router's skew comes on top and is
 * not modelled (no measured figure in the reference).
 */
export function busiestRankVisits(mean: number, ep: number): number {
  if (ep <= 1 || mean <= 0) return mean;
  return mean + Math.sqrt(2 * Math.log(ep) * mean * (1 - 1 / ep));
}

/** Expected distinct experts (of `experts`) that `tokens` tokens visit choosing `topK` each, uniformly. */
export function touchedExperts(experts: number, topK: number, tokens: number): number {
  return experts * (1 - (1 - topK / experts) ** tokens);
}

/** Bytes per element of a KV-cache entry for one token, layer-summed, on one tensor-parallel rank. */
export function kvBytesPerTokenPerRank(m: Model, tp: number, kvElementBytes: number): number {
  if (m.mla !== null) {
    // One compressed latent plus the decoupled rotary key per layer, held whole by every TP rank.
    return m.layers * (m.mla.kvLoraRank + m.mla.qkRopeHeadDim) * kvElementBytes;
  }
  const kvHeadsPerRank = Math.ceil(m.kvHeads / tp);
  return 2 * m.layers * kvHeadsPerRank * m.headDim * kvElementBytes;
}

/** MLA's up-projections from the query and key/value latents (part of the QKV GEMM), as one GEMM. */
function mlaUpProjection(m: Model, a: MlaSpec, tokens: number, tp: number, f: NumericFormat): Op {
  const dims = attentionDims(m);
  const up = a.qLoraRank * m.heads * dims.qk + a.kvLoraRank * m.heads * (a.qkNopeHeadDim + dims.v);
  return {
    kind: "matmul",
    flops: (2 * tokens * up) / tp,
    bytes:
      (up * f.weightBytes) / tp +
      tokens * (a.qLoraRank + a.kvLoraRank) * f.gemmInputBytes +
      (tokens * m.heads * (2 * dims.qk + dims.v) * f.activationBytes) / tp,
    k: a.kvLoraRank,
  };
}

/**
 * Forward operators of one transformer layer for one micro-batch on one accelerator: projections,
 * attention (fused flash kernel, or unfused score GEMM + softmax + dropout + value GEMM, or a decode
 * kernel reading the KV cache), MLP or routed experts, norms, residual adds, dropout, rotary embedding
 * and low-precision casts.
 */
export function layerForwardOps(m: Model, s: LayerShard, moe: boolean): LayerOps {
  const f = s.format;
  const e = f.activationBytes;
  const w = f.weightBytes;
  const castInputs = f.gemmInputBytes < e;
  const h = m.hidden;
  const t = s.tp;
  const T = s.tokens;
  const Tel = s.sequenceParallel && t > 1 ? T / t : T;
  const matmul: Op[] = [];
  const memory: Op[] = [];
  const attention: Op[] = [];
  const attentionCore: Op[] = [];
  const backwardMemory: Op[] = [];
  const g = f.gemmInputBytes;
  const fused = s.fusedEpilogues === true;
  const cast = (elements: number) => {
    if (castInputs && !fused) memory.push(elementwise(elements * (e + g)));
  };
  // A norm: read and write the hidden state; fused, also the residual add (read both, write the sum)
  // and the cast of the next GEMM's input.
  const recomputable = { layernorm: [] as Op[], mlaUpProj: [] as Op[], moeAct: [] as Op[] };
  const norm = () => {
    const op = elementwise(fused ? Tel * h * (3 * e + g) : 2 * Tel * h * e);
    memory.push(op);
    recomputable.layernorm.push(op);
  };
  const backwardCasts = (tokens: number, k: number, n: number) => {
    if (!castInputs) return;
    backwardMemory.push(elementwise(tokens * n * (e + 2 * g) + tokens * k * g));
    if (f.compute === "fp4") backwardMemory.push(elementwise((tokens * k + tokens * n) * (e + g)));
  };
  /** A GEMM of `tokens` rows through `weightSets` weight matrices of k × n in total shape k × n. */
  const linear = (tokens: number, k: number, n: number, weightSets = 1) => {
    cast(tokens * k);
    backwardCasts(tokens, k, n);
    matmul.push({
      kind: "matmul",
      flops: 2 * tokens * k * n,
      bytes: tokens * k * f.gemmInputBytes + weightSets * k * n * w + tokens * n * e,
      weights: true,
      k,
    });
  };

  // Norm 1.
  norm();
  // Q, K, V projections (MLA: the down/up projections, as one GEMM of the same parameter count).
  const dims = attentionDims(m);
  const outDim = m.heads * dims.v;
  const qkvParams = attentionParams(m) - outDim * h - (m.bias ? h : 0);
  linear(T, h, qkvParams / h / t);
  if (m.mla !== null) recomputable.mlaUpProj.push(mlaUpProjection(m, m.mla, T, t, f));
  if (m.positionEmbeddings === 0 && !fused) {
    // Rotary embedding on queries and keys.
    memory.push(elementwise((2 * T * ((m.heads + m.kvHeads) * dims.qk * e)) / t));
  }
  const headsLocal = m.heads / t;
  if (s.decodeKvBytes !== undefined) {
    // Decode: every new token reads the whole cached K and V of its sequence.
    const perRank = kvBytesPerTokenPerRank(m, t, s.decodeKvBytes) / m.layers;
    const kvBytes = T * s.contextLen * perRank;
    const qkWidth = m.mla !== null ? m.mla.kvLoraRank + m.mla.qkRopeHeadDim : dims.qk;
    const vWidth = m.mla !== null ? m.mla.kvLoraRank : dims.v;
    const flops = 2 * T * s.contextLen * headsLocal * (qkWidth + vWidth);
    // Appending this step's K and V to the cache: its own kernel, or in the fused attention's prologue.
    const append = T * perRank;
    const op: Op = {
      kind: "attention",
      flops,
      bytes: kvBytes + T * headsLocal * (dims.qk + dims.v) * e + (fused ? append : 0),
    };
    attention.push(op);
    attentionCore.push(op);
    if (!fused) memory.push(elementwise(append));
  } else if (s.attention === "flash") {
    // Causal: the kernel skips fully masked blocks, doing half the score and value products.
    const flops = 0.5 * 2 * T * s.contextLen * headsLocal * (dims.qk + dims.v);
    const bytes = T * headsLocal * (2 * dims.qk + 2 * dims.v) * e;
    attention.push({ kind: "attention", flops, bytes });
    attentionCore.push({ kind: "attention", flops, bytes });
  } else {
    const scores = s.microBatch * headsLocal * (T / s.microBatch) * s.contextLen;
    const qk: Op = {
      kind: "matmul",
      flops: 2 * scores * dims.qk,
      bytes: T * headsLocal * 2 * dims.qk * e + scores * e,
      k: dims.qk,
    };
    const softmax = elementwise(2 * scores * e);
    const drop = elementwise(s.dropout ? scores * (2 * e + 1) : 0);
    const av: Op = {
      kind: "matmul",
      flops: 2 * scores * dims.v,
      bytes: scores * e + T * headsLocal * 2 * dims.v * e,
      k: s.contextLen,
    };
    matmul.push(qk, av);
    memory.push(softmax, drop);
    attentionCore.push(qk, softmax, drop, av);
  }
  // Output projection, dropout, residual.
  linear(T, outDim / t, h);
  if (!fused) memory.push(elementwise(Tel * h * (s.dropout ? 3 * e + 1 : 3 * e)));
  // Norm 2.
  norm();

  const gated = m.gatedMlp ? 2 : 1;
  const mlp = (tokens: number, ffn: number, weightSets: number) => {
    // Up (and gate), activation, down.
    linear(tokens, h, (gated * ffn) / t, weightSets);
    const act = elementwise((tokens * ((gated + 1) * ffn) * e) / t);
    if (!fused) memory.push(act);
    if (moe) recomputable.moeAct.push(act);
    linear(tokens, ffn / t, h, weightSets);
  };
  if (moe && m.moe !== null) {
    const { experts, topK, sharedExperts, expertFfnHidden } = m.moe;
    matmul.push({
      kind: "matmul",
      flops: 2 * T * h * experts,
      bytes: T * h * e + h * experts * e + T * experts * 4,
      weights: true,
      k: h,
    });
    memory.push(elementwise(T * experts * 8)); // softmax + top-k
    if (sharedExperts > 0) mlp(T, expertFfnHidden * sharedExperts, 1);
    // Routed experts as one grouped GEMM: T·topK token-visits spread over experts/ep local experts; only
    // the experts some token visits have their weights read.
    memory.push(elementwise(2 * 2 * T * topK * h * e)); // permute + unpermute
    const localExperts = experts / s.ep;
    mlp(
      busiestRankVisits(T * topK, s.ep),
      expertFfnHidden,
      touchedExperts(localExperts, topK / s.ep, T * s.ep),
    );
  } else {
    mlp(T, m.ffnHidden, 1);
  }
  // Residual add (fused: into the next layer's norm).
  if (!fused) memory.push(elementwise(Tel * h * (s.dropout ? 3 * e + 1 : 3 * e)));
  return { matmul, attention, memory, attentionCore, backwardMemory, recomputable, hiddenBytes: T * h * e };
}

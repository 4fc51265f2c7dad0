import type { Model } from "../catalog/types.js";
import { BYTES_PER_ELEMENT, type Precision } from "../units.js";
import { attentionDims, attentionParams } from "./accounting.js";
import type { Op } from "./roofline.js";
import type { AttentionKernel } from "./types.js";

/** The shard of a layer one accelerator computes for one micro-batch. */
export interface LayerShard {
  /** Query tokens on this rank: micro-batch × sequence / cp. */
  readonly tokens: number;
  /** Keys each query attends over (the full sequence; context parallelism splits queries). */
  readonly contextLen: number;
  readonly microBatch: number;
  readonly tp: number;
  readonly ep: number;
  readonly sequenceParallel: boolean;
  readonly precision: Precision;
  readonly attention: AttentionKernel;
  readonly dropout: boolean;
}

/** Forward operators of one layer split by role, so backward and recompute can scale each group. */
export interface LayerOps {
  readonly matmul: Op[];
  readonly attention: Op[];
  readonly memory: Op[];
  /** Score/softmax work selective recompute redoes. */
  readonly attentionCore: Op[];
  /** Bytes of one full hidden-state tensor of the micro-batch (tokens × hidden × element), for TP collectives. */
  readonly hiddenBytes: number;
}

function gemm(m: number, k: number, n: number, inBytes: number, outBytes: number): Op {
  return { kind: "matmul", flops: 2 * m * k * n, bytes: (m * k + k * n) * inBytes + m * n * outBytes };
}

function elementwise(bytes: number): Op {
  return { kind: "memory", flops: 0, bytes };
}

/**
 * Forward operators of one transformer layer for one micro-batch on one accelerator: projections,
 * attention (fused flash kernel, or unfused score GEMM + softmax + dropout + value GEMM), MLP or routed
 * experts, norms, residual adds, dropout, rotary embedding and low-precision casts.
 */
export function layerForwardOps(m: Model, s: LayerShard, moe: boolean): LayerOps {
  const e = s.precision === "fp32" ? 4 : 2;
  const w = BYTES_PER_ELEMENT[s.precision];
  const lowPrecision = s.precision === "fp8" || s.precision === "fp4";
  const h = m.hidden;
  const t = s.tp;
  const T = s.tokens;
  const Tel = s.sequenceParallel && t > 1 ? T / t : T;
  const matmul: Op[] = [];
  const memory: Op[] = [];
  const attention: Op[] = [];
  const attentionCore: Op[] = [];
  const cast = (elements: number) => {
    if (lowPrecision) memory.push(elementwise(elements * (e + w)));
  };
  const linear = (k: number, n: number) => {
    cast(T * k);
    matmul.push(gemm(T, k, n, w, e));
  };

  // Norm 1.
  memory.push(elementwise(2 * Tel * h * e));
  // Q, K, V projections (MLA: the down/up projections, as one GEMM of the same parameter count).
  const dims = attentionDims(m);
  const outDim = m.heads * dims.v;
  const qkvParams = attentionParams(m) - outDim * h - (m.bias ? h : 0);
  linear(h, qkvParams / h / t);
  if (m.positionEmbeddings === 0) {
    // Rotary embedding on queries and keys.
    memory.push(elementwise((2 * T * ((m.heads + m.kvHeads) * dims.qk * e)) / t));
  }
  const headsLocal = m.heads / t;
  if (s.attention === "flash") {
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
    };
    const softmax = elementwise(2 * scores * e);
    const drop = elementwise(s.dropout ? scores * (2 * e + 1) : 0);
    const av: Op = {
      kind: "matmul",
      flops: 2 * scores * dims.v,
      bytes: scores * e + T * headsLocal * 2 * dims.v * e,
    };
    matmul.push(qk, av);
    memory.push(softmax, drop);
    attentionCore.push(qk, softmax, drop, av);
  }
  // Output projection, dropout, residual.
  linear(outDim / t, h);
  memory.push(elementwise(Tel * h * (s.dropout ? 3 * e + 1 : 3 * e)));
  // Norm 2.
  memory.push(elementwise(2 * Tel * h * e));

  const gated = m.gatedMlp ? 2 : 1;
  const mlp = (tokens: number, ffn: number, weightSets: number) => {
    // Up (and gate), activation, down. `weightSets` experts' weights are read.
    cast(tokens * h);
    matmul.push({
      kind: "matmul",
      flops: 2 * tokens * h * ((gated * ffn) / t),
      bytes: tokens * h * w + weightSets * h * ((gated * ffn) / t) * w + tokens * ((gated * ffn) / t) * e,
    });
    memory.push(elementwise((tokens * ((gated + 1) * ffn) * e) / t));
    cast((tokens * ffn) / t);
    matmul.push({
      kind: "matmul",
      flops: 2 * tokens * (ffn / t) * h,
      bytes: tokens * (ffn / t) * w + weightSets * (ffn / t) * h * w + tokens * h * e,
    });
  };
  if (moe && m.moe !== null) {
    const { experts, topK, sharedExperts, expertFfnHidden } = m.moe;
    matmul.push(gemm(T, h, experts, e, 4)); // router logits in fp32
    memory.push(elementwise(T * experts * 8)); // softmax + top-k
    if (sharedExperts > 0) mlp(T, expertFfnHidden * sharedExperts, 1);
    // Routed experts as one grouped GEMM: T·topK token-visits spread over experts/ep local experts.
    memory.push(elementwise(2 * 2 * T * topK * h * e)); // permute + unpermute
    mlp(T * topK, expertFfnHidden, experts / s.ep);
  } else {
    mlp(T, m.ffnHidden, 1);
  }
  memory.push(elementwise(Tel * h * (s.dropout ? 3 * e + 1 : 3 * e)));
  return { matmul, attention, memory, attentionCore, hiddenBytes: T * h * e };
}

import type { Model } from "../catalog/types.js";

/**
 * Parameter and FLOP accounting for decoder-only transformers: dense (MHA, GQA, MQA), mixture of
 * experts (routed + shared experts, top-k) and DeepSeek-style multi-head latent attention (MLA).
 * Counts are exact for the architecture as described; norms are RMSNorm/LayerNorm weights (with a bias
 * when the model has biases).
 */

/** Parameters of one attention block (projections only). */
export function attentionParams(m: Model): number {
  const h = m.hidden;
  if (m.mla !== null) {
    const { qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim } = m.mla;
    const qk = qkNopeHeadDim + qkRopeHeadDim;
    const q = qLoraRank > 0 ? h * qLoraRank + qLoraRank + qLoraRank * m.heads * qk : h * m.heads * qk;
    const kv =
      h * (kvLoraRank + qkRopeHeadDim) + kvLoraRank + kvLoraRank * m.heads * (qkNopeHeadDim + vHeadDim);
    const o = m.heads * vHeadDim * h;
    return q + kv + o;
  }
  const qDim = m.heads * m.headDim;
  const kvDim = m.kvHeads * m.headDim;
  const weights = h * qDim + 2 * h * kvDim + qDim * h;
  const biases = m.bias ? qDim + 2 * kvDim + h : 0;
  return weights + biases;
}

/** Parameters of one FFN of hidden size `ffn` (gated: three matrices). */
export function mlpParams(m: Model, ffn: number): number {
  const matrices = m.gatedMlp ? 3 : 2;
  return matrices * m.hidden * ffn + (m.bias ? ffn + m.hidden : 0);
}

/** Norm parameters of one layer (two norms). */
export function layerNormParams(m: Model): number {
  return 2 * m.hidden * (m.bias ? 2 : 1);
}

export function isMoeLayer(m: Model, layer: number): boolean {
  return m.moe !== null && layer >= m.moe.denseLayers;
}

export function moeLayerCount(m: Model): number {
  return m.moe === null ? 0 : Math.max(0, m.layers - m.moe.denseLayers);
}

export interface LayerParams {
  readonly attention: number;
  /** Dense FFN, or the shared experts of an MoE layer. */
  readonly denseMlp: number;
  /** All routed experts of the layer. */
  readonly experts: number;
  /** Routed experts a token visits. */
  readonly activeExperts: number;
  readonly router: number;
  readonly norms: number;
}

/** Parameter counts are pure functions of the model; searches ask for them millions of times. */
const LAYER_PARAMS = new WeakMap<Model, { dense?: LayerParams; moe?: LayerParams }>();
const PARAM_COUNTS = new WeakMap<Model, ParamCount>();

export function layerParams(m: Model, moe: boolean): LayerParams {
  let known = LAYER_PARAMS.get(m);
  if (known === undefined) {
    known = {};
    LAYER_PARAMS.set(m, known);
  }
  const hit = moe ? known.moe : known.dense;
  if (hit !== undefined) return hit;
  const computed = computeLayerParams(m, moe);
  if (moe) known.moe = computed;
  else known.dense = computed;
  return computed;
}

function computeLayerParams(m: Model, moe: boolean): LayerParams {
  const attention = attentionParams(m);
  const norms = layerNormParams(m);
  if (!moe || m.moe === null) {
    return { attention, denseMlp: mlpParams(m, m.ffnHidden), experts: 0, activeExperts: 0, router: 0, norms };
  }
  const expert = mlpParams(m, m.moe.expertFfnHidden);
  return {
    attention,
    denseMlp: m.moe.sharedExperts * expert,
    experts: m.moe.experts * expert,
    activeExperts: m.moe.topK * expert,
    router: m.hidden * m.moe.experts,
    norms,
  };
}

export interface ParamCount {
  /** Every parameter. */
  readonly total: number;
  /** Parameters a token touches (MoE: top-k routed plus shared experts). */
  readonly active: number;
  readonly embedding: number;
  /** LM head (0 when tied to the embedding). */
  readonly head: number;
  /** Weight-matrix parameters a token multiplies through, the N of "6·N" (active, excluding the embedding lookup, including the LM head). */
  readonly matmulActive: number;
}

export function paramCount(m: Model): ParamCount {
  const known = PARAM_COUNTS.get(m);
  if (known !== undefined) return known;
  const counted = countParams(m);
  PARAM_COUNTS.set(m, counted);
  return counted;
}

function countParams(m: Model): ParamCount {
  const dense = layerParams(m, false);
  const moe = layerParams(m, true);
  const nMoe = moeLayerCount(m);
  const nDense = m.layers - nMoe;
  const perLayerTotal = (p: LayerParams) => p.attention + p.denseMlp + p.experts + p.router + p.norms;
  const perLayerActive = (p: LayerParams) =>
    p.attention + p.denseMlp + (p.experts > 0 ? p.activeExperts : 0) + p.router + p.norms;
  const embedding = m.vocab * m.hidden + m.positionEmbeddings * m.hidden;
  const head = m.tiedEmbeddings ? 0 : m.vocab * m.hidden;
  const finalNorm = m.hidden * (m.bias ? 2 : 1);
  const layersTotal = nDense * perLayerTotal(dense) + nMoe * perLayerTotal(moe);
  const layersActive = nDense * perLayerActive(dense) + nMoe * perLayerActive(moe);
  const total = layersTotal + embedding + head + finalNorm;
  const active = layersActive + embedding + head + finalNorm;
  const attnBiases = m.bias && m.mla === null ? (m.heads + 2 * m.kvHeads) * m.headDim + m.hidden : 0;
  const normsAndBiases =
    m.layers * dense.norms + (m.bias ? m.layers * (attnBiases + m.ffnHidden + m.hidden) : 0);
  return {
    total,
    active,
    embedding,
    head,
    matmulActive: layersActive - normsAndBiases + m.vocab * m.hidden,
  };
}

/**
 * LoRA adapter parameters of one layer: r·(k + n) for every adapted k × n matrix (Hu et al. 2021), on the
 * Q, K, V and output projections (each its own adapter, as PEFT applies them), and with `all` targets on
 * each MLP matrix (gate, up, down) of the dense FFN or of every routed and shared expert. `experts`
 * counts the routed experts' adapters (all of them; a token passes through top-k).
 */
export function loraLayerParams(
  m: Model,
  lora: { readonly rank: number; readonly targets: "attention" | "all" },
  moe: boolean,
): { readonly dense: number; readonly experts: number } {
  const r = lora.rank;
  const h = m.hidden;
  const dims = attentionDims(m);
  const outDim = m.heads * dims.v;
  // MLA's down/up projections are adapted as one matrix of the same parameter count.
  const qkv =
    m.mla !== null
      ? r * (h + (attentionParams(m) - outDim * h) / h)
      : r * (3 * h + m.heads * dims.qk + 2 * m.kvHeads * m.headDim);
  let dense = qkv + r * (outDim + h);
  let experts = 0;
  if (lora.targets === "all") {
    const mlp = (f: number) => (m.gatedMlp ? 3 : 2) * r * (h + f);
    if (moe && m.moe !== null) {
      dense += m.moe.sharedExperts * mlp(m.moe.expertFfnHidden);
      experts = m.moe.experts * mlp(m.moe.expertFfnHidden);
    } else {
      dense += mlp(m.ffnHidden);
    }
  }
  return { dense, experts };
}

/** Query/key and value head widths used by the attention products. */
export function attentionDims(m: Model): { readonly qk: number; readonly v: number } {
  if (m.mla !== null) return { qk: m.mla.qkNopeHeadDim + m.mla.qkRopeHeadDim, v: m.mla.vHeadDim };
  return { qk: m.headDim, v: m.headDim };
}

/**
 * Attention FLOPs per token, forward, for the score (Q·Kᵀ) and value (P·V) products over a context of
 * `seqLen` keys, not halved for causal masking (the PaLM/Megatron convention): 2·s·heads·(d_qk + d_v)
 * per layer. With d_qk = d_v = hidden/heads this is 4·s·hidden.
 */
export function attentionFlopsPerTokenFwd(m: Model, seqLen: number): number {
  const { qk, v } = attentionDims(m);
  return m.layers * 2 * seqLen * m.heads * (qk + v);
}

/**
 * Model FLOPs per token for one training step (forward + backward), the numerator of MFU:
 * 6·N (N = weight-matrix parameters touched per token, LM head included) plus 3× the forward attention
 * products (PaLM, Chowdhery et al. 2022, App. B: 6N + 12·L·H·Q·T). Recompute is not counted.
 */
export function modelFlopsPerToken(
  m: Model,
  seqLen: number,
  lora: { readonly rank: number; readonly targets: "attention" | "all" } | null = null,
): number {
  const attention = 3 * attentionFlopsPerTokenFwd(m, seqLen);
  if (lora === null) return 6 * paramCount(m).matmulActive + attention;
  // Frozen weights need the forward and the data gradient (4N) but no weight gradient; the adapters
  // a token passes through train fully (6 per parameter).
  let adapters = 0;
  for (let layer = 0; layer < m.layers; layer++) {
    const a = loraLayerParams(m, lora, isMoeLayer(m, layer));
    adapters += a.dense + (m.moe !== null && a.experts > 0 ? (a.experts * m.moe.topK) / m.moe.experts : 0);
  }
  return 4 * paramCount(m).matmulActive + 6 * adapters + attention;
}

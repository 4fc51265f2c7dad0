import type { Accelerator, Model } from "../catalog/types.js";
import { InputError } from "../errors.js";
import { GiB, type Precision } from "../units.js";
import { CALIBRATION, type Calibration } from "./calibration.js";
import { acceleratorNetwork, expertAllToAllTime, groupCollectiveTime, type Network } from "./collectives.js";
import { kvBytesPerTokenPerRank, type LayerOps, layerForwardOps, type NumericFormat } from "./layer.js";
import { representativeStages, stageParams } from "./memory.js";
import { addOpsTime, addOpTime, type DeviceRates, deviceRates, type Op, type OpTime } from "./roofline.js";

/** Serving precisions: weights and GEMMs in the format; `int4` is weight-only (16-bit activations and math). */
export type InferencePrecision = Precision | "int4";
export type KvPrecision = "fp16" | "bf16" | "fp8";

const KV_BYTES: Record<KvPrecision, number> = { fp16: 2, bf16: 2, fp8: 1 };

/** Bytes per KV-cache element in the job's KV format. */
export function kvElementBytes(job: Pick<InferenceJob, "kvPrecision">): number {
  return KV_BYTES[job.kvPrecision];
}

/** The numeric format of a serving precision. */
export function inferenceFormat(p: InferencePrecision): NumericFormat {
  switch (p) {
    case "fp32":
      return { compute: "fp32", weightBytes: 4, gemmInputBytes: 4, activationBytes: 4 };
    case "fp16":
    case "bf16":
      return { compute: p, weightBytes: 2, gemmInputBytes: 2, activationBytes: 2 };
    case "fp8":
      return { compute: "fp8", weightBytes: 1, gemmInputBytes: 1, activationBytes: 2 };
    case "fp4":
      return { compute: "fp4", weightBytes: 0.5, gemmInputBytes: 0.5, activationBytes: 2 };
    case "int4":
      return { compute: "bf16", weightBytes: 0.5, gemmInputBytes: 2, activationBytes: 2 };
  }
}

/** The KV-cache format a serving precision uses unless told otherwise: 8-bit with 8- and 4-bit weights. */
export function defaultKvPrecision(p: InferencePrecision): KvPrecision {
  return p === "fp8" || p === "fp4" ? "fp8" : p === "fp16" ? "fp16" : "bf16";
}

export interface InferenceJob {
  readonly model: Model;
  readonly accelerator: Accelerator;
  /** Accelerators in the deployment (a multiple of one replica's tp·pp). */
  readonly gpus: number;
  readonly domainSize: number;
  readonly precision: InferencePrecision;
  readonly kvPrecision: KvPrecision;
  /** How the serving engine runs kernels (absent: unfused, launched one by one). */
  readonly kernels?: EngineKernels;
}

/** The links a serving replica's collectives see: the scale-up link's measured curve by message size. */
export function servingNetwork(job: InferenceJob, calibration: Calibration): Network {
  return acceleratorNetwork(job.accelerator, job.domainSize, calibration);
}

/** Kernel-level traits of a serving engine (catalog/data/presets.ts). */
export interface EngineKernels {
  readonly fusedEpilogues: boolean;
  readonly cudaGraphs: boolean;
}

/** The device rates a serving job's kernels see: CUDA graphs shrink the per-kernel overhead. */
export function servingRates(job: InferenceJob, calibration: Calibration): DeviceRates {
  const rates = deviceRates(
    job.accelerator,
    inferenceFormat(job.precision).compute,
    calibration,
    "inference.precision",
  );
  return job.kernels?.cudaGraphs === true ? { ...rates, overheadS: calibration.graphKernelOverheadS } : rates;
}

/** One replica's shape: tp·pp accelerators; experts spread over `ep` of the tensor-parallel ranks. */
export interface ReplicaShape {
  readonly tp: number;
  readonly pp: number;
  readonly ep: number;
}

export type InferCause = "compute" | "hbm-bandwidth" | "tensor-parallel" | "expert-parallel" | "pipeline-p2p";
export type InferBreakdown = Readonly<Record<InferCause, number>>;

export interface PhaseTime {
  readonly timeS: number;
  readonly breakdown: InferBreakdown;
  readonly bottleneck: InferCause;
}

export interface InferMemory {
  readonly weightsBytes: number;
  readonly kvCacheBytes: number;
  readonly activationsBytes: number;
  readonly buffersBytes: number;
  readonly totalBytes: number;
}

interface InferBase {
  readonly shape: ReplicaShape;
  readonly replicas: number;
  readonly batch: number;
  readonly inputLen: number;
  readonly outputLen: number;
  /** Prefill of the whole batch (time to first token). */
  readonly prefill: PhaseTime;
  /** One decode step at the mean context length (time per output token). */
  readonly decode: PhaseTime;
  readonly ttftS: number;
  readonly tpotS: number;
  /** Output tokens per second of one replica over the batch's whole generation. */
  readonly outputTokensPerS: number;
  /** KV cache of the batch at full length, summed over the replica's accelerators. */
  readonly kvCacheBytes: number;
  /** Largest batch that fits at these lengths. */
  readonly maxBatch: number;
  readonly memory: InferMemory;
  readonly memoryPerGpuGiB: number;
}

export interface InferFit extends InferBase {
  readonly fits: true;
  readonly bottleneck: InferCause;
}

export interface InferNoFit extends InferBase {
  readonly fits: false;
  readonly bottleneck: "hbm-capacity";
  readonly reason: string;
}

export type InferResult = InferFit | InferNoFit;

const ZERO: InferBreakdown = {
  compute: 0,
  "hbm-bandwidth": 0,
  "tensor-parallel": 0,
  "expert-parallel": 0,
  "pipeline-p2p": 0,
};

function largest(b: InferBreakdown): InferCause {
  let best: InferCause = "compute";
  for (const [k, v] of Object.entries(b) as [InferCause, number][]) if (v > b[best]) best = k;
  return best;
}

/** Tokens a serving engine pushes through one forward pass at most (vLLM/TRT-LLM default max_num_batched_tokens). */
export const PREFILL_CHUNK_TOKENS = 8192;

/** Why a replica shape cannot serve this model on this system, or null. */
export function replicaProblem(
  job: InferenceJob,
  s: ReplicaShape,
): { field: string; expected: string } | null {
  const m = job.model;
  for (const k of ["tp", "pp", "ep"] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 1) return { field: k, expected: "a positive integer" };
  }
  if (m.heads % s.tp !== 0)
    return { field: "tp", expected: `a divisor of the model's ${m.heads} attention heads` };
  if (s.tp > job.domainSize || job.domainSize % s.tp !== 0) {
    return { field: "tp", expected: `a divisor of the scale-up domain size ${job.domainSize}` };
  }
  if (s.pp > m.layers) return { field: "pp", expected: `at most the model's ${m.layers} layers` };
  if (job.gpus % (s.tp * s.pp) !== 0) {
    return { field: "tp", expected: `tp·pp dividing the ${job.gpus} accelerators into whole replicas` };
  }
  if (m.moe === null && s.ep !== 1) return { field: "ep", expected: "1 for a dense model" };
  if (m.moe !== null && (s.tp % s.ep !== 0 || m.moe.experts % s.ep !== 0)) {
    return { field: "ep", expected: `a divisor of tp (${s.tp}) and of the ${m.moe.experts} experts` };
  }
  return null;
}

interface Pass {
  compute: number;
  memory: number;
  tp: number;
  ep: number;
}

/**
 * One forward pass of `tokens` new tokens (each attending `contextLen` positions) through one pipeline
 * stage of the replica: the stage's layers, plus the embedding on the first stage and the LM head on
 * the last (decode: logits for every token; prefill: only the last token of each sequence).
 */
/** What every pass of one replica shares. */
interface PassContext {
  readonly job: InferenceJob;
  readonly s: ReplicaShape;
  readonly rates: DeviceRates;
  readonly net: Network;
}

function stagePass(
  { job, s, rates, net }: PassContext,
  tokens: number,
  sequences: number,
  contextLen: number,
  decode: boolean,
  stage: number,
): Pass {
  const m = job.model;
  const format = inferenceFormat(job.precision);
  const shard = {
    tokens,
    contextLen,
    microBatch: sequences,
    tp: s.tp,
    ep: s.ep,
    sequenceParallel: false,
    format,
    attention: "flash" as const,
    dropout: false,
    fusedEpilogues: job.kernels?.fusedEpilogues === true,
    ...(decode ? { decodeKvBytes: kvElementBytes(job) } : {}),
  };
  // Experts spread over ep of the tp ranks hold experts/tp each, as tp alone would.
  const sp = stageParams(m, { tp: s.tp, pp: s.pp, ep: 1 }, stage);
  const out: Pass = { compute: 0, memory: 0, tp: 0, ep: 0 };
  const layer = (ops: LayerOps, n: number, moe: boolean) => {
    if (n === 0) return;
    const t: OpTime = { computeS: 0, memoryS: 0 };
    addOpsTime(t, ops.matmul, rates);
    addOpsTime(t, ops.attention, rates);
    addOpsTime(t, ops.memory, rates);
    out.compute += n * t.computeS;
    out.memory += n * t.memoryS;
    out.tp += n * 2 * groupCollectiveTime(net, "all-reduce", ops.hiddenBytes, s.tp, 1);
    if (moe && m.moe !== null && s.ep > 1) {
      const bytes = (tokens / s.ep) * m.hidden * format.activationBytes;
      out.ep += n * 2 * expertAllToAllTime(net, m.moe, bytes, s.ep, 1);
    }
  };
  layer(layerForwardOps(m, shard, false), sp.layers - sp.moeLayers, false);
  if (m.moe !== null) layer(layerForwardOps(m, shard, true), sp.moeLayers, true);
  const e = format.activationBytes;
  if (stage === s.pp - 1) {
    const rows = decode ? tokens : sequences;
    const head: Op = {
      kind: "matmul",
      flops: (2 * rows * m.hidden * m.vocab) / s.tp,
      bytes:
        rows * m.hidden * e + (m.hidden * m.vocab * format.weightBytes) / s.tp + (rows * m.vocab * 4) / s.tp,
    };
    const t: OpTime = { computeS: 0, memoryS: 0 };
    addOpTime(t, head, rates);
    out.compute += t.computeS;
    out.memory += t.memoryS;
  }
  if (stage === 0) {
    const t: OpTime = { computeS: 0, memoryS: 0 };
    addOpTime(t, { kind: "memory", flops: 0, bytes: 2 * tokens * m.hidden * e }, rates);
    out.memory += t.memoryS;
  }
  return out;
}

/**
 * Time of one forward pass of the replica over `sequences` sequences with `tokens` new tokens in all:
 * the batch is split into min(pp, sequences) micro-batches that flow through the pipeline.
 */
function replicaPass(
  ctx: PassContext,
  tokens: number,
  sequences: number,
  contextLen: number,
  decode: boolean,
): PhaseTime {
  const { job, s, net } = ctx;
  const micro = Math.max(1, Math.min(s.pp, sequences));
  const stages = representativeStages(job.model.layers, s.pp);
  let worst: Pass | null = null;
  let worstTotal = -1;
  for (const st of stages) {
    const p = stagePass(ctx, tokens / micro, sequences / micro, contextLen, decode, st);
    const total = p.compute + p.memory + p.tp + p.ep;
    if (total > worstTotal) {
      worst = p;
      worstTotal = total;
    }
  }
  if (worst === null) throw new Error("no stage");
  const slots = micro + s.pp - 1; // stage-times until the last micro-batch leaves the last stage
  const actBytes = (tokens / micro) * job.model.hidden * inferenceFormat(job.precision).activationBytes;
  const p2p = s.pp > 1 ? groupCollectiveTime(net, "p2p", actBytes, 2, s.tp) * slots : 0;
  const breakdown: InferBreakdown = {
    ...ZERO,
    compute: worst.compute * slots,
    "hbm-bandwidth": worst.memory * slots,
    "tensor-parallel": worst.tp * slots,
    "expert-parallel": worst.ep * slots,
    "pipeline-p2p": p2p,
  };
  const timeS = worstTotal * slots + p2p;
  return { timeS, breakdown, bottleneck: largest(breakdown) };
}

/** Memory per accelerator of a replica serving `batch` sequences of up to `contextLen` tokens. */
export function inferenceMemory(
  job: InferenceJob,
  s: ReplicaShape,
  batch: number,
  contextLen: number,
  inputLen: number,
  calibration: Calibration = CALIBRATION,
): InferMemory {
  const m = job.model;
  const format = inferenceFormat(job.precision);
  const stages = representativeStages(m.layers, s.pp);
  let weightsBytes = 0;
  for (const st of stages) {
    const sp = stageParams(m, { tp: s.tp, pp: s.pp, ep: 1 }, st);
    weightsBytes = Math.max(weightsBytes, (sp.dense + sp.experts) * format.weightBytes);
  }
  const layersPerStage = Math.ceil(m.layers / s.pp);
  const kvPerToken = (kvBytesPerTokenPerRank(m, s.tp, kvElementBytes(job)) * layersPerStage) / m.layers;
  const kvCacheBytes = batch * contextLen * kvPerToken;
  // Workspace of one forward pass (chunked prefill caps its tokens): hidden states, the widest
  // intermediate (gated MLP or the expert copies), and the logits of one decode step.
  const passTokens = Math.min(batch * inputLen, PREFILL_CHUNK_TOKENS);
  const gated = m.gatedMlp ? 2 : 1;
  const widest = Math.max(
    (gated * m.ffnHidden) / s.tp,
    m.moe !== null ? m.moe.topK * (m.hidden + (gated * m.moe.expertFfnHidden) / s.tp) : 0,
  );
  const activationsBytes =
    batch > 0
      ? passTokens * (4 * m.hidden + 2 * widest) * format.activationBytes + (batch * m.vocab * 4) / s.tp
      : 0;
  const buffersBytes = calibration.runtimeReserveBytes;
  return {
    weightsBytes,
    kvCacheBytes,
    activationsBytes,
    buffersBytes,
    totalBytes: weightsBytes + kvCacheBytes + activationsBytes + buffersBytes,
  };
}

/** The largest batch whose memory fits at this context length (0 when not even the weights fit). */
export function maxBatchThatFits(
  job: InferenceJob,
  s: ReplicaShape,
  contextLen: number,
  inputLen: number,
): number {
  const fits = (b: number) =>
    inferenceMemory(job, s, b, contextLen, inputLen).totalBytes <= job.accelerator.hbmBytes;
  if (!fits(1)) return 0;
  let lo = 1;
  let hi = 2;
  while (fits(hi) && hi < 1 << 24) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Serve one batch on one replica: prefill of `batch` prompts of `inputLen` tokens, then `outputLen`
 * decode steps. Decode time per step is evaluated at the mean context length (attention cost is linear
 * in it). Throughput counts the whole generation of the batch (static batching).
 */
export function evaluateInference(
  job: InferenceJob,
  s: ReplicaShape,
  batch: number,
  inputLen: number,
  outputLen: number,
  calibration: Calibration = CALIBRATION,
): InferResult {
  const rates = servingRates(job, calibration);
  const net = servingNetwork(job, calibration);
  const ctx: PassContext = { job, s, rates, net };
  const prefill = replicaPass(ctx, batch * inputLen, batch, inputLen, false);
  const meanContext = inputLen + (outputLen - 1) / 2;
  const decode = replicaPass(ctx, batch, batch, meanContext, true);
  const ttftS = prefill.timeS;
  const tpotS = decode.timeS;
  const totalS = ttftS + Math.max(0, outputLen - 1) * tpotS;
  const contextLen = inputLen + outputLen;
  const memory = inferenceMemory(job, s, batch, contextLen, inputLen, calibration);
  const kvCacheBytes = memory.kvCacheBytes * s.tp * s.pp;
  const combined: Record<InferCause, number> = { ...ZERO };
  for (const k of Object.keys(combined) as InferCause[]) {
    combined[k] = prefill.breakdown[k] + Math.max(0, outputLen - 1) * decode.breakdown[k];
  }
  const base = {
    shape: s,
    replicas: job.gpus / (s.tp * s.pp),
    batch,
    inputLen,
    outputLen,
    prefill,
    decode,
    ttftS,
    tpotS,
    outputTokensPerS: (batch * outputLen) / totalS,
    kvCacheBytes,
    maxBatch: maxBatchThatFits(job, s, contextLen, inputLen),
    memory,
    memoryPerGpuGiB: memory.totalBytes / GiB,
  };
  if (memory.totalBytes > job.accelerator.hbmBytes) {
    const over = (memory.totalBytes - job.accelerator.hbmBytes) / GiB;
    return {
      ...base,
      fits: false,
      bottleneck: "hbm-capacity",
      reason: `needs ${(memory.totalBytes / GiB).toFixed(1)} GiB per accelerator, ${over.toFixed(1)} GiB over the ${(job.accelerator.hbmBytes / GiB).toFixed(1)} GiB of HBM (weights ${(memory.weightsBytes / GiB).toFixed(1)}, KV cache ${(memory.kvCacheBytes / GiB).toFixed(1)}, activations ${(memory.activationsBytes / GiB).toFixed(1)}, runtime ${(memory.buffersBytes / GiB).toFixed(1)}); the largest batch that fits is ${base.maxBatch}`,
    };
  }
  return { ...base, fits: true, bottleneck: largest(combined) };
}

/** Every replica shape the search considers, valid for this job, with the user's fixed fields held. */
export function replicaShapes(job: InferenceJob, fixed: Partial<ReplicaShape>): ReplicaShape[] {
  const m = job.model;
  const tps =
    fixed.tp !== undefined ? [fixed.tp] : [1, 2, 4, 8, 16, 32, 64].filter((t) => t <= job.domainSize);
  const pps = fixed.pp !== undefined ? [fixed.pp] : [1, 2, 4, 8];
  const out: ReplicaShape[] = [];
  for (const tp of tps)
    for (const pp of pps) {
      const eps =
        fixed.ep !== undefined
          ? [fixed.ep]
          : m.moe === null
            ? [1]
            : [1, 2, 4, 8, 16, 32, 64].filter((e) => e <= tp);
      for (const ep of eps) if (replicaProblem(job, { tp, pp, ep }) === null) out.push({ tp, pp, ep });
    }
  return out;
}

/**
 * The replica shape with the most output tokens per second per accelerator for this batch among those
 * that fit (when none fits: the one needing the least memory). Throws an InputError naming the field
 * when the user's fixed fields allow no valid shape.
 */
export function searchReplica(
  job: InferenceJob,
  fixed: Partial<ReplicaShape>,
  batch: number,
  inputLen: number,
  outputLen: number,
): { readonly best: InferResult; readonly searched: number } {
  const shapes = replicaShapes(job, fixed);
  if (shapes.length === 0) {
    const probe = { tp: fixed.tp ?? 1, pp: fixed.pp ?? 1, ep: fixed.ep ?? 1 };
    const problem = replicaProblem(job, probe) ?? {
      field: "tp",
      expected: "a replica shape that divides the system",
    };
    throw new InputError(
      `inference.parallelism.${problem.field}`,
      probe[problem.field as keyof ReplicaShape],
      problem.expected,
    );
  }
  let best: InferResult | null = null;
  const perGpu = (r: InferResult) => r.outputTokensPerS / (r.shape.tp * r.shape.pp);
  for (const s of shapes) {
    const r = evaluateInference(job, s, batch, inputLen, outputLen);
    if (best === null) best = r;
    else if (r.fits && (!best.fits || perGpu(r) > perGpu(best))) best = r;
    else if (!r.fits && !best.fits && r.memory.totalBytes < best.memory.totalBytes) best = r;
  }
  if (best === null) throw new Error("no shape evaluated");
  return { best, searched: shapes.length };
}

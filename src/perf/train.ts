import { GiB, isLowPrecision, SECONDS_PER_DAY } from "../units.js";
import { loraLayerParams, modelFlopsPerToken, paramCount } from "./accounting.js";
import { CALIBRATION, type Calibration } from "./calibration.js";
import {
  acceleratorNetwork,
  expertAllToAllTime,
  groupCollectiveTime,
  membersPerDomain,
  type Network,
} from "./collectives.js";
import { type LayerOps, layerForwardOps, trainingFormat } from "./layer.js";
import {
  activationBytes,
  pipelinePlacement,
  rankStages,
  representativeRanks,
  stageParams,
  stateBytesPerParam,
  trainableStageParams,
  trainingMemory,
} from "./memory.js";
import { addOpsTime, addOpTime, type DeviceRates, deviceRates, type Op, type OpTime } from "./roofline.js";
import type { Breakdown, Cause, Parallelism, TrainingJob, TrainResult } from "./types.js";

/**
 * Why a parallelism cannot run this job, or null when it can. Paths are relative to
 * `training.parallelism`.
 */
export function parallelismProblem(
  job: TrainingJob,
  p: Parallelism,
): { field: string; expected: string } | null {
  const m = job.model;
  const positive = (["tp", "pp", "dp", "ep", "cp", "interleave", "microBatch"] as const).find(
    (k) => !Number.isInteger(p[k]) || p[k] < 1,
  );
  if (positive !== undefined) return { field: positive, expected: "a positive integer" };
  if (m.heads % p.tp !== 0)
    return { field: "tp", expected: `a divisor of the model's ${m.heads} attention heads` };
  if (m.mla === null && m.kvHeads % p.tp !== 0 && p.tp % m.kvHeads !== 0) {
    return { field: "tp", expected: `a divisor or multiple of the model's ${m.kvHeads} key/value heads` };
  }
  if (p.tp * p.pp * p.dp * p.cp !== job.gpus) {
    return { field: "dp", expected: `tp·pp·dp·cp to equal the accelerator count ${job.gpus}` };
  }
  if (p.pp * p.interleave > m.layers) {
    return { field: "pp", expected: `pp × interleave no larger than the ${m.layers} layers` };
  }
  if (p.interleave > 1 && p.pp === 1) return { field: "interleave", expected: "1 when pp is 1" };
  if (job.seqLen % (2 * p.cp) !== 0 && p.cp > 1) {
    return { field: "cp", expected: `a cp with 2·cp dividing the sequence length ${job.seqLen}` };
  }
  if (m.moe === null && p.ep !== 1) return { field: "ep", expected: "1 for a dense model" };
  if (m.moe !== null && (m.moe.experts % p.ep !== 0 || (p.dp * p.cp) % p.ep !== 0)) {
    return {
      field: "ep",
      expected: `a divisor of the ${m.moe.experts} experts and of dp·cp (${p.dp * p.cp})`,
    };
  }
  if (job.globalBatch % (p.dp * p.microBatch) !== 0) {
    return {
      field: "microBatch",
      expected: `dp × microBatch (${p.dp} × ${p.microBatch}) dividing the global batch ${job.globalBatch}`,
    };
  }
  if (p.interleave > 1 && (job.globalBatch / (p.dp * p.microBatch)) % p.pp !== 0) {
    return { field: "interleave", expected: "micro-batches per step divisible by pp (interleaved schedule)" };
  }
  if (p.tp > job.domainSize || job.domainSize % p.tp !== 0) {
    return { field: "tp", expected: `a divisor of the scale-up domain size ${job.domainSize}` };
  }
  if (job.pipelineSchedule === "dualpipe" && p.pp > 1) {
    const mb = job.globalBatch / (p.dp * p.microBatch);
    if (p.pp % 2 !== 0)
      return { field: "pp", expected: "an even pp (DualPipe pairs stages r and pp − 1 − r)" };
    if (p.interleave !== 1) return { field: "interleave", expected: "1 with DualPipe" };
    if (mb % 2 !== 0 || mb < p.pp) {
      return {
        field: "microBatch",
        expected: "an even number of micro-batches per step, at least pp (DualPipe)",
      };
    }
  }
  return null;
}

interface LayerTime {
  compute: number;
  memory: number;
  recompute: number;
  tp: number;
  cp: number;
  ep: number;
  /** Of the above, the forward pass (DualPipe's F). */
  fwd: number;
  /** Of the above, the weight-gradient GEMMs (DualPipe's W). */
  wgrad: number;
}

function opsTime(ops: readonly Op[], rates: DeviceRates, scale = 1): number {
  const t: OpTime = { computeS: 0, memoryS: 0 };
  addOpsTime(t, ops, rates, scale);
  return t.computeS + t.memoryS;
}

/** Time of one layer, forward + backward (+ recompute), for one micro-batch on one accelerator. */
function layerTime(
  job: TrainingJob,
  p: Parallelism,
  ops: LayerOps,
  rates: DeviceRates,
  net: Network,
  moe: boolean,
  calibration: Calibration,
): LayerTime {
  const fwd: OpTime = { computeS: 0, memoryS: 0 };
  addOpsTime(fwd, ops.matmul, rates, 1);
  addOpsTime(fwd, ops.attention, rates, 1);
  addOpsTime(fwd, ops.memory, rates, 1);
  const bwd: OpTime = { computeS: 0, memoryS: 0 };
  // Data-gradient and weight-gradient GEMMs; frozen (LoRA) weights need only the data gradient.
  for (const op of ops.matmul)
    addOpTime(bwd, op, rates, job.lora !== null && op.weights !== undefined ? 1 : 2);
  // LoRA adapters: x·A·B beside every adapted matrix, trained fully (forward, data and weight
  // gradients): 2 FLOPs per adapter parameter per token passing through it.
  if (job.lora !== null) {
    const a = loraLayerParams(job.model, job.lora, moe);
    const tokens = ops.hiddenBytes / (job.model.hidden * activationBytes(job));
    const expertVisits = job.model.moe !== null ? job.model.moe.topK / job.model.moe.experts : 0;
    const params = (a.dense + a.experts * expertVisits) / p.tp;
    const adapter: Op = {
      kind: "matmul",
      flops: 2 * tokens * params,
      bytes: (tokens * params * activationBytes(job)) / job.lora.rank,
    };
    addOpTime(fwd, adapter, rates, 1);
    addOpTime(bwd, adapter, rates, 2);
  }
  const flashBwd = job.attention === "flash" ? calibration.flashBackwardFlopsRatio : 2;
  addOpsTime(bwd, ops.attention, rates, flashBwd, job.attention === "flash");
  addOpsTime(bwd, ops.memory, rates, 2);
  addOpsTime(bwd, ops.backwardMemory, rates, 1);
  const fwdTotal = fwd.computeS + fwd.memoryS;
  const attentionFwd = opsTime(ops.attention, rates);
  // Matmul time of forward + backward: the window tensor-parallel overlap can hide behind.
  const matmulS = 3 * opsTime(ops.matmul, rates);

  // Tensor parallelism: two all-reduces (or all-gather + reduce-scatter pairs with sequence parallelism,
  // the same volume) forward and two backward per layer (Shoeybi et al. 2019; Korthikanti et al. 2022).
  // The pairs run as ring collectives, which NVLink SHARP does not speed up as it does all-reduce.
  const tpOne = p.sequenceParallel
    ? groupCollectiveTime(net, "all-gather", ops.hiddenBytes, p.tp, 1) +
      groupCollectiveTime(net, "reduce-scatter", ops.hiddenBytes, p.tp, 1)
    : groupCollectiveTime(net, "all-reduce", ops.hiddenBytes, p.tp, 1);
  const tpFwd = 2 * tpOne;
  let tp = 2 * tpFwd;
  // Sequence parallelism keeps only this rank's slice of the QKV and MLP-up inputs, so backward gathers
  // them again for the weight gradients: two more all-gathers, each half an all-reduce's traffic
  // (Korthikanti et al. 2022 §4.2.2; Megatron-Core's gather in LinearWithGradAccumulationAndAsyncComm).
  if (p.sequenceParallel) tp += 2 * (tpOne / 2);
  // Context parallelism: ring exchange of K and V shards, overlapped with the attention kernel.
  let cp = 0;
  if (p.cp > 1) {
    const m = job.model;
    const kvWidth =
      m.mla !== null ? m.mla.kvLoraRank + m.mla.qkRopeHeadDim : (2 * m.kvHeads * m.headDim) / p.tp;
    const kvBytes = (ops.hiddenBytes / m.hidden) * kvWidth;
    // A ring step waits for its slowest hop: the cp ranks sit tp apart, so a ring wider than the
    // scale-up domain crosses the scale-out network at least once per step.
    const hop = groupCollectiveTime(net, "p2p", kvBytes, p.cp, p.tp);
    const fwdComm = (p.cp - 1) * hop;
    cp =
      Math.max(0, fwdComm - attentionFwd) +
      Math.max(0, 2 * fwdComm - attentionFwd * calibration.flashBackwardFlopsRatio);
    // The hidden part of the exchange (over the scale-up link) still slows the attention kernels.
    cp += calibration.overlapSlowdownScaleUp * (3 * fwdComm - cp);
  }
  // Expert parallelism: dispatch and combine all-to-all forward, and both again backward.
  let ep = 0;
  if (moe && job.model.moe !== null && p.ep > 1) {
    // Tokens this rank routes (sequence parallelism leaves each tensor-parallel rank 1/tp of them).
    const e = activationBytes(job);
    const tokens = ops.hiddenBytes / (job.model.hidden * e) / p.tp;
    // Tokens travel in the GEMM input format (8-bit for fp8/fp4 training) to the experts and return in 16-bit.
    const dispatchElement = isLowPrecision(job.precision) ? 1 : e;
    const combineElement = e;
    ep =
      2 *
        expertAllToAllTime(
          net,
          job.model.moe,
          tokens * job.model.hidden * dispatchElement,
          p.ep,
          p.tp * p.cp,
        ) +
      2 *
        expertAllToAllTime(net, job.model.moe, tokens * job.model.hidden * combineElement, p.ep, p.tp * p.cp);
  }

  // Full recompute re-runs the forward (with its tensor-parallel collectives) before backward.
  let recompute = 0;
  if (p.recompute === "full") {
    recompute = fwdTotal + tpFwd;
  } else if (p.recompute === "selective") {
    recompute = opsTime(ops.attentionCore, rates);
  }
  if (p.recompute !== "full" && job.recomputeModules !== undefined) {
    const r = ops.recomputable;
    for (const mod of job.recomputeModules) {
      recompute += opsTime(
        mod === "layernorm" ? r.layernorm : mod === "mla-up-proj" ? r.mlaUpProj : r.moeAct,
        rates,
      );
    }
  }
  if (job.tpCommOverlap && p.tp > 1) tp = tpOverlapped(tp, matmulS, p.tp, rates, calibration);
  if (job.epCommOverlap) {
    const exposed = Math.max(0, ep - (fwd.computeS + fwd.memoryS + bwd.computeS + bwd.memoryS));
    // SMs reserved for the communication kernels (commSmShare) already slow the compute beside them.
    const hiddenCost = (job.commSmShare ?? 0) > 0 ? 0 : calibration.overlapSlowdownScaleOut;
    ep = exposed + hiddenCost * (ep - exposed);
  }
  return {
    compute: fwd.computeS + bwd.computeS,
    memory: fwd.memoryS + bwd.memoryS,
    recompute,
    tp,
    cp,
    ep,
    fwd: fwdTotal,
    wgrad: job.lora !== null ? 0 : opsTime(ops.matmul, rates),
  };
}

/**
 * Tensor-parallel communication overlapped as Transformer Engine's userbuffers do it. Every layer GEMM
 * is next to a collective: the all-gathers before the QKV and MLP-up GEMMs (and before the data-gradient
 * GEMMs of the output and MLP-down projections in backward) run as a ring exchange on the copy engines,
 * splitting their GEMM into tp chunks; the reduce-scatters after the output and MLP-down GEMMs (and
 * after the QKV and MLP-up data gradients) are pipelined with their GEMM in `tpOverlapRsSplits` chunks on
 * SMs it gives up. Those reduce-scatter GEMMs are one forward's worth of the layer's forward + backward
 * GEMM time (a third), the all-gather ones another third. What the GEMMs cannot cover stays exposed.
 */
function tpOverlapped(
  tp: number,
  matmulS: number,
  tpSize: number,
  rates: DeviceRates,
  calibration: Calibration,
): number {
  const exposed = Math.max(0, tp - matmulS);
  const share = calibration.tpOverlapSmShare;
  const rsGemms = matmulS / 3;
  const smCost = (rsGemms * share) / (1 - share);
  // Extra kernel latencies of the split GEMMs: 4 all-gather GEMMs in tp chunks, 4 reduce-scatter ones in splits.
  const splitCost = 4 * (tpSize - 1 + calibration.tpOverlapRsSplits - 1) * rates.gemm.latencyS;
  return exposed + smCost + splitCost;
}

/**
 * The sequence length an attention kernel sees: context parallelism hands each kernel call one rank's
 * share of the queries against one ring step's keys, s/cp long (the ring-attention chunks).
 */
function kernelSeqLen(job: TrainingJob, p: Parallelism): number {
  return job.seqLen / p.cp;
}

function bf16Rates(job: TrainingJob, p: Parallelism, calibration: Calibration): DeviceRates {
  return deviceRates(job.accelerator, "bf16", calibration, "training.precision", {
    seqLen: kernelSeqLen(job, p),
  });
}

/** Share of SMs a job's overlapped communication kernels hold, stretching the compute that runs beside them. */
function smStretch(job: TrainingJob): number {
  return 1 / (1 - (job.commSmShare ?? 0));
}

/**
 * One layer's time under the precision recipe: the NVFP4 recipe keeps a share of the layers in BF16
 * (CALIBRATION.fp4HighPrecisionLayerShare), so an fp4 layer is that blend of fp4 and bf16 layers. Compute
 * shares the SMs with overlapped communication kernels (`commSmShare`).
 */
function recipeLayerTime(
  job: TrainingJob,
  p: Parallelism,
  shard: Parameters<typeof layerForwardOps>[1],
  rates: DeviceRates,
  net: Network,
  moe: boolean,
  calibration: Calibration,
): LayerTime {
  const stretch = smStretch(job);
  const one = (j: TrainingJob, s: typeof shard, r: DeviceRates) => {
    const t = layerTime(j, p, layerForwardOps(j.model, s, moe), r, net, moe, calibration);
    return {
      ...t,
      compute: t.compute * stretch,
      memory: t.memory * stretch,
      recompute: t.recompute * stretch,
      fwd: t.fwd * stretch,
      wgrad: t.wgrad * stretch,
    };
  };
  const low = one(job, shard, rates);
  if (job.precision !== "fp4") return low;
  const share = calibration.fp4HighPrecisionLayerShare;
  const high = one(
    { ...job, precision: "bf16" },
    { ...shard, format: trainingFormat("bf16") },
    bf16Rates(job, p, calibration),
  );
  return weighted(low, 1 - share, high, share);
}

/** a·wa + b·wb, cause by cause. */
function weighted(a: LayerTime, wa: number, b: LayerTime, wb: number): LayerTime {
  const mix = (k: keyof LayerTime) => a[k] * wa + b[k] * wb;
  return {
    compute: mix("compute"),
    memory: mix("memory"),
    recompute: mix("recompute"),
    tp: mix("tp"),
    cp: mix("cp"),
    ep: mix("ep"),
    fwd: mix("fwd"),
    wgrad: mix("wgrad"),
  };
}

const ZERO_BREAKDOWN: Breakdown = {
  compute: 0,
  "hbm-bandwidth": 0,
  recompute: 0,
  "tensor-parallel": 0,
  "context-parallel": 0,
  "expert-parallel": 0,
  "pipeline-p2p": 0,
  "pipeline-bubble": 0,
  "data-parallel": 0,
  optimizer: 0,
};

/** Cached per-(job, shard) layer timings: the search re-evaluates the same shard many times. */
export interface EvalCache {
  readonly layers: Map<string, { dense: LayerTime; moe: LayerTime | null; head: number; embed: number }>;
}

export function newEvalCache(): EvalCache {
  return { layers: new Map() };
}

type ShardTimings = EvalCache["layers"] extends Map<string, infer V> ? V : never;

/**
 * Timings of one micro-batch's shard, cached by the shard's shape: a dense and (for MoE) an expert
 * layer, forward + backward + recompute with their collectives, the LM head with its loss, and the
 * embedding.
 */
function shardTimings(
  job: TrainingJob,
  p: Parallelism,
  rates: DeviceRates,
  net: Network,
  calibration: Calibration,
  cache: EvalCache | undefined,
): ShardTimings {
  const m = job.model;
  const e = activationBytes(job);
  const tokens = (job.seqLen / p.cp) * p.microBatch;
  const key = `${p.tp}/${p.cp}/${p.microBatch}/${p.ep}/${p.sequenceParallel}/${p.recompute}`;
  const known = cache?.layers.get(key);
  if (known !== undefined) return known;
  const shard = {
    tokens,
    contextLen: job.seqLen,
    microBatch: p.microBatch,
    tp: p.tp,
    ep: p.ep,
    sequenceParallel: p.sequenceParallel,
    format: trainingFormat(job.precision),
    attention: job.attention,
    dropout: job.dropout,
  };
  const dense = recipeLayerTime(job, p, shard, rates, net, false, calibration);
  const moe = m.moe !== null ? recipeLayerTime(job, p, shard, rates, net, true, calibration) : null;
  // LM head GEMM (forward + two backward GEMMs) and the vocabulary-parallel cross-entropy.
  const w = job.precision === "fp32" ? 4 : 2;
  const headGemm: Op = {
    kind: "matmul",
    flops: (2 * tokens * m.hidden * m.vocab) / p.tp,
    bytes: tokens * m.hidden * w + (m.hidden * m.vocab * w) / p.tp + (tokens * m.vocab * e) / p.tp,
    k: m.hidden,
  };
  const loss: Op = { kind: "memory", flops: 0, bytes: (tokens * m.vocab * (2 * e + 8)) / p.tp };
  // The output layer stays 16-bit in 8- and 4-bit recipes (Transformer Engine keeps it in BF16).
  const headRates = isLowPrecision(job.precision) ? bf16Rates(job, p, calibration) : rates;
  const head =
    opsTime([headGemm], headRates, 3) +
    opsTime([loss], rates) +
    2 * groupCollectiveTime(net, "all-reduce", tokens * 4, p.tp, 1);
  const embed = opsTime([{ kind: "memory", flops: 0, bytes: tokens * m.hidden * (e + 4) }], rates, 1);
  const lt = { dense, moe, head, embed };
  cache?.layers.set(key, lt);
  return lt;
}

/**
 * Data-parallel traffic left exposed after its overlap window, and the optimizer step over the local
 * shard, for a configuration whose per-micro-batch stage time, bubble and slowest stage are known.
 */
function dataParallelAndOptimizer(
  job: TrainingJob,
  p: Parallelism,
  net: Network,
  rates: DeviceRates,
  calibration: Calibration,
  step: {
    readonly stages: readonly number[];
    readonly placement: readonly number[];
    readonly perMicro: number;
    readonly bubble: number;
    readonly worstTotal: number;
    readonly microBatches: number;
  },
): { dpExposed: number; optimizer: number } {
  const m = job.model;
  const { stages, placement, perMicro, bubble, worstTotal, microBatches } = step;
  // Data parallelism over dp·cp ranks: reduce-scatter of gradients then all-gather of parameters (ZeRO ≥ 1,
  // the same volume as an all-reduce), plus for ZeRO-3 a parameter all-gather forward and backward.
  const stateBytes = stateBytesPerParam(job.precision, job.optimizerStates);
  // What one pipeline rank holds: its stage's, or in DualPipe its two stages' parameters.
  const onRank = <T extends { readonly dense: number; readonly experts: number }>(
    rank: number,
    of: (stage: number) => T,
  ) => {
    let dense = 0;
    let experts = 0;
    for (const st of rankStages(job, p.pp, rank)) {
      const c = of(st);
      dense += c.dense;
      experts += c.experts;
    }
    return { dense, experts };
  };
  // ZeRO-3 gathers every parameter (frozen LoRA bases too) of the heaviest rank.
  const heaviestStageParams = Math.max(
    ...stages.map((r) => {
      const c = onRank(r, (st) => stageParams(m, p, st, m.mtpDepth, placement));
      return c.dense + c.experts;
    }),
  );
  // The rank holding the most trainable parameters sets the data-parallel volume.
  const trainableOn = (r: number) =>
    onRank(r, (st) => trainableStageParams(m, p, st, job.lora, m.mtpDepth, placement));
  let sp0 = trainableOn(job.pipelineSchedule === "dualpipe" && p.pp > 1 ? 0 : p.pp - 1);
  for (const s of stages) {
    const c = trainableOn(s);
    if (c.dense + c.experts > sp0.dense + sp0.experts) sp0 = c;
  }
  const dpRanks = p.dp * p.cp;
  const dpStride = p.tp;
  const denseGradBytes = sp0.dense * stateBytes.grads;
  const expertGradBytes = sp0.experts * stateBytes.grads;
  const expertRanks = dpRanks / p.ep;
  const gradReduce =
    groupCollectiveTime(net, "reduce-scatter", denseGradBytes, dpRanks, dpStride) +
    groupCollectiveTime(net, "reduce-scatter", expertGradBytes, expertRanks, dpStride * p.ep);
  const paramGather =
    groupCollectiveTime(net, "all-gather", sp0.dense * stateBytes.weights, dpRanks, dpStride) +
    groupCollectiveTime(net, "all-gather", sp0.experts * stateBytes.weights, expertRanks, dpStride * p.ep);
  let dpComm: number;
  let dpOverlapWindow: number;
  if (p.zero <= 1) {
    // Full gradients accumulate locally; one reduce-scatter (all-reduce for ZeRO-0: the same volume) and
    // one parameter all-gather per step. Bucketed, the reduce-scatter hides behind the last micro-batch's
    // backward and the all-gather behind the first one's forward (Megatron overlap_grad_reduce /
    // overlap_param_gather): one micro-batch's time on the stage (communication waits included: DP
    // collectives run on their own stream and links). With v virtual stages, stage 0's deeper chunks finish
    // their last backward during the pipeline drain (and start their first forward during the fill), so
    // (v−1)/v of the bubble, when the stage would otherwise wait, also hides DP traffic.
    dpComm = gradReduce + paramGather;
    dpOverlapWindow = perMicro + (bubble * (p.interleave - 1)) / p.interleave;
  } else {
    // ZeRO-2/3 and FSDP keep only a gradient shard, so every micro-batch's backward reduce-scatters its
    // gradients (DeepSpeed, PyTorch FSDP); ZeRO-3 also gathers the parameters again for the forward and
    // the backward of every micro-batch. Prefetching hides it behind the whole step's compute.
    dpComm = microBatches * gradReduce + paramGather;
    if (p.zero >= 3) {
      dpComm +=
        2 *
        microBatches *
        groupCollectiveTime(net, "all-gather", heaviestStageParams * stateBytes.weights, dpRanks, dpStride);
    }
    dpOverlapWindow = worstTotal * microBatches;
  }
  if (!job.dpOverlap) dpOverlapWindow = 0;
  // What is hidden still slows compute: NIC traffic lightly, traffic inside the scale-up domain more.
  const dpInDomain = membersPerDomain(job.domainSize, dpRanks, dpStride) >= dpRanks;
  const dpHiddenCost = dpInDomain ? calibration.overlapSlowdownScaleUp : calibration.overlapSlowdownScaleOut;
  const dpHidden = Math.min(dpComm, dpOverlapWindow);
  const dpExposed = dpRanks > 1 ? Math.max(0, dpComm - dpOverlapWindow) + dpHiddenCost * dpHidden : 0;

  // Adam step over the local shard, memory bound.
  const localParams = (sp0.dense + sp0.experts) / (p.zero >= 1 ? dpRanks : 1);
  // bf16 Adam moments read and write 8 bytes fewer per parameter.
  const optimizerBytes = calibration.optimizerBytesPerParam - (job.optimizerStates === "bf16" ? 8 : 0);
  const optimizer = (localParams * optimizerBytes) / rates.memoryBytesPerS;

  return { dpExposed, optimizer };
}

/**
 * Idle pipeline time per step. 1F1B: (p − 1)/v micro-batch times. DualPipe (DeepSeek-V3 Table 2):
 * (p/2 − 1)·(F&B + B − 3W) with F, B, W a chunk's forward, input-gradient and weight-gradient times and
 * F&B ≈ F + B (one chunk's forward beside another's backward, their communication hidden in each other).
 */
function pipelineBubble(job: TrainingJob, p: Parallelism, worst: LayerTime, perMicro: number): number {
  if (p.pp <= 1) return 0;
  if (job.pipelineSchedule !== "dualpipe") return ((p.pp - 1) / p.interleave) * perMicro;
  const f = worst.fwd;
  const w = worst.wgrad;
  const b = Math.max(0, perMicro - f - w);
  return (p.pp / 2 - 1) * Math.max(0, f + 2 * b - 3 * w);
}

/**
 * Evaluate one training configuration: step time with its breakdown by cause, MFU, memory per
 * accelerator and whether it fits. The parallelism must be valid (see `parallelismProblem`).
 */
export function evaluateTraining(
  job: TrainingJob,
  p: Parallelism,
  calibration: Calibration = CALIBRATION,
  cache?: EvalCache,
): TrainResult {
  const m = job.model;
  const acc = job.accelerator;
  const microBatches = job.globalBatch / (p.dp * p.microBatch);
  const rates = deviceRates(acc, job.precision, calibration, "training.precision", {
    seqLen: kernelSeqLen(job, p),
    blockwise: job.fp8Scaling === "blockwise",
  });
  const net = acceleratorNetwork(acc, job.domainSize, calibration, job.pod);
  const e = activationBytes(job);
  const tokens = (job.seqLen / p.cp) * p.microBatch;

  const lt = shardTimings(job, p, rates, net, calibration, cache);
  const placement = pipelinePlacement(job, p.pp);

  // Per-stage time of one micro-batch through all of the stage's layers (all virtual chunks).
  const stageCost = (stage: number): LayerTime => {
    const sp = stageParams(m, p, stage, m.mtpDepth, placement);
    const t = weighted(lt.dense, sp.layers - sp.moeLayers, lt.moe ?? lt.dense, sp.moeLayers);
    // The last stage also runs each MTP module's embedding lookup and output head (its block is counted
    // among the stage's layers; its 2h→h projection, a sixth of a layer's GEMMs or less, is left out).
    const extra =
      (stage === 0 ? lt.embed : 0) +
      (stage === p.pp - 1 ? (1 + m.mtpDepth) * lt.head + m.mtpDepth * lt.embed : 0);
    // The head and embedding: one forward and two backward GEMM-like passes, a third each.
    return { ...t, compute: t.compute + extra, fwd: t.fwd + extra / 3, wgrad: t.wgrad + extra / 3 };
  };
  // Per micro-batch on a pipeline rank: its stage, or in DualPipe the mean of its two (it runs m/2
  // micro-batches through each).
  const dual = job.pipelineSchedule === "dualpipe" && p.pp > 1;
  const rankCost = (rank: number): LayerTime =>
    dual ? weighted(stageCost(rank), 0.5, stageCost(p.pp - 1 - rank), 0.5) : stageCost(rank);
  const stages = representativeRanks(job, placement);
  let worst = rankCost(stages[0] ?? 0);
  let worstTotal = -1;
  for (const s of stages) {
    const c = s === (stages[0] ?? 0) ? worst : rankCost(s);
    const total = c.compute + c.memory + c.recompute + c.tp + c.cp + c.ep;
    if (total > worstTotal) {
      worst = c;
      worstTotal = total;
    }
  }

  // Pipeline point-to-point: each micro-batch crosses every virtual-stage boundary forward and backward.
  const actBytes = (tokens * m.hidden * e) / (p.sequenceParallel ? p.tp : 1);
  const p2pOne = p.pp > 1 ? groupCollectiveTime(net, "p2p", actBytes, 2, p.tp * p.cp * p.dp) : 0;
  // With the interleaved schedule Megatron-core posts each send/receive before the next chunk's compute
  // (overlap_p2p_comm), so only what a chunk's compute cannot cover stays exposed; plain 1F1B (and
  // Megatron-LM before 2022) waits for every transfer.
  const p2pAll = p.pp > 1 ? 2 * p.interleave * p2pOne : 0;
  const chunkTime = worstTotal / p.interleave;
  // DualPipe overlaps each transfer with the opposite direction's chunk.
  const overlapsP2p = job.ppCommOverlap && (p.interleave > 1 || job.pipelineSchedule === "dualpipe");
  const p2pExposed = overlapsP2p ? 2 * p.interleave * Math.max(0, p2pOne - chunkTime / 2) : p2pAll;
  const ppInDomain = p.pp > 1 && membersPerDomain(job.domainSize, 2, p.tp * p.cp * p.dp) >= 2;
  const p2pPerMicro =
    p2pExposed +
    (ppInDomain ? calibration.overlapSlowdownScaleUp : calibration.overlapSlowdownScaleOut) *
      (p2pAll - p2pExposed);

  const perMicro = worstTotal + p2pPerMicro;
  const bubble = pipelineBubble(job, p, worst, perMicro);

  const { dpExposed, optimizer } = dataParallelAndOptimizer(job, p, net, rates, calibration, {
    stages,
    placement,
    perMicro,
    bubble,
    worstTotal,
    microBatches,
  });

  const stepTimeS = microBatches * perMicro + bubble + dpExposed + optimizer;
  const breakdown: Breakdown = {
    ...ZERO_BREAKDOWN,
    compute: microBatches * worst.compute,
    "hbm-bandwidth": microBatches * worst.memory,
    recompute: microBatches * worst.recompute,
    "tensor-parallel": microBatches * worst.tp,
    "context-parallel": microBatches * worst.cp,
    "expert-parallel": microBatches * worst.ep,
    "pipeline-p2p": microBatches * p2pPerMicro,
    "pipeline-bubble": bubble,
    "data-parallel": dpExposed,
    optimizer,
  };

  const tokensPerStep = job.globalBatch * job.seqLen;
  const modelFlops = modelFlopsPerToken(m, job.seqLen) * tokensPerStep;
  const totalPeak = rates.peakFlopsPerS * job.gpus;
  const mfu = modelFlops / (stepTimeS * totalPeak);
  const recomputeFlopsShare = p.recompute === "full" ? 1 / 3 : 0;
  const hfu = mfu * (1 + recomputeFlopsShare);
  const memory = trainingMemory(job, p, microBatches);
  const tokensPerS = tokensPerStep / stepTimeS;
  const base = {
    parallelism: p,
    memory,
    memoryPerGpuGiB: memory.totalBytes / GiB,
    stepTimeS,
    tokensPerS,
    mfu,
    hfu,
    modelTflopsPerGpu: modelFlops / stepTimeS / job.gpus / 1e12,
    breakdown,
    timeToTrainDays: job.tokens !== null ? job.tokens / tokensPerS / SECONDS_PER_DAY : null,
    microBatches,
  };
  if (memory.totalBytes > acc.hbmBytes) {
    const over = (memory.totalBytes - acc.hbmBytes) / GiB;
    return {
      ...base,
      fits: false,
      bottleneck: "hbm-capacity",
      reason: `needs ${(memory.totalBytes / GiB).toFixed(1)} GiB per accelerator, ${over.toFixed(1)} GiB over the ${(acc.hbmBytes / GiB).toFixed(1)} GiB of HBM (weights ${(memory.weightsBytes / GiB).toFixed(1)}, gradients ${(memory.gradientsBytes / GiB).toFixed(1)}, optimizer ${(memory.optimizerBytes / GiB).toFixed(1)}, activations ${(memory.activationsBytes / GiB).toFixed(1)}, buffers ${(memory.buffersBytes / GiB).toFixed(1)})`,
    };
  }
  return { ...base, fits: true, bottleneck: largestCause(breakdown) };
}

export function largestCause(b: Breakdown): Cause {
  let best: Cause = "compute";
  for (const [k, v] of Object.entries(b) as [Cause, number][]) if (v > b[best]) best = k;
  return best;
}

/** Total parameters, re-exported for reports. */
export { paramCount };

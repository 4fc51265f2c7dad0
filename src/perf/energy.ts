import type { Accelerator, Assumptions, HbmGeneration, Model } from "../catalog/index.js";
import type { Precision } from "../units.js";
import { moeLayerCount, paramCount } from "./accounting.js";
import type { ServingCapacity } from "./capacity.js";
import { defaultKvPrecision, type InferencePrecision, inferenceFormat, kvElementBytes } from "./infer.js";
import {
  kvBytesPerTokenPerRank,
  type LayerOps,
  layerForwardOps,
  touchedExperts,
  trainingFormat,
} from "./layer.js";
import { activationBytes } from "./memory.js";
import { gemmCurveOf, type Op } from "./roofline.js";
import type { TrainFit, TrainingJob } from "./types.js";

/** What an accelerator moves and computes in some span of work, per accelerator. */
export interface Traffic {
  /** FLOPs executed (recompute included). */
  readonly flops: number;
  /** Bytes read from and written to HBM. */
  readonly hbmBytes: number;
  /** Bytes sent over the scale-up (NVLink-class) and scale-out (NIC) links. */
  readonly scaleUpBytes: number;
  readonly scaleOutBytes: number;
  /** Seconds the accelerator is busy with it. */
  readonly seconds: number;
}

/** Energy by part, joules. `other` is the accelerator's static power and the rest of its server. */
export interface EnergyParts {
  readonly compute: number;
  readonly hbm: number;
  readonly network: number;
  readonly other: number;
  readonly facility: number;
}

/** Shares of the total that sum to 1. */
export type EnergyShares = EnergyParts;

/** The energy constants: per-FLOP, per-bit and static power, with where each comes from. */
export interface EnergyRates {
  readonly pjPerFlop: number;
  readonly hbmPjPerBit: number;
  readonly scaleUpPjPerBit: number;
  readonly scaleOutPjPerBit: number;
  /** Accelerator static power, W. */
  readonly staticW: number;
  /** The rest of the server per accelerator (CPUs, NICs, fans, conversion), W at the load factor. */
  readonly restOfServerW: number;
  readonly tdpW: number;
}

const bytesOf = (ops: readonly Op[]) => ops.reduce((s, o) => s + o.bytes, 0);

/**
 * Energy per FLOP of a precision = TDP × computePowerShare / the sustained GEMM rate of that precision
 * (peak × the measured GEMM plateau: a chip running large GEMMs sits at its power limit, so the measured
 * sustained rate is what that power buys); HBM at the generation's pJ/bit where the catalog has a
 * primary figure, else the hbmPjPerBit assumption; links at the scale-up / scale-out pJ/bit assumptions.
 * Without a TDP the accelerator draws its system's per-accelerator power less the rest of the server.
 */
export function energyRates(
  acc: Accelerator,
  gen: HbmGeneration | null,
  precision: Precision,
  kwPerAcceleratorServer: number,
  a: Assumptions,
  loadFactor: number,
): EnergyRates {
  const serverW = kwPerAcceleratorServer * 1000;
  const tdpW = acc.tdpW ?? serverW * 0.75;
  const peak = acc.peakFlops[precision] ?? acc.peakFlops.bf16 ?? 1;
  const sustained = peak * gemmCurveOf(acc, precision).plateau;
  return {
    pjPerFlop: ((tdpW * a.computePowerShare) / sustained) * 1e12,
    hbmPjPerBit: gen?.energyPjPerBit ?? a.hbmPjPerBit,
    scaleUpPjPerBit: a.scaleUpPjPerBit,
    scaleOutPjPerBit: a.scaleOutPjPerBit,
    staticW: tdpW * a.acceleratorStaticShare,
    restOfServerW: Math.max(0, serverW - tdpW) * loadFactor,
    tdpW,
  };
}

/** Energy of some traffic by part: FLOPs × pJ/FLOP, bits × pJ/bit, static and server power × time, facility from PUE. */
export function energyOf(t: Traffic, r: EnergyRates, pue: number): EnergyParts {
  const it = {
    compute: t.flops * r.pjPerFlop * 1e-12,
    hbm: t.hbmBytes * 8 * r.hbmPjPerBit * 1e-12,
    network: (t.scaleUpBytes * r.scaleUpPjPerBit + t.scaleOutBytes * r.scaleOutPjPerBit) * 8 * 1e-12,
    other: (r.staticW + r.restOfServerW) * t.seconds,
  };
  const total = it.compute + it.hbm + it.network + it.other;
  return { ...it, facility: total * (pue - 1) };
}

export function sumParts(p: EnergyParts): number {
  return p.compute + p.hbm + p.network + p.other + p.facility;
}

export function sharesOf(p: EnergyParts): EnergyShares {
  const t = sumParts(p);
  return {
    compute: p.compute / t,
    hbm: p.hbm / t,
    network: p.network / t,
    other: p.other / t,
    facility: p.facility / t,
  };
}

/** Forward bytes of a layer's operators, and its whole step (forward, two backward GEMMs, recompute). */
function layerStepBytes(ops: LayerOps, recompute: TrainFit["parallelism"]["recompute"]): number {
  const fwd = bytesOf(ops.matmul) + bytesOf(ops.attention) + bytesOf(ops.memory);
  const redo = recompute === "full" ? fwd : recompute === "selective" ? bytesOf(ops.attentionCore) : 0;
  return 3 * fwd + bytesOf(ops.backwardMemory) + redo;
}

/**
 * One optimizer step's traffic on one accelerator, from the performance model's own operator lists:
 * HBM bytes of every layer's forward, backward and recompute per micro-batch, and the weights, gradients
 * and optimizer states read and written once; link bytes of the tensor-parallel collectives (4 per layer
 * per micro-batch, ring: 2(n−1)/n of the tensor), the expert all-to-alls (dispatch and combine, forward
 * and backward), the pipeline's activations and gradients, and the data-parallel gradient reduction.
 * Groups that fit in the scale-up domain use it; the rest go over scale-out. FLOPs: the hardware FLOPs
 * the model counted (HFU × peak × step time). Not counted: context-parallel KV exchange, the LM head.
 */
export function trainingStepTraffic(job: TrainingJob, r: TrainFit): Traffic {
  const m = job.model;
  const p = r.parallelism;
  const tokens = (job.seqLen / p.cp) * p.microBatch;
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
  const nMoe = moeLayerCount(m);
  const dense = layerForwardOps(m, shard, false);
  const moe = nMoe > 0 ? layerForwardOps(m, shard, true) : null;
  const micro = r.microBatches;
  const layerBytes =
    ((m.layers - nMoe) * layerStepBytes(dense, p.recompute) +
      (moe !== null ? nMoe * layerStepBytes(moe, p.recompute) : 0)) /
    p.pp;
  const mem = r.memory;
  const hbmBytes = micro * layerBytes + 2 * (mem.weightsBytes + mem.gradientsBytes + mem.optimizerBytes);
  const domain = job.accelerator.scaleUp.domainSize;
  const ring = (n: number) => (n > 1 ? (2 * (n - 1)) / n : 0);
  const e = activationBytes(job);
  const tp = (micro * m.layers * 4 * ring(p.tp) * dense.hiddenBytes) / p.pp;
  const topK = m.moe?.topK ?? 0;
  const ep = p.ep > 1 ? (micro * nMoe * 4 * tokens * topK * m.hidden * e * (p.ep - 1)) / p.ep / p.pp : 0;
  const pp = p.pp > 1 ? micro * 2 * dense.hiddenBytes : 0;
  const params = paramCount(m);
  const expertShare = m.moe !== null ? (params.total - params.active) / params.total : 0;
  const gradBytes = (params.total * 2 * (1 - expertShare + expertShare / p.ep)) / (p.tp * p.pp);
  const dp = ring(p.dp) * gradBytes;
  const up = (n: number) => p.tp * n <= domain;
  const links = [
    { bytes: tp, local: p.tp <= domain },
    { bytes: ep, local: up(p.ep) },
    { bytes: pp, local: up(p.pp) },
    { bytes: dp, local: p.tp * p.cp * p.dp <= domain },
  ];
  const peak = job.accelerator.peakFlops[job.precision] ?? 0;
  return {
    flops: r.hfu * peak * r.stepTimeS,
    hbmBytes,
    scaleUpBytes: links.filter((l) => l.local).reduce((s, l) => s + l.bytes, 0),
    scaleOutBytes: links.filter((l) => !l.local).reduce((s, l) => s + l.bytes, 0),
    seconds: r.stepTimeS,
  };
}

/**
 * Traffic per output token of a service at its capacity point, per accelerator-share: the decode step's
 * FLOPs (2 per active matmul parameter per token), weights read once per step (MoE: the experts the
 * batch touches) and the KV cache read at the mean context, and the tensor-parallel all-reduces (2 per
 * layer); each request's prefill (2 FLOPs per active parameter per prompt token, the KV written) spread
 * over its output tokens. Time: the accelerator-seconds a token holds at peak capacity × peakToMeanLoad
 * (the fleet is sized for the peak).
 */
export function servingTokenTraffic(
  model: Model,
  precision: InferencePrecision,
  inputTokens: number,
  outputTokens: number,
  cap: ServingCapacity,
  domainSize: number,
  peakToMeanLoad: number,
): Traffic {
  const f = inferenceFormat(precision);
  const kvPrecision = defaultKvPrecision(precision);
  const params = paramCount(model);
  const b = cap.batch;
  const { tp, pp } = cap.shape;
  const experts = model.moe;
  const weightsRead =
    experts === null
      ? params.total * f.weightBytes
      : (params.active +
          ((params.total - params.active) * touchedExperts(experts.experts, experts.topK, b)) /
            Math.max(1, experts.experts)) *
        f.weightBytes;
  const kvPerToken = kvBytesPerTokenPerRank(model, tp, kvElementBytes({ kvPrecision })) * tp;
  const meanContext = inputTokens + outputTokens / 2;
  const decodeBytes = weightsRead + b * meanContext * kvPerToken;
  const prefillBytes = (inputTokens * kvPerToken) / outputTokens;
  const decodeFlops = 2 * params.matmulActive;
  const prefillFlops = (2 * params.matmulActive * inputTokens) / outputTokens;
  const ring = tp > 1 ? (2 * (tp - 1)) / tp : 0;
  const linkBytes = 2 * model.layers * model.hidden * 2 * ring * (1 + inputTokens / outputTokens);
  return {
    flops: decodeFlops + prefillFlops,
    hbmBytes: decodeBytes / b + prefillBytes,
    scaleUpBytes: tp <= domainSize ? linkBytes : 0,
    // Pipeline stages pass each token's hidden state on (16-bit), over scale-out.
    scaleOutBytes:
      (tp <= domainSize ? 0 : linkBytes) + model.hidden * 2 * (pp - 1) * (1 + inputTokens / outputTokens),
    seconds: peakToMeanLoad / cap.tokensPerSPerGpu,
  };
}

/**
 * The cross-check: what the accelerator itself draws (compute, HBM, static power) never exceeds its TDP
 * over the busy time (`seconds` at full utilisation: the served time over peakToMeanLoad for serving).
 */
export function acceleratorEnergyWithinTdp(parts: EnergyParts, r: EnergyRates, busySeconds: number): boolean {
  return parts.compute + parts.hbm + r.staticW * busySeconds <= r.tdpW * busySeconds * (1 + 1e-9);
}

import {
  DEFAULT_ENGINE_PRESET,
  type EngineSettings,
  INFERENCE_ENGINE_PRESETS,
  INFERENCE_ENGINES,
  type InferenceEngine,
} from "../catalog/index.js";
import { InputError } from "../errors.js";
import { exponential, type Random, seededRandom, standardNormal } from "../random.js";
import { attentionDims } from "./accounting.js";
import { CALIBRATION, type Calibration } from "./calibration.js";
import { expertAllToAllTime, groupCollectiveTime } from "./collectives.js";
import {
  type InferenceJob,
  inferenceFormat,
  inferenceMemory,
  kvElementBytes,
  type ReplicaShape,
  servingNetwork,
  servingRates,
} from "./infer.js";
import { kvBytesPerTokenPerRank, layerForwardOps } from "./layer.js";
import { representativeStages, stageParams } from "./memory.js";
import { type IterationModel, simulateReplica } from "./replica.js";
import { addOpsTime, type OpTime } from "./roofline.js";

export type { IterationModel } from "./replica.js";

/** A length in tokens: fixed, or drawn from a distribution (clamped to [min, max] and to ≥ 1). */
export type LengthSpec =
  | number
  | { readonly dist: "uniform"; readonly min: number; readonly max: number }
  | {
      readonly dist: "normal" | "lognormal";
      readonly mean: number;
      readonly sd: number;
      readonly min?: number;
      readonly max?: number;
    }
  | { readonly dist: "exponential"; readonly mean: number; readonly min?: number; readonly max?: number };

export interface Workload {
  readonly requests: number;
  /** `offline`: all requests at t = 0; a number: Poisson arrivals at that rate (requests/s). */
  readonly arrival: "offline" | number;
  readonly inputLen: LengthSpec;
  readonly outputLen: LengthSpec;
  readonly seed: number;
}

/** Engine settings: a preset's (catalog/data/presets.ts) and the deployment's own. */
export interface EngineOptions extends EngineSettings {
  /**
   * Disaggregated serving: this many of the deployment's replicas only prefill, the rest only decode
   * (DistServe/Splitwise style). 0 or absent: every replica does both.
   */
  readonly prefillReplicas?: number;
  /** The most output tokens a request may ask for (max_tokens); `reserve` admission holds KV for it. */
  readonly maxOutputTokens?: number;
}

/** Settings of a named engine preset. */
export function enginePreset(id: InferenceEngine): EngineOptions {
  const p = INFERENCE_ENGINE_PRESETS.find((e) => e.id === id);
  if (p === undefined) throw new InputError("inference.engine", id, `one of ${INFERENCE_ENGINES.join(", ")}`);
  return p.settings;
}

/** vLLM's defaults: what the simulation runs with when the scenario names no engine. */
export const DEFAULT_ENGINE: EngineOptions = enginePreset(DEFAULT_ENGINE_PRESET);

export interface Slo {
  readonly ttftMs?: number;
  readonly tpotMs?: number;
}

export interface Percentiles {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

export interface ServingResult {
  readonly requests: number;
  /** Requests that can never fit the KV cache (prompt + output larger than it), not served. */
  readonly rejected: number;
  readonly replicas: number;
  readonly makespanS: number;
  readonly outputTokensPerS: number;
  readonly inputTokensPerS: number;
  readonly ttftS: Percentiles;
  readonly tpotS: Percentiles;
  readonly e2eS: Percentiles;
  /** Fraction of requests meeting every limit of the SLO; null without one. */
  readonly sloAttainment: number | null;
  /** Output tokens per second from requests that met the SLO; null without one. */
  readonly goodputTokensPerS: number | null;
  /** Time-weighted mean fraction of KV blocks in use. */
  readonly kvUtilization: number;
  readonly kvCapacityTokens: number;
  readonly preemptions: number;
  readonly iterations: number;
}

function drawLength(r: Random, spec: LengthSpec): number {
  if (typeof spec === "number") return spec;
  let x: number;
  switch (spec.dist) {
    case "uniform":
      x = spec.min + Math.floor(r.next() * (spec.max - spec.min + 1));
      return x;
    case "normal":
      x = spec.mean + spec.sd * standardNormal(r);
      break;
    case "lognormal": {
      // Parameters of the underlying normal from the distribution's own mean and sd.
      const s2 = Math.log(1 + (spec.sd * spec.sd) / (spec.mean * spec.mean));
      x = Math.exp(Math.log(spec.mean) - s2 / 2 + Math.sqrt(s2) * standardNormal(r));
      break;
    }
    case "exponential":
      x = exponential(r, spec.mean);
      break;
  }
  x = Math.round(x);
  if (spec.min !== undefined) x = Math.max(spec.min, x);
  if (spec.max !== undefined) x = Math.min(spec.max, x);
  return Math.max(1, x);
}

/** Requests to serve: arrival times in seconds (sorted ascending), input and output lengths in tokens. */
export interface RequestSet {
  readonly arrival: Float64Array;
  readonly input: Int32Array;
  readonly output: Int32Array;
}

/** The requests of a workload: arrival times (sorted), input and output lengths. Deterministic for the seed. */
export function generateRequests(w: Workload): RequestSet {
  const r = seededRandom(w.seed);
  const n = w.requests;
  const arrival = new Float64Array(n);
  const input = new Int32Array(n);
  const output = new Int32Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) {
    if (w.arrival !== "offline") t += exponential(r, 1 / w.arrival);
    arrival[i] = t;
    input[i] = drawLength(r, w.inputLen);
    output[i] = drawLength(r, w.outputLen);
  }
  return { arrival, input, output };
}

export function iterationModel(
  job: InferenceJob,
  shape: ReplicaShape,
  calibration: Calibration = CALIBRATION,
): IterationModel {
  const m = job.model;
  const format = inferenceFormat(job.precision);
  const rates = servingRates(job, calibration);
  const net = servingNetwork(job, calibration);
  // The heaviest pipeline stage sets the pace; a token crosses every stage in turn.
  let layers = 0;
  let moeLayers = 0;
  for (const st of representativeStages(m.layers, shape.pp)) {
    const sp = stageParams(m, { tp: shape.tp, pp: shape.pp, ep: 1 }, st);
    if (sp.layers > layers) {
      layers = sp.layers;
      moeLayers = sp.moeLayers;
    }
  }
  const denseLayers = layers - moeLayers;
  const e = format.activationBytes;
  const kvBytes = kvElementBytes(job);
  const memo = new Map<number, number>();
  const nonAttention = (tokens: number) => {
    const hit = memo.get(tokens);
    if (hit !== undefined) return hit;
    const shard = {
      tokens,
      contextLen: 0,
      microBatch: 1,
      tp: shape.tp,
      ep: shape.ep,
      sequenceParallel: false,
      format,
      attention: "flash" as const,
      dropout: false,
      decodeKvBytes: kvBytes,
      fusedEpilogues: job.kernels?.fusedEpilogues === true,
    };
    let total = 0;
    const layer = (moe: boolean, n: number) => {
      if (n === 0) return;
      const ops = layerForwardOps(m, shard, moe);
      const t: OpTime = { computeS: 0, memoryS: 0 };
      addOpsTime(t, ops.matmul, rates);
      addOpsTime(t, ops.memory, rates);
      let perLayer =
        t.computeS + t.memoryS + 2 * groupCollectiveTime(net, "all-reduce", ops.hiddenBytes, shape.tp, 1);
      if (moe && m.moe !== null && shape.ep > 1) {
        perLayer += 2 * expertAllToAllTime(net, m.moe, (tokens / shape.ep) * m.hidden * e, shape.ep, 1);
      }
      total += n * perLayer;
    };
    layer(false, denseLayers);
    layer(true, moeLayers);
    memo.set(tokens, total);
    return total;
  };
  const dims = attentionDims(m);
  const headsLocal = m.heads / shape.tp;
  const qkWidth = m.mla !== null ? m.mla.kvLoraRank + m.mla.qkRopeHeadDim : dims.qk;
  const vWidth = m.mla !== null ? m.mla.kvLoraRank : dims.v;
  const kvPerPosition = kvBytesPerTokenPerRank(m, shape.tp, kvBytes) / m.layers;
  // Per cached position read by one decoding token, per layer.
  const decodePerPosition =
    (2 * headsLocal * (qkWidth + vWidth)) / rates.attentionFlopsPerS + kvPerPosition / rates.memoryBytesPerS;
  // Per unit of Σ chunk·(prior + chunk/2), per layer (causal flash attention).
  const prefillPerWork = (2 * headsLocal * (dims.qk + dims.v)) / rates.attentionFlopsPerS;
  const qoPerToken = (headsLocal * (dims.qk + dims.v) * 2 * e) / rates.memoryBytesPerS;
  const headPerRow =
    (2 * m.hidden * m.vocab) / shape.tp / rates.matmulFlopsPerS +
    (m.vocab * 4) / shape.tp / rates.memoryBytesPerS;
  const headFixed =
    (m.hidden * m.vocab * format.weightBytes) / shape.tp / rates.memoryBytesPerS + rates.overheadS;
  const actBytesPerToken = m.hidden * e;
  return {
    time(tokens, decodeContext, prefillWork, logitRows, hasDecode, hasPrefill) {
      const kernels = (hasDecode ? 1 : 0) + (hasPrefill ? 1 : 0);
      const attention =
        layers *
        (decodeContext * decodePerPosition +
          prefillWork * prefillPerWork +
          tokens * qoPerToken +
          kernels * rates.overheadS);
      const stage = nonAttention(tokens) + attention;
      const p2p =
        shape.pp > 1
          ? (shape.pp - 1) * groupCollectiveTime(net, "p2p", tokens * actBytesPerToken, 2, shape.tp)
          : 0;
      return shape.pp * stage + p2p + headFixed + logitRows * headPerRow;
    },
  };
}

function percentiles(values: Float64Array): Percentiles {
  if (values.length === 0) return { mean: 0, p50: 0, p90: 0, p99: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { mean: sum / sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

/** KV-cache blocks of one replica: the engine's share of HBM left after weights, one pass's workspace and the runtime reserve. */
function replicaKvBlocks(
  job: InferenceJob,
  shape: ReplicaShape,
  engine: EngineOptions,
  calibration: Calibration,
): number {
  const fixed = inferenceMemory(
    job,
    shape,
    engine.maxNumSeqs,
    0,
    Math.ceil(engine.maxBatchedTokens / engine.maxNumSeqs),
    calibration,
  );
  const perToken = inferenceMemory(job, shape, 1, 1, 0, calibration).kvCacheBytes;
  const kvBytes = Math.max(0, job.accelerator.hbmBytes * engine.memoryUtilization - fixed.totalBytes);
  return Math.floor(kvBytes / (perToken * engine.blockSize));
}

/** What the replicas of a deployment did, summed (makespan: the latest). */
interface PoolOutcome {
  makespanS: number;
  preemptions: number;
  iterations: number;
  /** Σ over replica lanes of their time-averaged blocks in use. */
  kvBlocksInUse: number;
}

/** A deployment's replicas (each with `lanes` pipeline lanes) and how one lane runs. */
interface Pools {
  readonly job: InferenceJob;
  readonly shape: ReplicaShape;
  readonly engine: EngineOptions;
  readonly replicas: number;
  readonly lanes: number;
  readonly requests: RequestSet;
  readonly served: Uint8Array;
  /** Ids of the requests served (the rest never fit a lane's KV cache), in arrival order. */
  readonly servedIds: readonly number[];
  /** Simulate one lane on `pool`, recording first tokens in `first` and completions in `done`. */
  readonly run: (
    pool: readonly number[],
    arrivals: Float64Array,
    outputs: Int32Array,
    first: Float64Array,
    done: Float64Array,
    prefilled: boolean,
  ) => void;
}

/** The k-th of `count` round-robin shares of `items`. */
function share(items: readonly number[], k: number, count: number): number[] {
  return items.filter((_, j) => j % count === k);
}

/** Colocated: requests spread round-robin over replicas (and their lanes) that both prefill and decode. */
function runColocated(p: Pools, firstToken: Float64Array, finish: Float64Array): void {
  const { arrival, output } = p.requests;
  const units = p.replicas * p.lanes;
  for (let r = 0; r < units; r++)
    p.run(share(p.servedIds, r, units), arrival, output, firstToken, finish, false);
}

/**
 * Disaggregated: a prefill pool produces each first token and the prompt's KV cache, which crosses the
 * scale-out network (each accelerator sends its shard) to a decode pool that only decodes.
 */
function runDisaggregated(
  p: Pools,
  prefillReplicas: number,
  firstToken: Float64Array,
  finish: Float64Array,
): void {
  const { job, shape, served } = p;
  const { arrival, input, output } = p.requests;
  const n = arrival.length;
  const decodeReplicas = p.replicas - prefillReplicas;
  if (decodeReplicas < 1) {
    throw new InputError(
      "inference.engine.prefillReplicas",
      prefillReplicas,
      `fewer than the deployment's ${p.replicas} replica(s), leaving at least one to decode`,
    );
  }
  const ones = new Int32Array(n).fill(1);
  const prefillDone = new Float64Array(n);
  const prefillUnits = prefillReplicas * p.lanes;
  for (let r = 0; r < prefillUnits; r++) {
    p.run(share(p.servedIds, r, prefillUnits), arrival, ones, firstToken, prefillDone, false);
  }
  const perRankPerToken = kvBytesPerTokenPerRank(job.model, shape.tp, kvElementBytes(job)) / shape.pp;
  const link = job.accelerator.scaleOut;
  const decodeArrival = new Float64Array(n);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    if (served[i] !== 1) continue;
    if ((output[i] ?? 1) <= 1) {
      finish[i] = prefillDone[i] ?? 0;
      continue;
    }
    decodeArrival[i] =
      (prefillDone[i] ?? 0) + ((input[i] ?? 0) * perRankPerToken) / link.bandwidthBytesPerS + link.latencyS;
    order.push(i);
  }
  order.sort((a, b) => (decodeArrival[a] ?? 0) - (decodeArrival[b] ?? 0));
  const scratch = new Float64Array(n);
  const decodeUnits = decodeReplicas * p.lanes;
  for (let r = 0; r < decodeUnits; r++)
    p.run(share(order, r, decodeUnits), decodeArrival, output, scratch, finish, true);
}

/** Per-request latencies and token rates of the served requests. */
function summarize(
  requests: RequestSet,
  served: Uint8Array,
  firstToken: Float64Array,
  finish: Float64Array,
  makespan: number,
  slo: Slo | null,
) {
  const { arrival, input, output } = requests;
  let count = 0;
  for (const s of served) count += s;
  const ttft = new Float64Array(count);
  const tpot = new Float64Array(count);
  const e2e = new Float64Array(count);
  let k = 0;
  let outTokens = 0;
  let inTokens = 0;
  let good = 0;
  let goodTokens = 0;
  for (let i = 0; i < arrival.length; i++) {
    if (served[i] === 0) continue;
    const out = output[i] ?? 1;
    const a = arrival[i] ?? 0;
    const tt = (firstToken[i] ?? 0) - a;
    const tp = out > 1 ? ((finish[i] ?? 0) - (firstToken[i] ?? 0)) / (out - 1) : 0;
    ttft[k] = tt;
    tpot[k] = tp;
    e2e[k] = (finish[i] ?? 0) - a;
    k++;
    outTokens += out;
    inTokens += input[i] ?? 0;
    if (
      slo !== null &&
      (slo.ttftMs === undefined || tt * 1e3 <= slo.ttftMs) &&
      (slo.tpotMs === undefined || tp * 1e3 <= slo.tpotMs)
    ) {
      good++;
      goodTokens += out;
    }
  }
  const span = Math.max(1e-12, makespan - (arrival[0] ?? 0));
  return {
    requests: count,
    makespanS: span,
    outputTokensPerS: outTokens / span,
    inputTokensPerS: inTokens / span,
    ttftS: percentiles(ttft),
    tpotS: percentiles(tpot),
    e2eS: percentiles(e2e),
    sloAttainment: slo !== null ? good / Math.max(1, count) : null,
    goodputTokensPerS: slo !== null ? goodTokens / span : null,
  };
}

/** Simulate serving a workload on every replica of the deployment. Deterministic for the workload's seed. */
export function simulateServing(
  job: InferenceJob,
  shape: ReplicaShape,
  workload: Workload | RequestSet,
  slo: Slo | null,
  engine: EngineOptions = DEFAULT_ENGINE,
  calibration: Calibration = CALIBRATION,
): ServingResult {
  const requests = "requests" in workload ? generateRequests(workload) : workload;
  const { input, output } = requests;
  const n = requests.arrival.length;
  const replicas = job.gpus / (shape.tp * shape.pp);
  const model = iterationModel(job, shape, calibration);
  const totalBlocks = replicaKvBlocks(job, shape, engine, calibration);
  // Pipeline parallelism keeps pp micro-batches in flight (TensorRT-LLM, vLLM): each is a lane with its
  // share of the KV blocks and of the batch limit, whose iteration crosses every stage in turn.
  const lanes = shape.pp;
  const laneBlocks = Math.floor(totalBlocks / lanes);
  const laneEngine =
    lanes > 1 ? { ...engine, maxNumSeqs: Math.max(1, Math.floor(engine.maxNumSeqs / lanes)) } : engine;
  // A request whose prompt and output (reserve admission: its max_tokens) outgrow a lane's KV cache is never served.
  let rejected = 0;
  const served = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const out = Math.max(output[i] ?? 1, engine.admission === "reserve" ? (engine.maxOutputTokens ?? 0) : 0);
    if (Math.ceil(((input[i] ?? 1) + out) / engine.blockSize) > laneBlocks) rejected++;
    else served[i] = 1;
  }
  const servedIds: number[] = [];
  for (let i = 0; i < n; i++) if (served[i] === 1) servedIds.push(i);
  const outcome: PoolOutcome = { makespanS: 0, preemptions: 0, iterations: 0, kvBlocksInUse: 0 };
  const pools: Pools = {
    job,
    shape,
    engine,
    replicas,
    lanes,
    requests,
    served,
    servedIds,
    run: (pool, arrivals, outputs, first, done, prefilled) => {
      if (pool.length === 0) return;
      const o = simulateReplica({
        ids: Int32Array.from(pool),
        arrival: arrivals,
        input,
        output: outputs,
        model,
        engine: laneEngine,
        totalBlocks: laneBlocks,
        firstToken: first,
        finish: done,
        prefilledOnArrival: prefilled,
      });
      outcome.makespanS = Math.max(outcome.makespanS, o.makespanS);
      outcome.preemptions += o.preemptions;
      outcome.iterations += o.iterations;
      outcome.kvBlocksInUse += o.kvBlockSeconds / Math.max(o.makespanS, 1e-12);
    },
  };
  const firstToken = new Float64Array(n);
  const finish = new Float64Array(n);
  const prefillReplicas = engine.prefillReplicas ?? 0;
  if (prefillReplicas <= 0) runColocated(pools, firstToken, finish);
  else runDisaggregated(pools, prefillReplicas, firstToken, finish);
  const m = summarize(requests, served, firstToken, finish, outcome.makespanS, slo);
  return {
    requests: m.requests,
    rejected,
    replicas,
    makespanS: m.makespanS,
    outputTokensPerS: m.outputTokensPerS,
    inputTokensPerS: m.inputTokensPerS,
    ttftS: m.ttftS,
    tpotS: m.tpotS,
    e2eS: m.e2eS,
    sloAttainment: m.sloAttainment,
    goodputTokensPerS: m.goodputTokensPerS,
    kvUtilization: laneBlocks > 0 ? outcome.kvBlocksInUse / (replicas * lanes) / laneBlocks : 0,
    kvCapacityTokens: totalBlocks * engine.blockSize,
    preemptions: outcome.preemptions,
    iterations: outcome.iterations,
  };
}

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
import { expertAllToAllTime, groupCollectiveTime, network } from "./collectives.js";
import {
  type InferenceJob,
  inferenceFormat,
  inferenceMemory,
  kvElementBytes,
  type ReplicaShape,
  servingRates,
} from "./infer.js";
import { kvBytesPerTokenPerRank, layerForwardOps } from "./layer.js";
import { representativeStages, stageParams } from "./memory.js";
import { addOpsTime, type OpTime } from "./roofline.js";

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

/**
 * Time of one engine iteration on one replica, from the same operator roofline and collectives as the
 * batch model: `tokens` new tokens in all (prefill chunks + one per decoding sequence), decode attention
 * over `decodeContext` cached positions in all, prefill attention work Σ chunk·(prior + chunk/2), and
 * `logitRows` rows through the LM head.
 */
export interface IterationModel {
  time(
    tokens: number,
    decodeContext: number,
    prefillWork: number,
    logitRows: number,
    hasDecode: boolean,
    hasPrefill: boolean,
  ): number;
}

export function iterationModel(
  job: InferenceJob,
  shape: ReplicaShape,
  calibration: Calibration = CALIBRATION,
): IterationModel {
  const m = job.model;
  const format = inferenceFormat(job.precision);
  const rates = servingRates(job, calibration);
  const net = network(job.domainSize, job.accelerator.scaleUp, job.accelerator.scaleOut, calibration);
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

/** A binary min-heap of (key, id) on typed arrays. */
class MinHeap {
  private keys: Float64Array;
  private ids: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.keys = new Float64Array(Math.max(16, capacity));
    this.ids = new Int32Array(Math.max(16, capacity));
  }
  push(key: number, id: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2);
      k.set(this.keys);
      this.keys = k;
      const d = new Int32Array(this.size * 2);
      d.set(this.ids);
      this.ids = d;
    }
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((this.keys[p] ?? 0) <= key) break;
      this.keys[i] = this.keys[p] ?? 0;
      this.ids[i] = this.ids[p] ?? 0;
      i = p;
    }
    this.keys[i] = key;
    this.ids[i] = id;
  }
  peekKey(): number {
    return this.size > 0 ? (this.keys[0] ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
  }
  peekId(): number {
    return this.ids[0] ?? -1;
  }
  pop(): void {
    const n = --this.size;
    const key = this.keys[n] ?? 0;
    const id = this.ids[n] ?? 0;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (this.keys[c + 1] ?? 0) < (this.keys[c] ?? 0)) c++;
      if ((this.keys[c] ?? 0) >= key) break;
      this.keys[i] = this.keys[c] ?? 0;
      this.ids[i] = this.ids[c] ?? 0;
      i = c;
    }
    this.keys[i] = key;
    this.ids[i] = id;
  }
}

const WAITING = 0;
const PREFILL = 1;
const DECODE = 2;
const DONE = 3;

interface ReplicaOutcome {
  makespanS: number;
  preemptions: number;
  iterations: number;
  kvBlockSeconds: number;
}

/**
 * Simulate one replica iteration by iteration (continuous batching with a paged KV cache, vLLM-style).
 * Each iteration decodes one token for every running sequence and, within the token budget, prefills
 * admitted prompts: in chunks mixed with decoding (chunked prefill), or whole in prefill-only iterations
 * that pause decoding. A prompt is admitted only when its KV blocks are free; when decoding sequences need
 * a new block and none is free, the most recently admitted sequence is preempted (blocks freed, prompt
 * and generated tokens recomputed later). Decoding sequences advance in lockstep, so progress is kept as
 * a shared decode clock and per-sequence start ticks: an iteration costs O(log n), not O(batch).
 */
function simulateReplica(
  ids: Int32Array,
  arrival: Float64Array,
  input: Int32Array,
  output: Int32Array,
  model: IterationModel,
  engine: EngineOptions,
  totalBlocks: number,
  firstToken: Float64Array,
  finish: Float64Array,
  prefilledOnArrival = false,
): ReplicaOutcome {
  const n = ids.length;
  const B = engine.blockSize;
  const state = new Uint8Array(n);
  const prompt = new Int32Array(n); // tokens to prefill: the prompt, plus generated tokens after a preemption
  const prefilled = new Int32Array(n);
  const generated = new Int32Array(n);
  const ctx0 = new Int32Array(n); // cached positions when decoding (re)started
  const start = new Float64Array(n); // decode-clock tick when decoding (re)started
  const finishTick = new Float64Array(n);
  const held = new Int32Array(n); // KV blocks held
  const chunk = new Int32Array(n);
  const inputOf = (i: number) => input[ids[i] ?? 0] ?? 1;
  const outputOf = (i: number) => output[ids[i] ?? 0] ?? 1;
  for (let i = 0; i < n; i++) prompt[i] = inputOf(i);
  if (prefilledOnArrival) {
    // Disaggregated decode pool: prompts arrive with their KV cache and first token from the prefill pool.
    for (let i = 0; i < n; i++) {
      prefilled[i] = prompt[i] ?? 0;
      generated[i] = 1;
    }
  }

  // Waiting queue: FIFO ring buffer, preempted sequences re-enter at the front.
  const cap = n + 1;
  const queue = new Int32Array(cap);
  let qHead = 0;
  let qLen = 0;
  const prefilling: number[] = [];
  const admitted: number[] = []; // admission order, for preemption (finished entries pruned lazily)
  const finishHeap = new MinHeap(Math.min(n, engine.maxNumSeqs * 2));
  const phase = new Int32Array(B); // decoding sequences by the tick residue at which they need a block
  let decoding = 0;
  let decodeContext = 0;
  let clock = 0;
  let freeBlocks = totalBlocks;
  let t = 0;
  let iter = 0;
  let next = 0;
  let done = 0;
  let preemptions = 0;
  let kvBlockSeconds = 0;
  // Reserve admission: blocks promised to admitted sequences for their whole output (held or not yet).
  const reserve = engine.admission === "reserve";
  const finalBlocks = (i: number) =>
    Math.ceil((inputOf(i) + Math.max(outputOf(i), engine.maxOutputTokens ?? 0)) / B);
  let promised = 0;

  const phaseOf = (i: number) => ((((start[i] ?? 0) - (ctx0[i] ?? 0)) % B) + B) % B;
  const stopDecoding = (i: number) => {
    decodeContext -= (ctx0[i] ?? 0) + (clock - (start[i] ?? 0));
    decoding--;
    const ph = phaseOf(i);
    phase[ph] = (phase[ph] ?? 0) - 1;
  };
  /** Free a sequence's KV blocks: its prompt blocks, or while decoding, those of its whole cached context. */
  const release = (i: number) => {
    const blocks =
      state[i] === DECODE ? Math.ceil(((ctx0[i] ?? 0) + (clock - (start[i] ?? 0))) / B) : (held[i] ?? 0);
    freeBlocks += blocks;
    held[i] = 0;
    if (reserve) promised -= finalBlocks(i);
  };
  const preemptOne = (): boolean => {
    while (admitted.length > 0) {
      const i = admitted.pop() ?? -1;
      if (state[i] === DECODE) {
        generated[i] = (generated[i] ?? 0) + (clock - (start[i] ?? 0));
        stopDecoding(i);
      } else if (state[i] === PREFILL) prefilling.splice(prefilling.indexOf(i), 1);
      else continue;
      release(i);
      state[i] = WAITING;
      prompt[i] = inputOf(i) + (generated[i] ?? 0);
      prefilled[i] = 0;
      qHead = (qHead - 1 + cap) % cap;
      queue[qHead] = i;
      qLen++;
      preemptions++;
      return true;
    }
    return false;
  };

  while (done < n) {
    while (next < n && (arrival[ids[next] ?? 0] ?? 0) <= t) {
      queue[(qHead + qLen) % cap] = next++;
      qLen++;
    }
    if (decoding === 0 && prefilling.length === 0 && qLen === 0) {
      if (next >= n) throw new Error("serving simulation stalled with requests unfinished");
      t = arrival[ids[next] ?? 0] ?? t;
      continue;
    }
    // Decoding sequences whose last block is full need a new one this iteration.
    let need = decoding > 0 ? (phase[clock % B] ?? 0) : 0;
    while (need > freeBlocks && preemptOne()) need = decoding > 0 ? (phase[clock % B] ?? 0) : 0;

    // Admit waiting prompts while sequences, KV blocks (and, without chunking, the token budget) allow.
    let seqs = decoding + prefilling.length;
    const wholeBudget = engine.maxBatchedTokens - (engine.mixedPrefill ? decoding : 0);
    let promptTokens = 0;
    for (const i of prefilling) promptTokens += (prompt[i] ?? 0) - (prefilled[i] ?? 0);
    while (qLen > 0 && seqs < engine.maxNumSeqs) {
      const i = queue[qHead] ?? 0;
      const blocks = Math.ceil((prompt[i] ?? 1) / B);
      if (blocks > freeBlocks - need) break;
      if (reserve && finalBlocks(i) > totalBlocks - promised) break;
      // Whole prompts: they fit the iteration's token budget (beside the decoding tokens when mixed),
      // or one goes alone.
      if (!engine.chunkedPrefill && seqs > decoding && promptTokens + (prompt[i] ?? 0) > wholeBudget) break;
      qHead = (qHead + 1) % cap;
      qLen--;
      state[i] = PREFILL;
      held[i] = blocks;
      freeBlocks -= blocks;
      if (reserve) promised += finalBlocks(i);
      prefilling.push(i);
      admitted.push(i);
      promptTokens += prompt[i] ?? 0;
      seqs++;
    }

    if (decoding === 0 && prefilling.length === 0) {
      throw new Error("serving simulation stalled: a waiting request cannot be admitted to an empty replica");
    }
    // What this iteration runs.
    const prefillOnly = !engine.chunkedPrefill && !engine.mixedPrefill && prefilling.length > 0;
    const decodeNow = prefillOnly ? 0 : decoding;
    let budget = engine.chunkedPrefill ? engine.maxBatchedTokens - decodeNow : Number.POSITIVE_INFINITY;
    let prefillTokens = 0;
    let prefillWork = 0;
    let completing = 0;
    for (const i of prefilling) {
      const rest = (prompt[i] ?? 0) - (prefilled[i] ?? 0);
      const c = Math.max(0, Math.min(rest, budget));
      chunk[i] = c;
      budget -= c;
      prefillWork += c * ((prefilled[i] ?? 0) + c / 2);
      prefillTokens += c;
      if (c === rest && c > 0) completing++;
    }
    const dt = model.time(
      prefillTokens + decodeNow,
      decodeNow > 0 ? decodeContext : 0,
      prefillWork,
      decodeNow + completing,
      decodeNow > 0,
      prefillTokens > 0,
    );
    kvBlockSeconds += (totalBlocks - freeBlocks) * dt;
    t += dt;
    iter++;

    if (decodeNow > 0) {
      freeBlocks -= need;
      decodeContext += decoding;
      clock++;
      while (finishHeap.size > 0 && finishHeap.peekKey() <= clock) {
        const i = finishHeap.peekId();
        const key = finishHeap.peekKey();
        finishHeap.pop();
        if (state[i] !== DECODE || key !== finishTick[i]) continue; // stale: preempted since
        release(i);
        stopDecoding(i);
        state[i] = DONE;
        generated[i] = outputOf(i);
        finish[ids[i] ?? 0] = t;
        done++;
      }
    }
    if (prefilling.length > 0) {
      let w = 0;
      for (const i of prefilling) {
        prefilled[i] = (prefilled[i] ?? 0) + (chunk[i] ?? 0);
        if ((prefilled[i] ?? 0) < (prompt[i] ?? 0)) {
          prefilling[w++] = i;
          continue;
        }
        // Prefill complete: it yields the next output token (the first one sets the time to first token).
        // A prompt that arrived prefilled (disaggregated decode pool) did no work and yields nothing new.
        const id = ids[i] ?? 0;
        if ((chunk[i] ?? 0) > 0) {
          if ((generated[i] ?? 0) === 0) firstToken[id] = t;
          generated[i] = (generated[i] ?? 0) + 1;
        }
        const out = outputOf(i);
        if ((generated[i] ?? 0) >= out) {
          state[i] = DONE;
          finish[id] = t;
          release(i);
          done++;
          continue;
        }
        state[i] = DECODE;
        ctx0[i] = prompt[i] ?? 0;
        start[i] = clock;
        finishTick[i] = clock + (out - (generated[i] ?? 0));
        decoding++;
        decodeContext += ctx0[i] ?? 0;
        const ph = phaseOf(i);
        phase[ph] = (phase[ph] ?? 0) + 1;
        finishHeap.push(finishTick[i] ?? 0, i);
      }
      prefilling.length = w;
    }
    if (admitted.length > 4 * engine.maxNumSeqs + 1024) {
      let w = 0;
      for (const i of admitted) if (state[i] === DECODE || state[i] === PREFILL) admitted[w++] = i;
      admitted.length = w;
    }
  }
  return { makespanS: t, preemptions, iterations: iter, kvBlockSeconds };
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

/** Simulate serving a workload on every replica of the deployment. Deterministic for the workload's seed. */
export function simulateServing(
  job: InferenceJob,
  shape: ReplicaShape,
  workload: Workload | RequestSet,
  slo: Slo | null,
  engine: EngineOptions = DEFAULT_ENGINE,
  calibration: Calibration = CALIBRATION,
): ServingResult {
  const { arrival, input, output } = "requests" in workload ? generateRequests(workload) : workload;
  const n = arrival.length;
  const replicas = job.gpus / (shape.tp * shape.pp);
  const model = iterationModel(job, shape, calibration);
  // KV capacity: the engine's share of HBM left after weights, one pass's workspace and the runtime reserve.
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
  const totalBlocks = Math.floor(kvBytes / (perToken * engine.blockSize));
  // Pipeline parallelism keeps pp micro-batches in flight (TensorRT-LLM, vLLM): each is a lane with its
  // share of the KV blocks and of the batch limit, whose iteration crosses every stage in turn.
  const lanes = shape.pp;
  const laneBlocks = Math.floor(totalBlocks / lanes);
  const laneEngine =
    lanes > 1 ? { ...engine, maxNumSeqs: Math.max(1, Math.floor(engine.maxNumSeqs / lanes)) } : engine;
  const firstToken = new Float64Array(n);
  const finish = new Float64Array(n);
  let makespan = 0;
  let preemptions = 0;
  let iterations = 0;
  let kvBlockSeconds = 0;
  let rejected = 0;
  const served = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const out = Math.max(output[i] ?? 1, engine.admission === "reserve" ? (engine.maxOutputTokens ?? 0) : 0);
    if (Math.ceil(((input[i] ?? 1) + out) / engine.blockSize) > laneBlocks) rejected++;
    else served[i] = 1;
  }
  /** Simulate one replica on `pool`; record first tokens in `first` and completions in `done`. */
  const run = (
    pool: readonly number[],
    arrivals: Float64Array,
    outputs: Int32Array,
    first: Float64Array,
    done: Float64Array,
    prefilled: boolean,
  ) => {
    if (pool.length === 0) return;
    const o = simulateReplica(
      Int32Array.from(pool),
      arrivals,
      input,
      outputs,
      model,
      laneEngine,
      laneBlocks,
      first,
      done,
      prefilled,
    );
    makespan = Math.max(makespan, o.makespanS);
    preemptions += o.preemptions;
    iterations += o.iterations;
    kvBlockSeconds += o.kvBlockSeconds / Math.max(o.makespanS, 1e-12);
  };
  /** The k-th of `count` round-robin shares of `items`. */
  const share = (items: readonly number[], k: number, count: number) =>
    items.filter((_, j) => j % count === k);
  const servedIds: number[] = [];
  for (let i = 0; i < n; i++) if (served[i] === 1) servedIds.push(i);
  const prefillReplicas = engine.prefillReplicas ?? 0;
  if (prefillReplicas <= 0) {
    // Colocated: requests spread round-robin over replicas (and their lanes) that both prefill and decode.
    const units = replicas * lanes;
    for (let r = 0; r < units; r++)
      run(share(servedIds, r, units), arrival, output, firstToken, finish, false);
  } else {
    // Disaggregated: a prefill pool produces each first token and the prompt's KV cache, which crosses
    // the scale-out network (each accelerator sends its shard) to a decode pool that only decodes.
    const decodeReplicas = replicas - prefillReplicas;
    if (decodeReplicas < 1) {
      throw new InputError(
        "inference.engine.prefillReplicas",
        prefillReplicas,
        `fewer than the deployment's ${replicas} replica(s), leaving at least one to decode`,
      );
    }
    const ones = new Int32Array(n).fill(1);
    const prefillDone = new Float64Array(n);
    const prefillUnits = prefillReplicas * lanes;
    for (let r = 0; r < prefillUnits; r++) {
      run(share(servedIds, r, prefillUnits), arrival, ones, firstToken, prefillDone, false);
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
    const decodeUnits = decodeReplicas * lanes;
    for (let r = 0; r < decodeUnits; r++)
      run(share(order, r, decodeUnits), decodeArrival, output, scratch, finish, true);
  }
  const count = n - rejected;
  const ttft = new Float64Array(count);
  const tpot = new Float64Array(count);
  const e2e = new Float64Array(count);
  let k = 0;
  let outTokens = 0;
  let inTokens = 0;
  let good = 0;
  let goodTokens = 0;
  for (let i = 0; i < n; i++) {
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
  const first = arrival[0] ?? 0;
  const span = Math.max(1e-12, makespan - first);
  return {
    requests: count,
    rejected,
    replicas,
    makespanS: span,
    outputTokensPerS: outTokens / span,
    inputTokensPerS: inTokens / span,
    ttftS: percentiles(ttft),
    tpotS: percentiles(tpot),
    e2eS: percentiles(e2e),
    sloAttainment: slo !== null ? good / Math.max(1, count) : null,
    goodputTokensPerS: slo !== null ? goodTokens / span : null,
    kvUtilization: laneBlocks > 0 ? kvBlockSeconds / (replicas * lanes) / laneBlocks : 0,
    kvCapacityTokens: totalBlocks * engine.blockSize,
    preemptions,
    iterations,
  };
}

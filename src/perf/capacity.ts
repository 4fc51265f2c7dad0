import type { Accelerator } from "../catalog/types.js";
import { SECONDS_PER_DAY } from "../units.js";
import { modelFlopsPerToken } from "./accounting.js";
import {
  evaluateInference,
  type InferenceJob,
  type InferResult,
  type ReplicaShape,
  replicaShapes,
} from "./infer.js";
import { type TrainingJobInput, trainingJob } from "./job.js";
import { searchTraining } from "./search.js";
import type { TrainingJob, TrainResult } from "./types.js";

/** Step of accelerator counts a training cluster is sized in: whole scale-up domains (at most 256). */
export function clusterGranularity(acc: Accelerator): number {
  return Math.min(acc.scaleUp.domainSize, 256);
}

/** MFU assumed for the first sizing guess only; the search result replaces it. */
const FIRST_GUESS_MFU = 0.4;

export interface TrainingSizing {
  /** Accelerators that finish the run within the target (whole domains). */
  readonly gpus: number;
  /** The best configuration at that size (fits: false when no configuration fits memory). */
  readonly result: TrainResult;
  readonly days: number;
  readonly searches: number;
}

/** The highest MFU a sizing considers reachable: counts needing more are not tried. */
const MAX_MFU = 0.6;

/**
 * The largest cluster a sizing tries: 2^20 accelerators, beyond any announced campus (the largest are in
 * the hundreds of thousands). A deadline that would need more is answered with this size and the days it
 * takes, over its target.
 */
export const MAX_SIZED_ACCELERATORS = 2 ** 20;

/**
 * Accelerators needed to train `tokens` within `days`: the smallest count found, in whole scale-up domains
 * that some parallelism splits exactly, whose searched best configuration finishes in time. Time is not
 * monotone in the count: the best split changes with it, and a count whose factors allow no good split
 * (a pipeline of 79 stages, say) runs far slower than its neighbours. So the counts clusters and jobs are
 * built in come first: whole domains × 2^a·3^b, searched in ascending order from the count that would need
 * MAX_MFU, stopping at the first that meets the target; then a bisection between the last of them that
 * missed and that one looks for a smaller count of any shape that also meets it. When none meets the
 * target within 16× the 40%-MFU estimate (and MAX_SIZED_ACCELERATORS), the largest count tried is
 * returned with its time.
 */
export function sizeTraining(
  input: Omit<TrainingJobInput, "gpus" | "tokens">,
  tokens: number,
  days: number,
): TrainingSizing {
  const g = clusterGranularity(input.accelerator);
  // The job with its defaults (trainingJob's); only the count changes below.
  const base = trainingJob({ ...input, gpus: g, tokens });
  const peak = base.accelerator.peakFlops[base.precision] ?? 0;
  const flops = modelFlopsPerToken(base.model, base.seqLen) * tokens;
  const ideal = flops / (days * SECONDS_PER_DAY * peak);
  const maxK = Math.min(
    Math.max(4, Math.ceil((16 * ideal) / FIRST_GUESS_MFU / g)),
    Math.max(1, Math.floor(MAX_SIZED_ACCELERATORS / g)),
  );
  // The first splittable count of at least k domains (maxK + 1 when none up to maxK).
  const from = (k: number) => {
    let j = Math.max(1, k);
    while (j <= maxK && !splittable(base, j * g)) j++;
    return j;
  };
  // The largest splittable count up to maxK domains (1 when none: the search then says why).
  const downFrom = (k: number) => {
    let j = k;
    while (j > 1 && !splittable(base, j * g)) j--;
    return j;
  };
  const daysAt = (r: TrainResult) => tokens / r.tokensPerS / SECONDS_PER_DAY;
  const meets = (r: TrainResult) => r.fits && daysAt(r) <= days;
  let searches = 0;
  const search = (k: number) => {
    searches++;
    return searchTraining(trainingJob({ ...base, gpus: k * g, tokens })).best;
  };
  const first = from(Math.floor(ideal / MAX_MFU / g));
  const steps = smoothCounts(first, maxK).filter((k) => splittable(base, k * g));
  if (steps.length === 0) {
    const k = first <= maxK ? first : downFrom(maxK);
    const r = search(k);
    return { gpus: k * g, result: r, days: daysAt(r), searches };
  }
  // The last count that missed the target below k (first − 1: a count needing more than MAX_MFU).
  let missed = first - 1;
  let k = steps[0] ?? first;
  let r = search(k);
  for (let i = 1; !meets(r) && i < steps.length; i++) {
    missed = k;
    k = steps[i] ?? k;
    r = search(k);
  }
  if (meets(r)) {
    let lo = missed;
    // The first candidate above the bracket's middle, and always above lo, so the bracket shrinks.
    const middle = () => from(Math.max(lo + 1, Math.floor((lo + k) / 2)));
    for (let mid = middle(); mid < k; mid = middle()) {
      const m = search(mid);
      if (meets(m)) {
        k = mid;
        r = m;
      } else lo = mid;
    }
  }
  return { gpus: k * g, result: r, days: daysAt(r), searches };
}

/** Domain counts 2^a·3^b from lo to hi, ascending: the sizes clusters and jobs are built in. */
export function smoothCounts(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let two = 1; two <= hi; two *= 2) {
    for (let n = two; n <= hi; n *= 3) if (n >= lo) out.push(n);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Whether `gpus` splits as tp·cp·pp·dp with tp dividing the heads within the scale-up domain, cp a power
 * of two, pp at most the layers and dp dividing the global batch (the search's own rules, cheaply).
 */
export function splittable(
  job: Pick<TrainingJob, "model" | "accelerator" | "globalBatch">,
  gpus: number,
): boolean {
  const domain = job.accelerator.scaleUp.domainSize;
  for (let tp = 1; tp <= Math.min(64, domain); tp++) {
    if (job.model.heads % tp !== 0 || gpus % tp !== 0) continue;
    for (let cp = 1; cp <= 16; cp *= 2) {
      if (gpus % (tp * cp) !== 0) continue;
      const rest = gpus / (tp * cp);
      for (let pp = 1; pp <= job.model.layers; pp++) {
        if (rest % pp !== 0) continue;
        if (job.globalBatch % (rest / pp) === 0) return true;
      }
    }
  }
  return false;
}

export interface ServingCapacity {
  /** Best output tokens per second per accelerator within the latency limits. */
  readonly tokensPerSPerGpu: number;
  readonly shape: ReplicaShape;
  /** Requests decoding together. */
  readonly batch: number;
  /** Steady-state time per output token: decode step + its share of new requests' prefill. */
  readonly tpotS: number;
  /** One request's prefill plus at most one iteration's wait. */
  readonly ttftS: number;
  readonly bottleneck: InferResult["bottleneck"];
}

/**
 * Steady-state capacity of a continuously batched replica: with b requests decoding, every iteration
 * finishes b/outputLen requests on average and prefills as many new ones, so one iteration takes
 * decode(b) + (b/outputLen) × prefill(1 request), each request gets one token per iteration, and a new
 * request waits at most one iteration before its own prefill. The best output tokens per second per
 * accelerator over replica shapes and batches 1, 2, 4, ... within the TTFT and TPOT limits; null when
 * none meets them. `refine`: also bisect between the last batch within the limits and the first beyond
 * them (the design search compares chips whose capacities differ by less than a doubling of the batch).
 */
export function servingCapacity(
  job: InferenceJob,
  inputLen: number,
  outputLen: number,
  limits: { readonly ttftS: number; readonly tpotS: number },
  refine = false,
): ServingCapacity | null {
  let best: ServingCapacity | null = null;
  for (const shape of replicaShapes(job, {})) {
    const gpus = shape.tp * shape.pp;
    const one = evaluateInference(job, shape, 1, inputLen, outputLen);
    if (!one.fits) continue;
    const prefill = one.prefill.timeS;
    // The replica at `batch`, or null when it does not fit or misses a limit.
    const at = (batch: number): ServingCapacity | null => {
      const r = evaluateInference(job, shape, batch, inputLen, outputLen);
      if (!r.fits) return null;
      const tpotS = r.decode.timeS + (batch / outputLen) * prefill;
      const ttftS = prefill + tpotS;
      if (tpotS > limits.tpotS || ttftS > limits.ttftS) return null;
      return {
        tokensPerSPerGpu: batch / tpotS / gpus,
        shape,
        batch,
        tpotS,
        ttftS,
        bottleneck: r.decode.bottleneck,
      };
    };
    let last = 0;
    for (let batch = 1; batch <= 4096; batch *= 2) {
      const c = at(batch);
      if (c === null) break;
      last = batch;
      if (best === null || c.tokensPerSPerGpu > best.tokensPerSPerGpu) best = c;
    }
    if (!refine || last === 0 || last >= 4096) continue;
    // Bisect (last, 2·last) for the largest batch within the limits.
    let lo = last;
    let hi = 2 * last;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      const c = at(mid);
      if (c === null) hi = mid;
      else {
        lo = mid;
        if (best === null || c.tokensPerSPerGpu > best.tokensPerSPerGpu) best = c;
      }
    }
  }
  return best;
}

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
 * Accelerators needed to train `tokens` within `days`: the smallest count, in whole scale-up domains
 * that some parallelism splits exactly, whose searched best configuration finishes in time. Time is not
 * monotone in the count (the best split changes with it), so candidates are searched in ascending order
 * from the count that would need MAX_MFU; after 24 misses the search jumps to the first candidate ≥
 * count × time / target (time ∝ 1/count to first order), then bisects back between the last count that
 * missed and the one that met the target, so a jump does not overshoot. When none meets the target
 * within 16× the 40%-MFU estimate (and MAX_SIZED_ACCELERATORS), the largest count tried is returned
 * with its time.
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
  const search = (k: number) => searchTraining(trainingJob({ ...base, gpus: k * g, tokens })).best;
  const first = from(Math.floor(ideal / MAX_MFU / g));
  let k = first <= maxK ? first : downFrom(maxK);
  let r = search(k);
  let searches = 1;
  // The last count that missed the target, below k (0: none yet).
  let missed = 0;
  while (!(r.fits && daysAt(r) <= days) && r.fits) {
    const next =
      searches < 24 ? from(k + 1) : from(Math.max(k + 1, Math.ceil((k * daysAt(r)) / days - 1e-9)));
    if (next > maxK) break;
    missed = k;
    k = next;
    r = search(k);
    searches++;
  }
  // A proportional jump can overshoot by a wide margin (a count that missed only because its best split
  // paid a cost the next ones avoid): bisect between the last miss and the count that met the target.
  if (r.fits && daysAt(r) <= days && missed > 0) {
    let lo = missed;
    // The first candidate above the bracket's middle, and always above lo, so the bracket shrinks.
    const middle = () => from(Math.max(lo + 1, Math.floor((lo + k) / 2)));
    for (let mid = middle(); mid < k; mid = middle()) {
      const m = search(mid);
      searches++;
      if (m.fits && daysAt(m) <= days) {
        k = mid;
        r = m;
      } else lo = mid;
    }
  }
  return { gpus: k * g, result: r, days: daysAt(r), searches };
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

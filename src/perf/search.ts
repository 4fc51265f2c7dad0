import { InputError } from "../errors.js";
import { CALIBRATION, type Calibration } from "./calibration.js";
import { evaluateTraining, newEvalCache, parallelismProblem } from "./train.js";
import type { Parallelism, Recompute, TrainFit, TrainingJob, TrainResult, ZeroStage } from "./types.js";

export interface SearchOptions {
  /** How many of the fastest fitting configurations to return. */
  readonly top?: number;
  /** Largest micro-batch to consider. */
  readonly maxMicroBatch?: number;
  /** Largest context-parallel degree to consider. */
  readonly maxCp?: number;
  /** Largest interleave (virtual stages per rank) to consider. */
  readonly maxInterleave?: number;
  /** ZeRO stages the framework offers for data parallelism over more than one rank (default 1–3), ascending. */
  readonly zeroStages?: readonly ZeroStage[];
  readonly calibration?: Calibration;
}

export interface SearchResult {
  /** The fastest configuration that fits; when none fits, the one needing the least memory. */
  readonly best: TrainResult;
  /** Fastest fitting configurations, best first. */
  readonly top: readonly TrainFit[];
  /** Configurations evaluated (timed). */
  readonly searched: number;
  /** Valid configurations enumerated (before pruning). */
  readonly enumerated: number;
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d === 0) {
      out.push(d);
      if (d * d !== n) out.push(n / d);
    }
  }
  return out.sort((a, b) => a - b);
}

const RECOMPUTE_ORDER: readonly Recompute[] = ["none", "selective", "full"];

/** Defaults for a parallelism field nobody fixed and nobody searches (used to explain bad input). */
function probe(job: TrainingJob, fixed: Partial<Parallelism>): Parallelism {
  const tp = fixed.tp ?? 1;
  const pp = fixed.pp ?? 1;
  const cp = fixed.cp ?? 1;
  return {
    tp,
    pp,
    cp,
    dp: fixed.dp ?? Math.max(1, Math.floor(job.gpus / (tp * pp * cp))),
    ep: fixed.ep ?? 1,
    interleave: fixed.interleave ?? 1,
    microBatch: fixed.microBatch ?? 1,
    sequenceParallel: fixed.sequenceParallel ?? tp > 1,
    zero: fixed.zero ?? 1,
    recompute: fixed.recompute ?? "none",
  };
}

/**
 * Find the fastest configuration that fits. Every field of `fixed` is held; the others are enumerated:
 * tp (divisors of the heads within the scale-up domain), cp (powers of two), pp (divisors of the
 * remaining accelerators, at most the layer count), ep (divisors of the experts and of dp·cp),
 * interleave, micro-batch, sequence parallelism, recompute and ZeRO stage. Pruning is exact: a
 * configuration is skipped only when another with no more time is known to fit (less recompute at the
 * same ZeRO stage; a lower ZeRO stage at the same recompute).
 */
export function searchTraining(
  job: TrainingJob,
  fixed: Partial<Parallelism> = {},
  options: SearchOptions = {},
): SearchResult {
  const m = job.model;
  const calibration = options.calibration ?? CALIBRATION;
  const topN = options.top ?? 1;
  const maxMb = options.maxMicroBatch ?? 8;
  const maxCp = options.maxCp ?? 16;
  const maxV = options.maxInterleave ?? 8;
  const cache = newEvalCache();
  const top: TrainFit[] = [];
  let leastMemory: TrainResult | null = null;
  let searched = 0;
  let enumerated = 0;

  const tps =
    fixed.tp !== undefined ? [fixed.tp] : divisors(m.heads).filter((t) => t <= job.domainSize && t <= 64);
  const cps =
    fixed.cp !== undefined
      ? [fixed.cp]
      : [1, 2, 4, 8, 16, 32].filter(
          (c) => c <= maxCp && job.seqLen % (2 * c) === 0 && job.seqLen / c >= 1024,
        );
  const consider = (r: TrainResult) => {
    searched++;
    if (!r.fits) {
      if (leastMemory === null || (!leastMemory.fits && r.memory.totalBytes < leastMemory.memory.totalBytes))
        leastMemory = r;
      return false;
    }
    if (top.length < topN || r.stepTimeS < (top[top.length - 1]?.stepTimeS ?? Number.POSITIVE_INFINITY)) {
      top.push(r);
      top.sort((a, b) => a.stepTimeS - b.stepTimeS);
      if (top.length > topN) top.pop();
    }
    return true;
  };

  for (const tp of tps) {
    for (const cp of cps) {
      if (job.gpus % (tp * cp) !== 0) continue;
      const rest = job.gpus / (tp * cp);
      const pps = fixed.pp !== undefined ? [fixed.pp] : divisors(rest).filter((p) => p <= m.layers);
      for (const pp of pps) {
        if (rest % pp !== 0) continue;
        const dp = rest / pp;
        if (fixed.dp !== undefined && fixed.dp !== dp) continue;
        if (job.globalBatch % dp !== 0) continue;
        const perReplica = job.globalBatch / dp;
        const eps =
          m.moe === null
            ? [1]
            : fixed.ep !== undefined
              ? [fixed.ep]
              : divisors(m.moe.experts).filter((e) => (dp * cp) % e === 0);
        const mbs =
          fixed.microBatch !== undefined
            ? [fixed.microBatch]
            : divisors(perReplica).filter((b) => b <= maxMb);
        const vs =
          fixed.interleave !== undefined
            ? [fixed.interleave]
            : pp === 1
              ? [1]
              : [1, 2, 3, 4, 6, 8].filter((v) => v <= maxV && pp * v <= m.layers);
        const sps = fixed.sequenceParallel !== undefined ? [fixed.sequenceParallel] : [tp > 1];
        const zeros: readonly ZeroStage[] =
          fixed.zero !== undefined ? [fixed.zero] : dp * cp > 1 ? (options.zeroStages ?? [1, 2, 3]) : [0];
        const rcs = fixed.recompute !== undefined ? [fixed.recompute] : RECOMPUTE_ORDER;
        for (const ep of eps)
          for (const microBatch of mbs)
            for (const interleave of vs)
              for (const sequenceParallel of sps) {
                const shape = { tp, pp, dp, cp, ep, microBatch, interleave, sequenceParallel };
                const first: Parallelism = { ...shape, zero: zeros[0] ?? 1, recompute: rcs[0] ?? "none" };
                if (parallelismProblem(job, first) !== null) continue;
                enumerated += zeros.length * rcs.length;
                let minimalFitZero = Number.POSITIVE_INFINITY;
                for (const recompute of rcs) {
                  for (const zero of zeros) {
                    if (zero >= minimalFitZero) break; // same ZeRO, more recompute: never faster
                    const r = evaluateTraining(job, { ...shape, zero, recompute }, calibration, cache);
                    if (consider(r)) {
                      minimalFitZero = zero;
                      break; // a higher ZeRO stage at this recompute is never faster
                    }
                  }
                }
              }
      }
    }
  }

  const best = top[0] ?? leastMemory;
  if (best === null) {
    const p = probe(job, fixed);
    const problem = parallelismProblem(job, p);
    if (problem !== null)
      throw new InputError(
        `training.parallelism.${problem.field}`,
        p[problem.field as keyof Parallelism],
        problem.expected,
      );
    throw new InputError(
      "training.parallelism",
      fixed,
      "a parallelism with at least one valid configuration for this model, batch and accelerator count",
    );
  }
  return { best, top, searched, enumerated };
}

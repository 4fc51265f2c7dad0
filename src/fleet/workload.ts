import type { Accelerator, Model } from "../catalog/index.js";
import { servingCapacity } from "../perf/capacity.js";
import type { PodSpec } from "../perf/collectives.js";
import { defaultKvPrecision, type InferencePrecision } from "../perf/infer.js";
import { trainingJob } from "../perf/job.js";
import { searchTraining } from "../perf/search.js";
import { type Random, standardNormal } from "../random.js";
import type { Precision } from "../units.js";
import type { JobKind, JobSpec } from "./job.js";

/**
 * A stream of jobs: Poisson arrivals (optionally with a daily cycle), sizes from a discrete distribution,
 * lognormal durations.
 */
export interface JobStream {
  readonly partner: number;
  readonly kind: Exclude<JobKind, "inference" | "trace">;
  readonly perDay: number;
  readonly sizes: readonly { readonly accelerators: number; readonly weight: number }[];
  /** Run time at full speed: median hours and the sigma of its logarithm. */
  readonly medianHours: number;
  readonly sigma: number;
  readonly priority: number;
  /** The accelerator type (pool) its jobs need (default 0). */
  readonly pool?: number;
  /**
   * Other types its jobs may run on, in order of preference, each with its speed relative to the first
   * (a job's run time there is its run time on the first over that speed).
   */
  readonly alternatives?: readonly { readonly pool: number; readonly speed: number }[];
  /**
   * Daily cycle of submissions: rate = perDay × (1 + amplitude × cos(2π (hour − peakHour) / 24)) (default
   * amplitude 0: constant).
   */
  readonly amplitude?: number;
  readonly peakHour?: number;
  /**
   * Jobs that end failed or cancelled (shares) and their run time over their run time to completion
   * (a published trace's outcome mix); absent: every job completes.
   */
  readonly outcomes?: {
    readonly fail: number;
    readonly cancel: number;
    readonly failAt: number;
    readonly cancelAt: number;
  };
  /** Longest run time, hours (a cluster's job lifetime limit); absent: none. */
  readonly maxHours?: number;
}

/** Jobs of all streams over the horizon, in submit order (ties by stream order). Deterministic for the generator. */
export function generateJobs(streams: readonly JobStream[], horizonS: number, rng: Random): JobSpec[] {
  const jobs: JobSpec[] = [];
  for (const s of streams) {
    if (s.perDay <= 0) continue;
    const total = s.sizes.reduce((x, z) => x + z.weight, 0);
    const a = Math.min(1, Math.max(0, s.amplitude ?? 0));
    const peak = s.peakHour ?? 14;
    // A daily cycle by thinning: candidates at the peak rate, each kept with rate(t) / peak rate.
    const top = s.perDay * (1 + a);
    let t = 0;
    for (;;) {
      t += (-Math.log(1 - rng.next()) * 86_400) / top;
      if (t >= horizonS) break;
      if (a > 0 && rng.next() * (1 + a) > 1 + a * Math.cos((2 * Math.PI * (t / 3600 - peak)) / 24)) continue;
      let u = rng.next() * total;
      let size = s.sizes[s.sizes.length - 1]?.accelerators ?? 1;
      for (const z of s.sizes) {
        if (u < z.weight) {
          size = z.accelerators;
          break;
        }
        u -= z.weight;
      }
      let hours = s.medianHours * Math.exp(s.sigma * standardNormal(rng));
      let outcome: JobSpec["outcome"];
      if (s.outcomes !== undefined) {
        // Drawn only for streams with outcomes: other streams' draws stay as they were.
        const u = rng.next();
        if (u < s.outcomes.fail) {
          outcome = "failed";
          hours *= s.outcomes.failAt;
        } else if (u < s.outcomes.fail + s.outcomes.cancel) {
          outcome = "cancelled";
          hours *= s.outcomes.cancelAt;
        }
      }
      if (s.maxHours !== undefined) hours = Math.min(hours, s.maxHours);
      jobs.push({
        partner: s.partner,
        kind: s.kind,
        size,
        submitS: t,
        workS: hours * 3600,
        priority: s.priority,
        ...(outcome !== undefined ? { outcome } : {}),
        ...(s.pool !== undefined ? { pool: s.pool } : {}),
        ...(s.alternatives !== undefined && s.alternatives.length > 0
          ? { alternatives: s.alternatives.map((a) => ({ pool: a.pool, workS: (hours * 3600) / a.speed })) }
          : {}),
      });
    }
  }
  return jobs.sort((a, b) => a.submitS - b.submitS);
}

/**
 * A pretraining run's work and placement sensitivity from the training model: run time at full speed =
 * tokens / tokens-per-second of the best configuration on whole scale-up domains; on a placement whose
 * smallest per-domain share is f accelerators, the best configuration with a scale-up domain of f
 * (tensor parallelism confined to it) sets the speed; a placement spanning several pods is searched again
 * with the oversubscribed links between pods (the best configuration may then differ).
 */
export function pretrainJob(
  p: {
    readonly partner: number;
    readonly model: Model;
    readonly accelerator: Accelerator;
    readonly size: number;
    readonly tokens: number;
    readonly seqLen: number;
    readonly globalBatch: number;
    readonly precision: Precision;
    readonly submitS: number;
    readonly priority: number;
    /** The fleet's pods: a run spanning several trains with oversubscribed links between them. */
    readonly pod?: PodSpec;
    /** The accelerator type (pool) it runs on. */
    readonly pool?: number;
  },
  cache: Map<string, unknown>,
): JobSpec {
  const domain = p.accelerator.scaleUp.domainSize;
  // Keyed by the whole model and accelerator: an inline one may reuse a catalog id with other figures.
  const spec = JSON.stringify([p.model, p.accelerator]);
  const rateAt = (d: number, pod?: PodSpec) => {
    const key = JSON.stringify([
      spec,
      p.size,
      p.seqLen,
      p.globalBatch,
      p.precision,
      d,
      pod?.size ?? 0,
      pod?.oversubscription ?? 1,
    ]);
    let r = cache.get(key) as number | undefined;
    if (r === undefined) {
      const best = searchTraining(
        trainingJob({
          model: p.model,
          accelerator: p.accelerator,
          gpus: p.size,
          seqLen: p.seqLen,
          globalBatch: p.globalBatch,
          precision: p.precision,
          domainSize: d,
          ...(pod !== undefined ? { pod } : {}),
        }),
      ).best;
      r = best.fits ? best.tokensPerS : 0;
      cache.set(key, r);
    }
    return r;
  };
  const full = rateAt(domain);
  if (full <= 0) throw new Error(`no configuration of ${p.model.id} fits ${p.size} × ${p.accelerator.id}`);
  return {
    partner: p.partner,
    kind: "pretrain",
    size: p.size,
    submitS: p.submitS,
    workS: p.tokens / full,
    priority: p.priority,
    ...(p.pool !== undefined ? { pool: p.pool } : {}),
    speedAt: (fragment: number, pods: number) => {
      const pod = pods > 1 ? p.pod : undefined;
      if (fragment >= domain && pod === undefined) return 1;
      // The largest power of two within the fragment is the tensor-parallel group that still fits.
      const d = fragment >= domain ? domain : 2 ** Math.floor(Math.log2(Math.max(1, fragment)));
      return Math.min(1, rateAt(d, pod) / full);
    },
  };
}

/** Output tokens per second one replica of a service serves within its SLO (steady-state continuous batching). */
export function replicaCapacity(p: {
  readonly model: Model;
  readonly accelerator: Accelerator;
  readonly precision: InferencePrecision;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly ttftS: number;
  readonly tpotS: number;
}): { readonly size: number; readonly tokensPerS: number } | null {
  const cap = servingCapacity(
    {
      model: p.model,
      accelerator: p.accelerator,
      gpus: p.accelerator.scaleUp.domainSize * 8,
      domainSize: p.accelerator.scaleUp.domainSize,
      precision: p.precision,
      kvPrecision: defaultKvPrecision(p.precision),
    },
    p.inputTokens,
    p.outputTokens,
    { ttftS: p.ttftS, tpotS: p.tpotS },
  );
  if (cap === null) return null;
  const size = cap.shape.tp * cap.shape.pp;
  return { size, tokensPerS: cap.tokensPerSPerGpu * size };
}

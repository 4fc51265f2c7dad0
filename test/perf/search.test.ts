import { describe, expect, it } from "vitest";
import { builtinCatalog, resolveAccelerator, resolveModel } from "../../src/catalog/index.js";
import { trainingJob } from "../../src/perf/job.js";
import { searchTraining } from "../../src/perf/search.js";
import { evaluateTraining, parallelismProblem } from "../../src/perf/train.js";
import type { Parallelism, TrainingJob, TrainResult } from "../../src/perf/types.js";

const cat = builtinCatalog();
const acc = resolveAccelerator(cat, "h100-sxm");
const job: TrainingJob = trainingJob({
  model: resolveModel(cat, "llama3-70b"),
  accelerator: acc,
  gpus: 64,
  seqLen: 4096,
  globalBatch: 128,
  tokens: 1e12,
});

/** Every configuration the search space holds, evaluated without pruning. */
function bruteForce(j: TrainingJob): TrainResult[] {
  const out: TrainResult[] = [];
  for (const tp of [1, 2, 4, 8])
    for (const cp of [1, 2, 4])
      for (const pp of [1, 2, 4, 8, 16, 32, 64])
        for (const mb of [1, 2, 4, 8])
          for (const v of [1, 2, 3, 4, 6, 8])
            for (const zero of [1, 2, 3] as const)
              for (const recompute of ["none", "selective", "full"] as const) {
                const dp = j.gpus / (tp * cp * pp);
                if (!Number.isInteger(dp) || j.globalBatch % dp !== 0) continue;
                if (pp === 1 && v > 1) continue;
                const p: Parallelism = {
                  tp,
                  pp,
                  dp,
                  cp,
                  ep: 1,
                  interleave: v,
                  microBatch: mb,
                  sequenceParallel: tp > 1,
                  zero,
                  recompute,
                };
                if (parallelismProblem(j, p) !== null) continue;
                out.push(evaluateTraining(j, p));
              }
  return out;
}

describe("parallelism search", () => {
  it("finds exactly the fastest fitting configuration a brute-force sweep finds (pruning is exact)", () => {
    const every = bruteForce(job);
    const all = every.filter((r) => r.fits);
    const best = Math.min(...all.map((r) => r.stepTimeS));
    const found = searchTraining(job, {}, { top: 5 });
    expect(found.best.fits).toBe(true);
    expect(found.best.stepTimeS).toBeCloseTo(best, 12);
    // Top-k is sorted and distinct configurations.
    const times = found.top.map((r) => r.stepTimeS);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(found.searched).toBeLessThan(every.length);
  });

  it("holds every field the user fixed", () => {
    const r = searchTraining(job, { tp: 4, pp: 2, recompute: "full" }).best;
    expect(r.parallelism).toMatchObject({ tp: 4, pp: 2, recompute: "full" });
  });

  it("a fully given parallelism is evaluated as given", () => {
    const p: Parallelism = {
      tp: 8,
      pp: 2,
      dp: 4,
      cp: 1,
      ep: 1,
      interleave: 1,
      microBatch: 1,
      sequenceParallel: true,
      zero: 1,
      recompute: "none",
    };
    const s = searchTraining(job, p);
    expect(s.searched).toBe(1);
    expect(s.best.stepTimeS).toBe(evaluateTraining(job, p).stepTimeS);
  });

  it("returns the least-memory configuration with fits=false when nothing fits", () => {
    const tiny = { ...job, model: resolveModel(cat, "llama3.1-405b"), gpus: 8, globalBatch: 8 };
    const r = searchTraining(tiny).best;
    expect(r.fits).toBe(false);
  });

  it("reports an impossible fixed parallelism as an input error on that field", () => {
    expect(() => searchTraining(job, { tp: 3 })).toThrow(
      /^training\.parallelism\.tp: expected a divisor of the model's 64 attention heads, got 3$/,
    );
    expect(() => searchTraining(job, { tp: 8, pp: 2, dp: 5 })).toThrow(/^training\.parallelism\.dp: /);
  });

  it("searches MoE expert parallelism", () => {
    const moe = { ...job, model: resolveModel(cat, "mixtral-8x7b") };
    const r = searchTraining(moe).best;
    expect(r.fits).toBe(true);
    expect([1, 2, 4, 8]).toContain(r.parallelism.ep);
  });
});

describe("pods", () => {
  it("Llama 3 405B on 16,384 H100 in 3,072-GPU pods at 1:7 (the paper's cluster): the best configuration keeps data parallelism inside pods and loses nothing; GB200 at 512 racks loses a few percent", () => {
    const base = {
      model: resolveModel(cat, "llama3.1-405b"),
      accelerator: acc,
      gpus: 16384,
      seqLen: 8192,
      globalBatch: 2048,
    };
    const flat = searchTraining(trainingJob(base)).best;
    const pods = searchTraining(trainingJob({ ...base, pod: { size: 3072, oversubscription: 7 } })).best;
    expect(pods.stepTimeS / flat.stepTimeS).toBeLessThan(1.01);
    const p = pods.parallelism;
    expect(p.tp * p.cp * p.dp).toBeLessThanOrEqual(3072); // the data-parallel group fits in a pod
    const gb = resolveAccelerator(cat, "gb200");
    const big = { ...base, accelerator: gb, gpus: 36864, precision: "fp8" as const };
    const f = searchTraining(trainingJob(big)).best.stepTimeS;
    const s = searchTraining(trainingJob({ ...big, pod: { size: 3024, oversubscription: 7 } })).best
      .stepTimeS;
    expect(s / f).toBeGreaterThan(1.005);
    expect(s / f).toBeLessThan(1.15);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { builtinCatalog, extendCatalog, resolveAccelerator, resolveModel } from "../../src/catalog/index.js";
import type { Accelerator } from "../../src/catalog/types.js";
import { trainingJob } from "../../src/perf/job.js";
import { searchTraining } from "../../src/perf/search.js";
import { evaluateTraining, parallelismProblem } from "../../src/perf/train.js";
import type { Parallelism, TrainingJob } from "../../src/perf/types.js";

const cat = builtinCatalog();

function job(modelId: string, accId: string, gpus: number, extra: Partial<TrainingJob> = {}): TrainingJob {
  return trainingJob({
    model: resolveModel(cat, modelId),
    accelerator: resolveAccelerator(cat, accId),
    gpus,
    seqLen: 4096,
    globalBatch: 512,
    ...extra,
  });
}

function scaled(
  a: Accelerator,
  f: { flops?: number; hbmBw?: number; up?: number; out?: number; hbm?: number },
): Accelerator {
  const peakFlops: Record<string, number> = {};
  for (const [k, v] of Object.entries(a.peakFlops)) peakFlops[k] = v * (f.flops ?? 1);
  return {
    ...a,
    peakFlops,
    hbmBandwidthBytesPerS: a.hbmBandwidthBytesPerS * (f.hbmBw ?? 1),
    hbmBytes: a.hbmBytes * (f.hbm ?? 1),
    scaleUp: { ...a.scaleUp, bandwidthBytesPerS: a.scaleUp.bandwidthBytesPerS * (f.up ?? 1) },
    scaleOut: { ...a.scaleOut, bandwidthBytesPerS: a.scaleOut.bandwidthBytesPerS * (f.out ?? 1) },
  };
}

const arbCase = fc
  .record({
    model: fc.constantFrom("llama3-8b", "llama3-70b", "mixtral-8x7b", "gpt3-175b", "deepseek-v3"),
    acc: fc.constantFrom(
      "a100-sxm-80gb",
      "h100-sxm",
      "h200",
      "b200",
      "gb200",
      "mi300x",
      "tpu-v5p",
      "trainium2",
    ),
    gpusLog: fc.integer({ min: 3, max: 11 }),
    tp: fc.constantFrom(1, 2, 4, 8),
    pp: fc.constantFrom(1, 2, 4, 8),
    cp: fc.constantFrom(1, 2),
    ep: fc.constantFrom(1, 2, 8),
    mb: fc.constantFrom(1, 2),
    v: fc.constantFrom(1, 2),
    zero: fc.constantFrom(0, 1, 2, 3),
    recompute: fc.constantFrom("none", "selective", "full"),
  })
  .map((c) => {
    const j = job(c.model, c.acc, 2 ** c.gpusLog);
    const dp = j.gpus / (c.tp * c.pp * c.cp);
    const p: Parallelism = {
      tp: c.tp,
      pp: c.pp,
      dp,
      cp: c.cp,
      ep: j.model.moe !== null ? c.ep : 1,
      interleave: c.pp > 1 ? c.v : 1,
      microBatch: c.mb,
      sequenceParallel: c.tp > 1,
      zero: c.zero as Parallelism["zero"],
      recompute: c.recompute as Parallelism["recompute"],
    };
    return { j, p };
  })
  .filter(({ j, p }) => Number.isInteger(p.dp) && p.dp >= 1 && parallelismProblem(j, p) === null);

describe("training model invariants (property tests)", () => {
  const runs = { numRuns: 150, seed: 42 };

  it("more HBM bandwidth, more peak FLOPs or faster links never make a step slower", () => {
    fc.assert(
      fc.property(arbCase, fc.double({ min: 1, max: 4, noNaN: true }), ({ j, p }, f) => {
        const t0 = evaluateTraining(j, p).stepTimeS;
        for (const change of [{ hbmBw: f }, { flops: f }, { up: f }, { out: f }, { up: f, out: f }]) {
          const t1 = evaluateTraining({ ...j, accelerator: scaled(j.accelerator, change) }, p).stepTimeS;
          expect(t1, JSON.stringify(change)).toBeLessThanOrEqual(t0 * (1 + 1e-9));
        }
      }),
      runs,
    );
  });

  it("more memory never makes a fitting configuration stop fitting", () => {
    fc.assert(
      fc.property(arbCase, fc.double({ min: 1, max: 4, noNaN: true }), ({ j, p }, f) => {
        const r0 = evaluateTraining(j, p);
        const r1 = evaluateTraining({ ...j, accelerator: scaled(j.accelerator, { hbm: f }) }, p);
        if (r0.fits) expect(r1.fits).toBe(true);
        expect(r1.stepTimeS).toBe(r0.stepTimeS);
      }),
      runs,
    );
  });

  it("every result is finite and positive, its breakdown sums to the step time", () => {
    fc.assert(
      fc.property(arbCase, ({ j, p }) => {
        const r = evaluateTraining(j, p);
        expect(r.stepTimeS).toBeGreaterThan(0);
        expect(Number.isFinite(r.stepTimeS)).toBe(true);
        const sum = Object.values(r.breakdown).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(r.stepTimeS, 9);
        expect(r.mfu).toBeGreaterThan(0);
        expect(r.mfu).toBeLessThan(1);
      }),
      runs,
    );
  });

  it("a better accelerator never makes the searched best slower", () => {
    const j = job("llama3-70b", "h100-sxm", 256);
    const base = searchTraining(j).best.stepTimeS;
    for (const change of [{ hbmBw: 2 }, { flops: 2 }, { up: 2 }, { out: 2 }, { hbm: 2 }]) {
      const t = searchTraining({ ...j, accelerator: scaled(j.accelerator, change) }).best.stepTimeS;
      expect(t, JSON.stringify(change)).toBeLessThanOrEqual(base);
    }
  });
});

describe("training model behaviour", () => {
  const j = job("llama3-70b", "h100-sxm", 64);
  const p: Parallelism = {
    tp: 8,
    pp: 2,
    dp: 4,
    ep: 1,
    cp: 1,
    interleave: 1,
    microBatch: 1,
    sequenceParallel: true,
    zero: 1,
    recompute: "none",
  };

  it("full recompute costs one extra forward and saves activation memory", () => {
    const none = evaluateTraining(j, p);
    const full = evaluateTraining(j, { ...p, recompute: "full" });
    expect(full.stepTimeS).toBeGreaterThan(none.stepTimeS);
    expect(full.breakdown.recompute).toBeGreaterThan(
      (0.25 * (none.breakdown.compute + none.breakdown["hbm-bandwidth"])) / 1.1,
    );
    expect(full.memory.activationsBytes).toBeLessThan(none.memory.activationsBytes / 5);
  });

  it("a context-parallel ring wider than the NVLink domain waits on its scale-out hop", () => {
    // tp 4 × cp 4 = 16 ranks over two 8-GPU nodes: two of the ring's four hops cross nodes, and every
    // ring step waits for the slowest. A 2-rank view of one hop (tp apart) would stay inside the node.
    const long = job("llama3-70b", "h100-sxm", 64, { seqLen: 32768, globalBatch: 64 });
    const ring: Parallelism = { ...p, tp: 4, pp: 1, dp: 4, cp: 4, sequenceParallel: true };
    const base = evaluateTraining(long, ring).breakdown["context-parallel"];
    const slowNic = evaluateTraining({ ...long, accelerator: scaled(long.accelerator, { out: 0.02 }) }, ring)
      .breakdown["context-parallel"];
    expect(slowNic).toBeGreaterThan(base * 1.5);
    // A ring inside one node (tp 4 × cp 2) does not see the NIC.
    const inside: Parallelism = { ...ring, cp: 2, dp: 8 };
    const a = evaluateTraining(long, inside).breakdown["context-parallel"];
    const b = evaluateTraining({ ...long, accelerator: scaled(long.accelerator, { out: 0.02 }) }, inside)
      .breakdown["context-parallel"];
    expect(b).toBeCloseTo(a, 12);
  });

  it("interleaving divides the bubble by the number of virtual stages", () => {
    const pp4 = { ...p, pp: 4, dp: 2 };
    const v1 = evaluateTraining(j, pp4);
    const v4 = evaluateTraining(j, { ...pp4, interleave: 4 });
    expect(v4.breakdown["pipeline-bubble"]).toBeLessThan(v1.breakdown["pipeline-bubble"] / 3);
    // Without overlap every micro-batch crosses v times as many stage boundaries; with the interleaved
    // schedule's overlap (the default) the sends hide behind compute.
    const exposed = { ...j, ppCommOverlap: false };
    expect(evaluateTraining(exposed, { ...pp4, interleave: 4 }).breakdown["pipeline-p2p"]).toBeGreaterThan(
      evaluateTraining(exposed, pp4).breakdown["pipeline-p2p"] * 3,
    );
    expect(v4.breakdown["pipeline-p2p"]).toBeLessThanOrEqual(v1.breakdown["pipeline-p2p"]);
  });

  it("ZeRO stages shard optimizer, then gradients, then weights", () => {
    const z = [0, 1, 2, 3].map(
      (zero) => evaluateTraining(j, { ...p, zero: zero as Parallelism["zero"] }).memory,
    );
    const [z0, z1, z2, z3] = z;
    if (z0 === undefined || z1 === undefined || z2 === undefined || z3 === undefined)
      throw new Error("missing");
    expect(z1.optimizerBytes).toBeCloseTo(z0.optimizerBytes / 4, 0);
    expect(z2.gradientsBytes).toBeCloseTo(z0.gradientsBytes / 4, 0);
    expect(z3.weightsBytes).toBeCloseTo(z0.weightsBytes / 4, 0);
  });

  it("names hbm-capacity with a reason when a configuration does not fit", () => {
    const big = job("llama3.1-405b", "h100-sxm", 8, { globalBatch: 8 });
    const r = evaluateTraining(big, { ...p, tp: 8, pp: 1, dp: 1, zero: 0 });
    expect(r.fits).toBe(false);
    if (r.fits) return;
    expect(r.bottleneck).toBe("hbm-capacity");
    expect(r.reason).toMatch(/GiB over the 80\.0 GiB of HBM/);
  });

  it("a measured matmul efficiency replaces the default for that precision only", () => {
    const input = cat.accelerators.get(j.accelerator.id);
    if (input === undefined) throw new Error("missing catalog entry");
    const overlay = extendCatalog(cat, { accelerators: [{ ...input, matmulEfficiency: { fp8: 0.6 } }] });
    const measured = resolveAccelerator(overlay, j.accelerator.id);
    expect(measured.parts.gemm.fp8?.provenance).toContain("matmulEfficiency 0.6");
    const fp8 = { ...j, precision: "fp8" as const };
    expect(evaluateTraining({ ...fp8, accelerator: measured }, p).stepTimeS).toBeGreaterThan(
      evaluateTraining(fp8, p).stepTimeS,
    );
    expect(evaluateTraining({ ...j, accelerator: measured }, p).stepTimeS).toBe(
      evaluateTraining(j, p).stepTimeS,
    );
  });

  it("LoRA keeps a frozen base: no base gradients or optimizer state, no weight-gradient GEMMs", () => {
    const full = evaluateTraining(j, p);
    const lora = evaluateTraining({ ...j, lora: { rank: 16, targets: "all" } }, p);
    expect(lora.memory.gradientsBytes).toBeLessThan(full.memory.gradientsBytes / 100);
    expect(lora.memory.optimizerBytes).toBeLessThan(full.memory.optimizerBytes / 100);
    expect(lora.stepTimeS).toBeLessThan(full.stepTimeS);
    expect(lora.breakdown.compute).toBeLessThan(full.breakdown.compute * 0.8);
    expect(lora.breakdown["data-parallel"]).toBeLessThanOrEqual(full.breakdown["data-parallel"]);
  });

  it("explains invalid parallelism", () => {
    expect(parallelismProblem(j, { ...p, tp: 3 })).toMatchObject({ field: "tp" });
    expect(parallelismProblem(j, { ...p, dp: 3 })).toMatchObject({ field: "dp" });
    expect(parallelismProblem(j, { ...p, microBatch: 3 })).toMatchObject({ field: "microBatch" });
    expect(parallelismProblem(j, { ...p, ep: 2 })).toMatchObject({ field: "ep" });
  });
});

import { describe, expect, it } from "vitest";
import { builtinCatalog, resolveAccelerator, resolveModel } from "../../src/catalog/index.js";
import { trainingJob } from "../../src/perf/job.js";
import { pipelinePlacement, stageParams, stateBytesPerParam, trainingMemory } from "../../src/perf/memory.js";
import { evaluateTraining, parallelismProblem } from "../../src/perf/train.js";
import type { Parallelism, TrainingJob } from "../../src/perf/types.js";

const cat = builtinCatalog();
const deepseek = (extra: Partial<TrainingJob> = {}) =>
  trainingJob({
    model: resolveModel(cat, "deepseek-v3"),
    accelerator: resolveAccelerator(cat, "h800"),
    gpus: 2048,
    seqLen: 4096,
    globalBatch: 15360,
    precision: "fp8",
    fp8Scaling: "blockwise",
    epCommOverlap: true,
    commSmShare: 0.1515,
    ...extra,
  });
const p: Parallelism = {
  tp: 1,
  pp: 16,
  dp: 128,
  cp: 1,
  ep: 64,
  interleave: 1,
  microBatch: 1,
  sequenceParallel: false,
  zero: 1,
  recompute: "full",
};

describe("pipeline placement", () => {
  it("places every layer, at least one per stage, and lightens the stage that runs the output head", () => {
    const llama8b = trainingJob({
      model: resolveModel(cat, "llama3-8b"),
      accelerator: resolveAccelerator(cat, "h100-sxm"),
      gpus: 64,
      seqLen: 8192,
      globalBatch: 64,
      precision: "fp8",
    });
    const counts = pipelinePlacement(llama8b, 8);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(32);
    for (const c of counts) expect(c).toBeGreaterThanOrEqual(1);
    // A 128k-token vocabulary head in BF16 weighs several fp8 layers: the last stage takes fewer.
    expect(counts[7]).toBeLessThan(Math.max(...counts));
  });

  it("DualPipe balances rank pairs (r, p − 1 − r), the pair holding the head and the MTP block taking fewer layers", () => {
    const counts = pipelinePlacement(deepseek({ pipelineSchedule: "dualpipe" }), 16);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(61);
    const pair = (r: number) => (counts[r] ?? 0) + (counts[15 - r] ?? 0);
    expect(pair(0)).toBeLessThan(pair(4));
  });
});

describe("DeepSeek-V3's mechanisms", () => {
  it("the MTP module is one more block on the last stage (training only)", () => {
    const m = resolveModel(cat, "deepseek-v3");
    expect(m.mtpDepth).toBe(1);
    const without = stageParams(m, p, 15, 0);
    const withMtp = stageParams(m, p, 15, 1);
    expect(withMtp.layers).toBe(without.layers + 1);
    expect(withMtp.moeLayers).toBe(without.moeLayers + 1);
    expect(withMtp.dense).toBeGreaterThan(without.dense);
    expect(stageParams(m, p, 3, 1).layers).toBe(stageParams(m, p, 3, 0).layers);
  });

  it("BF16 Adam moments: 8 bytes of optimizer state per parameter instead of 12", () => {
    expect(stateBytesPerParam("fp8").optimizer).toBe(12);
    expect(stateBytesPerParam("fp8", "bf16").optimizer).toBe(8);
    const fp32 = trainingMemory(deepseek(), p, 120);
    const bf16 = trainingMemory(deepseek({ optimizerStates: "bf16" }), p, 120);
    expect(bf16.optimizerBytes / fp32.optimizerBytes).toBeCloseTo(8 / 12, 10);
  });

  it("DualPipe: a smaller bubble than 1F1B, two stages' parameters per rank, p + 1 micro-batches of activations", () => {
    const one = evaluateTraining(deepseek(), p);
    const dual = evaluateTraining(deepseek({ pipelineSchedule: "dualpipe" }), p);
    expect(dual.breakdown["pipeline-bubble"]).toBeLessThan(one.breakdown["pipeline-bubble"] / 2);
    expect(dual.stepTimeS).toBeLessThan(one.stepTimeS);
    // Every stage lives on two ranks: a rank holds about twice the average stage's weights.
    const m = resolveModel(cat, "deepseek-v3");
    let all = 0;
    for (let s = 0; s < 16; s++) {
      const sp = stageParams(m, p, s, 1, pipelinePlacement(deepseek(), 16));
      all += 2 * (sp.dense + sp.experts);
    }
    expect(dual.memory.weightsBytes).toBeGreaterThan(1.5 * (all / 16));
  });

  it("DualPipe needs an even pp, no interleaving and an even number of micro-batches", () => {
    const j = deepseek({ pipelineSchedule: "dualpipe" });
    expect(parallelismProblem(j, { ...p, pp: 8, dp: 256 })).toBeNull();
    expect(parallelismProblem(j, { ...p, interleave: 2 })?.field).toBe("interleave");
    expect(parallelismProblem({ ...j, globalBatch: 128 * 15 }, p)?.field).toBe("microBatch");
  });
});

describe("expert imbalance", () => {
  it("the busiest expert-parallel rank's load: the binomial extreme over ep ranks, nothing without EP", async () => {
    const { busiestRankVisits } = await import("../../src/perf/layer.js");
    expect(busiestRankVisits(1000, 1)).toBe(1000);
    // DeepSeek-V3 training: 4,096 tokens × top-8 per rank over 64 ranks: about 1.6% over the mean.
    expect(busiestRankVisits(4096 * 8, 64) / (4096 * 8)).toBeCloseTo(1.0158, 3);
    // A small decode batch is far less even.
    expect(busiestRankVisits(64 * 8, 64) / (64 * 8)).toBeGreaterThan(1.1);
    expect(busiestRankVisits(64 * 8, 8)).toBeLessThan(busiestRankVisits(64 * 8, 64));
  });
});

describe("recompute modules and 8-bit activation caching (DeepSeek-V3 §3.3.2–3.3.3)", () => {
  it("each module stores less and recomputes more; together they fit DeepSeek-V3's published configuration", () => {
    const base = deepseek({ pipelineSchedule: "dualpipe", optimizerStates: "bf16" });
    const none = { ...p, recompute: "none" as const };
    const plain = evaluateTraining(base, none);
    let previous = plain;
    for (const mods of [
      ["layernorm"],
      ["layernorm", "mla-up-proj"],
      ["layernorm", "mla-up-proj", "moe-act"],
    ] as const) {
      const r = evaluateTraining({ ...base, recomputeModules: mods }, none);
      expect(r.memory.activationsBytes, mods.join("+")).toBeLessThan(previous.memory.activationsBytes);
      expect(r.breakdown.recompute, mods.join("+")).toBeGreaterThan(previous.breakdown.recompute);
      previous = r;
    }
    const cached = evaluateTraining(
      { ...base, recomputeModules: ["layernorm", "mla-up-proj", "moe-act"], fp8ActivationCache: true },
      none,
    );
    expect(cached.memory.activationsBytes).toBeLessThan(previous.memory.activationsBytes);
    expect(plain.fits).toBe(false);
    expect(cached.fits).toBe(true);
    // Recomputing a few modules costs far less than recomputing the whole forward.
    const full = evaluateTraining(base, p);
    expect(cached.stepTimeS).toBeLessThan(full.stepTimeS);
  });
});

import { describe, expect, it } from "vitest";
import { builtinCatalog, resolveModel } from "../../src/catalog/index.js";
import type { Model } from "../../src/catalog/types.js";
import { type ActivationOptions, inFlightMicroBatches, layerActivationBytes } from "../../src/perf/memory.js";

// A GPT-3 175B block, as in Korthikanti et al. 2022 (MHA, 4h GeLU MLP, dropout, fp16).
const gpt: Model = resolveModel(builtinCatalog(), "gpt3-175b");
const s = 2048;
const b = 1;
const h = gpt.hidden;
const a = gpt.heads;
const base: ActivationOptions = {
  seqLen: s,
  microBatch: b,
  tp: 1,
  cp: 1,
  sequenceParallel: false,
  recompute: "none",
  attention: "standard",
  dropout: true,
  elementBytes: 2,
};

describe("activation memory per layer (Korthikanti et al. 2022, §4)", () => {
  it("no parallelism: s·b·h·(34 + 5·a·s/h)", () => {
    expect(layerActivationBytes(gpt, base)).toBeCloseTo(s * b * h * (34 + (5 * a * s) / h), 6);
  });

  it("tensor parallelism t=8: s·b·h·(10 + 24/t + 5·a·s/(h·t))", () => {
    const t = 8;
    expect(layerActivationBytes(gpt, { ...base, tp: t })).toBeCloseTo(
      s * b * h * (10 + 24 / t + (5 * a * s) / (h * t)),
      6,
    );
  });

  it("tensor + sequence parallelism: s·b·h·(34/t + 5·a·s/(h·t))", () => {
    const t = 8;
    expect(layerActivationBytes(gpt, { ...base, tp: t, sequenceParallel: true })).toBeCloseTo(
      s * b * h * (34 / t + (5 * a * s) / (h * t)),
      6,
    );
  });

  it("selective recompute drops the attention-score term: 34·s·b·h/t", () => {
    const t = 8;
    const sel = { ...base, tp: t, sequenceParallel: true, recompute: "selective" as const };
    expect(layerActivationBytes(gpt, sel)).toBeCloseTo((34 * s * b * h) / t, 6);
    // Flash attention never stores the score matrix, so the term is gone without recompute too.
    expect(
      layerActivationBytes(gpt, { ...base, tp: t, sequenceParallel: true, attention: "flash" }),
    ).toBeCloseTo((34 * s * b * h) / t, 6);
  });

  it("full recompute keeps only the layer input: 2·s·b·h (÷t with sequence parallelism)", () => {
    expect(layerActivationBytes(gpt, { ...base, recompute: "full" })).toBe(2 * s * b * h);
    expect(layerActivationBytes(gpt, { ...base, tp: 8, sequenceParallel: true, recompute: "full" })).toBe(
      (2 * s * b * h) / 8,
    );
  });

  it("scales linearly with micro-batch and inversely with context parallelism", () => {
    const one = layerActivationBytes(gpt, { ...base, attention: "flash" });
    expect(layerActivationBytes(gpt, { ...base, attention: "flash", microBatch: 4 })).toBeCloseTo(4 * one, 3);
    expect(layerActivationBytes(gpt, { ...base, attention: "flash", cp: 2 })).toBeCloseTo(one / 2, 3);
  });

  it("without dropout a block keeps 32 (not 34) bytes per token per hidden unit", () => {
    expect(layerActivationBytes(gpt, { ...base, attention: "flash", dropout: false })).toBe(32 * s * b * h);
  });
});

describe("pipeline in-flight micro-batches", () => {
  const p = {
    tp: 1,
    pp: 8,
    dp: 1,
    ep: 1,
    cp: 1,
    microBatch: 1,
    sequenceParallel: false,
    zero: 0,
    recompute: "none",
  } as const;
  it("1F1B: the first stage holds min(m, p) micro-batches", () => {
    expect(inFlightMicroBatches({ ...p, interleave: 1 }, 64)).toBe(8);
    expect(inFlightMicroBatches({ ...p, interleave: 1 }, 4)).toBe(4);
  });
  it("interleaved: × (1 + (p−1)/(p·v)) (Korthikanti et al. 2022, §4.2.3)", () => {
    expect(inFlightMicroBatches({ ...p, interleave: 4 }, 64)).toBeCloseTo(8 * (1 + 7 / 32), 10);
  });
  it("later stages hold fewer: p − stage in 1F1B, Megatron's interleaved warm-up count otherwise", () => {
    expect(inFlightMicroBatches({ ...p, interleave: 1 }, 64, 3)).toBe(5);
    expect(inFlightMicroBatches({ ...p, interleave: 1 }, 64, 7)).toBe(1);
    // (p − stage − 1)·2 + (v − 1)·p + 1 chunk-forwards, in units of the stage's v chunks.
    expect(inFlightMicroBatches({ ...p, interleave: 4 }, 64, 3)).toBeCloseTo((4 * 2 + 3 * 8 + 1) / 4, 10);
    expect(inFlightMicroBatches({ ...p, interleave: 4 }, 64, 7)).toBeCloseTo((3 * 8 + 1) / 4, 10);
  });
});

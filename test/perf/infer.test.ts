import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { builtinCatalog, resolveModel } from "../../src/catalog/index.js";
import type { Accelerator } from "../../src/catalog/types.js";
import {
  evaluateInference,
  type InferenceJob,
  inferenceMemory,
  maxBatchThatFits,
  searchReplica,
} from "../../src/perf/infer.js";
import { kvBytesPerTokenPerRank, touchedExperts } from "../../src/perf/layer.js";
import { GB } from "../../src/units.js";
import { inferenceJob } from "../helpers.js";

const cat = builtinCatalog();

describe("KV cache", () => {
  it("GQA: 2 · layers · kv heads · head dim · bytes per token (Llama 3 70B bf16: 320 KiB)", () => {
    const m = resolveModel(cat, "llama3-70b");
    expect(kvBytesPerTokenPerRank(m, 1, 2)).toBe(2 * 80 * 8 * 128 * 2);
    expect(kvBytesPerTokenPerRank(m, 8, 2)).toBe((2 * 80 * 8 * 128 * 2) / 8);
    // More TP ranks than KV heads replicate the heads.
    expect(kvBytesPerTokenPerRank(m, 16, 2)).toBe(2 * 80 * 1 * 128 * 2);
  });

  it("MLA stores one latent (512) plus the rotary key (64) per layer: DeepSeek-V3 70,272 B/token in bf16", () => {
    const m = resolveModel(cat, "deepseek-v3");
    expect(kvBytesPerTokenPerRank(m, 1, 2)).toBe(61 * (512 + 64) * 2);
    expect(kvBytesPerTokenPerRank(m, 8, 2)).toBe(61 * (512 + 64) * 2);
  });

  it("MHA holds kv heads = heads (GPT-3 175B: 4.5 MiB per token in bf16)", () => {
    const m = resolveModel(cat, "gpt3-175b");
    expect(kvBytesPerTokenPerRank(m, 1, 2)).toBe(2 * 96 * 96 * 128 * 2);
  });
});

describe("memory verdict", () => {
  it("Llama 3 70B in bf16 does not fit one 80 GB H100 and fits two", () => {
    expect(
      evaluateInference(inferenceJob("llama3-70b", "h100-sxm", 1), { tp: 1, pp: 1, ep: 1 }, 1, 1024, 128)
        .fits,
    ).toBe(false);
    const two = evaluateInference(
      inferenceJob("llama3-70b", "h100-sxm", 2),
      { tp: 2, pp: 1, ep: 1 },
      1,
      1024,
      128,
    );
    expect(two.fits).toBe(true);
    expect(two.memory.weightsBytes / GB).toBeCloseTo(70.55, 1);
  });

  it("Llama 3.1 405B in fp8 fits 8 H100 (weights ≈ 51 GB each) and not in bf16", () => {
    expect(
      evaluateInference(
        inferenceJob("llama3.1-405b", "h100-sxm", 8, "fp8"),
        { tp: 8, pp: 1, ep: 1 },
        1,
        1024,
        128,
      ).fits,
    ).toBe(true);
    expect(
      evaluateInference(
        inferenceJob("llama3.1-405b", "h100-sxm", 8, "bf16"),
        { tp: 8, pp: 1, ep: 1 },
        1,
        1024,
        128,
      ).fits,
    ).toBe(false);
  });

  it("int4 weight-only quarters the weights of bf16", () => {
    const bf16 = inferenceMemory(
      inferenceJob("llama3-70b", "h100-sxm", 1, "bf16"),
      { tp: 1, pp: 1, ep: 1 },
      1,
      1024,
      1024,
    );
    const int4 = inferenceMemory(
      inferenceJob("llama3-70b", "h100-sxm", 1, "int4"),
      { tp: 1, pp: 1, ep: 1 },
      1,
      1024,
      1024,
    );
    expect(int4.weightsBytes).toBeCloseTo(bf16.weightsBytes / 4, 0);
  });

  it("maxBatch is the largest batch that fits", () => {
    const j = inferenceJob("llama3-8b", "h100-sxm", 1);
    const s = { tp: 1, pp: 1, ep: 1 };
    const b = maxBatchThatFits(j, s, 4096, 2048);
    expect(inferenceMemory(j, s, b, 4096, 2048).totalBytes).toBeLessThanOrEqual(j.accelerator.hbmBytes);
    expect(inferenceMemory(j, s, b + 1, 4096, 2048).totalBytes).toBeGreaterThan(j.accelerator.hbmBytes);
  });
});

describe("decode and prefill", () => {
  it("decode at batch 1 is bound by reading the weights: TPOT ≈ weight bytes / achievable bandwidth", () => {
    const j = inferenceJob("llama3-8b", "h100-sxm", 1);
    const r = evaluateInference(j, { tp: 1, pp: 1, ep: 1 }, 1, 128, 128);
    const weightsRead = 8.03e9 * 2;
    expect(r.decode.bottleneck).toBe("hbm-bandwidth");
    expect(r.tpotS).toBeGreaterThan(weightsRead / j.accelerator.hbmBandwidthBytesPerS);
    const achievable = j.accelerator.hbmBandwidthBytesPerS * j.accelerator.parts.memoryFraction.value;
    expect(r.tpotS).toBeLessThan((1.3 * weightsRead) / achievable);
  });

  it("prefill of a large batch is compute bound", () => {
    const r = evaluateInference(
      inferenceJob("llama3-8b", "h100-sxm", 1),
      { tp: 1, pp: 1, ep: 1 },
      16,
      2048,
      16,
    );
    expect(r.prefill.bottleneck).toBe("compute");
  });

  it("MoE decode reads only the experts its tokens visit", () => {
    expect(touchedExperts(8, 2, 1)).toBeCloseTo(2, 10);
    expect(touchedExperts(256, 8, 1000)).toBeCloseTo(256, 3);
    const j = inferenceJob("mixtral-8x7b", "h100-sxm", 1);
    const one = evaluateInference(j, { tp: 1, pp: 1, ep: 1 }, 1, 128, 128).tpotS;
    const many = evaluateInference(j, { tp: 1, pp: 1, ep: 1 }, 64, 128, 128).tpotS;
    // Batch 1 reads ~2 of 8 experts (12.9B active of 46.7B): far below the all-expert read of batch 64.
    expect(one).toBeLessThan(0.5 * many);
  });

  it("searches the replica shape with the best throughput per accelerator", () => {
    const r = searchReplica(inferenceJob("llama3-70b", "h100-sxm", 8, "fp8"), {}, 64, 2048, 128);
    expect(r.best.fits).toBe(true);
    expect(r.searched).toBeGreaterThan(3);
  });
});

function scaled(a: Accelerator, f: { hbmBw?: number; hbm?: number }): Accelerator {
  return {
    ...a,
    hbmBandwidthBytesPerS: a.hbmBandwidthBytesPerS * (f.hbmBw ?? 1),
    hbmBytes: a.hbmBytes * (f.hbm ?? 1),
  };
}

describe("inference invariants (property tests)", () => {
  const arb = fc.record({
    model: fc.constantFrom("llama3-8b", "llama3-70b", "mixtral-8x7b", "deepseek-v3", "gpt3-175b"),
    acc: fc.constantFrom("h100-sxm", "h200", "b200", "mi300x", "gaudi3"),
    tp: fc.constantFrom(1, 2, 4, 8),
    precision: fc.constantFrom("bf16", "fp8", "int4"),
    batch: fc.integer({ min: 1, max: 256 }),
    inputLen: fc.integer({ min: 1, max: 8192 }),
    outputLen: fc.integer({ min: 1, max: 4096 }),
    f: fc.double({ min: 1, max: 4, noNaN: true }),
  });

  it("more HBM bandwidth never raises TPOT (or TTFT)", () => {
    fc.assert(
      fc.property(arb, (c) => {
        const j = inferenceJob(c.model, c.acc, c.tp, c.precision as InferenceJob["precision"]);
        const s = { tp: c.tp, pp: 1, ep: 1 };
        const a = evaluateInference(j, s, c.batch, c.inputLen, c.outputLen);
        const b = evaluateInference(
          { ...j, accelerator: scaled(j.accelerator, { hbmBw: c.f }) },
          s,
          c.batch,
          c.inputLen,
          c.outputLen,
        );
        expect(b.tpotS).toBeLessThanOrEqual(a.tpotS * (1 + 1e-12));
        expect(b.ttftS).toBeLessThanOrEqual(a.ttftS * (1 + 1e-12));
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it("a longer output never lowers KV use; more memory never makes a fitting batch stop fitting", () => {
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 4096 }), (c, extra) => {
        const j = inferenceJob(c.model, c.acc, c.tp, c.precision as InferenceJob["precision"]);
        const s = { tp: c.tp, pp: 1, ep: 1 };
        const a = evaluateInference(j, s, c.batch, c.inputLen, c.outputLen);
        const longer = evaluateInference(j, s, c.batch, c.inputLen, c.outputLen + extra);
        expect(longer.kvCacheBytes).toBeGreaterThanOrEqual(a.kvCacheBytes);
        const bigger = evaluateInference(
          { ...j, accelerator: scaled(j.accelerator, { hbm: c.f }) },
          s,
          c.batch,
          c.inputLen,
          c.outputLen,
        );
        if (a.fits) expect(bigger.fits).toBe(true);
        expect(bigger.maxBatch).toBeGreaterThanOrEqual(a.maxBatch);
      }),
      { numRuns: 100, seed: 11 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { builtinCatalog } from "../../src/catalog/index.js";
import { evaluateInference } from "../../src/perf/infer.js";
import { DEFAULT_ENGINE, generateRequests, simulateServing } from "../../src/perf/serving.js";
import { queueingCheck } from "../../src/validation/queueing.js";
import { inferenceJob } from "../helpers.js";

describe("serving simulation against queueing theory", () => {
  it("the validation check agrees with M/D/1 within 3% at the mean, p50, p90 and p99", () => {
    for (const row of queueingCheck(builtinCatalog()))
      expect(Math.abs(row.error), row.metric).toBeLessThan(0.03);
  });
});

describe("serving simulation against the batch model", () => {
  it("one static batch (all prompts at once, one prefill iteration) takes what the batch model says", () => {
    const j = inferenceJob("llama3-8b", "h100-sxm", 1, "fp8");
    const shape = { tp: 1, pp: 1, ep: 1 };
    const b = evaluateInference(j, shape, 32, 200, 100);
    const s = simulateServing(
      j,
      shape,
      { requests: 32, arrival: "offline", inputLen: 200, outputLen: 100, seed: 1 },
      null,
      {
        ...DEFAULT_ENGINE,
        maxNumSeqs: 32,
        chunkedPrefill: false,
        mixedPrefill: false,
      },
    );
    expect(s.ttftS.p50 / b.ttftS).toBeCloseTo(1, 2);
    expect(s.tpotS.p50 / b.tpotS).toBeCloseTo(1, 2);
    expect(s.makespanS / (b.ttftS + 99 * b.tpotS)).toBeCloseTo(1, 2);
  });
});

describe("serving simulation", () => {
  const j = inferenceJob("llama3-70b", "h100-sxm", 2, "fp8");
  const shape = { tp: 2, pp: 1, ep: 1 };
  const w = { requests: 400, arrival: "offline" as const, inputLen: 1000, outputLen: 200, seed: 1 };

  it("is deterministic for a seed", () => {
    const a = simulateServing(j, shape, w, null);
    const b = simulateServing(j, shape, w, null);
    expect(a).toEqual(b);
    const c = simulateServing(j, shape, { ...w, arrival: 5, seed: 2 }, null);
    const d = simulateServing(j, shape, { ...w, arrival: 5, seed: 3 }, null);
    expect(c.ttftS.p50).not.toBe(d.ttftS.p50);
  });

  it("completes every request and counts their tokens", () => {
    const r = simulateServing(j, shape, w, null);
    expect(r.requests).toBe(400);
    expect(r.outputTokensPerS * r.makespanS).toBeCloseTo(400 * 200, 0);
    expect(r.tpotS.p50).toBeGreaterThan(0);
    expect(r.ttftS.p99).toBeGreaterThanOrEqual(r.ttftS.p50);
  });

  it("preempts and still completes everything when the KV cache runs out", () => {
    // An H100 with 60 GB: 35 GB of fp8 70B weights leave room for few long sequences.
    const small = { ...j, accelerator: { ...j.accelerator, hbmBytes: 45e9 } };
    const r = simulateServing(small, shape, { ...w, outputLen: 2000 }, null);
    expect(r.requests).toBe(400);
    expect(r.preemptions).toBeGreaterThan(0);
    expect(r.kvUtilization).toBeGreaterThan(0.5);
    expect(r.kvUtilization).toBeLessThanOrEqual(1);
  });

  it("reserve admission (TensorRT-LLM) never preempts; optimistic admission (vLLM) does, and packs more", () => {
    const small = { ...j, accelerator: { ...j.accelerator, hbmBytes: 45e9 } };
    const long = { ...w, outputLen: 2000 };
    const optimistic = simulateServing(small, shape, long, null, {
      ...DEFAULT_ENGINE,
      admission: "optimistic",
    });
    const reserve = simulateServing(small, shape, long, null, { ...DEFAULT_ENGINE, admission: "reserve" });
    expect(optimistic.preemptions).toBeGreaterThan(0);
    expect(reserve.preemptions).toBe(0);
    expect(reserve.requests).toBe(400);
    expect(reserve.outputTokensPerS * reserve.makespanS).toBeCloseTo(400 * 2000, 0);
    // Holding KV for outputs not yet written runs fewer sequences at once early on.
    expect(reserve.kvUtilization).toBeLessThan(optimistic.kvUtilization);
    // A declared max_tokens larger than the outputs reserves more, so it serves no faster.
    const capped = simulateServing(small, shape, long, null, {
      ...DEFAULT_ENGINE,
      admission: "reserve",
      maxOutputTokens: 4000,
    });
    expect(capped.preemptions).toBe(0);
    expect(capped.makespanS).toBeGreaterThanOrEqual(reserve.makespanS);
  });

  it("scales with replicas", () => {
    const one = simulateServing(j, shape, w, null);
    const two = simulateServing({ ...j, gpus: 4 }, shape, w, null);
    expect(two.replicas).toBe(2);
    expect(two.outputTokensPerS).toBeGreaterThan(1.5 * one.outputTokensPerS);
  });

  it("scores requests against an SLO", () => {
    const r = simulateServing(j, shape, { ...w, arrival: 2 }, { ttftMs: 2000, tpotMs: 100 });
    expect(r.sloAttainment).not.toBeNull();
    expect(r.sloAttainment ?? 0).toBeGreaterThan(0.9);
    const strict = simulateServing(j, shape, { ...w, arrival: 2 }, { ttftMs: 1, tpotMs: 1 });
    expect(strict.sloAttainment).toBe(0);
  });

  it("chunked prefill and separate prefill iterations both serve the workload", () => {
    const chunked = simulateServing(j, shape, { ...w, arrival: 4 }, null, {
      ...DEFAULT_ENGINE,
      chunkedPrefill: true,
    });
    const separate = simulateServing(j, shape, { ...w, arrival: 4 }, null, {
      ...DEFAULT_ENGINE,
      chunkedPrefill: false,
      mixedPrefill: false,
    });
    expect(chunked.requests).toBe(400);
    expect(separate.requests).toBe(400);
    // Separate prefill iterations pause decoding: the worst time per output token is higher.
    expect(separate.tpotS.p99).toBeGreaterThan(chunked.tpotS.p50);
  });
});

describe("workload generation", () => {
  it("Poisson arrivals at the given rate; lengths from their distributions", () => {
    const g = generateRequests({
      requests: 50_000,
      arrival: 10,
      inputLen: { dist: "uniform", min: 100, max: 200 },
      outputLen: { dist: "lognormal", mean: 300, sd: 100 },
      seed: 5,
    });
    expect((g.arrival[g.arrival.length - 1] ?? 0) / 50_000).toBeCloseTo(0.1, 2);
    let inMin = Number.POSITIVE_INFINITY;
    let inMax = 0;
    let outSum = 0;
    for (let i = 0; i < 50_000; i++) {
      inMin = Math.min(inMin, g.input[i] ?? 0);
      inMax = Math.max(inMax, g.input[i] ?? 0);
      outSum += g.output[i] ?? 0;
    }
    expect(inMin).toBe(100);
    expect(inMax).toBe(200);
    expect(outSum / 50_000).toBeGreaterThan(290);
    expect(outSum / 50_000).toBeLessThan(310);
  });
});

describe("disaggregated prefill and decode pools", () => {
  const j = inferenceJob("llama3-8b", "h100-sxm", 4, "fp8");
  const shape = { tp: 1, pp: 1, ep: 1 };
  const w = { requests: 2000, arrival: 40, inputLen: 2048, outputLen: 128, seed: 4 };

  it("serves every request, first tokens from the prefill pool, the rest from the decode pool", () => {
    const r = simulateServing(j, shape, w, null, { ...DEFAULT_ENGINE, prefillReplicas: 1 });
    expect(r.requests).toBe(2000);
    expect(r.outputTokensPerS * r.makespanS).toBeCloseTo(2000 * 128, 0);
    expect(r.ttftS.p50).toBeGreaterThan(0);
  });

  it("keeps decoding free of prefill interference: lower p99 time per output token than colocated", () => {
    const colocated = simulateServing(j, shape, w, null);
    const split = simulateServing(j, shape, w, null, { ...DEFAULT_ENGINE, prefillReplicas: 2 });
    expect(split.tpotS.p99).toBeLessThan(colocated.tpotS.p99);
  });

  it("needs at least one decode replica", () => {
    expect(() => simulateServing(j, shape, w, null, { ...DEFAULT_ENGINE, prefillReplicas: 4 })).toThrow(
      /^inference\.engine\.prefillReplicas: expected fewer than the deployment's 4 replica\(s\)/,
    );
  });
});

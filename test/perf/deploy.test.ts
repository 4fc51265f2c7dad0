import { describe, expect, it } from "vitest";
import { builtinCatalog, resolveAccelerator, resolveModel } from "../../src/catalog/index.js";
import { searchDeployment } from "../../src/perf/deploy.js";
import { DEFAULT_ENGINE, simulateServing } from "../../src/perf/serving.js";

const cat = builtinCatalog();
const accelerator = resolveAccelerator(cat, "h100-sxm");
const base = {
  model: resolveModel(cat, "llama3-8b"),
  accelerator,
  gpus: 8,
  domainSize: 8,
  kvPrecision: "fp8" as const,
};
const target = {
  rate: 30,
  inputLen: 1024,
  outputLen: 128,
  slo: { ttftMs: 1000, tpotMs: 40 },
  precisions: ["fp8" as const],
  batchLimits: [32, 128],
  requests: 300,
  seed: 1,
};

describe("deployment search", () => {
  const r = searchDeployment([{ job: base, usdPerGpuHour: null }], target);

  it("sizes the deployment from the rate one replica sustains within the SLO", () => {
    expect(r.best).not.toBeNull();
    const b = r.best;
    if (b === null) return;
    expect(b.replicas).toBe(Math.ceil(target.rate / b.ratePerReplica));
    expect(b.gpus).toBe(b.replicas * b.shape.tp * b.shape.pp);
    for (const c of r.candidates) expect(c.gpus).toBeGreaterThanOrEqual(b.gpus);
  });

  it("the sustained rate really meets the SLO in a fresh simulation", () => {
    const b = r.best;
    if (b === null) throw new Error("no deployment");
    const check = simulateServing(
      { ...base, precision: b.precision, gpus: b.shape.tp * b.shape.pp },
      b.shape,
      {
        requests: target.requests,
        arrival: b.ratePerReplica,
        inputLen: target.inputLen,
        outputLen: target.outputLen,
        seed: target.seed,
      },
      null,
      { ...DEFAULT_ENGINE, maxNumSeqs: b.maxNumSeqs },
    );
    expect(check.ttftS.p99 * 1e3).toBeLessThanOrEqual(target.slo.ttftMs);
    expect(check.tpotS.p99 * 1e3).toBeLessThanOrEqual(target.slo.tpotMs);
  });

  it("returns a Pareto front where no candidate is beaten on both throughput per GPU and latency", () => {
    expect(r.pareto.length).toBeGreaterThan(0);
    for (const p of r.pareto) {
      const dominated = r.candidates.some(
        (o) => o.tokensPerSPerGpu > p.tokensPerSPerGpu && o.tpotP50S < p.tpotP50S,
      );
      expect(dominated).toBe(false);
    }
  });

  it("compares accelerators and picks the cheapest per million tokens when prices are given", () => {
    const h200 = resolveAccelerator(cat, "h200");
    const priced = searchDeployment(
      [
        { job: base, usdPerGpuHour: 2 },
        { job: { ...base, accelerator: h200 }, usdPerGpuHour: 100 },
      ],
      { ...target, batchLimits: [128] },
    );
    const b = priced.best;
    if (b === null) throw new Error("no deployment");
    expect(b.accelerator).toBe("h100-sxm");
    // $/M tokens = GPUs × $/h ÷ (rate × output tokens × 3600) × 10⁶
    expect(b.usdPerMillionTokens).toBeCloseTo(((b.gpus * 2) / (target.rate * 128 * 3600)) * 1e6, 9);
    for (const c of priced.candidates)
      expect(c.usdPerMillionTokens ?? 0).toBeGreaterThanOrEqual(b.usdPerMillionTokens ?? 0);
  });
});

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  assumptionValues,
  builtinCatalog,
  resolveAccelerator,
  resolveHbm,
  resolveModel,
} from "../../src/catalog/index.js";
import { energyOf, energyRates, sumParts, trainingStepTraffic } from "../../src/perf/energy.js";
import { trainingJob } from "../../src/perf/job.js";
import { searchTraining } from "../../src/perf/search.js";
import { evaluatePlan } from "../../src/plan/plan.js";
import { parseYaml } from "../../src/scenario/load.js";
import { resolvePlanScenario } from "../../src/scenario/plan.js";
import { setPath } from "../../src/scenario/sweep.js";

const load = (f: string) =>
  parseYaml(readFileSync(resolve(import.meta.dirname, "../../examples", f), "utf8"), f);
const plan = (data: unknown) => evaluatePlan(resolvePlanScenario(data, builtinCatalog()).main);
const KOREA = load("stargate-korea.yaml");
const GLOBAL = load("plan-global.yaml");
const sum = (s: object) => Object.values(s).reduce((x: number, y: number) => x + y, 0);

describe("energy per training run and per million tokens", () => {
  for (const [name, data] of [
    ["Stargate Korea", KOREA],
    ["plan-global", GLOBAL],
  ] as const) {
    const e = plan(data).energy;
    it(`${name}: the shares sum to 1, for the plan, each run and each service`, () => {
      expect(sum(e.shares)).toBeCloseTo(1, 12);
      for (const x of [...e.runs, ...e.services]) expect(sum(x.shares)).toBeCloseTo(1, 12);
      expect(e.kwhPerMillionTokens ?? 0).toBeGreaterThan(0);
      expect(e.mwhPerTrainingRun ?? 0).toBeGreaterThan(0);
    });
    it(`${name}: what the accelerator draws never exceeds TDP × time; bottom-up stays under the provisioned top-down`, () => {
      for (const x of [...e.runs, ...e.services]) expect(x.withinTdp).toBe(true);
      for (const r of e.runs) expect(r.mwh).toBeLessThan(r.topDownMwh);
    });
  }

  it("a more efficient HBM generation lowers the energy; a costlier one raises HBM's share", () => {
    const e = plan(KOREA).energy;
    expect(e.hbmWhatIf.kwhPerMillionTokens ?? 9).toBeLessThan(e.kwhPerMillionTokens ?? 0);
    expect(e.hbmWhatIf.mwhPerTrainingRun ?? 9e9).toBeLessThan(e.mwhPerTrainingRun ?? 0);
    const dear = plan(setPath(KOREA, "assumptions.hbmPjPerBit", 7)).energy;
    expect(dear.shares.hbm).toBeGreaterThan(e.shares.hbm);
    expect(dear.hbmPjPerBit).toBe(7);
  });

  it("a training step's parts: FLOPs are the model's hardware FLOPs, HBM bytes at least the states read and written", () => {
    const cat = builtinCatalog();
    const acc = resolveAccelerator(cat, "h100-sxm");
    const job = trainingJob({
      model: resolveModel(cat, "llama3-70b"),
      accelerator: acc,
      gpus: 512,
      seqLen: 8192,
      globalBatch: 512,
    });
    const r = searchTraining(job).best;
    if (!r.fits) throw new Error("expected a fitting configuration");
    const t = trainingStepTraffic(job, r);
    expect(t.flops).toBeCloseTo(r.hfu * (acc.peakFlops.bf16 ?? 0) * r.stepTimeS, 0);
    expect(t.hbmBytes).toBeGreaterThan(2 * (r.memory.weightsBytes + r.memory.optimizerBytes));
    const a = assumptionValues();
    const gen = acc.hbm === null ? null : resolveHbm(cat, acc.hbm.generation);
    const rates = energyRates(acc, gen, "bf16", 1.4, a, a.trainingLoadFactor);
    const parts = energyOf(t, rates, 1.2);
    expect(parts.facility).toBeCloseTo((sumParts(parts) - parts.facility) * 0.2, 6);
    // Energy per FLOP in pJ: TDP × share / sustained rate; H100 BF16 ≈ 0.5-0.9 pJ/FLOP.
    expect(rates.pjPerFlop).toBeGreaterThan(0.3);
    expect(rates.pjPerFlop).toBeLessThan(1.2);
  });
});

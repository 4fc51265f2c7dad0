import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assumptionValues,
  builtinCatalog,
  chipAssumptionValues,
  resolveAccelerator,
  resolveHbm,
} from "../../src/catalog/index.js";
import { type BasePart, basePart, type ChipSpec, chipCost, chipPower } from "../../src/design/chip.js";
import {
  costCheck,
  type DesignPointResult,
  designSize,
  evaluateDesignPoint,
  resolveBase,
} from "../../src/design/design.js";
import { dominates, OBJECTIVES, paretoFront } from "../../src/design/pareto.js";
import { resolveDesignScenario } from "../../src/scenario/design.js";

const catalog = builtinCatalog();
const a = assumptionValues();
const c = chipAssumptionValues();
const b200 = resolveAccelerator(catalog, "b200");
const base: BasePart = basePart(b200, 1716, a.hbmPjPerBit);

/** A B200-like spec with `stacks` stacks of `gen`, compute scaled by `scale`. */
function spec(scale: number, stacks: number, gen = "hbm3e-12hi", tdpW: number | null = null): ChipSpec {
  const g = resolveHbm(catalog, gen);
  return {
    computeScale: scale,
    stacks,
    generation: g,
    hbmBytes: stacks * g.capacityPerStackBytes,
    hbmBandwidthBytesPerS: stacks * g.bandwidthPerStackBytesPerS,
    scaleUpBytesPerS: base.scaleUpBytesPerS,
    sramMB: null,
    tdpW,
  };
}

/** A design scenario serving Llama 3.1 405B at 50 ms per token beside a training run, varying `space`. */
function scenario(space: Record<string, (number | string)[]>) {
  return {
    kind: "design",
    base: "b200",
    space,
    workloads: [
      {
        kind: "infer",
        model: "llama3.1-405b",
        precision: "fp8",
        inputLen: 2048,
        outputLen: 512,
        slo: { ttftMs: 2000, tpotMs: 50 },
        weight: 0.7,
      },
      {
        kind: "train",
        model: "llama3.1-405b",
        tokens: 15.6e12,
        seqLen: 8192,
        globalBatch: 2048,
        precision: "fp8",
        accelerators: 16384,
        weight: 0.3,
      },
    ],
    supply: { hbmStacksPerYear: 2e6 },
  };
}

function evaluateAll(data: unknown): DesignPointResult[] {
  const d = resolveDesignScenario(data, catalog);
  const b = resolveBase(d);
  return Array.from({ length: designSize(d.axes) }, (_, i) => evaluateDesignPoint(d, b, i));
}

describe("chip cost and power", () => {
  it("cost and power rise with logic area (compute) and with stacks", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        fc.double({ min: 1.01, max: 2, noNaN: true }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom("hbm3e-8hi", "hbm3e-12hi", "hbm4"),
        (scale, more, stacks, extra, gen) => {
          const small = spec(scale, stacks, gen);
          const big = spec(scale * more, stacks, gen);
          const taller = spec(scale, stacks + extra, gen);
          const cost = (s: ChipSpec) => chipCost(base, s, c, a);
          const power = (s: ChipSpec) => chipPower(base, s, cost(s).logicMm2, a, a.hbmPjPerBit);
          expect(cost(big).logicMm2).toBeGreaterThan(cost(small).logicMm2);
          expect(cost(big).chipUsd).toBeGreaterThan(cost(small).chipUsd);
          expect(power(big).derivedTdpW).toBeGreaterThan(power(small).derivedTdpW);
          expect(cost(taller).chipUsd).toBeGreaterThan(cost(small).chipUsd);
          expect(cost(taller).hbmUsd).toBeGreaterThan(cost(small).hbmUsd);
          expect(power(taller).derivedTdpW).toBeGreaterThan(power(small).derivedTdpW);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it("the base part's own figures give back its TDP; a cap below them slows the clock, and a FLOP costs less", () => {
    const same: ChipSpec = {
      ...spec(1, 8, "hbm3e-8hi"),
      hbmBytes: b200.hbmBytes,
      hbmBandwidthBytesPerS: b200.hbmBandwidthBytesPerS,
    };
    const p = chipPower(base, same, chipCost(base, same, c, a).logicMm2, a, a.hbmPjPerBit);
    expect(p.derivedTdpW).toBeCloseTo(1000, 6);
    expect(p.clock).toBe(1);
    const capped = chipPower(
      base,
      { ...same, tdpW: 800 },
      chipCost(base, same, c, a).logicMm2,
      a,
      a.hbmPjPerBit,
    );
    expect(capped.clock).toBeLessThan(1);
    expect(capped.clock).toBeGreaterThan(0.5);
    expect(capped.energyPerFlopScale).toBeLessThan(1);
    expect(capped.computeW + capped.memoryAndLinksW + capped.staticW).toBeCloseTo(800, 6);
  });

  it("the catalog's published prices bracket the modelled cost: 3-8× for H100, B200 and GB200", () => {
    const d = resolveDesignScenario(scenario({ "hbm.stacks": [8] }), catalog);
    const check = costCheck(d.priced, d.c, d.a);
    expect(check.map((x) => x.accelerator)).toEqual(["h100-sxm", "b200", "gb200"]);
    for (const x of check) {
      expect(x.priceOverCost, x.accelerator).toBeGreaterThan(3);
      expect(x.priceOverCost, x.accelerator).toBeLessThan(8);
    }
  });
});

describe("design points against the supply", () => {
  it("more stacks never lower serving capacity per chip, and never raise chips per year from fixed HBM", () => {
    for (const gen of ["hbm3e-12hi", "hbm4"]) {
      const points = evaluateAll(scenario({ "hbm.generation": [gen], "hbm.stacks": [4, 6, 8, 12] }));
      for (let i = 1; i < points.length; i++) {
        const [p, q] = [points[i - 1] as DesignPointResult, points[i] as DesignPointResult];
        const perChip = (x: DesignPointResult) => x.workloads[0]?.tokensPerS ?? 0;
        expect(perChip(q), `${gen} ${JSON.stringify(q.values)}`).toBeGreaterThanOrEqual(
          perChip(p) * (1 - 1e-9),
        );
        expect(q.chipsPerYearFromSupply).toBeLessThanOrEqual(p.chipsPerYearFromSupply);
        expect(q.chipsPerYearFromSupply).toBeCloseTo(2e6 / Number(q.values["hbm.stacks"]), 6);
      }
    }
  });
});

/** A synthetic design point with the given objective values (problem: null) for the front's properties. */
function synthetic(index: number, v: readonly number[], problem: string | null = null): DesignPointResult {
  return {
    index,
    usdPerMillionTokens: v[0] ?? 1,
    tokensPerJoule: v[1] ?? 1,
    trainDays: v[2] ?? 1,
    tokensPerDayFromSupply: v[3] ?? 1,
    trainingRunsPerYearFromSupply: v[4] ?? 1,
    problem,
  } as unknown as DesignPointResult;
}

describe("the Pareto front", () => {
  it("holds no dominated point, and every feasible point off it is dominated by a point on it", () => {
    const value = fc.integer({ min: 1, max: 6 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(value, { minLength: 5, maxLength: 5 }), fc.boolean()), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rows, serve) => {
          const points = rows.map(([v, bad], i) => synthetic(i, v, bad && i % 3 === 0 ? "cannot run" : null));
          const f = paretoFront(points, serve);
          const objectives = OBJECTIVES.filter((o) => f.objectives.includes(o.key));
          const on = points.filter((p) => f.pareto.includes(p.index));
          for (const p of on) {
            expect(p.problem).toBeNull();
            for (const q of points.filter((x) => x.problem === null))
              expect(dominates(q, p, objectives)).toBe(false);
          }
          for (const l of f.losses) {
            const loser = points[l.index] as DesignPointResult;
            const winner = points[l.to] as DesignPointResult;
            expect(f.pareto).toContain(l.to);
            expect(dominates(winner, loser, objectives)).toBe(true);
          }
          const feasible = points.filter((p) => p.problem === null).length;
          expect(f.pareto.length + f.losses.length).toBe(feasible);
          if (feasible > 0) expect(f.pareto).toContain(f.knee);
        },
      ),
      { numRuns: 500, seed: 11 },
    );
  });
});

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { builtinCatalog } from "../../src/catalog/index.js";
import { evaluatePlan } from "../../src/plan/plan.js";
import { parseYaml } from "../../src/scenario/load.js";
import { resolvePlanScenario } from "../../src/scenario/plan.js";
import { setPath } from "../../src/scenario/sweep.js";

const GLOBAL = parseYaml(
  readFileSync(resolve(import.meta.dirname, "../../examples/plan-global.yaml"), "utf8"),
  "plan-global.yaml",
);
const plan = (data: unknown = GLOBAL) => evaluatePlan(resolvePlanScenario(data, builtinCatalog()).main);

describe("a plan across countries with a budget, events and a regional demand", () => {
  const r = plan();

  it("spans four countries and reports the budget, the regions and both events", () => {
    expect(new Set(r.sites.map((s) => s.site.split("-")[0])).size).toBe(4);
    expect(r.budget).not.toBeNull();
    expect(r.regions?.regions.map((x) => x.region)).toEqual(["KR"]);
    expect(r.events).toHaveLength(2);
    expect(r.budget?.spentUsd ?? 0).toBeLessThanOrEqual(25e9 + 1);
  });

  it("never spends more than the money available by each quarter", () => {
    for (const q of r.budget?.byQuarter ?? []) expect(q.spentUsd).toBeLessThanOrEqual(q.availableUsd + 1e-6);
  });

  it("more budget never buys less, quarter by quarter", () => {
    let prev: number[] | null = null;
    for (const capex of [0, 2e9, 8e9, 25e9, 60e9, 200e9]) {
      const installed = plan(setPath(GLOBAL, "budget.capexUsd", capex)).quarters.map((q) => q.installed);
      if (prev !== null)
        for (const [i, x] of installed.entries()) expect(x).toBeGreaterThanOrEqual(prev[i] ?? 0);
      prev = installed;
    }
    expect(plan(setPath(GLOBAL, "budget.capexUsd", 0)).quarters.every((q) => q.installed === 0)).toBe(true);
  });

  it("a faster budget never buys later", () => {
    const slow = plan(setPath(GLOBAL, "budget.perQuarterUsd", 1e9)).quarters;
    const fast = plan(setPath(GLOBAL, "budget.perQuarterUsd", 5e9)).quarters;
    for (const [i, q] of fast.entries()) expect(q.installed).toBeGreaterThanOrEqual(slow[i]?.installed ?? 0);
  });

  it("the regional rule never lowers the shortfall, and without regional demand there is no rule", () => {
    const g = r.regions;
    expect(g?.shortfallWithRule ?? 0).toBeGreaterThanOrEqual(g?.shortfallWithoutRule ?? 0);
    const free = structuredClone(GLOBAL) as { demand: { inference: { region?: string }[] } };
    for (const d of free.demand.inference) delete d.region;
    expect(plan(free).regions).toBeNull();
  });

  it("regional demand is served only by its country's sites: with no power there it is all short", () => {
    const data = setPath(GLOBAL, "sites.3.grid", [{ from: "2030Q1", mw: 100 }]);
    const g = plan(data).regions?.regions[0];
    expect(g?.itMwAtEnd).toBe(0);
    expect(g?.shortfallAcceleratorQuarters ?? 0).toBeGreaterThan(0);
  });

  it("brackets its capex per GW against the published figures, with sources", () => {
    const g = r.budget?.costPerGw;
    expect(g?.published.length ?? 0).toBeGreaterThanOrEqual(3);
    for (const p of g?.published ?? []) expect(p.source.length).toBeGreaterThan(10);
    expect(g?.itUsdPerGw ?? 0).toBeGreaterThan(g?.facilityUsdPerGw ?? 0);
    expect(["below", "within", "above"]).toContain(g?.position);
  });

  it("bad input names its field: negative budget, unknown region, unknown site", () => {
    expect(() => plan(setPath(GLOBAL, "budget.capexUsd", -1))).toThrow(/budget\.capexUsd/);
    expect(() => plan(setPath(GLOBAL, "demand.inference.1.region", "FR"))).toThrow(
      /demand\.inference\[1\]\.region: expected a country of the plan's sites \(US, NO, AE, KR\), got "FR"/,
    );
    expect(() => plan(setPath(GLOBAL, "sites.0.site", "us-atlantis"))).toThrow(/sites\[0\]\.site/);
    expect(() => plan(setPath(GLOBAL, "budget.from", "soon"))).toThrow(/budget\.from/);
  });
});

describe("low-confidence site figures are sampled", () => {
  it("Monte Carlo's default ranges include each plan site's stated ranges", async () => {
    const { uncertaintyRanges } = await import("../../src/cli/point.js");
    const ranges = new Map(uncertaintyRanges(GLOBAL));
    expect(ranges.get("sites.0.climateOffsetC")).toEqual([-1.5, 1.5]);
    expect(ranges.get("sites.2.gridCarbonGPerKWh")).toEqual([300, 420]);
    expect(ranges.get("sites.1.electricityUsdPerKWh")).toEqual([0.02, 0.08]);
    expect(ranges.has("assumptions.hbmPjPerBit")).toBe(true);
  });

  it("a plan's own site figures change what they should: a warmer climate raises PUE, a dearer build raises capex", () => {
    const base = plan();
    const warm = plan(setPath(GLOBAL, "sites.2.climateOffsetC", 3));
    expect(warm.sites[2]?.annualPue ?? 0).toBeGreaterThan(base.sites[2]?.annualPue ?? 9);
    expect(warm.sites[0]?.annualPue).toBe(base.sites[0]?.annualPue);
    const dear = plan(setPath(GLOBAL, "sites.0.constructionUsdPerMw", 20e6));
    expect(dear.capex.facility).toBeGreaterThan(base.capex.facility);
    const dirty = plan(setPath(GLOBAL, "sites.1.gridCarbonGPerKWh", 500));
    expect(dirty.sites[1]?.gridCarbonGPerKWh).toBe(500);
  });
});

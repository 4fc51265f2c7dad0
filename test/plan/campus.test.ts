import { describe, expect, it } from "vitest";
import { builtinCatalog, resolveSite, type SiteInput } from "../../src/catalog/index.js";
import { evaluateCampus } from "../../src/plan/campus.js";
import { stullWetBulbC } from "../../src/psychrometrics.js";
import { resolveCampusScenario } from "../../src/scenario/campus.js";

const catalog = builtinCatalog();
const CONTRACT_SITES = [
  "us-abilene",
  "us-shackelford",
  "us-milam",
  "us-dona-ana",
  "us-lordstown",
  "us-saline",
  "no-narvik",
  "ae-abu-dhabi",
  "in-mumbai",
  "de-frankfurt",
  "jp-tokyo",
  "gb-north-east",
];

describe("global sites", () => {
  it("the catalog holds at least 16 sites in at least 8 countries, the contract's among them", () => {
    const sites = [...catalog.sites.keys()].map((id) => resolveSite(catalog, id));
    expect(sites.length).toBeGreaterThanOrEqual(16);
    expect(new Set(sites.map((s) => s.country)).size).toBeGreaterThanOrEqual(8);
    for (const id of CONTRACT_SITES) expect(catalog.sites.has(id), id).toBe(true);
  });

  it("every site has 12 monthly temperatures and a source for each of its figures", () => {
    for (const id of catalog.sites.keys()) {
      const s = resolveSite(catalog, id);
      expect(s.monthlyMeanC, id).toHaveLength(12);
      for (const f of ["climate", "humidity", "gridCarbon", "electricity", "construction"] as const)
        expect(s.sources[f]?.length ?? 0, `${id} ${f}`).toBeGreaterThan(10);
      for (const [f, r] of Object.entries(s.ranges))
        expect(r[0], `${id} ${f}`).toBeLessThanOrEqual(r[1] ?? 0);
    }
  });

  it("wet-bulb temperature follows Stull (2011): 20 °C at 50% RH is 13.7 °C", () => {
    expect(stullWetBulbC(20, 50)).toBeCloseTo(13.7, 1);
    // Saturated air: wet-bulb equals dry-bulb within the fit's ±1 K.
    expect(Math.abs(stullWetBulbC(25, 99) - 25)).toBeLessThan(1);
  });

  it("a site states a humidity figure: its relative humidity sets the wet-bulb depression", () => {
    const base: SiteInput = {
      id: "x",
      name: "x",
      country: "XX",
      monthlyMeanC: [10, 10, 10, 10, 10, 10, 30, 10, 10, 10, 10, 10],
      diurnalRangeC: 8,
      relativeHumidityPct: 30,
      gridCarbonGPerKWh: 100,
      electricityUsdPerKWh: 0.1,
      source: "test",
    };
    const dry = resolveSite(catalog, base);
    const humid = resolveSite(catalog, { ...base, relativeHumidityPct: 80 });
    expect(dry.wetBulbDepressionC).toBeCloseTo(30 - stullWetBulbC(30, 30), 9);
    expect(dry.wetBulbDepressionC).toBeGreaterThan(humid.wetBulbDepressionC);
    const { relativeHumidityPct: _, ...none } = base;
    expect(() => resolveSite(catalog, none)).toThrow(/relativeHumidityPct/);
  });
});

const campus = (over: Record<string, unknown> = {}) =>
  resolveCampusScenario(
    {
      accelerator: "gb200",
      itMw: 100,
      heatRejection: "adiabatic",
      serve: {
        name: "chat",
        model: "llama3-70b",
        inputTokens: 1024,
        outputTokens: 256,
        slo: { ttftMs: 2000, tpotMs: 50 },
      },
      ...over,
    },
    catalog,
  );

describe("one campus at many sites", () => {
  it("ranks every catalog site by default, best first, with a rank per figure", () => {
    const r = evaluateCampus(campus());
    expect(r.sites).toHaveLength(catalog.sites.size);
    for (let i = 1; i < r.sites.length; i++)
      expect(r.sites[i]?.usdPerGpuHour ?? 0).toBeGreaterThanOrEqual(r.sites[i - 1]?.usdPerGpuHour ?? 0);
    expect(r.sites[0]?.ranks.usdPerGpuHour).toBe(1);
    expect(r.serving?.tokensPerSPerGpu ?? 0).toBeGreaterThan(0);
  });

  it("climate, tariff, carbon and build cost move the figures they should", () => {
    const r = evaluateCampus(campus({ sites: ["no-narvik", "ae-abu-dhabi", "us-abilene", "jp-tokyo"] }));
    const at = (id: string) => r.sites.find((s) => s.site === id);
    // A subarctic site needs less cooling, less water and a smaller grid connection than a desert one.
    expect(at("no-narvik")?.annualPue ?? 9).toBeLessThan(at("ae-abu-dhabi")?.annualPue ?? 0);
    expect(at("no-narvik")?.wueLPerKwh ?? 9).toBeLessThan(at("ae-abu-dhabi")?.wueLPerKwh ?? 0);
    expect(at("no-narvik")?.gridMw ?? 9e9).toBeLessThan(at("ae-abu-dhabi")?.gridMw ?? 0);
    // Hydro power: an order of magnitude less carbon.
    expect((at("no-narvik")?.co2TonnesPerYear ?? 1e12) * 5).toBeLessThan(
      at("us-abilene")?.co2TonnesPerYear ?? 0,
    );
    // Tokyo builds dearest in the reference (T&T $15.2/W), Texas cheapest (C&W $9.3M/MW).
    expect(at("jp-tokyo")?.capexUsd ?? 0).toBeGreaterThan(at("us-abilene")?.capexUsd ?? 1e15);
    expect(at("jp-tokyo")?.buildCostFrom).toBe("site");
    expect(at("no-narvik")?.buildCostFrom).toBe("assumption");
  });

  it("with the same climate a cheaper tariff never costs more per GPU-hour or per token", () => {
    const abilene = catalog.sites.get("us-abilene") as SiteInput;
    const cheap = { ...abilene, id: "cheap", electricityUsdPerKWh: 0.03 };
    const dear = { ...abilene, id: "dear", electricityUsdPerKWh: 0.3 };
    const r = evaluateCampus(campus({ sites: [dear, cheap], rankBy: "usdPerMillionTokens" }));
    expect(r.sites.map((s) => s.site)).toEqual(["cheap", "dear"]);
    expect(r.sites[0]?.annualPue).toBeCloseTo(r.sites[1]?.annualPue ?? 0, 12);
  });

  it("a lower sustainedComputeFraction serves fewer tokens per accelerator and dearer tokens, at the same PUE", () => {
    const sites = ["no-narvik", "us-abilene"];
    const [full, slow] = [1, 0.8].map((f) =>
      evaluateCampus(campus({ sites, assumptions: { sustainedComputeFraction: f } })),
    );
    expect(slow?.serving?.tokensPerSPerGpu ?? 1e9).toBeLessThan(full?.serving?.tokensPerSPerGpu ?? 0);
    expect(slow?.sites).toHaveLength(2);
    for (const s of slow?.sites ?? []) {
      const f = full?.sites.find((x) => x.site === s.site);
      expect(s.annualPue, s.site).toBe(f?.annualPue);
      expect(s.usdPerMillionTokens ?? 0, s.site).toBeGreaterThan(f?.usdPerMillionTokens ?? 1e9);
    }
  });

  it("bad input names its field", () => {
    expect(() => campus({ sites: ["atlantis"] })).toThrow(/sites\[0\]/);
    expect(() => campus({ rankBy: "vibes" })).toThrow(/rankBy/);
    expect(() => campus({ itMw: -5 })).toThrow(/itMw/);
    expect(() => campus({ cooling: "air" })).toThrow(/cooling.*liquid-cooled/);
  });
});

import { describe, expect, it } from "vitest";
import {
  assumptionValues,
  builtinCatalog,
  PRICES,
  resolveAccelerator,
  resolveSite,
  SYSTEMS,
} from "../../src/catalog/index.js";
import { typicalDay } from "../../src/datacenter/climate.js";
import { COOLING_MODELS, EVAPORATION_L_PER_KWH, HEAT_REJECTIONS } from "../../src/datacenter/cooling.js";
import { capitalRecoveryFactor, costPerAcceleratorHour, unitCapex } from "../../src/datacenter/cost.js";
import { facilityProfile, quarterProfile } from "../../src/datacenter/facility.js";
import { itPower } from "../../src/datacenter/power.js";

const a = assumptionValues();
const cat = builtinCatalog();
const seoul = resolveSite(cat, "kr-seoul");

describe("cooling models (shared conformance: every implementation)", () => {
  for (const model of COOLING_MODELS) {
    for (const rejection of HEAT_REJECTIONS) {
      it(`${model.id} with ${rejection} heat rejection: power ≥ 0, never less when hotter, water only when evaporating`, () => {
        let prev = -1;
        for (let t = -20; t <= 45; t += 1) {
          const h = model.hour(a, rejection, { dryBulbC: t, wetBulbC: t - 4 });
          expect(h.kwPerKw).toBeGreaterThan(0);
          expect(h.kwPerKw).toBeGreaterThanOrEqual(prev - 1e-12);
          expect(h.chillerFraction).toBeGreaterThanOrEqual(0);
          expect(h.chillerFraction).toBeLessThanOrEqual(1);
          expect(h.litresPerKwh).toBeGreaterThanOrEqual(0);
          if (rejection === "dry") expect(h.litresPerKwh).toBe(0);
          prev = h.kwPerKw;
        }
      });
    }
  }

  it("evaporating all the heat uses 1.47 L/kWh before blow-down (latent heat of water)", () => {
    expect(EVAPORATION_L_PER_KWH).toBeCloseTo(1.4694, 4);
    // A cooling tower at 4 cycles: 1.469 × 4/3 × (1 + compressor work) per kWh of IT heat.
    const h = COOLING_MODELS[0]?.hour(a, "evaporative", { dryBulbC: 5, wetBulbC: 1 });
    expect(h?.chillerFraction).toBe(0);
    expect(h?.litresPerKwh).toBeCloseTo(EVAPORATION_L_PER_KWH * (4 / 3), 9);
  });
});

describe("facility PUE and water against published ranges", () => {
  const pue = (
    cooling: "air" | "air-legacy" | "dlc" | "immersion",
    rejection: "dry" | "adiabatic" | "evaporative",
    ups = a.upsEfficiency,
  ) => facilityProfile({ site: seoul, cooling, heatRejection: rejection }, { ...a, upsEfficiency: ups });

  it("a legacy air-cooled hall (CRAC units, air-cooled chillers all year, older 92% UPS) is near the industry average 1.55-1.59", () => {
    // ../shared/reference datacenter.pue: Uptime survey average 1.55 (2022), 1.58 (2023), 1.56 (2024),
    // a fleet of mostly older enterprise halls.
    const p = pue("air-legacy", "dry", 0.92).annualPue;
    expect(p).toBeGreaterThan(1.4);
    expect(p).toBeLessThan(1.7);
  });

  it("modern air with economizer is at most ~1.3 (Uptime: new large facilities ~1.3 or better)", () => {
    const p = pue("air", "evaporative").annualPue;
    expect(p).toBeGreaterThan(1.1);
    expect(p).toBeLessThanOrEqual(1.3);
  });

  it("warm-water liquid cooling reaches the best fleets' ~1.1 (Google 2023: 1.10)", () => {
    for (const c of ["dlc", "immersion"] as const) {
      const p = pue(c, "dry").annualPue;
      expect(p).toBeGreaterThan(1.05);
      expect(p).toBeLessThan(1.16);
    }
  });

  it("orders the technologies: immersion ≤ direct liquid < air < legacy air, at every site", () => {
    for (const id of cat.sites.keys()) {
      const site = resolveSite(cat, id);
      const p = (c: "air" | "air-legacy" | "dlc" | "immersion") =>
        facilityProfile({ site, cooling: c, heatRejection: "dry" }, a).annualPue;
      expect(p("immersion")).toBeLessThanOrEqual(p("dlc") + 1e-12);
      expect(p("dlc")).toBeLessThan(p("air"));
      expect(p("air")).toBeLessThan(p("air-legacy"));
    }
  });

  it("is worse in summer than in winter, and the design (hottest-hour) PUE bounds every month", () => {
    const p = pue("air", "dry");
    expect(p.monthly[7]?.pue).toBeGreaterThan(p.monthly[0]?.pue ?? 0);
    for (const m of p.monthly) expect(m.pue).toBeLessThanOrEqual(p.designPue + 1e-12);
    const q3 = quarterProfile(p, 3).pue;
    expect(q3).toBeGreaterThan(quarterProfile(p, 1).pue);
  });

  it("water: dry coolers use none; evaporative air cooling is near the 1.8 L/kWh US average", () => {
    expect(pue("dlc", "dry").annualWueLPerKwh).toBe(0);
    // LBNL 2016 US data-center report: average on-site water ~1.8 L/kWh (not in ../shared/reference).
    const w = pue("air", "evaporative").annualWueLPerKwh;
    expect(w).toBeGreaterThan(1.8 * 0.7);
    expect(w).toBeLessThan(1.8 * 1.3);
    expect(pue("dlc", "adiabatic").annualWueLPerKwh).toBeLessThan(w);
  });

  it("synthesises 24 hours around the monthly mean with the stated daily range", () => {
    const day = typicalDay(seoul, 7);
    const mean = day.reduce((s, h) => s + h.dryBulbC, 0) / 24;
    expect(mean).toBeCloseTo(seoul.monthlyMeanC[7] ?? 0, 9);
    const range = Math.max(...day.map((h) => h.dryBulbC)) - Math.min(...day.map((h) => h.dryBulbC));
    expect(range).toBeCloseTo(seoul.diurnalRangeC, 9);
  });
});

describe("rack and system power against datasheets", () => {
  it("uses the datasheet of a listed system: DGX H100 10.2 kW, GB200 NVL72 120 kW per rack", () => {
    const h100 = itPower(resolveAccelerator(cat, "h100-sxm"), SYSTEMS, a);
    expect(h100.systemKw).toBe(10.2);
    expect(h100.kwPerAccelerator).toBeCloseTo((10.2 / 8) * (1 + a.fabricPowerFraction), 9);
    const gb200 = itPower(resolveAccelerator(cat, "gb200"), SYSTEMS, a);
    expect(gb200.rackKw).toBe(120);
    expect(gb200.cooling).toBe("liquid");
  });

  it("the 8 × TDP × 1.8 server formula is within 15% of the DGX A100, H100 and B200 datasheets", () => {
    for (const [acc, kw] of [
      ["a100-sxm-80gb", 6.5],
      ["h100-sxm", 10.2],
      ["b200", 14.3],
    ] as const) {
      const p = itPower(resolveAccelerator(cat, acc), [], a);
      expect(Math.abs(p.systemKw / kw - 1), acc).toBeLessThan(0.15);
    }
  });

  it("says which field is missing when an accelerator has neither a TDP nor a system", () => {
    expect(() => itPower(resolveAccelerator(cat, "tpu-v5p"), SYSTEMS, a)).toThrow(
      /accelerator\.tdpW: expected/,
    );
  });
});

describe("cost", () => {
  it("annualises capex with the capital recovery factor", () => {
    expect(capitalRecoveryFactor(0.08, 5)).toBeCloseTo(0.250456, 6);
    expect(capitalRecoveryFactor(0, 4)).toBe(0.25);
  });

  it("the accelerator-price × systemMultiplier rule is within 10% of the ~$3M GB200 NVL72 rack estimate", () => {
    const b200 = PRICES.find((p) => p.accelerator === "b200");
    const perGpuFromRack = 3_000_000 / 72;
    const fromChip = (b200?.usd ?? 0) * a.systemMultiplier;
    expect(Math.abs(fromChip / perGpuFromRack - 1)).toBeLessThan(0.1);
  });

  it("an H100 air-cooled cluster in Korea costs $1.2-2.5 per GPU-hour all-in, below 2024-25 H100 rental prices", () => {
    // Published H100 on-demand rental prices in 2024-25 were ~$2-3/GPU-h (neoclouds; e.g. Latent Space,
    // "$2 H100s", Oct 2024), which must also cover the renter's margin and idle time; the all-in TCO at
    // full utilisation must sit below them and well above its energy share.
    const kw = itPower(resolveAccelerator(cat, "h100-sxm"), SYSTEMS, a).kwPerAccelerator;
    const capex = unitCapex(
      PRICES.find((p) => p.accelerator === "h100-sxm"),
      SYSTEMS,
      kw,
      false,
      a,
    );
    const pue = facilityProfile({ site: seoul, cooling: "air", heatRejection: "evaporative" }, a).annualPue;
    const c = costPerAcceleratorHour(capex, kw, a.trainingLoadFactor, pue, seoul.electricityUsdPerKWh, a);
    expect(c.total).toBeGreaterThan(1.2);
    expect(c.total).toBeLessThan(2.5);
    expect(c.hardware / c.total).toBeGreaterThan(0.5);
    expect(c.energy / c.total).toBeLessThan(0.25);
    const parts = c.hardware + c.facility + c.energy + c.maintenance + c.staff + c.network;
    expect(parts).toBeCloseTo(c.total, 12);
  });

  it("asks for a price when the catalog has none", () => {
    expect(() => unitCapex(undefined, SYSTEMS, 1, false, a, "prices.tpu-v7")).toThrow(
      /^prices\.tpu-v7: expected a price/,
    );
  });
});

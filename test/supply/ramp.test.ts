import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assumptionValues, builtinCatalog, resolveHbm } from "../../src/catalog/index.js";
import {
  capacityAt,
  grossDiesPerWafer,
  packagesPerWafer,
  type SupplyInput,
  sensitivity,
  stacksPerWafer,
  supplyRamp,
} from "../../src/supply/ramp.js";

const a = assumptionValues();
const gen = resolveHbm(builtinCatalog(), "hbm3e-8hi");

/** A small hand-checkable plan: 4 quarters from 2026Q1, one vendor. */
function input(over: Partial<SupplyInput> = {}): SupplyInput {
  return {
    start: 2026 * 4,
    quarters: 4,
    generation: gen,
    stacksPerAccelerator: 8,
    logicMm2: 1600,
    vendors: [{ vendor: "V", points: [{ quarter: "2026Q1", wafersPerMonth: 100 }], allocation: 1 }],
    cowos: { points: [{ quarter: "2026Q1", wafersPerMonth: 100 }], allocation: 1 },
    sites: [{ gridItMw: [100, 100, 100, 100], builtItMw: [100, 100, 100, 100] }],
    kwPerAccelerator: 2,
    demand: [0, 1e9, 1e9, 1e9],
    a,
    ...over,
  };
}

describe("wafer arithmetic", () => {
  it("gross dies per 300 mm wafer: πr²/A − πd/√(2A)", () => {
    expect(grossDiesPerWafer(100)).toBeCloseTo(
      (Math.PI * 150 * 150) / 100 - (Math.PI * 300) / Math.sqrt(200),
      9,
    );
    expect(grossDiesPerWafer(100)).toBeCloseTo(640.2, 1);
  });

  it("HBM3E 8-Hi: a 24 Gb die of 24/0.30 × 1.4 = 112 mm²; good stacks = gross × 0.9 × 0.75 / 8 × 0.9", () => {
    const s = stacksPerWafer(gen, a);
    expect(s.dieAreaMm2).toBeCloseTo(112, 9);
    expect(s.stacks).toBeCloseTo((grossDiesPerWafer(112) * 0.9 * 0.75 * 0.9) / 8, 9);
    // A 12-high stack of 3 GB dies takes 1.5× the dies of an 8-high one.
    const tall = stacksPerWafer(resolveHbm(builtinCatalog(), "hbm3e-12hi"), a);
    expect(tall.dieAreaMm2).toBeCloseTo(112, 9);
    expect(tall.stacks).toBeCloseTo((s.stacks * 8) / 12, 9);
  });

  it("packages per CoWoS wafer shrink as the interposer grows", () => {
    const small = packagesPerWafer(814, 5, a);
    const big = packagesPerWafer(1600, 8, a);
    expect(small.interposerMm2).toBeCloseTo((814 + 5 * 121) * 1.3, 9);
    expect(big.packages).toBeLessThan(small.packages);
  });

  it("interpolates capacity between points and holds it outside them", () => {
    const pts = [
      { quarter: "2024Q4", wafersPerMonth: 100 },
      { quarter: "2025Q4", wafersPerMonth: 500 },
    ];
    expect(capacityAt(pts, 2024 * 4)).toBe(100);
    expect(capacityAt(pts, 2025 * 4 + 1)).toBe(300);
    expect(capacityAt(pts, 2030 * 4)).toBe(500);
  });
});

describe("supply ramp", () => {
  it("delivers stacks two quarters and packages one quarter after the wafers start", () => {
    const r = supplyRamp(input());
    const stacksPerQuarter = 3 * 100 * stacksPerWafer(gen, a).stacks;
    const pkgPerQuarter = 3 * 100 * packagesPerWafer(1600, 8, a).packages;
    expect(r.quarters.map((q) => q.stacksDelivered)).toEqual([0, 0, stacksPerQuarter, 2 * stacksPerQuarter]);
    expect(r.quarters[1]?.packagesDelivered).toBeCloseTo(pkgPerQuarter, 6);
    expect(r.quarters[1]?.allows.hbm).toBe(0);
    expect(r.quarters[2]?.allows.hbm).toBe(Math.floor(stacksPerQuarter / 8));
    // 100 MW at 2 kW per accelerator.
    expect(r.quarters[0]?.allows.grid).toBe(50_000);
  });

  it("names the binding input and installs no more than any input allows", () => {
    const r = supplyRamp(input());
    expect(r.quarters[0]?.binding).toBeNull(); // no demand yet
    expect(r.quarters[1]?.binding).toBe("hbm"); // no stacks yet
    const q3 = r.quarters[3];
    expect(q3?.installed).toBe(Math.min(q3?.allows.hbm ?? 0, q3?.allows.packaging ?? 0, q3?.power ?? 0));
  });

  it("grid and construction: each site hosts min(grid, halls); the scarcer one binds", () => {
    const r = supplyRamp(
      input({
        vendors: [{ vendor: "V", points: [{ quarter: "2025Q1", wafersPerMonth: 1e6 }], allocation: 1 }],
        cowos: { points: [{ quarter: "2025Q1", wafersPerMonth: 1e6 }], allocation: 1 },
        sites: [
          { gridItMw: [0, 0, 10, 10], builtItMw: [50, 50, 50, 50] },
          { gridItMw: [0, 0, 50, 50], builtItMw: [0, 0, 0, 20] },
        ],
      }),
    );
    expect(r.quarters[2]?.power).toBe(5000); // 10 MW at site 1, nothing built at site 2
    expect(r.quarters[3]?.power).toBe(15_000); // + 20 MW at site 2
    // 60 MW connected against 70 MW built: the grid is the scarcer input overall.
    expect(r.quarters[3]?.binding).toBe("grid");
    expect(r.quarters[3]?.allows.grid).toBe(30_000);
    expect(r.quarters[3]?.allows.construction).toBe(35_000);
  });

  it("sensitivity: an extra unit of the binding input buys accelerators, of a slack one nothing", () => {
    const base = input({
      demand: [1e9, 1e9, 1e9, 1e9],
      sites: [{ gridItMw: [1, 1, 1, 1], builtItMw: [1e6, 1e6, 1e6, 1e6] }],
    });
    const rows = sensitivity(base);
    const grid = rows.find((x) => x.constraint === "grid");
    const hbm = rows.find((x) => x.constraint === "hbm");
    expect(grid?.acceleratorQuarters).toBeGreaterThan(0);
    expect(grid?.shortfallRemoved).toBe(grid?.acceleratorQuarters);
    expect(hbm?.acceleratorQuarters).toBe(0);
  });

  it("properties: installed never falls, never exceeds an input, and more of any input never delivers less", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 6, maxLength: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 300, noNaN: true }), { minLength: 6, maxLength: 6 }),
        (demand, hbmShare, cowosShare, steps) => {
          // Connected and built power only grow.
          const mw = steps.map((_, i) => steps.slice(0, i + 1).reduce((x, y) => x + y, 0));
          const s = input({
            quarters: 6,
            demand,
            vendors: [
              { vendor: "V", points: [{ quarter: "2026Q1", wafersPerMonth: 100_000 }], allocation: hbmShare },
            ],
            cowos: { points: [{ quarter: "2026Q1", wafersPerMonth: 50_000 }], allocation: cowosShare },
            sites: [{ gridItMw: mw, builtItMw: mw.map((x) => x * 1.5) }],
          });
          const r = supplyRamp(s);
          let prev = 0;
          for (const q of r.quarters) {
            expect(q.installed).toBeGreaterThanOrEqual(prev);
            prev = q.installed;
            if (q.installed > 0 && q.binding !== null) {
              expect(q.installed).toBeLessThanOrEqual(Math.min(q.allows.hbm, q.allows.packaging, q.power));
            }
          }
          const more = supplyRamp({
            ...s,
            vendors: [
              { vendor: "V", points: s.vendors[0]?.points ?? [], allocation: Math.min(1, hbmShare + 0.1) },
            ],
          });
          expect(more.acceleratorQuarters).toBeGreaterThanOrEqual(r.acceleratorQuarters);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("supply concentration and single-supplier loss", () => {
  it("HHI is 10,000 for one vendor, 5,000 for two equal ones; shares sum to 1 by vendor and by country", async () => {
    const { concentration, hhi } = await import("../../src/supply/ramp.js");
    expect(hhi([1])).toBe(10_000);
    expect(hhi([0.5, 0.5])).toBeCloseTo(5_000, 9);
    expect(concentration(input()).hbmVendorHhi).toBe(10_000);
    const two = input({
      vendors: [
        { vendor: "A", country: "KR", points: [{ quarter: "2026Q1", wafersPerMonth: 100 }], allocation: 1 },
        { vendor: "B", country: "US", points: [{ quarter: "2026Q1", wafersPerMonth: 300 }], allocation: 1 },
      ],
    });
    const c = concentration(two);
    expect(c.hbmByVendor["A"]).toBeCloseTo(0.25, 12);
    expect(c.hbmVendorHhi).toBeCloseTo(25 ** 2 + 75 ** 2, 9);
    expect(Object.values(c.byCountry).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
  });

  it("losing a supplier never lowers the shortfall; losing the only HBM vendor leaves the plan short", async () => {
    const { supplierLoss } = await import("../../src/supply/ramp.js");
    const rows = supplierLoss(input({ demand: [0, 0, 100, 200] }));
    expect(rows.map((r) => r.supplier)).toEqual(["V", "TSMC CoWoS"]);
    for (const r of rows) expect(r.shortfallAcceleratorQuarters, r.supplier).toBeGreaterThanOrEqual(0);
    const v = rows.find((r) => r.supplier === "V");
    expect(v?.shortfallAcceleratorQuarters).toBeGreaterThan(0);
    expect(v?.delayQuarters).toBeNull();
  });
});

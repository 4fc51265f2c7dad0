import { describe, expect, it } from "vitest";
import { builtinCatalog } from "../../src/catalog/index.js";
import { runFleetValidation } from "../../src/validation/fleet.js";

describe("the fleet twin against published clusters", () => {
  const v = runFleetValidation(builtinCatalog());
  const row = (c: string, m: string) => {
    const r = v.rows.find((x) => x.case.startsWith(c) && x.metric === m);
    if (r === undefined) throw new Error(`no row ${c} / ${m}`);
    return r;
  };

  it("utilisation within 5 points (Seren-like, RSC-like), each seed's figure shown", () => {
    for (const c of ["Seren-like", "RSC-like"]) {
      const r = row(c, "utilisation");
      expect(Math.abs(r.simulated - r.published)).toBeLessThanOrEqual(0.05);
      expect(r.min).toBeLessThanOrEqual(r.simulated);
      expect(r.max).toBeGreaterThanOrEqual(r.simulated);
    }
  });

  it("Seren's median queueing delay within a factor of 2 (or the trace's one-second resolution); the mean is shown with its spread", () => {
    const med = row("Seren-like", "median queueing delay");
    expect(med.within).toBe(true);
    expect(Math.abs(med.simulated - med.published)).toBeLessThanOrEqual(1);
    const mean = row("Seren-like", "mean queueing delay");
    expect(mean.max).toBeGreaterThan(mean.min);
    expect(mean.note).toMatch(/Poisson/);
  });

  it("mean time to failure at 8 and 1,024 GPUs, the 16k projection and Llama 3's interruptions within 20%", () => {
    for (const [c, m] of [
      ["RSC-like", "mean time to failure, 8-GPU jobs"],
      ["RSC-like", "mean time to failure, 1,024-GPU jobs"],
      ["RSC projection", "mean time to failure"],
      ["Llama 3", "unexpected interruptions"],
    ] as const) {
      const r = row(c, m);
      expect(Math.abs(r.simulated / r.published - 1), `${c} ${m}`).toBeLessThanOrEqual(0.2);
    }
  });

  it("GPU time by job size and by outcome as the clusters state; every row says whether it was fitted", () => {
    expect(row("RSC-like", "256+ GPU jobs' share of GPU time").within).toBe(true);
    expect(row("RSC-like", "under-8-GPU jobs' share of GPU time").within).toBe(true);
    expect(row("Seren-like", "single-GPU jobs' share of GPU time").within).toBe(true);
    expect(row("Seren-like", "cancelled jobs' share of GPU time").within).toBe(true);
    for (const r of v.rows) {
      expect(["fit", "check"]).toContain(r.use);
      expect(r.source.length).toBeGreaterThan(10);
    }
    // Only the mean queueing delay misses, and it says why.
    expect(v.rows.filter((r) => !r.within).map((r) => r.metric)).toEqual(["mean queueing delay"]);
  });
});

import { describe, expect, it } from "vitest";
import { fitTrace } from "../../src/fleet/fit.js";
import { generateJobs } from "../../src/fleet/workload.js";
import { seededRandom } from "../../src/random.js";

const DAY = 86_400;

describe("fitting the job generator to a trace", () => {
  // A synthetic trace with known parameters: the fit must recover them.
  const jobs = generateJobs(
    [
      {
        partner: 0,
        kind: "finetune",
        perDay: 50,
        sizes: [{ accelerators: 8, weight: 1 }],
        medianHours: 2,
        sigma: 1,
        priority: 1,
      },
      {
        partner: 1,
        kind: "eval",
        perDay: 200,
        sizes: [
          { accelerators: 1, weight: 3 },
          { accelerators: 4, weight: 1 },
        ],
        medianHours: 0.5,
        sigma: 1.5,
        priority: 1,
      },
    ],
    60 * DAY,
    seededRandom(4),
  );
  const rows = jobs.map((j) => ({
    tenant: j.partner === 0 ? "lab" : "uni",
    submitS: j.submitS,
    accelerators: j.size,
    durationS: j.workS,
  }));

  it("recovers arrival rates, size weights and lognormal parameters per tenant and size class", () => {
    const fit = fitTrace(rows);
    expect(fit.days).toBeGreaterThan(59);
    expect(fit.days).toBeLessThan(61);
    const lab = fit.tenants.find((t) => t.name === "lab");
    const uni = fit.tenants.find((t) => t.name === "uni");
    expect(lab?.streams).toHaveLength(1);
    const s8 = lab?.streams[0];
    expect(Math.abs((s8?.perDay ?? 0) / 50 - 1)).toBeLessThan(0.05);
    expect(Math.abs((s8?.medianHours ?? 0) / 2 - 1)).toBeLessThan(0.06);
    expect(Math.abs((s8?.sigma ?? 0) - 1)).toBeLessThan(0.04);
    expect(uni?.streams.map((s) => s.sizes[0]?.accelerators)).toEqual([1, 4]);
    const [one, four] = uni?.streams ?? [];
    expect(Math.abs((one?.perDay ?? 0) / 150 - 1)).toBeLessThan(0.05);
    expect(Math.abs((four?.perDay ?? 0) / 50 - 1)).toBeLessThan(0.08);
    for (const s of [one, four]) {
      expect(Math.abs((s?.medianHours ?? 0) / 0.5 - 1)).toBeLessThan(0.1);
      expect(Math.abs((s?.sigma ?? 0) - 1.5)).toBeLessThan(0.06);
      // A lognormal trace is fitted well in the mean and the tail.
      expect(Math.abs((s?.fitMeanHours ?? 0) / (s?.traceMeanHours ?? 1) - 1)).toBeLessThan(0.15);
      expect(Math.abs((s?.fitP90Hours ?? 0) / (s?.traceP90Hours ?? 1) - 1)).toBeLessThan(0.15);
    }
  });

  it("groups many distinct sizes into power-of-two classes, and takes a given span", () => {
    const varied = rows.map((r, i) => ({ ...r, accelerators: 1 + (i % 40) }));
    const fit = fitTrace(varied, { days: 30 });
    expect(fit.days).toBe(30);
    for (const t of fit.tenants)
      for (const s of t.streams) {
        const sizes = s.sizes.map((z) => z.accelerators);
        const top = Math.max(...sizes);
        const cls = 2 ** Math.ceil(Math.log2(top));
        expect(sizes.every((z) => z > cls / 2 && z <= cls)).toBe(true);
      }
    const total = fit.tenants.reduce((x, t) => x + t.streams.reduce((y, s) => y + s.perDay, 0), 0);
    expect(total * 30).toBeCloseTo(rows.length, 6);
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtinCatalog } from "../../src/catalog/index.js";
import { checkFleetWork, resolveFleetScenario } from "../../src/scenario/fleet.js";
import { fleetScenarioSchema } from "../../src/scenario/fleet-schema.js";
import { parseYaml } from "../../src/scenario/load.js";

const EXAMPLE = join(import.meta.dirname, "../../examples/fleet-small.yaml");
const small = () => parseYaml(readFileSync(EXAMPLE, "utf8"), EXAMPLE) as Record<string, unknown>;

describe("resolveFleetScenario", () => {
  it("holds a stream of more jobs than one call's arguments can (140,000 evaluations in two weeks)", () => {
    const s = small();
    const partners = s["partners"] as { workloads: { kind: string; perDay?: number }[] }[];
    for (const p of partners) for (const w of p.workloads) if (w.kind === "eval") w.perDay = 10_000;
    const r = resolveFleetScenario(s, builtinCatalog());
    expect(r.input.jobs.length).toBeGreaterThan(130_000);
    // In submit order.
    expect(r.input.jobs.every((j, i, all) => i === 0 || (all[i - 1]?.submitS ?? 0) <= j.submitS)).toBe(true);
  });

  it("estimates the work before it runs: within the limits, nothing; past one, the field that sets it most", () => {
    const s = fleetScenarioSchema.parse(small());
    expect(() => checkFleetWork(s, 0, 15)).not.toThrow();
    expect(() => checkFleetWork(s, 2_000_000, 15)).toThrow(
      /^trace: expected a simulation of at most 1,000,000 jobs/,
    );
    const eval1 = { kind: "eval", perDay: 1, sizes: [{ accelerators: 8, weight: 1 }], medianHours: 1 };
    const crowd = fleetScenarioSchema.parse({
      ...small(),
      partners: Array.from({ length: 11 }, (_, i) => ({ name: `p${i}`, workloads: Array(100).fill(eval1) })),
    });
    expect(() => checkFleetWork(crowd, 0, 15)).toThrow(
      /^partners: expected a simulation of at most 1,000 workloads; this one would run 1,100 workloads, got "11 partners"$/,
    );
    expect(() => checkFleetWork(s, 0, 1e-4)).toThrow(
      /^assumptions\.autoscaleMinutes: expected a simulation of at most 1,000,000 autoscaler steps; this one would run 201,600,000 autoscaler steps \(1 service × 14 days\)/,
    );
  });
});

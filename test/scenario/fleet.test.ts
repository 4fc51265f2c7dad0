import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtinCatalog, resolveAccelerator } from "../../src/catalog/index.js";
import { simulateFleet } from "../../src/fleet/sim.js";
import { gemmCurveOf } from "../../src/perf/roofline.js";
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

describe("sustainedComputeFraction: the fleet's pretraining runs and inference replicas carry the model's compute gap", () => {
  const at = (f?: number) => {
    const s = small();
    if (f !== undefined) s["assumptions"] = { sustainedComputeFraction: f };
    return resolveFleetScenario(s, builtinCatalog());
  };
  const full = at();
  const slow = at(0.8);
  const pretrain = (r: typeof full) => r.input.jobs.filter((j) => j.kind === "pretrain");

  it("at 1 the fleet is the fleet without the field", () => {
    expect(JSON.stringify(at(1).input)).toBe(JSON.stringify(full.input));
  });

  it("at 0.8 a pretraining run needs more time, and its run time never grows by more than 1/0.8", () => {
    const [a, b] = [pretrain(full)[0], pretrain(slow)[0]];
    expect(a && b).toBeTruthy();
    expect(b?.workS).toBeGreaterThan(a?.workS ?? 0);
    expect(b?.workS).toBeLessThanOrEqual((a?.workS ?? 0) / 0.8 + 1e-6);
  });

  it("at 0.8 a replica serves fewer tokens per second within its SLO, on no more accelerators", () => {
    const [a, b] = [full.input.services[0], slow.input.services[0]];
    expect(b?.tokensPerSPerReplica).toBeLessThan(a?.tokensPerSPerReplica ?? 0);
    expect(b?.replicaSize).toBe(a?.replicaSize);
  });

  it("the streams' jobs and the fleet's power do not move: only the performance model's rates do", () => {
    const rest = (r: typeof full) => r.input.jobs.filter((j) => j.kind !== "pretrain");
    expect(JSON.stringify(rest(slow))).toBe(JSON.stringify(rest(full)));
    expect(JSON.stringify(slow.input.sites)).toBe(JSON.stringify(full.input.sites));
  });

  it("is listed among the assumptions the fleet read, with who set it", () => {
    const row = (r: typeof full) => r.assumptions.find((x) => x.parameter === "sustainedComputeFraction");
    expect(row(full)).toMatchObject({ value: "1", unit: "fraction" });
    expect(row(full)?.source).toMatch(/fleet/);
    expect(row(slow)).toMatchObject({ value: "0.8", source: "set by the scenario" });
  });
});

describe("fine-tune and eval streams across accelerator types", () => {
  const MIXED = join(import.meta.dirname, "../../examples/fleet-mixed.yaml");
  /** The mixed fleet with the university's evaluations listing H100 first and GB200 after it. */
  const mixed = (types: string | string[]) => {
    const s = parseYaml(readFileSync(MIXED, "utf8"), MIXED) as Record<string, unknown>;
    const partners = s["partners"] as { name: string; workloads: Record<string, unknown>[] }[];
    const evals = partners.find((p) => p.name === "university")?.workloads[0] as Record<string, unknown>;
    evals["accelerator"] = types;
    // More 64-accelerator evaluations than 1,024 H100 hold: they queue there.
    evals["perDay"] = 800;
    evals["sizes"] = [{ accelerators: 64, weight: 1 }];
    return { ...s, days: 4 };
  };

  it("list types in order of preference: a job's work on the next is its work on the first over the sustained-GEMM ratio", () => {
    const r = resolveFleetScenario(mixed(["h100-sxm", "gb200"]), builtinCatalog());
    const evals = r.input.jobs.filter((j) => j.kind === "eval");
    expect(evals.length).toBeGreaterThan(2000);
    const catalog = builtinCatalog();
    const sustained = (id: string) => {
      const a = resolveAccelerator(catalog, id);
      return (a.peakFlops.bf16 ?? 0) * gemmCurveOf(a, "bf16").plateau;
    };
    const speed = sustained("gb200") / sustained("h100-sxm");
    expect(speed).toBeGreaterThan(1.5);
    for (const j of evals.slice(0, 50)) {
      expect(j.pool).toBe(0);
      expect(j.alternatives).toHaveLength(1);
      expect(j.alternatives?.[0]?.pool).toBe(1);
      expect(j.alternatives?.[0]?.workS).toBeCloseTo(j.workS / speed, 6);
    }
    // One type alone: no alternatives, and the same jobs otherwise.
    const one = resolveFleetScenario(mixed("h100-sxm"), builtinCatalog()).input.jobs.filter(
      (j) => j.kind === "eval",
    );
    expect(one.map((j) => [j.submitS, j.workS, j.size])).toEqual(
      evals.map((j) => [j.submitS, j.workS, j.size]),
    );
    expect(one.every((j) => j.alternatives === undefined)).toBe(true);
  });

  it("a crowded first type sends jobs to the next: its site gets busier, no invariant breaks", () => {
    const run = (types: string | string[]) => {
      const r = resolveFleetScenario(mixed(types), builtinCatalog());
      return simulateFleet({ ...r.input, audit: true });
    };
    const only = run("h100-sxm");
    const both = run(["h100-sxm", "gb200"]);
    expect(both.violation).toBeNull();
    expect(only.violation).toBeNull();
    const gb200 = (x: typeof only) => x.sites.find((s) => s.accelerator === "gb200")?.busy ?? 0;
    expect(gb200(both)).toBeGreaterThan(gb200(only));
    const evalWait = (x: typeof only) => x.kinds.find((k) => k.kind === "eval")?.waitH.p90 ?? 0;
    expect(evalWait(both)).toBeLessThan(evalWait(only));
  }, 60_000);

  it("a type no site holds is named with its place in the list", () => {
    expect(() => resolveFleetScenario(mixed(["h100-sxm", "tpu-v5p"]), builtinCatalog())).toThrow(
      /^partners\[1\]\.workloads\[0\]\.accelerator\[1\]: expected an accelerator some site holds/,
    );
  });
});

describe("inference services across accelerator types", () => {
  const MIXED = join(import.meta.dirname, "../../examples/fleet-mixed.yaml");
  /** The mixed fleet's chat service on `types`, asked for more than the GB200 racks serve. */
  const mixed = (types: string | string[]) => {
    const s = parseYaml(readFileSync(MIXED, "utf8"), MIXED) as Record<string, unknown>;
    const partners = s["partners"] as {
      name: string;
      quota: unknown;
      workloads: Record<string, unknown>[];
    }[];
    const startup = partners.find((p) => p.name === "startup");
    const chat = startup?.workloads[0] as Record<string, unknown>;
    chat["accelerator"] = types;
    chat["tokensPerDay"] = 1.5e12;
    return { ...s, days: 1 };
  };

  it("list types in order of preference: each with its own replica (size and tokens/s at the SLO)", () => {
    const r = resolveFleetScenario(mixed(["gb200", "h100-sxm"]), builtinCatalog());
    const chat = r.input.services[0];
    expect(chat?.pool).toBe(1);
    expect(chat?.alternatives).toHaveLength(1);
    const h100 = chat?.alternatives?.[0];
    expect(h100?.pool).toBe(0);
    expect(h100?.replicaSize).toBeGreaterThan(0);
    // An H100 replica serves less than a GB200 one per accelerator.
    expect((h100?.tokensPerSPerReplica ?? 0) / (h100?.replicaSize ?? 1)).toBeLessThan(
      (chat?.tokensPerSPerReplica ?? 0) / (chat?.replicaSize ?? 1),
    );
  });

  it("demand beyond the first type is served on the next: more served, H100 busier, no invariant breaks", () => {
    const run = (types: string | string[]) => {
      const r = resolveFleetScenario(mixed(types), builtinCatalog());
      return simulateFleet({ ...r.input, audit: true });
    };
    const only = run("gb200");
    const both = run(["gb200", "h100-sxm"]);
    expect(only.violation).toBeNull();
    expect(both.violation).toBeNull();
    const served = (x: typeof only) => x.services[0]?.servedFraction ?? 0;
    expect(served(only)).toBeLessThan(0.95);
    expect(served(both)).toBeGreaterThan(served(only));
    const h100 = (x: typeof only) => x.sites.find((s) => s.accelerator === "h100-sxm")?.busy ?? 0;
    expect(h100(both)).toBeGreaterThan(h100(only));
  }, 60_000);
});

describe("job presets and stream defaults", () => {
  const base = (partner: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
    days: 10,
    fleet: { accelerator: "a100-sxm-80gb", count: 2288, site: "kr-seoul" },
    partners: [{ name: "lab", ...partner }],
    ...over,
  });
  const perDay = (r: ReturnType<typeof resolveFleetScenario>) => r.input.jobs.length / 10;

  it("a partner naming a preset gets its streams at the cluster's rate per accelerator (quota, else the fleet), times scale", () => {
    const whole = resolveFleetScenario(base({ jobs: "acme-seren" }), builtinCatalog());
    expect(perDay(whole) / 3608).toBeGreaterThan(0.97);
    expect(perDay(whole) / 3608).toBeLessThan(1.03);
    expect(new Set(whole.input.jobs.map((j) => j.kind))).toEqual(new Set(["eval", "finetune", "pretrain"]));
    expect(whole.input.jobs.some((j) => j.outcome === "failed")).toBe(true);
    const half = resolveFleetScenario(
      base({ quota: 1144, jobs: { preset: "acme-seren", scale: 2 } }),
      builtinCatalog(),
    );
    expect(perDay(half) / 3608).toBeGreaterThan(0.97);
    expect(perDay(half) / 3608).toBeLessThan(1.03);
  });

  it("sizes beyond the largest site are left out with a note; a wrong preset is refused naming the field", () => {
    const small = resolveFleetScenario(
      base({ jobs: "meta-rsc" }, { fleet: { accelerator: "a100-sxm-80gb", count: 512, site: "kr-seoul" } }),
      builtinCatalog(),
    );
    expect(Math.max(...small.input.jobs.map((j) => j.size))).toBe(512);
    expect(small.notes.join(" ")).toMatch(/meta-rsc pretrain jobs of more than 512 accelerators .* left out/);
    expect(() => resolveFleetScenario(base({ jobs: "helios" }), builtinCatalog())).toThrow(
      /^partners\[0\]\.jobs: expected .*acme-seren/,
    );
  });

  it("streams that leave out sizes, run time or spread take the acme-seren class of their kind, listed with its source", () => {
    const r = resolveFleetScenario(base({ workloads: [{ kind: "eval", perDay: 1000 }] }), builtinCatalog());
    const sizes = new Set(r.input.jobs.map((j) => j.size));
    expect(sizes).toEqual(new Set([1, 2, 4, 8]));
    const hours = r.input.jobs.map((j) => j.workS / 3600).sort((a, b) => a - b);
    expect(hours[Math.floor(hours.length / 2)] ?? 0).toBeCloseTo(0.0496, 1);
    const rows = r.assumptions.map((a) => `${a.parameter}: ${a.source}`).join("\n");
    expect(rows).toMatch(/eval stream defaults: the acme-seren preset's eval class/);
    expect(rows).toMatch(/failures\.ratePerAccHour: derived: 419 \/ \(16384 × 54 d × 24 h\); Grattafiori/);
    const withPreset = resolveFleetScenario(base({ jobs: "philly" }), builtinCatalog());
    expect(withPreset.assumptions.map((a) => a.parameter).join("\n")).toMatch(/fitted to: mean run time/);
  });

  it("hardwareShare rescales the Llama 3 causes; starvationHours null never drains", () => {
    const r = resolveFleetScenario(
      base({ jobs: "acme-seren" }, { failures: { hardwareShare: 0.31 }, starvationHours: null }),
      builtinCatalog(),
    );
    const causes = r.input.failures?.causes ?? [];
    const total = causes.reduce((a, c) => a + c.share, 0);
    const hw = causes.filter((c) => c.hardware).reduce((a, c) => a + c.share, 0);
    expect(hw / total).toBeCloseTo(0.31, 6);
    expect(r.input.starvationS).toBe(Number.POSITIVE_INFINITY);
    // The default (6 h) leaves the input as it was.
    expect(
      resolveFleetScenario(base({ jobs: "acme-seren" }), builtinCatalog()).input.starvationS,
    ).toBeUndefined();
  });
});

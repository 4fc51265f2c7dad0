import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ASSUMPTIONS } from "../../src/catalog/index.js";
import { editedCopy, ROOT, renderedDom, run } from "./run.js";

const KOREA = join(ROOT, "examples/stargate-korea.yaml");
const bin = join(ROOT, "bin/stargate.js");
const TMP = mkdtempSync(join(tmpdir(), "stargate-plan-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const variant = (name: string, edit: (text: string) => string) => editedCopy(KOREA, TMP, name, edit);

describe("stargate plan", () => {
  it("with no arguments prints the built-in Stargate Korea plan, bottlenecks first", async () => {
    const r = await run(["plan"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Stargate Korea: plan 2026Q1–2028Q4 on gb200/);
    for (const section of [
      "Bottlenecks",
      "Training demand",
      "Inference demand",
      "Fleet by quarter",
      "Sites",
      "Years",
      "Cost per accelerator-hour",
      "What one more unit",
    ])
      expect(r.stdout).toContain(section);
  });

  it("--json prints one object with the plan, every assumption and the sources used", async () => {
    const r = await run(["plan", "--json"]);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    for (const f of [
      "quarters",
      "years",
      "sites",
      "training",
      "inference",
      "costPerGpuHour",
      "capex",
      "shortfalls",
      "sensitivity",
      "narrative",
      "assumptions",
      "sources",
      "candidates",
    ])
      expect(o, f).toHaveProperty(f);
    expect(Object.keys(o.assumptions).sort()).toEqual(Object.keys(ASSUMPTIONS).sort());
    expect(o.assumptions.upsEfficiency.source).toMatch(/UPS/);
    expect(o.sources["site kr-jeonnam"]).toMatch(/KMA/);
  });

  it("says how far the performance model was from the published runs of the classes its demand uses", async () => {
    const r = await run(["plan"]);
    expect(r.stdout).toMatch(
      /The performance model on gb200, beside the published runs .*\n {2}- checked against: 3 published training runs on gb200 fp8 .*shorter than measured\.\n {2}- checked against: no published MLPerf Inference result on gb200 fp8/,
    );
    const o = JSON.parse((await run(["plan", "--json"])).stdout);
    expect(o.validation).toHaveLength(2);
    expect(o.validation[0]).toMatchObject({
      kind: "training",
      precision: "fp8",
      checked: { measures: "step time" },
    });
    expect(o.validation[0].checked.maxError).toBeLessThan(0);
    expect(o.validation[1]).toEqual({ kind: "serving", precision: "fp8", checked: null });
  });

  it("--assumptions prints every parameter with its source, and marks what the scenario set", async () => {
    const f = variant("ups.yaml", (t) => `${t}\nassumptions:\n  upsEfficiency: 0.95\n`);
    const r = await run(["plan", f, "--assumptions"]);
    expect(r.code).toBe(0);
    for (const k of Object.keys(ASSUMPTIONS)) expect(r.stdout).toContain(k);
    expect(r.stdout).toMatch(/upsEfficiency\s+0\.95\s+fraction\s+set by the scenario/);
  });

  it("bad input exits 2 with the field path, the value and what was expected", async () => {
    const cases: [string, (t: string) => string, RegExp][] = [
      [
        "cooling.yaml",
        (t) => t.replace("cooling: dlc", "cooling: water"),
        /^stargate: sites\[0\]\.cooling: expected one of/,
      ],
      [
        "site.yaml",
        (t) => t.replace("site: kr-pohang", "site: kr-atlantis"),
        /^stargate: sites\[1\]\.site: expected a site id from the catalog .*got "kr-atlantis"/,
      ],
      [
        "quarter.yaml",
        (t) => t.replace("start: 2027Q3", "start: 2027Q5"),
        /^stargate: demand\.training\[0\]\.start: expected a quarter such as "2027Q3", got "2027Q5"/,
      ],
      [
        "share.yaml",
        (t) => t.replace("cowos: { allocation: 0.01 }", "cowos: { allocation: 2 }"),
        /^stargate: supply\.cowos\.allocation: /,
      ],
    ];
    for (const [name, edit, re] of cases) {
      const r = await run(["plan", variant(name, edit)]);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(re);
      expect(r.stderr.trim().split("\n"), name).toHaveLength(1);
    }
    const noPrice = await run(["plan", "--accelerator", "tpu-v7"]);
    expect(noPrice.code).toBe(2);
    expect(noPrice.stderr).toMatch(/^stargate: /);
  });

  it("a plan in four countries with a budget, events and a regional demand: every contract field, each section and its chart", () => {
    const global = join(ROOT, "examples/plan-global.yaml");
    const json = spawnSync("node", [bin, "plan", global, "--json"], { encoding: "utf8", cwd: ROOT });
    expect(json.status).toBe(0);
    const o = JSON.parse(json.stdout);
    for (const f of ["capexUsd", "spentUsd", "accelerators", "itMw", "firstShortfallQuarter"])
      expect(o.budget).toHaveProperty(f);
    for (const f of ["kwhPerMillionTokens", "mwhPerTrainingRun"]) expect(o.energy[f]).toBeGreaterThan(0);
    for (const f of ["compute", "hbm", "network", "other", "facility"])
      expect(o.energy.shares).toHaveProperty(f);
    for (const f of ["hbmVendorHhi", "hbmByVendor", "byCountry"]) expect(o.concentration).toHaveProperty(f);
    for (const f of ["supplier", "shortfallAcceleratorQuarters", "delayQuarters"])
      expect(o.supplierLoss[0]).toHaveProperty(f);
    for (const f of ["quarter", "kind", "shortfallAcceleratorQuarters"])
      expect(o.events[0]).toHaveProperty(f);
    expect(o.regions.regions[0].region).toBe("KR");
    const text = spawnSync("node", [bin, "plan", global], { encoding: "utf8", cwd: ROOT }).stdout;
    for (const section of ["Budget: $25.00B", "Regions (demand", "Energy by part", "Events", "capex per GW"])
      expect(text).toContain(section);
    const out = join(TMP, "global.html");
    expect(
      spawnSync("node", [bin, "plan", global, "--html", out], { encoding: "utf8", cwd: ROOT }).status,
    ).toBe(0);
    const dom = renderedDom(out);
    expect(dom).toContain('data-charts-drawn="11"');
    for (const id of ["chart-budget", "chart-events", "chart-energy", "chart-regions"])
      expect(dom).toContain(`data-chart="${id}"`);
  });

  it("--html writes a self-contained report whose charts draw in a headless browser", () => {
    const out = join(TMP, "plan.html");
    const r = spawnSync("node", [bin, "plan", "--html", out], { encoding: "utf8", cwd: ROOT });
    expect(r.status).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // nothing fetched
    const dom = renderedDom(out);
    expect(dom).toContain('data-charts-drawn="8"');
    for (const id of [
      "chart-fleet",
      "chart-power",
      "chart-pue",
      "chart-cost",
      "chart-energy",
      "chart-years",
      "chart-concentration",
      "chart-supplier-loss",
    ])
      expect(dom).toContain(`data-chart="${id}"`);
    // The fleet chart has a line per series, the PUE chart one per site.
    expect((dom.match(/<path [^>]*data-series=/g) ?? []).length).toBeGreaterThanOrEqual(5 + 2);
  });

  it("--html charts the events' shortfalls when the scenario has events", () => {
    const file = variant("events.yaml", (t) =>
      t.replace(
        /^quarters: 12$/m,
        "quarters: 12\nevents:\n  - { quarter: 2026Q3, kind: cowos-output, factor: 0.1 }\n  - { quarter: 2026Q2, kind: grid-delay, site: kr-pohang, quarters: 4 }",
      ),
    );
    const out = join(TMP, "events.html");
    const r = spawnSync("node", [bin, "plan", file, "--html", out], { encoding: "utf8", cwd: ROOT });
    expect(r.stderr).toMatch(/^wrote /);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Events\n/);
    const dom = renderedDom(out);
    expect(dom).toContain('data-charts-drawn="9"');
    expect(dom).toContain('data-chart="chart-events"');
  });

  const sweep = ["plan", "--sweep", "supply.cowos.allocation=0.001:0.008:0.001", "--json"];

  it("sweeps a field on worker threads; shards merge into exactly the unsharded output", () => {
    const whole = spawnSync("node", [bin, ...sweep], { encoding: "utf8", cwd: ROOT });
    expect(whole.status).toBe(0);
    expect(whole.stderr).toMatch(/8\/8 points/);
    const all = JSON.parse(whole.stdout);
    expect(all.rows).toHaveLength(8);
    expect(all.rows[0].result.binding).toBe("packaging");
    expect(all.rows[7].result.demandMet).toBe(true);
    const files = [1, 2].map((i) => {
      const part = spawnSync("node", [bin, ...sweep, "--shard", `${i}/2`], { encoding: "utf8", cwd: ROOT });
      expect(part.status).toBe(0);
      const f = join(TMP, `plan-shard${i}.json`);
      writeFileSync(f, part.stdout);
      return f;
    });
    const merged = spawnSync("node", [bin, "merge", ...files, "--json"], { encoding: "utf8", cwd: ROOT });
    expect(merged.status).toBe(0);
    expect(JSON.parse(merged.stdout)).toEqual(all);
  });

  it("Monte Carlo over the stated ranges is the same for the same seed and shards like a sweep", async () => {
    const a = await run(["plan", "--samples", "6", "--seed", "7", "--json"]);
    const b = await run(["plan", "--samples", "6", "--seed", "7", "--json"]);
    const c = await run(["plan", "--samples", "6", "--seed", "8", "--json"]);
    expect(a.code).toBe(0);
    const ra = JSON.parse(a.stdout);
    expect(ra.rows).toHaveLength(6);
    expect(ra).toEqual(JSON.parse(b.stdout));
    expect(ra.rows[0].result.sampled).not.toEqual(JSON.parse(c.stdout).rows[0].result.sampled);
    const sampled = ra.rows[0].result.sampled;
    expect(sampled["assumptions.upsEfficiency"]).toBeGreaterThanOrEqual(0.94);
    expect(sampled["assumptions.upsEfficiency"]).toBeLessThanOrEqual(0.99);
    const second = await run(["plan", "--samples", "6", "--seed", "7", "--shard", "2/2", "--json"]);
    expect(JSON.parse(second.stdout).rows).toEqual(ra.rows.slice(3));
  });
});

describe("restructuring keeps the plan report", () => {
  it("the built-in plan's report, with and without --assumptions, is unchanged (snapshot; -u only when the model changes on purpose)", async () => {
    const plain = await run(["plan"]);
    const withAssumptions = await run(["plan", "--assumptions"]);
    expect(plain.code).toBe(0);
    expect({ plain: plain.stdout, withAssumptions: withAssumptions.stdout }).toMatchSnapshot();
  });
});

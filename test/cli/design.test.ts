import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { editedCopy, ROOT, renderedDom, run } from "./run.js";

/** `stargate design` on the contract's example (examples/design.yaml is the same file). */
const CONTRACT = resolve(ROOT, "../shared/contract/design.yaml");
const EXAMPLE = join(ROOT, "examples/design.yaml");
const TMP = mkdtempSync(join(tmpdir(), "stargate-design-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const CONTRACT_FIELDS = [
  "usdPerMillionTokens",
  "tokensPerJoule",
  "trainDays",
  "chipUsd",
  "chipsPerYearFromSupply",
];

describe("stargate design", () => {
  it("examples/design.yaml is the contract's design.yaml, unchanged", () => {
    let contract: string;
    try {
      contract = readFileSync(CONTRACT, "utf8");
    } catch {
      return expect
        .soft(true, "../shared/contract is not beside this checkout: nothing to compare")
        .toBe(true);
    }
    expect(readFileSync(EXAMPLE, "utf8")).toBe(contract);
  });

  it("runs the contract's example: every design with the contract's fields, the front and its knee", async () => {
    const r = await run(["design", EXAMPLE, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.kind).toBe("design");
    expect(out.designs).toHaveLength(96);
    for (const d of out.designs) for (const f of CONTRACT_FIELDS) expect(d, f).toHaveProperty(f);
    expect(out.pareto.length).toBeGreaterThan(0);
    for (const p of out.pareto) {
      expect(p.onFront).toBe(true);
      for (const f of CONTRACT_FIELDS) expect(typeof p[f], f).toBe("number");
    }
    expect(out.pareto.map((p: { index: number }) => p.index)).toContain(out.knee);
    // Every design off the front names the front design that beats it.
    for (const d of out.designs.filter(
      (x: { onFront: boolean; problem: string | null }) => !x.onFront && x.problem === null,
    ))
      expect(out.pareto.map((p: { index: number }) => p.index)).toContain(d.lostTo.index);
    // Chips a year from 2 million stacks: the stack count sets it.
    for (const d of out.designs)
      expect(Math.abs(d.chipsPerYearFromSupply / (2e6 / d.values["hbm.stacks"]) - 1)).toBeLessThan(1e-5);
    const text = await run(["design", EXAMPLE]);
    expect(text.stdout).toMatch(/Pareto front: \d+ of 96 feasible designs/);
    expect(text.stdout).toMatch(/loses to #\d+: \$\/M tokens [+-]/);
    expect(text.stdout).toMatch(/Cost model against published prices/);
  }, 120_000);

  it("--html draws the designs over the axes asked for, and the front's cost by part", async () => {
    const small = editedCopy(EXAMPLE, TMP, "small.yaml", (t) =>
      t
        .replace("peakTflops.fp8: [2500, 4500, 6000]", "peakTflops.fp8: [4500]")
        .replace("tdpW: [1000, 1400]", "tdpW: [1000]"),
    );
    const out = join(TMP, "design.html");
    const r = await run(["design", small, "--html", out, "--x", "chipUsd", "--y", "trainDays"]);
    expect(r.code, r.stderr).toBe(0);
    const dom = renderedDom(out);
    expect(dom).toContain('data-charts-drawn="2"');
    expect(dom).toContain("Designs: chipUsd against trainDays");
    expect((dom.match(/<circle[^>]*data-series=/g) ?? []).length).toBe(16);
  }, 120_000);

  it("bad input exits 2 naming the field", async () => {
    const cases: [string, (t: string) => string, RegExp][] = [
      [
        "base",
        (t) => t.replace("base: b200", "base: b999"),
        /^stargate: base: expected an accelerator id from the catalog/,
      ],
      [
        "field",
        (t) => t.replace("tdpW: [1000, 1400]", "hbm.colour: [1, 2]"),
        /^stargate: space\.hbm\.colour: expected a field of an accelerator/,
      ],
      [
        "empty",
        (t) => t.replace(/space:[\s\S]*?workloads:/, "space: {}\nworkloads:"),
        /^stargate: space: expected at least one field to vary/,
      ],
      ["values", (t) => t.replace("tdpW: [1000, 1400]", "tdpW: []"), /^stargate: space\.tdpW: expected /],
      [
        "value",
        (t) => t.replace("hbm.stacks: [4, 6, 8, 12]", "hbm.stacks: [4, -6]"),
        /^stargate: space\.hbm\.stacks\[1\]: expected a positive number, got -6/,
      ],
      [
        "generation",
        (t) => t.replace("hbm4]", "hbm9]"),
        /^stargate: space\.hbm\.generation\[1\]: expected a memory id from the catalog/,
      ],
      [
        "supply",
        (t) => t.replace("hbmStacksPerYear: 2.0e+6", "hbmStacksPerYear: -1"),
        /^stargate: supply\.hbmStacksPerYear: expected a positive number, got -1/,
      ],
    ];
    for (const [name, edit, message] of cases) {
      const f = editedCopy(EXAMPLE, TMP, `${name}.yaml`, edit);
      const r = await run(["design", f, "--json"]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr, name).toMatch(message);
      expect(r.stdout).toBe("");
    }
    const x = await run(["design", EXAMPLE, "--x", "chipUsd"]);
    expect(x.code).toBe(2);
    expect(x.stderr).toMatch(/^stargate: --x: expected --html beside it/);
    const y = await run(["design", EXAMPLE, "--html", join(TMP, "y.html"), "--y", "mfu"]);
    expect(y.code).toBe(2);
    expect(y.stderr).toMatch(/^stargate: --y: expected one of usdPerMillionTokens/);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "./run.js";

const TMP = mkdtempSync(join(tmpdir(), "stargate-sites-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe("stargate sites", () => {
  it("with no FILE ranks the built-in 1 GW campus across every catalog site", async () => {
    const r = await run(["sites"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1 GW GB200 campus: 1,000 MW IT of gb200/);
    for (const id of ["us-abilene", "no-narvik", "ae-abu-dhabi", "in-mumbai", "kr-pohang", "gb-north-east"])
      expect(r.stdout).toContain(id);
  });

  it("--json carries every site's figures and ranks", async () => {
    const r = await run(["sites", "--json"]);
    const o = JSON.parse(r.stdout);
    expect(o.sites.length).toBeGreaterThanOrEqual(16);
    for (const f of [
      "annualPue",
      "wueLPerKwh",
      "co2TonnesPerYear",
      "capexUsd",
      "usdPerGpuHour",
      "usdPerMillionTokens",
      "ranks",
    ])
      expect(o.sites[0]).toHaveProperty(f);
  });

  it("catalog sites --json lists at least 16 sites in 8 countries with sources", async () => {
    const o = JSON.parse((await run(["catalog", "sites", "--json"])).stdout);
    expect(o.sites.length).toBeGreaterThanOrEqual(16);
    expect(new Set(o.sites.map((s: { country: string }) => s.country)).size).toBeGreaterThanOrEqual(8);
  });

  it("an unknown site exits 2 naming the field", async () => {
    const f = join(TMP, "bad.yaml");
    writeFileSync(f, "accelerator: gb200\nitMw: 100\nsites: [us-abilene, atlantis]\n");
    const r = await run(["sites", f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^stargate: sites\[1\]: .*atlantis/);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });
});

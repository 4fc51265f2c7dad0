import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, run } from "./run.js";

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
    // The service is sized by the performance model: the report says what validation has on its class.
    expect(r.stdout).toMatch(
      /\n {2}checked against: no published MLPerf Inference result on gb200 fp8 in stargate validate/,
    );
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
    expect(o.serving.precision).toBe("fp8");
    expect(o.validation).toBeNull();
  });

  it("catalog sites --json lists at least 16 sites in 8 countries with sources", async () => {
    const o = JSON.parse((await run(["catalog", "sites", "--json"])).stdout);
    expect(o.sites.length).toBeGreaterThanOrEqual(16);
    expect(new Set(o.sites.map((s: { country: string }) => s.country)).size).toBeGreaterThanOrEqual(8);
  });

  it("sites stay data: a site added in catalog YAML is ranked with the rest", async () => {
    const f = join(TMP, "site.yaml");
    writeFileSync(
      f,
      [
        "sites:",
        "  - id: is-reykjavik",
        "    name: Reykjavik, Iceland",
        "    country: IS",
        "    monthlyMeanC: [0.0, 0.5, 0.5, 3.5, 7.0, 9.5, 11.5, 11.5, 8.5, 4.5, 2.0, 0.5]",
        "    diurnalRangeC: 4.9",
        "    relativeHumidityPct: 78",
        "    gridCarbonGPerKWh: 28",
        "    electricityUsdPerKWh: 0.05",
        "    source: climatestotravel.com Reykjavik (../shared/reference climateNormals); the rest assumed for a test",
      ].join("\n"),
    );
    const r = await run(["sites", "--catalog", f, "--json"]);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    const s = o.sites.find((x: { site: string }) => x.site === "is-reykjavik");
    expect(s.buildCostFrom).toBe("assumption");
    expect(s.ranks.co2TonnesPerYear).toBeLessThanOrEqual(2);
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

describe("plan beyond one country: bad input exits 2 with the field path", () => {
  const cases: [string, (t: string) => string, RegExp][] = [
    [
      "unknown site",
      (t) => t.replace("site: no-narvik", "site: no-atlantis"),
      /^stargate: sites\[1\]\.site: /,
    ],
    [
      "unknown event kind",
      (t) => t.replace("kind: hbm-vendor-output", "kind: meteor"),
      /^stargate: events\[0\]\.kind: /,
    ],
    [
      "unknown vendor",
      (t) => t.replace("vendor: SK hynix, factor", "vendor: Hynix, factor"),
      /^stargate: events\[0\]\.vendor: /,
    ],
    [
      "unknown region",
      (t) => t.replace("region: KR", "region: FR"),
      /^stargate: demand\.inference\[1\]\.region: /,
    ],
    [
      "negative budget",
      (t) => t.replace("capexUsd: 25.0e+9", "capexUsd: -5"),
      /^stargate: budget\.capexUsd: /,
    ],
  ];
  for (const [name, edit, message] of cases)
    it(name, async () => {
      const f = join(TMP, `${name.replace(/ /g, "-")}.yaml`);
      writeFileSync(f, edit(readFileSync(join(ROOT, "examples/plan-global.yaml"), "utf8")));
      const r = await run(["plan", f]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    });
});

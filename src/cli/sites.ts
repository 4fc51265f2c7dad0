import type { Catalog } from "../catalog/index.js";
import { type CampusResult, evaluateCampus, SITE_METRICS, type SiteMetric } from "../plan/campus.js";
import { resolveCampusScenario } from "../scenario/campus.js";
import { checkedJson, checkedText } from "../validation/checked.js";
import { fixed, table } from "./format.js";

/** `stargate sites`: one campus design evaluated and ranked at every site it lists (default: all). */
export function runSites(data: unknown, catalog: Catalog): CampusResult {
  return evaluateCampus(resolveCampusScenario(data, catalog));
}

export function sitesJson(r: CampusResult): Record<string, unknown> {
  return {
    ...r,
    validation: r.serving !== null ? checkedJson("serving", r.accelerator, r.serving.precision) : null,
  };
}

const LABEL: Record<SiteMetric, string> = {
  usdPerGpuHour: "$/GPU-hour",
  usdPerMillionTokens: "$/M tokens",
  annualPue: "PUE",
  wueLPerKwh: "WUE",
  co2TonnesPerYear: "CO2",
  capexUsd: "capex",
};

export function sitesReport(r: CampusResult): string {
  const lines: string[] = [];
  lines.push(
    `${r.name}: ${r.itMw.toLocaleString("en-US")} MW IT of ${r.accelerator} (${r.accelerators.toLocaleString("en-US")} accelerators at ${fixed(r.kwPerAccelerator, 2)} kW each, mean load ${fixed(r.loadFactor * 100, 0)}%)`,
  );
  if (r.serving !== null)
    lines.push(
      `Serving ${r.serving.model}: ${fixed(r.serving.tokensPerSPerGpu, 0)} output tokens/s per accelerator (TP${r.serving.shape.tp} PP${r.serving.shape.pp} EP${r.serving.shape.ep}, batch ${r.serving.batch}), the same at every site`,
      `  ${checkedText("serving", r.accelerator, r.serving.precision)}`,
    );
  lines.push(`Ranked by ${LABEL[r.rankBy]} (rank per figure in brackets; 1 = best)`, "");
  const rk = (s: CampusResult["sites"][number], m: SiteMetric) => `(${s.ranks[m]})`;
  const rows = r.sites.map((s) => [
    s.site,
    s.country,
    `${fixed(s.annualPue, 3)} ${rk(s, "annualPue")}`,
    `${fixed(s.wueLPerKwh, 2)} ${rk(s, "wueLPerKwh")}`,
    `${Math.round(s.co2TonnesPerYear / 1000).toLocaleString("en-US")} ${rk(s, "co2TonnesPerYear")}`,
    fixed(s.gridMw, 0),
    `${fixed(s.capexUsd / 1e9, 2)} ${rk(s, "capexUsd")}`,
    `${fixed(s.buildUsdPerMw / 1e6, 1)}${s.buildCostFrom === "assumption" ? "*" : ""}`,
    fixed(s.electricityUsdPerKWh, 3),
    `${fixed(s.usdPerGpuHour, 2)} ${rk(s, "usdPerGpuHour")}`,
    s.usdPerMillionTokens === null
      ? "-"
      : `${fixed(s.usdPerMillionTokens, 3)} ${rk(s, "usdPerMillionTokens")}`,
  ]);
  lines.push(
    table(
      [
        "site",
        "country",
        "PUE",
        "WUE L/kWh",
        "kt CO2/yr",
        "grid MW",
        "capex $B",
        "build $M/MW",
        "$/kWh",
        "$/GPU-h",
        "$/M tok",
      ],
      rows,
      [false, false, true, true, true, true, true, true, true, true, true],
    ),
  );
  lines.push(
    "",
    "* build cost per MW: no figure for the market; the facilityUsdPerMw assumption applies.",
    `Figures ranked: ${SITE_METRICS.map((m) => LABEL[m]).join(", ")}. Sources per site: stargate catalog sites --json.`,
  );
  return `${lines.join("\n")}\n`;
}

import {
  type Accelerator,
  type Assumptions,
  type PriceInput,
  type Site,
  type SystemInput,
  sustainedAccelerator,
} from "../catalog/index.js";
import type { CoolingId, HeatRejection } from "../datacenter/cooling.js";
import { costPerAcceleratorHour, HOURS_PER_YEAR, unitCapex } from "../datacenter/cost.js";
import { facilityProfile } from "../datacenter/facility.js";
import { itPower } from "../datacenter/power.js";
import { servingCapacity } from "../perf/capacity.js";
import { defaultKvPrecision } from "../perf/infer.js";
import type { InferenceDemand } from "./plan.js";

/** One campus design (accelerator, IT MW, cooling) to place at each of several sites. */
export interface CampusInput {
  readonly name: string;
  readonly accelerator: Accelerator;
  readonly systems: readonly SystemInput[];
  readonly price: PriceInput | undefined;
  /** IT power of the campus, MW. */
  readonly itMw: number;
  readonly cooling: CoolingId;
  readonly heatRejection: HeatRejection;
  readonly sites: readonly Site[];
  /** A service whose cost per million tokens is compared across sites (null: $/GPU-hour only). */
  readonly serve: Omit<InferenceDemand, "ramp"> | null;
  readonly rankBy: SiteMetric;
  readonly a: Assumptions;
}

/** The figures sites are ranked on; lower is better for each. */
export const SITE_METRICS = [
  "usdPerGpuHour",
  "usdPerMillionTokens",
  "annualPue",
  "wueLPerKwh",
  "co2TonnesPerYear",
  "capexUsd",
] as const;
export type SiteMetric = (typeof SITE_METRICS)[number];

export interface CampusSite {
  readonly site: string;
  readonly name: string;
  readonly country: string;
  readonly annualPue: number;
  readonly designPue: number;
  readonly wueLPerKwh: number;
  /** Grid connection the campus needs at full IT load in the hottest hour, MW. */
  readonly gridMw: number;
  readonly energyMWhPerYear: number;
  readonly co2TonnesPerYear: number;
  readonly waterM3PerYear: number;
  readonly gridCarbonGPerKWh: number;
  readonly electricityUsdPerKWh: number;
  /** Construction cost of the market, USD per MW of IT, and whether it is the site's or the assumption. */
  readonly buildUsdPerMw: number;
  readonly buildCostFrom: "site" | "assumption";
  readonly capexUsd: number;
  readonly usdPerGpuHour: number;
  readonly usdPerMillionTokens: number | null;
  /** 1 = best, per metric. */
  readonly ranks: Readonly<Record<SiteMetric, number>>;
}

export interface CampusResult {
  readonly name: string;
  readonly accelerator: string;
  readonly itMw: number;
  readonly accelerators: number;
  readonly kwPerAccelerator: number;
  /** Mean draw over provisioned power: inference's load factor when a service is given, else training's. */
  readonly loadFactor: number;
  readonly serving: {
    readonly model: string;
    /** The weights' precision the service runs at. */
    readonly precision: string;
    readonly tokensPerSPerGpu: number;
    readonly shape: { readonly tp: number; readonly pp: number; readonly ep: number };
    readonly batch: number;
  } | null;
  readonly rankBy: SiteMetric;
  /** Sites best first by `rankBy` (ties by id). */
  readonly sites: readonly CampusSite[];
}

/** The service's tokens per second per accelerator at its SLO (site-independent), or null. */
function servingOf(c: CampusInput) {
  if (c.serve === null) return null;
  const s = c.serve;
  const acc = sustainedAccelerator(c.accelerator, c.a);
  return servingCapacity(
    {
      model: s.model,
      accelerator: acc,
      gpus: acc.scaleUp.domainSize * 8,
      domainSize: acc.scaleUp.domainSize,
      precision: s.precision,
      kvPrecision: defaultKvPrecision(s.precision),
    },
    s.inputTokens,
    s.outputTokens,
    { ttftS: s.ttftS, tpotS: s.tpotS },
  );
}

/** Rank of each site on each metric: 1 for the lowest value; equal values share the better rank. */
function rankAll(rows: readonly Omit<CampusSite, "ranks">[]): Record<SiteMetric, number>[] {
  const out = rows.map(() => ({}) as Record<SiteMetric, number>);
  for (const m of SITE_METRICS) {
    const v = (r: Omit<CampusSite, "ranks">) => r[m] ?? Number.POSITIVE_INFINITY;
    rows.forEach((r, i) => {
      const better = rows.filter((x) => v(x) < v(r)).length;
      (out[i] as Record<SiteMetric, number>)[m] = better + 1;
    });
  }
  return out;
}

/**
 * One campus design at every given site: PUE, water and the grid connection from the site's climate
 * (the facility model), energy and carbon at the campus's mean load, capex with the market's build cost,
 * and the cost of an accelerator-hour and of a million served tokens with the site's tariff. Sites are
 * ranked on each figure.
 */
export function evaluateCampus(c: CampusInput): CampusResult {
  const { a } = c;
  const power = itPower(c.accelerator, c.systems, a, "accelerator");
  const accelerators = Math.floor((c.itMw * 1000) / power.kwPerAccelerator);
  const liquid = c.cooling === "dlc" || c.cooling === "immersion";
  const load = c.serve !== null ? a.inferenceLoadFactor : a.trainingLoadFactor;
  const serving = servingOf(c);
  const per = serving?.tokensPerSPerGpu ?? 0;
  const rows = c.sites.map((site) => {
    const prof = facilityProfile({ site, cooling: c.cooling, heatRejection: c.heatRejection }, a);
    const build = site.constructionUsdPerMw ?? a.facilityUsdPerMw;
    const capex = unitCapex(
      c.price,
      c.systems,
      power.kwPerAccelerator,
      liquid,
      a,
      `prices.${c.accelerator.id}`,
      build,
    );
    const hour = (lf: number) =>
      costPerAcceleratorHour(capex, power.kwPerAccelerator, lf, prof.annualPue, site.electricityUsdPerKWh, a);
    const itMeanMw = accelerators * (power.kwPerAccelerator / 1000) * load;
    const energy = itMeanMw * prof.annualPue * HOURS_PER_YEAR;
    // Capacity is sized for the peak: on average each accelerator runs at 1/peakToMeanLoad of its best.
    const tokensPerHour = (per * 3600) / a.peakToMeanLoad;
    return {
      site: site.id,
      name: site.name,
      country: site.country,
      annualPue: prof.annualPue,
      designPue: prof.designPue,
      wueLPerKwh: prof.annualWueLPerKwh,
      gridMw: c.itMw * prof.designPue,
      energyMWhPerYear: energy,
      co2TonnesPerYear: (energy * site.gridCarbonGPerKWh) / 1000,
      waterM3PerYear: itMeanMw * HOURS_PER_YEAR * prof.annualWueLPerKwh,
      gridCarbonGPerKWh: site.gridCarbonGPerKWh,
      electricityUsdPerKWh: site.electricityUsdPerKWh,
      buildUsdPerMw: build,
      buildCostFrom: site.constructionUsdPerMw !== null ? ("site" as const) : ("assumption" as const),
      capexUsd: accelerators * capex.total,
      usdPerGpuHour: hour(load).total,
      usdPerMillionTokens: per > 0 ? (hour(a.inferenceLoadFactor).total / tokensPerHour) * 1e6 : null,
    };
  });
  const ranks = rankAll(rows);
  const sites = rows
    .map((r, i) => ({ ...r, ranks: ranks[i] as Record<SiteMetric, number> }))
    .sort(
      (x, y) => x.ranks[c.rankBy] - y.ranks[c.rankBy] || (x.site < y.site ? -1 : x.site > y.site ? 1 : 0),
    );
  return {
    name: c.name,
    accelerator: c.accelerator.id,
    itMw: c.itMw,
    accelerators,
    kwPerAccelerator: power.kwPerAccelerator,
    loadFactor: load,
    serving:
      serving === null || c.serve === null
        ? null
        : {
            model: c.serve.model.name,
            precision: c.serve.precision,
            tokensPerSPerGpu: per,
            shape: serving.shape,
            batch: serving.batch,
          },
    rankBy: c.rankBy,
    sites,
  };
}

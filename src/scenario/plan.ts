import {
  type AcceleratorInput,
  type AssumptionKey,
  adjustSite,
  assumptionValues,
  type Catalog,
  type CatalogOverlay,
  COWOS_CAPACITY,
  extendCatalog,
  HBM_CAPACITY,
  LOGIC_SILICON_MM2,
  PRICES,
  type PriceInput,
  RETICLE_MM2,
  resolveAccelerator,
  resolveHbm,
  resolveModel,
  resolveSite,
  SYSTEMS,
} from "../catalog/index.js";
import type { CoolingId, HeatRejection } from "../datacenter/cooling.js";
import { InputError } from "../errors.js";
import type { PlanEvent, PlanInput, SitePlan } from "../plan/plan.js";
import { parseQuarter } from "../quarter.js";
import { hallCooling } from "./campus.js";
import { validate } from "./load.js";
import { type PlanScenario, planScenarioSchema } from "./plan-schema.js";
import { strip } from "./system.js";

export interface ResolvedPlan {
  /** The plan for the scenario's accelerator. */
  readonly main: PlanInput;
  /** The same demand planned on each candidate accelerator (errors per candidate, e.g. no price). */
  readonly candidates: readonly (PlanInput | { readonly accelerator: string; readonly error: string })[];
  readonly scenario: PlanScenario;
  /** Assumptions the scenario overrode. */
  readonly overridden: readonly AssumptionKey[];
}

function planFor(
  s: PlanScenario,
  catalog: Catalog,
  accInput: string | AcceleratorInput,
  path: string,
  prices: ReadonlyMap<string, PriceInput>,
): PlanInput {
  const accelerator = resolveAccelerator(catalog, accInput, path);
  if (accelerator.hbm === null)
    throw new InputError(
      `${path}.hbm`,
      accInput,
      "an accelerator with HBM generation and stacks (the supply model counts stacks)",
    );
  const generation = resolveHbm(catalog, accelerator.hbm.generation, `${path}.hbm.generation`);
  const start = parseQuarter(s.start, "start");
  const a = assumptionValues(strip(s.assumptions ?? {}) as Partial<Record<AssumptionKey, number>>);
  const logic = LOGIC_SILICON_MM2[accelerator.id]?.mm2 ?? 2 * RETICLE_MM2;
  const training = s.demand.training.map((t, i) => {
    const model = resolveModel(
      catalog,
      typeof t.model === "string" ? t.model : strip(t.model),
      `demand.training[${i}].model`,
    );
    return {
      name: t.name,
      model,
      tokens: t.tokens,
      days: t.days,
      start: parseQuarter(t.start, `demand.training[${i}].start`),
      seqLen: t.seqLen,
      globalBatch: Math.max(1, Math.round(t.globalBatchTokens / t.seqLen)),
      precision: t.precision,
      ...(t.region !== undefined ? { region: t.region } : {}),
    };
  });
  for (const [i, t] of training.entries())
    if (accelerator.peakFlops[t.precision] === undefined)
      throw new InputError(
        `demand.training[${i}].precision`,
        t.precision,
        `a precision ${accelerator.id} supports (${Object.keys(accelerator.peakFlops).join(", ")})`,
      );
  const inference = s.demand.inference.map((d, i) => ({
    name: d.name,
    model: resolveModel(
      catalog,
      typeof d.model === "string" ? d.model : strip(d.model),
      `demand.inference[${i}].model`,
    ),
    precision: d.precision,
    inputTokens: d.inputTokens,
    outputTokens: d.outputTokens,
    ttftS: d.slo.ttftMs / 1000,
    tpotS: d.slo.tpotMs / 1000,
    ramp: d.tokensPerDay.map((p, j) => ({
      quarter: parseQuarter(p.quarter, `demand.inference[${i}].tokensPerDay[${j}].quarter`),
      tokensPerDay: p.value,
    })),
    ...(d.region !== undefined ? { region: d.region } : {}),
  }));
  const system = SYSTEMS.find((x) => x.accelerator === accelerator.id);
  const sites = s.sites.map((x, i) => ({
    design: {
      site: adjustSite(
        resolveSite(catalog, typeof x.site === "string" ? x.site : strip(x.site), `sites[${i}].site`),
        strip({
          climateOffsetC: x.climateOffsetC,
          relativeHumidityPct: x.relativeHumidityPct,
          gridCarbonGPerKWh: x.gridCarbonGPerKWh,
          electricityUsdPerKWh: x.electricityUsdPerKWh,
          constructionUsdPerMw: x.constructionUsdPerMw,
        }),
      ),
      cooling: hallCooling(system, x.cooling as CoolingId, `sites[${i}].cooling`),
      heatRejection: x.heatRejection as HeatRejection,
    },
    grid: x.grid.map((g, j) => ({ from: parseQuarter(g.from, `sites[${i}].grid[${j}].from`), mw: g.mw })),
    halls: {
      itMw: x.halls.itMw,
      count: x.halls.count,
      firstStart: parseQuarter(x.halls.firstStart, `sites[${i}].halls.firstStart`),
      everyQuarters: x.halls.everyQuarters,
    },
  }));
  checkRegions(s, sites);
  const vendors = s.supply.hbm.map((v, i) => {
    const known = HBM_CAPACITY.find((c) => c.vendor === v.vendor);
    const points = v.points ?? known?.points;
    if (points === undefined)
      throw new InputError(
        `supply.hbm[${i}].points`,
        undefined,
        `capacity points for ${v.vendor} (built in: ${HBM_CAPACITY.map((c) => c.vendor).join(", ")})`,
      );
    return {
      vendor: v.vendor,
      country: v.country ?? known?.country ?? "unstated",
      points,
      allocation: v.allocation,
    };
  });
  return {
    name: s.name ?? "plan",
    start,
    quarters: s.quarters,
    accelerator,
    generation,
    stacks: accelerator.hbm.stacks,
    logicMm2: logic,
    systems: SYSTEMS,
    price: prices.get(accelerator.id),
    training,
    inference,
    sites,
    vendors,
    cowos: { points: s.supply.cowos.points ?? COWOS_CAPACITY.points, allocation: s.supply.cowos.allocation },
    events: resolveEvents(s, sites, catalog),
    ...(s.budget !== undefined
      ? {
          budget: {
            capexUsd: s.budget.capexUsd,
            from: parseQuarter(s.budget.from, "budget.from"),
            perQuarterUsd: s.budget.perQuarterUsd ?? null,
          },
        }
      : {}),
    a,
  };
}

/** Every demand's region is a country of one of the plan's sites. */
function checkRegions(s: PlanScenario, sites: readonly SitePlan[]): void {
  const countries = [...new Set(sites.map((x) => x.design.site.country))];
  const check = (region: string | undefined, path: string) => {
    if (region !== undefined && !countries.includes(region))
      throw new InputError(path, region, `a country of the plan's sites (${countries.join(", ")})`);
  };
  for (const [i, t] of s.demand.training.entries()) check(t.region, `demand.training[${i}].region`);
  for (const [i, d] of s.demand.inference.entries()) check(d.region, `demand.inference[${i}].region`);
}

/** The scenario's events with quarters parsed, and their vendor, site or accelerator checked. */
function resolveEvents(s: PlanScenario, sites: readonly SitePlan[], catalog: Catalog): PlanEvent[] {
  const vendors = s.supply.hbm.map((v) => v.vendor);
  return s.events.map((e, i): PlanEvent => {
    const path = `events[${i}]`;
    const quarter = parseQuarter(e.quarter, `${path}.quarter`);
    if (e.kind === "hbm-vendor-output" || (e.kind === "export-control" && e.vendor !== undefined)) {
      const vendor = e.vendor ?? "";
      if (!vendors.includes(vendor)) {
        throw new InputError(
          `${path}.vendor`,
          vendor,
          `one of the plan's HBM vendors (${vendors.join(", ")})`,
        );
      }
    }
    switch (e.kind) {
      case "hbm-vendor-output":
        return { quarter, kind: e.kind, vendor: e.vendor, factor: e.factor };
      case "cowos-output":
        return { quarter, kind: e.kind, factor: e.factor };
      case "export-control": {
        if (e.accelerator !== undefined && !catalog.accelerators.has(e.accelerator)) {
          throw new InputError(`${path}.accelerator`, e.accelerator, "an accelerator id from the catalog");
        }
        return {
          quarter,
          kind: e.kind,
          ...(e.vendor !== undefined ? { vendor: e.vendor } : {}),
          ...(e.accelerator !== undefined ? { accelerator: e.accelerator } : {}),
          countries: e.countries,
        };
      }
    }
    const site = sites.findIndex((x) => x.design.site.id === e.site);
    if (site < 0) {
      throw new InputError(
        `${path}.site`,
        e.site,
        `one of the plan's sites (${sites.map((x) => x.design.site.id).join(", ")})`,
      );
    }
    return { quarter, kind: e.kind, site, quarters: e.quarters };
  });
}

/** Validate plan scenario data and resolve it against the catalog. */
export function resolvePlanScenario(data: unknown, base: Catalog, accelerator?: string): ResolvedPlan {
  const s0 = validate(planScenarioSchema, data);
  const s = accelerator !== undefined ? { ...s0, accelerator } : s0;
  const catalog = s.catalog !== undefined ? extendCatalog(base, strip(s.catalog) as CatalogOverlay) : base;
  const prices = new Map<string, PriceInput>(PRICES.map((p) => [p.accelerator, p]));
  for (const [id, p] of Object.entries(s.prices ?? {}))
    prices.set(id, { accelerator: id, ...strip(p) } as PriceInput);
  const accInput = typeof s.accelerator === "string" ? s.accelerator : strip(s.accelerator);
  const main = planFor(s, catalog, accInput as string | AcceleratorInput, "accelerator", prices);
  const candidates = (s.candidates ?? []).map((id, i) => {
    try {
      const p = planFor(s, catalog, id, `candidates[${i}]`, prices);
      if (p.price === undefined) return { accelerator: id, error: `no price for ${id} (add prices.${id})` };
      return p;
    } catch (err) {
      if (err instanceof InputError) return { accelerator: id, error: err.message };
      throw err;
    }
  });
  const overridden = Object.keys(s.assumptions ?? {}).filter(
    (k) => (s.assumptions as Record<string, unknown>)[k] !== undefined,
  ) as AssumptionKey[];
  return { main, candidates, scenario: s, overridden };
}

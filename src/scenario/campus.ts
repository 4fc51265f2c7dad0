import { z } from "zod";
import {
  type AcceleratorInput,
  type AssumptionKey,
  assumptionValues,
  type Catalog,
  type CatalogOverlay,
  extendCatalog,
  PRICES,
  type PriceInput,
  resolveAccelerator,
  resolveModel,
  resolveSite,
  SYSTEMS,
  type SystemInput,
} from "../catalog/index.js";
import { COOLING_IDS, type CoolingId, HEAT_REJECTIONS, type HeatRejection } from "../datacenter/cooling.js";
import { InputError } from "../errors.js";
import { type CampusInput, SITE_METRICS } from "../plan/campus.js";
import { validate } from "./load.js";
import { assumptionsSchema, inferenceDemandSchema, pricesSchema } from "./plan-schema.js";
import { acceleratorSchema, catalogOverlaySchema, positive, siteSchema } from "./schema.js";
import { strip } from "./system.js";

/**
 * A campus design to compare across sites (`stargate sites`): the accelerator, the IT MW, the hall's
 * cooling, and optionally a service for $/M tokens; `sites` lists catalog ids or inline sites (default:
 * every catalog site).
 */
export const campusScenarioSchema = z.strictObject({
  name: z.string().optional(),
  accelerator: z.union([z.string().min(1), acceleratorSchema]),
  itMw: positive.max(1e5),
  cooling: z.enum(COOLING_IDS as [string, ...string[]]).default("dlc"),
  heatRejection: z.enum(HEAT_REJECTIONS as [string, ...string[]]).default("dry"),
  sites: z
    .array(z.union([z.string().min(1), siteSchema]))
    .min(1)
    .max(1000)
    .optional(),
  serve: inferenceDemandSchema.omit({ tokensPerDay: true }).optional(),
  rankBy: z.enum(SITE_METRICS).default("usdPerGpuHour"),
  prices: pricesSchema.optional(),
  assumptions: assumptionsSchema.optional(),
  catalog: catalogOverlaySchema.optional(),
});

export type CampusScenario = z.output<typeof campusScenarioSchema>;

/** Validate a campus scenario and resolve it against the catalog. */
export function resolveCampusScenario(data: unknown, base: Catalog): CampusInput {
  const s = validate(campusScenarioSchema, data);
  const catalog = s.catalog !== undefined ? extendCatalog(base, strip(s.catalog) as CatalogOverlay) : base;
  const accInput = typeof s.accelerator === "string" ? s.accelerator : strip(s.accelerator);
  const accelerator = resolveAccelerator(catalog, accInput as string | AcceleratorInput, "accelerator");
  const prices = new Map<string, PriceInput>(PRICES.map((p) => [p.accelerator, p]));
  for (const [id, p] of Object.entries(s.prices ?? {}))
    prices.set(id, { accelerator: id, ...strip(p) } as PriceInput);
  const price = prices.get(accelerator.id);
  if (price === undefined)
    throw new InputError(
      `prices.${accelerator.id}`,
      undefined,
      "a price for the accelerator (prices: {ID: {usd: ..., source: ...}})",
    );
  const system = SYSTEMS.find((x) => x.accelerator === accelerator.id);
  const cooling = hallCooling(system, s.cooling as CoolingId, "cooling");
  const sites = (s.sites ?? [...catalog.sites.keys()]).map((x, i) =>
    resolveSite(catalog, typeof x === "string" ? x : strip(x), `sites[${i}]`),
  );
  const a = assumptionValues(strip(s.assumptions ?? {}) as Partial<Record<AssumptionKey, number>>);
  const serve =
    s.serve === undefined
      ? null
      : {
          name: s.serve.name,
          model: resolveModel(
            catalog,
            typeof s.serve.model === "string" ? s.serve.model : strip(s.serve.model),
            "serve.model",
          ),
          precision: s.serve.precision,
          inputTokens: s.serve.inputTokens,
          outputTokens: s.serve.outputTokens,
          ttftS: s.serve.slo.ttftMs / 1000,
          tpotS: s.serve.slo.tpotMs / 1000,
        };
  return {
    name: s.name ?? "campus",
    accelerator,
    systems: SYSTEMS,
    price,
    itMw: s.itMw,
    cooling,
    heatRejection: s.heatRejection as HeatRejection,
    sites,
    serve,
    rankBy: s.rankBy,
    a,
  };
}

/**
 * The cooling a hall gives the accelerator's system: an air-cooled catalog system in a liquid hall is
 * cooled by the hall's air path; a liquid-cooled rack cannot go in an air hall.
 */
export function hallCooling(system: SystemInput | undefined, cooling: CoolingId, path: string): CoolingId {
  if (system?.cooling === "air" && (cooling === "dlc" || cooling === "immersion")) return "air";
  if (system?.cooling === "liquid" && (cooling === "air" || cooling === "air-legacy"))
    throw new InputError(path, cooling, `dlc or immersion: ${system.id} is a liquid-cooled rack`);
  return cooling;
}

import { article, InputError } from "../errors.js";
import { stullWetBulbC } from "../psychrometrics.js";
import { GB, GiB } from "../units.js";
import { ACCELERATORS } from "./data/accelerators.js";
import { HBM_GENERATIONS } from "./data/memory.js";
import { MODELS } from "./data/models.js";
import { INTERCONNECTS } from "./data/networks.js";
import { SITES } from "./data/sites.js";
import { resolveParts, sustainedParts } from "./resolve-parts.js";
import type {
  Accelerator,
  AcceleratorInput,
  HbmGeneration,
  HbmGenerationInput,
  Interconnect,
  InterconnectInput,
  Model,
  ModelInput,
  Site,
  SiteFigure,
  SiteInput,
} from "./types.js";

export type * from "./types.js";

import { ASSUMPTIONS, type AssumptionKey } from "./data/assumptions.js";

export {
  CHIP_ASSUMPTIONS,
  type ChipAssumptionKey,
  type ChipAssumptions,
  chipAssumptionValues,
} from "./data/chip.js";
export { COST_PER_GW, type CostPerGwReference } from "./data/investment.js";
export {
  JOB_PRESET_IDS,
  JOB_PRESETS,
  type JobClassPreset,
  type JobPreset,
  type JobPresetStatement,
} from "./data/job-presets.js";
export {
  type AdmissionPolicy,
  DEFAULT_ENGINE_PRESET,
  DEFAULT_TRAINING_SETTINGS,
  type EngineSettings,
  INFERENCE_ENGINE_PRESETS,
  INFERENCE_ENGINES,
  type InferenceEngine,
  type InferenceEnginePreset,
  TRAINING_FRAMEWORK_PRESETS,
  TRAINING_FRAMEWORKS,
  type TrainingFramework,
  type TrainingFrameworkPreset,
  type TrainingFrameworkSettings,
} from "./data/presets.js";
export { INTERRUPTIONS_PER_ACC_HOUR, LLAMA3_INTERRUPTIONS } from "./data/reliability.js";
export {
  type CapacityPoint,
  COWOS_CAPACITY,
  HBM_CAPACITY,
  LOGIC_SILICON_MM2,
  RETICLE_MM2,
  type VendorCapacity,
} from "./data/supply.js";
export { PRICES, SYSTEMS } from "./data/systems.js";
export { ASSUMPTIONS, type AssumptionKey };

/** The catalog: every family keyed by id. Immutable; `extendCatalog` returns a new one. */
export interface Catalog {
  readonly accelerators: ReadonlyMap<string, AcceleratorInput>;
  readonly memory: ReadonlyMap<string, HbmGenerationInput>;
  readonly networks: ReadonlyMap<string, InterconnectInput>;
  readonly models: ReadonlyMap<string, ModelInput>;
  readonly sites: ReadonlyMap<string, SiteInput>;
}

/** Additions to the catalog, as written in a user's catalog YAML file. */
export interface CatalogOverlay {
  readonly accelerators?: readonly AcceleratorInput[];
  readonly memory?: readonly HbmGenerationInput[];
  readonly networks?: readonly InterconnectInput[];
  readonly models?: readonly ModelInput[];
  readonly sites?: readonly SiteInput[];
}

function byId<T extends { readonly id?: string }>(items: readonly T[], base?: ReadonlyMap<string, T>) {
  const map = new Map<string, T>(base);
  for (const item of items) if (item.id !== undefined) map.set(item.id, item);
  return map;
}

const BUILTIN: Catalog = {
  accelerators: byId(ACCELERATORS),
  memory: byId(HBM_GENERATIONS),
  networks: byId(INTERCONNECTS),
  models: byId(MODELS),
  sites: byId(SITES),
};

/** The built-in catalog. */
export function builtinCatalog(): Catalog {
  return BUILTIN;
}

/** A catalog with the overlay's entries added (same id replaces). */
export function extendCatalog(base: Catalog, overlay: CatalogOverlay): Catalog {
  return {
    accelerators: byId(overlay.accelerators ?? [], base.accelerators),
    memory: byId(overlay.memory ?? [], base.memory),
    networks: byId(overlay.networks ?? [], base.networks),
    models: byId(overlay.models ?? [], base.models),
    sites: byId(overlay.sites ?? [], base.sites),
  };
}

function lookup<T>(map: ReadonlyMap<string, T>, id: string, path: string, family: string): T {
  const found = map.get(id);
  if (found === undefined) {
    throw new InputError(
      path,
      id,
      `${article(family)} id from the catalog (${[...map.keys()].sort().join(", ")})`,
    );
  }
  return found;
}

export function resolveHbm(catalog: Catalog, id: string, path = "hbm.generation"): HbmGeneration {
  const g = lookup(catalog.memory, id, path, "memory");
  return {
    id,
    name: g.name,
    interfaceBits: g.interfaceBits,
    pinSpeedGbps: g.pinSpeedGbps,
    bandwidthPerStackBytesPerS: (g.interfaceBits * g.pinSpeedGbps * 1e9) / 8,
    capacityPerStackBytes: g.capacityPerStackGB * GB,
    stackHeight: g.stackHeight ?? null,
    energyPjPerBit: g.energyPjPerBit ?? null,
    vendors: g.vendors,
    source: g.source,
  };
}

export function resolveInterconnect(catalog: Catalog, id: string, path: string): Interconnect {
  const n = lookup(catalog.networks, id, path, "network");
  if (n.curveOf !== undefined) lookup(catalog.networks, n.curveOf, `networks.${id}.curveOf`, "network");
  return {
    id,
    name: n.name,
    kind: n.kind,
    bandwidthBytesPerS: (n.bandwidthGBps * GB) / 2,
    latencyS: n.latencyUs * 1e-6,
    source: n.source,
  };
}

/** Default per-step latencies for links given only by bandwidth. */
const DEFAULT_SCALE_UP_LATENCY_S = 3e-6;
const DEFAULT_SCALE_OUT_LATENCY_S = 8e-6;

/**
 * Resolve an accelerator id or inline definition. Memory capacity and bandwidth come from the stated
 * figures, else from `generation` × `stacks` (capacity = stacks × per-stack capacity, bandwidth =
 * stacks × interface bits × pin speed / 8).
 */
export function resolveAccelerator(
  catalog: Catalog,
  input: string | AcceleratorInput,
  path = "system.accelerator",
): Accelerator {
  const a = typeof input === "string" ? lookup(catalog.accelerators, input, path, "accelerator") : input;
  const id = typeof input === "string" ? input : (a.id ?? a.name);
  let hbmBytes =
    a.hbm.capacityGiB !== undefined
      ? a.hbm.capacityGiB * GiB
      : a.hbm.capacityGB !== undefined
        ? a.hbm.capacityGB * GB
        : undefined;
  let hbmBw = a.hbm.bandwidthGBps !== undefined ? a.hbm.bandwidthGBps * GB : undefined;
  let hbm: Accelerator["hbm"] = null;
  if (a.hbm.generation !== undefined) {
    const gen = resolveHbm(catalog, a.hbm.generation, `${path}.hbm.generation`);
    const stacks = a.hbm.stacks;
    if (stacks !== undefined) {
      hbm = { generation: gen.id, stacks };
      hbmBytes ??= stacks * gen.capacityPerStackBytes;
      hbmBw ??= stacks * gen.bandwidthPerStackBytesPerS;
    }
  }
  if (hbmBytes === undefined)
    throw new InputError(`${path}.hbm`, a.hbm, "capacityGB or capacityGiB, or generation and stacks");
  if (hbmBw === undefined)
    throw new InputError(`${path}.hbm`, a.hbm, "bandwidthGBps, or generation and stacks");

  const link = (
    spec: { readonly fabric?: string; readonly bandwidthGBps?: number },
    where: string,
    defaultLatencyS: number,
  ) => {
    const fabric =
      spec.fabric !== undefined ? resolveInterconnect(catalog, spec.fabric, `${where}.fabric`) : null;
    const bandwidthBytesPerS =
      spec.bandwidthGBps !== undefined ? (spec.bandwidthGBps * GB) / 2 : fabric?.bandwidthBytesPerS;
    if (bandwidthBytesPerS === undefined) throw new InputError(where, spec, "bandwidthGBps or a fabric id");
    return { bandwidthBytesPerS, latencyS: fabric?.latencyS ?? defaultLatencyS };
  };

  const peakFlops: Partial<Record<keyof typeof a.peakTflops, number>> = {};
  for (const [k, v] of Object.entries(a.peakTflops)) {
    if (v !== undefined) peakFlops[k as keyof typeof a.peakTflops] = v * 1e12;
  }
  return {
    id,
    name: a.name,
    vendor: a.vendor ?? "custom",
    peakFlops,
    hbmBytes,
    hbmBandwidthBytesPerS: hbmBw,
    hbm,
    scaleUp: {
      ...link(a.scaleUp, `${path}.scaleUp`, DEFAULT_SCALE_UP_LATENCY_S),
      domainSize: a.scaleUp.domainSize,
    },
    scaleOut: link(a.scaleOut, `${path}.scaleOut`, DEFAULT_SCALE_OUT_LATENCY_S),
    tdpW: a.tdpW ?? null,
    family: a.family ?? null,
    parts: resolveParts(id, a, catalog.accelerators, catalog.networks),
    source: a.source ?? "user-defined",
  };
}

/**
 * The accelerator as a whole run sustains it: its math rates × `fraction` (the plan's
 * `sustainedComputeFraction` assumption; see catalog/resolve-parts.ts sustainedParts). Its dense peaks,
 * the denominator of MFU, are the datasheet's still. 1 returns `acc` itself.
 */
export function withSustainedCompute(acc: Accelerator, fraction: number): Accelerator {
  if (fraction === 1) return acc;
  const precisions = Object.keys(acc.peakFlops) as (keyof Accelerator["peakFlops"])[];
  return { ...acc, parts: sustainedParts(acc.parts, precisions, fraction) };
}

/**
 * The sustained-compute fraction the performance model sizes with: to 0.01, finer than its parts are
 * known (GEMM rows fit to 5.7% mean), so a Monte Carlo's samples reuse a few dozen sizings (PerfCache)
 * instead of searching parallelism afresh for every sample.
 */
export function sustainedStep(fraction: number): number {
  return Math.max(0.01, Math.round(fraction * 100) / 100);
}

/** The accelerator as the plan's and the fleet's performance sizing sees it: its math rates × sustainedStep(the assumption). */
export function sustainedAccelerator(acc: Accelerator, a: Assumptions): Accelerator {
  return withSustainedCompute(acc, sustainedStep(a.sustainedComputeFraction));
}

/** Resolve a model id or inline definition, filling defaults (MHA, head dim = hidden / heads, ...). */
export function resolveModel(catalog: Catalog, input: string | ModelInput, path = "model"): Model {
  const m = typeof input === "string" ? lookup(catalog.models, input, path, "model") : input;
  const id = typeof input === "string" ? input : (m.id ?? m.name);
  if (m.headDim === undefined && m.mla === undefined && m.hidden % m.heads !== 0) {
    throw new InputError(`${path}.heads`, m.heads, `a divisor of hidden (${m.hidden}), or give headDim`);
  }
  const kvHeads = m.kvHeads ?? m.heads;
  if (m.heads % kvHeads !== 0) {
    throw new InputError(`${path}.kvHeads`, kvHeads, `a divisor of heads (${m.heads})`);
  }
  return {
    id,
    name: m.name,
    layers: m.layers,
    hidden: m.hidden,
    ffnHidden: m.ffnHidden,
    heads: m.heads,
    kvHeads,
    headDim: m.headDim ?? m.hidden / m.heads,
    vocab: m.vocab,
    gatedMlp: m.gatedMlp ?? false,
    tiedEmbeddings: m.tiedEmbeddings ?? false,
    bias: m.bias ?? false,
    positionEmbeddings: m.positionEmbeddings ?? 0,
    moe: m.moe ?? null,
    mla: m.mla ?? null,
    mtpDepth: m.mtpDepth ?? 0,
    publishedParams: m.publishedParams ?? null,
    source: m.source ?? "user-defined",
  };
}

/**
 * Resolve a site id or inline definition; twelve monthly temperatures are required, and a humidity
 * figure: the wet-bulb depression, or the warmest month's relative humidity, from which the depression at
 * that month's mean temperature is derived (Stull 2011).
 */
export function resolveSite(catalog: Catalog, input: string | SiteInput, path = "site"): Site {
  const s = typeof input === "string" ? lookup(catalog.sites, input, path, "site") : input;
  if (s.monthlyMeanC.length !== 12)
    throw new InputError(
      `${path}.monthlyMeanC`,
      s.monthlyMeanC,
      "12 monthly mean temperatures, January first",
    );
  const rh = s.relativeHumidityPct ?? null;
  const warmest = Math.max(...s.monthlyMeanC);
  const depression = s.wetBulbDepressionC ?? (rh !== null ? warmest - stullWetBulbC(warmest, rh) : null);
  if (depression === null)
    throw new InputError(
      `${path}.relativeHumidityPct`,
      undefined,
      "a humidity figure: relativeHumidityPct (warmest month, %) or wetBulbDepressionC (K)",
    );
  return {
    ...s,
    id: typeof input === "string" ? input : (s.id ?? s.name),
    wetBulbDepressionC: depression,
    relativeHumidityPct: rh,
    constructionUsdPerMw: s.constructionUsdPerMw ?? null,
    sources: s.sources ?? {},
    ranges: s.ranges ?? {},
  };
}

/** A site's figures as a plan states them for itself (Monte Carlo samples these within the site's ranges). */
export interface SiteOverrides {
  /** Added to every monthly mean, K. */
  readonly climateOffsetC?: number;
  readonly relativeHumidityPct?: number;
  readonly gridCarbonGPerKWh?: number;
  readonly electricityUsdPerKWh?: number;
  readonly constructionUsdPerMw?: number;
}

/** The figure of `ranges` each override samples within. */
export const SITE_OVERRIDE_FIGURE = {
  climateOffsetC: "climate",
  relativeHumidityPct: "humidity",
  gridCarbonGPerKWh: "gridCarbon",
  electricityUsdPerKWh: "electricity",
  constructionUsdPerMw: "construction",
} as const satisfies Record<keyof SiteOverrides, SiteFigure>;

/**
 * The site with the plan's own figures. Where the site has a humidity figure, the wet-bulb depression is
 * derived again from it at the (offset) warmest month; a depression stated without humidity stays.
 */
export function adjustSite(site: Site, o: SiteOverrides): Site {
  if (Object.values(o).every((v) => v === undefined)) return site;
  const monthlyMeanC = site.monthlyMeanC.map((t) => t + (o.climateOffsetC ?? 0));
  const rh = o.relativeHumidityPct ?? site.relativeHumidityPct;
  const warmest = Math.max(...monthlyMeanC);
  return {
    ...site,
    monthlyMeanC,
    relativeHumidityPct: rh,
    wetBulbDepressionC: rh !== null ? warmest - stullWetBulbC(warmest, rh) : site.wetBulbDepressionC,
    gridCarbonGPerKWh: o.gridCarbonGPerKWh ?? site.gridCarbonGPerKWh,
    electricityUsdPerKWh: o.electricityUsdPerKWh ?? site.electricityUsdPerKWh,
    constructionUsdPerMw: o.constructionUsdPerMw ?? site.constructionUsdPerMw,
  };
}

/** Assumption values by key: the built-in figures with the caller's overrides applied. */
export type Assumptions = { readonly [K in AssumptionKey]: number };

export function assumptionValues(overrides: Partial<Record<AssumptionKey, number>> = {}): Assumptions {
  const out = {} as Record<AssumptionKey, number>;
  for (const k of Object.keys(ASSUMPTIONS) as AssumptionKey[]) out[k] = overrides[k] ?? ASSUMPTIONS[k].value;
  return out;
}

import { z } from "zod";
import {
  type AcceleratorInput,
  type AssumptionKey,
  assumptionValues,
  type Catalog,
  type CatalogOverlay,
  CHIP_ASSUMPTIONS,
  type ChipAssumptionKey,
  chipAssumptionValues,
  extendCatalog,
  LOGIC_SILICON_MM2,
  PRICES,
  RETICLE_MM2,
  resolveAccelerator,
  resolveHbm,
  resolveModel,
  resolveSite,
  SYSTEMS,
} from "../catalog/index.js";
import { COOLING_IDS, type CoolingId, HEAT_REJECTIONS, type HeatRejection } from "../datacenter/cooling.js";
import {
  DESIGN_FIELDS,
  type DesignAxis,
  type DesignField,
  type DesignInput,
  designSize,
  type Workload,
} from "../design/design.js";
import { InputError } from "../errors.js";
import { validate } from "./load.js";
import { assumptionsSchema } from "./plan-schema.js";
import {
  catalogOverlaySchema,
  DOMAIN,
  inferencePrecisionSchema,
  modelSchema,
  positive,
  positiveInt,
  precisionSchema,
} from "./schema.js";
import { strip } from "./system.js";

/**
 * The most points a design space may have: each runs a serving search (~30 ms) and a training search
 * (~0.1 s for 405B on 16k accelerators), so 2,000 points take a few minutes on one machine.
 */
export const MAX_DESIGN_POINTS = 2_000;

/** The bounds of each field a design space varies. */
const FIELD_VALUE: Readonly<Record<DesignField, z.ZodType<number | string>>> = {
  "peakTflops.fp32": positive.max(DOMAIN.tflops),
  "peakTflops.fp16": positive.max(DOMAIN.tflops),
  "peakTflops.bf16": positive.max(DOMAIN.tflops),
  "peakTflops.fp8": positive.max(DOMAIN.tflops),
  "peakTflops.fp4": positive.max(DOMAIN.tflops),
  "hbm.generation": z.string().min(1),
  "hbm.stacks": positiveInt.max(64),
  "hbm.capacityGB": positive.max(DOMAIN.memoryGB),
  "hbm.bandwidthGBps": positive.max(DOMAIN.bandwidthGBps),
  "scaleUp.bandwidthGBps": positive.max(DOMAIN.bandwidthGBps),
  "scaleUp.domainSize": positiveInt.max(DOMAIN.accelerators),
  "scaleOut.bandwidthGBps": positive.max(DOMAIN.bandwidthGBps),
  tdpW: positive.max(1e5),
  sramMB: positive.max(1e5),
};

const model = z.union([z.string().min(1), modelSchema]);
const weight = positive.max(1e6).default(1);

const inferWorkloadSchema = z.strictObject({
  kind: z.literal("infer"),
  name: z.string().min(1).optional(),
  model,
  precision: inferencePrecisionSchema.default("fp8"),
  inputLen: positiveInt.max(2 ** 21),
  outputLen: positiveInt.max(2 ** 21),
  slo: z.strictObject({ ttftMs: positive.max(3.6e6), tpotMs: positive.max(6e4) }),
  weight,
});

const trainWorkloadSchema = z.strictObject({
  kind: z.literal("train"),
  name: z.string().min(1).optional(),
  model,
  tokens: positive.max(1e17),
  seqLen: positiveInt.max(DOMAIN.sequence).default(8192),
  globalBatch: positiveInt.max(DOMAIN.batch),
  precision: precisionSchema.default("bf16"),
  accelerators: positiveInt.max(DOMAIN.accelerators),
  weight,
});

/** Overrides of the chip model's parameters: positive, at most 1,000× the built-in value. */
const chipAssumptionsShape = Object.fromEntries(
  (Object.keys(CHIP_ASSUMPTIONS) as ChipAssumptionKey[]).map((k) => [
    k,
    z
      .number()
      .positive()
      .max(CHIP_ASSUMPTIONS[k].value * 1000)
      .optional(),
  ]),
) as Record<ChipAssumptionKey, z.ZodOptional<z.ZodNumber>>;

/**
 * `kind: design`: a base accelerator, the fields varied around it (each a list of values), the workload
 * mix, and the supply the chips are built from (contract: "Chip design"); where the fleet would run (a
 * catalog site, its cooling) and any model or chip parameter overridden.
 */
export const designScenarioSchema = z.strictObject({
  kind: z.literal("design").optional(),
  name: z.string().min(1).optional(),
  base: z.string().min(1),
  space: z.record(
    z.string(),
    z
      .array(z.union([z.number(), z.string()]))
      .min(1)
      .max(256),
  ),
  workloads: z
    .array(z.discriminatedUnion("kind", [inferWorkloadSchema, trainWorkloadSchema]))
    .min(1)
    .max(16),
  supply: z.strictObject({
    /** HBM stacks the program can buy in a year. */
    hbmStacksPerYear: positive.max(1e12),
    /** CoWoS-class interposer wafers a year (absent: not binding). */
    cowosWafersPerYear: positive.max(1e9).optional(),
    /** Logic wafers a year (absent: not binding). */
    logicWafersPerYear: positive.max(1e9).optional(),
  }),
  site: z.string().min(1).default("us-abilene"),
  cooling: z.enum(COOLING_IDS as [string, ...string[]]).default("dlc"),
  heatRejection: z.enum(HEAT_REJECTIONS as [string, ...string[]]).default("dry"),
  assumptions: assumptionsSchema.optional(),
  chip: z.strictObject(chipAssumptionsShape).optional(),
  catalog: catalogOverlaySchema.optional(),
});

export type DesignScenario = z.output<typeof designScenarioSchema>;

/** The space's axes, each field one the design may vary with values in its bounds. */
function axesOf(space: DesignScenario["space"], catalog: Catalog): DesignAxis[] {
  const axes = Object.entries(space).map(([field, values]): DesignAxis => {
    if (!(DESIGN_FIELDS as readonly string[]).includes(field))
      throw new InputError(
        `space.${field}`,
        values,
        `a field of an accelerator: one of ${DESIGN_FIELDS.join(", ")}`,
      );
    const schema = FIELD_VALUE[field as DesignField];
    const checked = values.map((v, i) => validate(schema, v, `space.${field}[${i}]`));
    if (field === "hbm.generation")
      for (const [i, g] of checked.entries()) resolveHbm(catalog, String(g), `space.${field}[${i}]`);
    return { field: field as DesignField, values: checked };
  });
  if (axes.length === 0) throw new InputError("space", {}, "at least one field to vary");
  const n = designSize(axes);
  if (n > MAX_DESIGN_POINTS)
    throw new InputError(
      "space",
      n,
      `at most ${MAX_DESIGN_POINTS.toLocaleString("en-US")} points (the product of the value lists)`,
    );
  return axes;
}

/** The base part's logic silicon: its catalog figure, else two reticle-limited dies (as the supply model assumes). */
function baseLogicMm2(id: string): number {
  return LOGIC_SILICON_MM2[id]?.mm2 ?? 2 * RETICLE_MM2;
}

/** Validate a design scenario and resolve it against the catalog. */
export function resolveDesignScenario(data: unknown, base: Catalog): DesignInput {
  const s = validate(designScenarioSchema, data);
  const catalog = s.catalog !== undefined ? extendCatalog(base, strip(s.catalog) as CatalogOverlay) : base;
  const baseInput = catalog.accelerators.get(s.base);
  if (baseInput === undefined)
    throw new InputError(
      "base",
      s.base,
      `an accelerator id from the catalog (${[...catalog.accelerators.keys()].join(", ")})`,
    );
  if (baseInput.tdpW === undefined)
    throw new InputError("base", s.base, "a base accelerator with a TDP (the power model scales from it)");
  const workloads = s.workloads.map((w, i): Workload => {
    const m = resolveModel(
      catalog,
      typeof w.model === "string" ? w.model : strip(w.model),
      `workloads[${i}].model`,
    );
    const name = w.name ?? `${w.kind} ${m.id}`;
    if (w.kind === "infer")
      return {
        kind: "infer",
        name,
        model: m,
        precision: w.precision,
        inputLen: w.inputLen,
        outputLen: w.outputLen,
        ttftS: w.slo.ttftMs / 1000,
        tpotS: w.slo.tpotMs / 1000,
        weight: w.weight,
      };
    return {
      kind: "train",
      name,
      model: m,
      tokens: w.tokens,
      seqLen: w.seqLen,
      globalBatch: w.globalBatch,
      precision: w.precision,
      accelerators: w.accelerators,
      weight: w.weight,
    };
  });
  return {
    name: s.name ?? `design around ${s.base}`,
    baseId: s.base,
    base: { ...(baseInput as AcceleratorInput), id: s.base },
    axes: axesOf(s.space, catalog),
    workloads,
    supply: {
      hbmStacksPerYear: s.supply.hbmStacksPerYear,
      cowosWafersPerYear: s.supply.cowosWafersPerYear ?? null,
      logicWafersPerYear: s.supply.logicWafersPerYear ?? null,
    },
    site: resolveSite(catalog, s.site, "site"),
    cooling: s.cooling as CoolingId,
    heatRejection: s.heatRejection as HeatRejection,
    systems: SYSTEMS,
    a: assumptionValues(strip(s.assumptions ?? {}) as Partial<Record<AssumptionKey, number>>),
    c: chipAssumptionValues(strip(s.chip ?? {}) as Partial<Record<ChipAssumptionKey, number>>),
    baseLogicMm2: baseLogicMm2(s.base),
    catalog,
    priced: pricedParts(catalog),
  };
}

/** The catalog parts the cost model is checked on: H100, B200 (their own prices) and GB200 (its rack's, per GPU). */
function pricedParts(catalog: Catalog): DesignInput["priced"] {
  return ["h100-sxm", "b200", "gb200"].flatMap((id) => {
    const price = PRICES.find((p) => p.accelerator === id);
    if (price === undefined || !catalog.accelerators.has(id)) return [];
    const acc = resolveAccelerator(catalog, id, "base");
    const system = price.perSystem !== undefined ? SYSTEMS.find((s) => s.id === price.perSystem) : undefined;
    const per = system !== undefined ? system.accelerators : 1;
    return [
      {
        acc,
        logicMm2: baseLogicMm2(id),
        priceUsd: price.usd / per,
        priceSource: system !== undefined ? `${price.source} (per GPU of ${system.id})` : price.source,
        gen: acc.hbm !== null ? resolveHbm(catalog, acc.hbm.generation) : null,
      },
    ];
  });
}

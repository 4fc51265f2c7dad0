import { z } from "zod";
import { ASSUMPTIONS, type AssumptionKey } from "../catalog/index.js";
import { COOLING_IDS, HEAT_REJECTIONS } from "../datacenter/cooling.js";
import {
  acceleratorSchema,
  catalogOverlaySchema,
  inferencePrecisionSchema,
  modelSchema,
  positive,
  positiveInt,
  precisionSchema,
  siteSchema,
} from "./schema.js";

/** The plan scenario: demand over time, sites and technology, supply contracts, prices, assumptions. */
const share = z.number().min(0).max(1);
export const quarterSchema = z.string().regex(/^\d{4}Q[1-4]$/, 'a quarter such as "2027Q3"');

const capacityPointSchema = z.strictObject({
  quarter: quarterSchema,
  /** At most 10^7 wafers a month (the whole DRAM industry starts ~2 million). */
  wafersPerMonth: z.number().nonnegative().max(1e7),
});

export const planSiteSchema = z.strictObject({
  site: z.union([z.string().min(1), siteSchema]),
  cooling: z.enum(COOLING_IDS as [string, ...string[]]).default("dlc"),
  heatRejection: z.enum(HEAT_REJECTIONS as [string, ...string[]]).default("dry"),
  /** The plan's own figures for the site (Monte Carlo samples them within the site's stated ranges). */
  climateOffsetC: z.number().min(-15).max(15).optional(),
  relativeHumidityPct: z.number().min(5).max(100).optional(),
  gridCarbonGPerKWh: z.number().nonnegative().max(2000).optional(),
  electricityUsdPerKWh: z.number().nonnegative().max(10).optional(),
  constructionUsdPerMw: positive.max(1e9).optional(),
  /** Grid connection (facility MW) from each quarter on. */
  /** Domains: at most 10^5 MW per connection (100 GW), 10^4 MW per hall and 10^4 halls a site. */
  grid: z
    .array(z.strictObject({ from: quarterSchema, mw: z.number().nonnegative().max(1e5) }))
    .min(1)
    .max(200),
  /** Data halls of `itMw` each: the first starts construction at `firstStart`, one more every `everyQuarters`. */
  halls: z.strictObject({
    itMw: positive.max(1e4),
    count: positiveInt.max(1e4),
    firstStart: quarterSchema,
    everyQuarters: positiveInt.max(80).default(1),
  }),
});

/**
 * Events that change the plan's inputs from their quarter on: a vendor's HBM output or CoWoS output
 * scaled by `factor`; an export rule that cuts a vendor's HBM, or the accelerator itself, off from sites
 * in `countries`; a site's grid connections arriving `quarters` later.
 */
export const planEventSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    quarter: quarterSchema,
    kind: z.literal("hbm-vendor-output"),
    vendor: z.string().min(1),
    factor: z.number().nonnegative().max(100),
  }),
  z.strictObject({
    quarter: quarterSchema,
    kind: z.literal("cowos-output"),
    factor: z.number().nonnegative().max(100),
  }),
  z
    .strictObject({
      quarter: quarterSchema,
      kind: z.literal("export-control"),
      vendor: z.string().min(1).optional(),
      accelerator: z.string().min(1).optional(),
      countries: z.array(z.string().min(2).max(3)).min(1),
    })
    .refine((e) => (e.vendor === undefined) !== (e.accelerator === undefined), {
      message: "either a vendor or an accelerator",
    }),
  z.strictObject({
    quarter: quarterSchema,
    kind: z.literal("grid-delay"),
    site: z.string().min(1),
    quarters: positiveInt.max(80),
  }),
]);

export const trainingDemandSchema = z.strictObject({
  name: z.string().min(1),
  model: z.union([z.string().min(1), modelSchema]),
  /** At most 10^17 tokens (~6,000× Llama 3's 15.6 T) and 10 years. */
  tokens: positive.max(1e17),
  days: positive.max(3650),
  start: quarterSchema,
  seqLen: positiveInt.max(2 ** 21).default(8192),
  /** Tokens per optimizer step (Llama 3 405B: 16M). */
  globalBatchTokens: positive.max(2 ** 34).default(16 * 2 ** 20),
  precision: precisionSchema.default("bf16"),
  /** A country code: the run may use only the plan's sites in that country. */
  region: z.string().min(2).max(3).optional(),
});

export const inferenceDemandSchema = z.strictObject({
  name: z.string().min(1),
  model: z.union([z.string().min(1), modelSchema]),
  precision: inferencePrecisionSchema.default("fp8"),
  inputTokens: positiveInt.max(2 ** 21),
  outputTokens: positiveInt.max(2 ** 21),
  slo: z.strictObject({ ttftMs: positive.max(3.6e6), tpotMs: positive.max(6e4) }),
  /** Output tokens per day: linear between points, held after the last, zero before the first. */
  /** At most 10^15 output tokens a day (~20× Google's whole 2025 daily volume). */
  tokensPerDay: z
    .array(z.strictObject({ quarter: quarterSchema, value: z.number().nonnegative().max(1e15) }))
    .min(1)
    .max(200),
  /** A country code: the service may use only the plan's sites in that country. */
  region: z.string().min(2).max(3).optional(),
});

const assumptionShape = Object.fromEntries(
  (Object.keys(ASSUMPTIONS) as AssumptionKey[]).map((k) => {
    const unit: string = ASSUMPTIONS[k].unit;
    const base =
      unit === "fraction"
        ? z.number().gt(0).lte(1)
        : k === "cyclesOfConcentration"
          ? z.number().gt(1).max(1000)
          : // An override may be 1,000× the built-in value at most: beyond that no figure means anything.
            z
              .number()
              .positive()
              .max(ASSUMPTIONS[k].value * 1000);
    return [k, base.optional()];
  }),
) as Record<AssumptionKey, z.ZodOptional<z.ZodNumber>>;

/** Overrides of the built-in assumptions, each within its unit's bounds. */
export const assumptionsSchema = z.strictObject(assumptionShape);

/** Accelerator prices by id, each with its source. */
export const pricesSchema = z.record(
  z.string(),
  z.strictObject({
    usd: positive.max(1e9),
    perSystem: z.string().min(1).optional(),
    source: z.string().min(1),
  }),
);

export const planScenarioSchema = z.strictObject({
  name: z.string().optional(),
  start: quarterSchema,
  quarters: positiveInt.max(80),
  accelerator: z.union([z.string().min(1), acceleratorSchema]),
  /** Other accelerators to plan the same demand with, for comparison. */
  candidates: z.array(z.string().min(1)).max(20).optional(),
  /** At most 100 training runs, 100 services and 100 sites: each is sized or modelled quarter by quarter. */
  demand: z.strictObject({
    training: z.array(trainingDemandSchema).max(100).default([]),
    inference: z.array(inferenceDemandSchema).max(100).default([]),
  }),
  sites: z.array(planSiteSchema).min(1).max(100),
  supply: z.strictObject({
    hbm: z
      .array(
        z.strictObject({
          vendor: z.string().min(1),
          /** The supplier's home country (ISO alpha-2), for concentration by country; built-in vendors carry theirs. */
          country: z.string().min(2).max(3).optional(),
          allocation: share,
          points: z.array(capacityPointSchema).min(1).max(200).optional(),
        }),
      )
      .min(1)
      .max(50),
    cowos: z.strictObject({
      allocation: share,
      points: z.array(capacityPointSchema).min(1).max(200).optional(),
    }),
  }),
  events: z.array(planEventSchema).max(200).default([]),
  /** Capex to spend from quarter `from` (at most perQuarterUsd a quarter): the plan buys all it allows. */
  budget: z
    .strictObject({
      /** At most 10^14 USD (a hundred trillion). */
      capexUsd: z.number().nonnegative().max(1e14),
      from: quarterSchema,
      perQuarterUsd: positive.max(1e14).optional(),
    })
    .optional(),
  prices: pricesSchema.optional(),
  assumptions: assumptionsSchema.optional(),
  /** Ranges a Monte-Carlo run samples, by dotted scenario path (default: every assumption's stated range). */
  uncertainty: z.record(z.string(), z.tuple([z.number(), z.number()])).optional(),
  catalog: catalogOverlaySchema.optional(),
});

export type PlanScenario = z.output<typeof planScenarioSchema>;

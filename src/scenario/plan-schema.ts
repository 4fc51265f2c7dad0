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
  wafersPerMonth: z.number().nonnegative(),
});

export const planSiteSchema = z.strictObject({
  site: z.union([z.string().min(1), siteSchema]),
  cooling: z.enum(COOLING_IDS as [string, ...string[]]).default("dlc"),
  heatRejection: z.enum(HEAT_REJECTIONS as [string, ...string[]]).default("dry"),
  /** The plan's own figures for the site (Monte Carlo samples them within the site's stated ranges). */
  climateOffsetC: z.number().min(-15).max(15).optional(),
  relativeHumidityPct: z.number().min(5).max(100).optional(),
  gridCarbonGPerKWh: z.number().nonnegative().optional(),
  electricityUsdPerKWh: z.number().nonnegative().optional(),
  constructionUsdPerMw: positive.optional(),
  /** Grid connection (facility MW) from each quarter on. */
  grid: z.array(z.strictObject({ from: quarterSchema, mw: z.number().nonnegative() })).min(1),
  /** Data halls of `itMw` each: the first starts construction at `firstStart`, one more every `everyQuarters`. */
  halls: z.strictObject({
    itMw: positive,
    count: positiveInt,
    firstStart: quarterSchema,
    everyQuarters: positiveInt.default(1),
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
    factor: z.number().nonnegative(),
  }),
  z.strictObject({
    quarter: quarterSchema,
    kind: z.literal("cowos-output"),
    factor: z.number().nonnegative(),
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
    quarters: positiveInt,
  }),
]);

export const trainingDemandSchema = z.strictObject({
  name: z.string().min(1),
  model: z.union([z.string().min(1), modelSchema]),
  tokens: positive,
  days: positive,
  start: quarterSchema,
  seqLen: positiveInt.default(8192),
  /** Tokens per optimizer step (Llama 3 405B: 16M). */
  globalBatchTokens: positive.default(16 * 2 ** 20),
  precision: precisionSchema.default("bf16"),
  /** A country code: the run may use only the plan's sites in that country. */
  region: z.string().min(2).max(3).optional(),
});

export const inferenceDemandSchema = z.strictObject({
  name: z.string().min(1),
  model: z.union([z.string().min(1), modelSchema]),
  precision: inferencePrecisionSchema.default("fp8"),
  inputTokens: positiveInt,
  outputTokens: positiveInt,
  slo: z.strictObject({ ttftMs: positive, tpotMs: positive }),
  /** Output tokens per day: linear between points, held after the last, zero before the first. */
  tokensPerDay: z.array(z.strictObject({ quarter: quarterSchema, value: z.number().nonnegative() })).min(1),
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
          ? z.number().gt(1)
          : z.number().positive();
    return [k, base.optional()];
  }),
) as Record<AssumptionKey, z.ZodOptional<z.ZodNumber>>;

/** Overrides of the built-in assumptions, each within its unit's bounds. */
export const assumptionsSchema = z.strictObject(assumptionShape);

/** Accelerator prices by id, each with its source. */
export const pricesSchema = z.record(
  z.string(),
  z.strictObject({ usd: positive, perSystem: z.string().min(1).optional(), source: z.string().min(1) }),
);

export const planScenarioSchema = z.strictObject({
  name: z.string().optional(),
  start: quarterSchema,
  quarters: positiveInt.max(80),
  accelerator: z.union([z.string().min(1), acceleratorSchema]),
  /** Other accelerators to plan the same demand with, for comparison. */
  candidates: z.array(z.string().min(1)).optional(),
  demand: z.strictObject({
    training: z.array(trainingDemandSchema).default([]),
    inference: z.array(inferenceDemandSchema).default([]),
  }),
  sites: z.array(planSiteSchema).min(1),
  supply: z.strictObject({
    hbm: z
      .array(
        z.strictObject({
          vendor: z.string().min(1),
          /** The supplier's home country (ISO alpha-2), for concentration by country; built-in vendors carry theirs. */
          country: z.string().min(2).max(3).optional(),
          allocation: share,
          points: z.array(capacityPointSchema).min(1).optional(),
        }),
      )
      .min(1),
    cowos: z.strictObject({ allocation: share, points: z.array(capacityPointSchema).min(1).optional() }),
  }),
  events: z.array(planEventSchema).default([]),
  /** Capex to spend from quarter `from` (at most perQuarterUsd a quarter): the plan buys all it allows. */
  budget: z
    .strictObject({
      capexUsd: z.number().nonnegative(),
      from: quarterSchema,
      perQuarterUsd: positive.optional(),
    })
    .optional(),
  prices: pricesSchema.optional(),
  assumptions: assumptionsSchema.optional(),
  /** Ranges a Monte-Carlo run samples, by dotted scenario path (default: every assumption's stated range). */
  uncertainty: z.record(z.string(), z.tuple([z.number(), z.number()])).optional(),
  catalog: catalogOverlaySchema.optional(),
});

export type PlanScenario = z.output<typeof planScenarioSchema>;

import { z } from "zod";
import { JOB_PRESET_IDS } from "../catalog/data/job-presets.js";
import { COOLING_IDS, HEAT_REJECTIONS } from "../datacenter/cooling.js";
import { SCHEDULER_IDS } from "../fleet/scheduler.js";
import { planScenarioSchema } from "./plan-schema.js";
import {
  acceleratorSchema,
  catalogOverlaySchema,
  DOMAIN,
  inferencePrecisionSchema,
  modelSchema,
  positive,
  positiveInt,
  precisionSchema,
  siteSchema,
} from "./schema.js";

const priority = z.number().int().min(0).max(3);
const acceleratorCount = positiveInt.max(DOMAIN.accelerators);
const model = z.union([z.string().min(1), modelSchema]);
/** A stream's or service's type, or several in order of preference (at most 16). */
const typesInOrder = z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(16)]).optional();

const pretrainSchema = z.strictObject({
  kind: z.literal("pretrain"),
  model,
  accelerators: acceleratorCount,
  /** At most 10^17 tokens (~6,000× Llama 3's 15.6 T). */
  tokens: positive.max(1e17),
  /** Day of the run's submission (first run), and days between further runs. */
  startDay: z.number().nonnegative().max(3660).default(0),
  count: positiveInt.max(10_000).default(1),
  everyDays: positive.max(3660).optional(),
  seqLen: positiveInt.max(2 ** 21).default(8192),
  globalBatchTokens: positive.max(2 ** 34).default(16 * 2 ** 20),
  precision: precisionSchema.default("bf16"),
  priority: priority.default(2),
  /** The type it needs, or several in order of preference (it starts on the first that can take it). */
  accelerator: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
});

const streamSchema = z.strictObject({
  kind: z.enum(["finetune", "eval"]),
  /** Jobs submitted a day (the estimate of the whole simulation's jobs is checked before it runs). */
  perDay: z.number().nonnegative().max(1e7),
  /** Sizes and their weights; default: the acme-seren preset's class of the same kind. */
  sizes: z
    .array(z.strictObject({ accelerators: acceleratorCount, weight: positive.max(1e9) }))
    .min(1)
    .max(64)
    .optional(),
  /** Median run time: at most a year; default: the acme-seren preset's class of the same kind. */
  medianHours: positive.max(8784).optional(),
  /**
   * Spread of log run time: at most 5 (a factor of e^5 ≈ 150 per standard deviation); default: the
   * acme-seren preset's (fitted to Seren's median and mean run times).
   */
  sigma: z.number().nonnegative().max(5).optional(),
  priority: priority.default(1),
  /**
   * The type its jobs need, or several in order of preference (a job starts on the first that can take
   * it, at that type's speed relative to the first).
   */
  accelerator: typesInOrder,
  /** Daily cycle of submissions around perDay, 0-1 (0: constant), and the hour of the peak. */
  amplitude: z.number().min(0).max(1).default(0),
  peakHour: z.number().min(0).max(24).default(14),
});

const serviceSchema = z.strictObject({
  kind: z.literal("inference"),
  name: z.string().min(1).optional(),
  model,
  precision: inferencePrecisionSchema.default("fp8"),
  inputTokens: positiveInt.max(2 ** 21),
  outputTokens: positiveInt.max(2 ** 21),
  slo: z.strictObject({ ttftMs: positive.max(3.6e6), tpotMs: positive.max(6e4) }),
  /** Mean output tokens per day: at most 10^15 a day (a quadrillion: ~20× Google's whole 2025 daily token volume). */
  tokensPerDay: positive.max(1e15),
  /** Daily swing around the mean, 0-1. */
  amplitude: z.number().min(0).max(1).default(0.5),
  peakHour: z.number().min(0).max(24).default(14),
  priority: priority.default(3),
  /**
   * The type its replicas need, or several in order of preference (a replica starts on the first that
   * can take it, with that type's replica: its size and tokens/s within the SLO).
   */
  accelerator: typesInOrder,
});

/**
 * A published cluster's job mix (catalog/data/job-presets.ts) instead of streams written by hand: its
 * arrivals scaled by the partner's accelerators (its quota, else the fleet's of its type) over the
 * cluster's, times `scale`.
 */
const presetId = z.string().refine((id) => JOB_PRESET_IDS.includes(id), {
  message: `a job preset: ${JOB_PRESET_IDS.join(", ")}`,
});
const jobsPresetSchema = z.union([
  presetId,
  z.strictObject({
    preset: presetId,
    /** Arrivals × this (1: the cluster's rate per accelerator). */
    scale: positive.max(1000).default(1),
    accelerator: typesInOrder,
  }),
]);

export const workloadSchema = z.discriminatedUnion("kind", [pretrainSchema, streamSchema, serviceSchema]);

export const partnerSchema = z.strictObject({
  name: z.string().min(1),
  /**
   * Accelerators guaranteed; defaults to the whole fleet (no quota). By accelerator type in a fleet of
   * several (`{ h100-sxm: 512, gb200: 288 }`): a type not named has none (its jobs only borrow).
   */
  quota: z
    .union([
      acceleratorCount,
      z.record(z.string().min(1), z.number().int().nonnegative().max(DOMAIN.accelerators)),
    ])
    .optional(),
  weight: positive.max(1e6).default(1),
  workloads: z.array(workloadSchema).max(100).default([]),
  /** A published cluster's job mix (`acme-seren`, `meta-rsc`, `philly`), beside or instead of workloads. */
  jobs: jobsPresetSchema.optional(),
});

/**
 * A phased build-out: accelerators of the site that come online on a later day (the rest are there from
 * day 0).
 */
const phasesSchema = z
  .array(z.strictObject({ day: positive.max(3660), count: acceleratorCount }))
  .min(1)
  .max(1000)
  .optional();

const failuresSchema = z.union([
  z.boolean(),
  z.strictObject({
    /** Interruptions per accelerator-hour (at most 1); default from the Llama 3 405B run. */
    ratePerAccHour: z.number().nonnegative().max(1).optional(),
    /**
     * Share of interruptions from hardware (the failed node is down until repaired); default the Llama 3
     * run's 78% (Table 5). The causes keep their proportions within hardware and within the rest.
     */
    hardwareShare: z.number().min(0).max(1).optional(),
    /** Minutes between checkpoints; default: the Young/Daly optimum √(2·cost·MTBF) of the largest job. */
    checkpointMinutes: positive.max(527_040).optional(),
  }),
]);

export const fleetScenarioSchema = z.strictObject({
  name: z.string().optional(),
  days: positive.max(3660),
  seed: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 31 - 1)
    .default(1),
  fleet: z
    .strictObject({
      accelerator: z.union([z.string().min(1), acceleratorSchema]),
      /** A single-site fleet: its accelerator count (and optionally its site). */
      count: acceleratorCount.optional(),
      site: z.union([z.string().min(1), siteSchema]).optional(),
      phases: phasesSchema,
      cooling: z.enum(COOLING_IDS as [string, ...string[]]).default("dlc"),
      heatRejection: z.enum(HEAT_REJECTIONS as [string, ...string[]]).default("dry"),
      /**
       * Pods within each site: accelerators per pod (rounded down to whole scale-up domains) with a
       * non-blocking fabric inside, and the oversubscription r of the layer between pods (r:1).
       */
      pod: z
        .strictObject({ accelerators: acceleratorCount, oversubscription: z.number().min(1).max(1000) })
        .optional(),
      /** A multi-site fleet: accelerators per site; a job runs inside one site. */
      sites: z
        .array(
          z.strictObject({
            site: z.union([z.string().min(1), siteSchema]),
            /** The site's accelerator type (default: fleet.accelerator): a fleet of several pools. */
            accelerator: z.union([z.string().min(1), acceleratorSchema]).optional(),
            count: acceleratorCount,
            phases: phasesSchema,
            cooling: z.enum(COOLING_IDS as [string, ...string[]]).default("dlc"),
            heatRejection: z.enum(HEAT_REJECTIONS as [string, ...string[]]).default("dry"),
          }),
        )
        .min(1)
        .max(1000)
        .optional(),
    })
    .refine((f) => (f.count === undefined) !== (f.sites === undefined), {
      message: "either count (one site) or sites (several), not both",
    }),
  scheduler: z.enum(SCHEDULER_IDS as [string, ...string[]]).default("fair-share"),
  placement: z.enum(["topology", "spread"]).default("topology"),
  borrowing: z.boolean().default(true),
  /**
   * Fair share: hours a head that cannot be placed is passed over before nothing else of its type starts
   * until it runs (a drain); null: never (best effort, as Kueue's BestEffortFIFO; close to Slurm's
   * backfill when most jobs are short).
   */
  starvationHours: z.number().positive().max(8784).nullable().default(6),
  /** Move small jobs off partly used domains when a gang job cannot otherwise be placed. */
  defragment: z.boolean().default(false),
  failures: failuresSchema.default(true),
  /** At most 100 partners of 100 workloads each (and 1,000 workloads in all: see checkFleetWork). */
  partners: z.array(partnerSchema).min(1).max(100),
  /** A job trace CSV (job_id, tenant, submit_time, accelerators, duration; seconds), relative to this file. */
  trace: z.string().min(1).optional(),
  /** Days between points of the utilisation series. */
  /** Days between points of the utilisation series (at most 100,000 points in all). */
  sampleDays: positive.max(3660).default(1),
  assumptions: planScenarioSchema.shape.assumptions,
  catalog: catalogOverlaySchema.optional(),
});

export type FleetScenario = z.output<typeof fleetScenarioSchema>;

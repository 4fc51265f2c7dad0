import {
  ASSUMPTIONS,
  type AssumptionKey,
  builtinCatalog,
  type Catalog,
  type CatalogOverlay,
  extendCatalog,
  SITE_OVERRIDE_FIGURE,
  type SiteInput,
} from "../catalog/index.js";
import { type DesignInput, evaluateDesignPoint, type ResolvedBase, resolveBase } from "../design/design.js";
import { InputError } from "../errors.js";
import type { FleetResult } from "../fleet/sim.js";
import type { PerfCache } from "../plan/plan.js";
import { seededRandom } from "../random.js";
import { resolveDesignScenario } from "../scenario/design.js";
import { applyInferOverrides, type InferOverrides, resolveInferScenario } from "../scenario/infer.js";
import { setPathInPlace } from "../scenario/sweep.js";
import { strip } from "../scenario/system.js";
import { applyTrainOverrides, resolveTrainScenario, type TrainOverrides } from "../scenario/train.js";
import { runFleet } from "./fleet.js";
import { inferJson, runInferBatch, runServe, serveJson } from "./infer.js";
import { type PlanOutcome, runPlan } from "./plan.js";
import { runTrain, trainJson } from "./train.js";

/** Everything a sweep worker needs to evaluate points: plain data, so it crosses thread boundaries. */
export interface SweepJob {
  readonly command: "train" | "infer" | "plan" | "fleet" | "design";
  readonly data: unknown;
  readonly overlays: readonly CatalogOverlay[];
  readonly overrides: TrainOverrides & InferOverrides;
  /** Seed of Monte-Carlo samples (the `@sample` axis). */
  readonly seed?: number;
}

/** The axis path of Monte-Carlo sample indices. */
export const SAMPLE_AXIS = "@sample";

/**
 * Uncertain fields of a plan scenario and their ranges: the scenario's `uncertainty` map, else every
 * assumption with a stated range (as `assumptions.KEY`) and every stated range of its sites' figures
 * (as `sites.I.FIELD`, e.g. a climate offset for a site whose normals are low-confidence).
 */
export function uncertaintyRanges(data: unknown): [string, [number, number]][] {
  const u = (data as { uncertainty?: Record<string, [number, number]> } | null)?.uncertainty;
  const entries: [string, [number, number]][] =
    u !== undefined
      ? Object.entries(u)
      : [
          ...(Object.keys(ASSUMPTIONS) as AssumptionKey[]).flatMap((k) => {
            const r: readonly [number, number] | undefined = (
              ASSUMPTIONS[k] as { range?: readonly [number, number] }
            ).range;
            return r === undefined ? [] : [[`assumptions.${k}`, [r[0], r[1]]] as [string, [number, number]]];
          }),
          ...siteRanges(data),
        ];
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The stated ranges of a plan's sites (catalog entries, the scenario's catalog, or inline), by scenario path. */
function siteRanges(data: unknown): [string, [number, number]][] {
  const d = data as { sites?: unknown; catalog?: { sites?: unknown } } | null;
  if (d === null || typeof d !== "object" || !Array.isArray(d.sites)) return [];
  const own = Array.isArray(d.catalog?.sites) ? (d.catalog.sites as SiteInput[]) : [];
  const builtin = builtinCatalog().sites;
  return d.sites.flatMap((x: unknown, i: number) => {
    const ref = (x as { site?: unknown } | null)?.site;
    const site =
      typeof ref === "string"
        ? (own.find((s) => s.id === ref) ?? builtin.get(ref))
        : (ref as SiteInput | undefined);
    const ranges = site?.ranges ?? {};
    return (Object.keys(SITE_OVERRIDE_FIGURE) as (keyof typeof SITE_OVERRIDE_FIGURE)[]).flatMap((k) => {
      const r = ranges[SITE_OVERRIDE_FIGURE[k]];
      return r === undefined || r.length !== 2
        ? []
        : [[`sites.${i}.${k}`, [r[0] ?? 0, r[1] ?? 0]] as [string, [number, number]]];
    });
  });
}

/** Values of sample `k`: uniform within each range, from a generator seeded by (seed, k) alone. */
export function sampleValues(data: unknown, seed: number, k: number): Record<string, number> {
  const rng = seededRandom((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b)) >>> 0);
  const out: Record<string, number> = {};
  for (const [path, [lo, hi]] of uncertaintyRanges(data))
    out[path] = Number((lo + (hi - lo) * rng.next()).toPrecision(6));
  return out;
}

/** Perf results reused across the points a thread evaluates (plans whose demand did not change). */
export const PERF_CACHE: PerfCache = new Map();
/** Training rates and replica capacities of fleets' workloads, reused across the points (or runs) of a process. */
export const FLEET_RATES = new Map<string, unknown>();

/**
 * A process-wide cache, emptied once past `limit` entries so that a long-lived process (a sweep worker,
 * the HTTP server, a test runner) stays bounded. Entries are keyed by their whole inputs.
 */
export function bounded<M extends Map<string, unknown>>(cache: M, limit = 1000): M {
  if (cache.size > limit) cache.clear();
  return cache;
}

export function catalogFor(overlays: readonly CatalogOverlay[]): Catalog {
  return overlays.reduce((c, o) => extendCatalog(c, strip(o) as CatalogOverlay), builtinCatalog());
}

/** The fields of a result a sweep keeps per point. */
const KEEP = [
  "fits",
  "reason",
  "stepTimeS",
  "tokensPerS",
  "mfu",
  "modelTflopsPerGpu",
  "memoryPerGpuGiB",
  "bottleneck",
  "timeToTrainDays",
  "parallelism",
  "ttftMs",
  "tpotMs",
  "outputTokensPerS",
  "maxBatch",
  "kvCacheGiB",
  "ttftP50Ms",
  "ttftP99Ms",
  "tpotP50Ms",
  "tpotP99Ms",
  "sloAttainment",
  "usdPerMillionOutputTokens",
];

/** The figures a plan sweep keeps per point. */
export function planSummary(o: PlanOutcome): Record<string, unknown> {
  const r = o.result;
  const last = r.quarters[r.quarters.length - 1];
  const lastYear = r.years[r.years.length - 1];
  const counts = new Map<string, number>();
  for (const s of r.shortfalls) counts.set(s.constraint, (counts.get(s.constraint) ?? 0) + 1);
  const binding = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  return {
    demandMet: r.demandMet,
    shortfallAcceleratorQuarters: r.quarters.reduce((s, q) => s + q.shortfall, 0),
    firstShortfall: r.shortfalls[0]?.quarter ?? null,
    binding,
    acceleratorsAtEnd: last?.installed ?? 0,
    itMwAtEnd: last?.itMw ?? 0,
    usdPerGpuHour: r.costPerGpuHour.total,
    capexUsd: r.years.reduce((s, y) => s + y.capexUsd, 0),
    energyGWhLastYear: lastYear?.energyGWh ?? 0,
    co2TonnesLastYear: lastYear?.co2Tonnes ?? 0,
    waterM3LastYear: lastYear?.waterM3 ?? 0,
    pue: r.sites.reduce((s, x) => s + x.annualPue, 0) / Math.max(1, r.sites.length),
  };
}

/** The axis of design points (cli/design.ts runs a design's points on the sweep pool along it). */
export const DESIGN_POINT_AXIS = "@design";

/** A design scenario resolved once per worker (its points all share it). */
const designs = new WeakMap<object, { input: DesignInput; base: ResolvedBase }>();

/** Design point `index` of the job's design scenario. */
function designPointRow(job: SweepJob, catalog: Catalog, index: number): Record<string, unknown> {
  const key = job.data as object;
  let d = designs.get(key);
  if (d === undefined) {
    const input = resolveDesignScenario(job.data, catalog);
    d = { input, base: resolveBase(input) };
    designs.set(key, d);
  }
  return evaluateDesignPoint(d.input, d.base, index) as unknown as Record<string, unknown>;
}

/** Evaluate one sweep point: the scenario with the point's fields set. Bad points become error rows. */
export function evaluatePoint(
  job: SweepJob,
  catalog: Catalog,
  point: Record<string, number | string | boolean>,
): Record<string, unknown> {
  try {
    if (job.command === "design") return designPointRow(job, catalog, Number(point[DESIGN_POINT_AXIS]));
    const data = structuredClone(job.data);
    let sampled: Record<string, number> | null = null;
    for (const [path, value] of Object.entries(point)) {
      if (path === SAMPLE_AXIS) {
        sampled = sampleValues(job.data, job.seed ?? 1, Number(value));
        for (const [p, v] of Object.entries(sampled)) setPathInPlace(data, p, v);
      } else setPathInPlace(data, path, value);
    }
    if (job.command === "plan") {
      const row = planSummary(runPlan(data, catalog, job.overrides.accelerator, bounded(PERF_CACHE)));
      return sampled === null ? row : { ...row, sampled };
    }
    if (job.command === "fleet") {
      if ((data as { trace?: unknown } | null)?.trace !== undefined)
        throw new InputError("trace", (data as { trace?: unknown }).trace, "no job trace in a fleet sweep");
      const row = fleetSummaryRow(
        runFleet(data, catalog, [], () => 0, undefined, bounded(FLEET_RATES)).result,
      );
      return sampled === null ? row : { ...row, sampled };
    }
    let full: Record<string, unknown>;
    if (job.command === "train") {
      full = trainJson(
        runTrain(resolveTrainScenario(applyTrainOverrides(data, job.overrides), catalog, job.overrides)),
      );
    } else {
      const s = resolveInferScenario(applyInferOverrides(data, job.overrides), catalog, job.overrides);
      if (s.workload !== null && s.workload !== undefined && "trace" in s.workload) {
        throw new InputError(
          "inference.workload.trace",
          s.workload.trace,
          "a generated workload (traces are not swept)",
        );
      }
      full = s.workload !== null ? serveJson(runServe(s)) : inferJson(runInferBatch(s));
    }
    const row: Record<string, unknown> = {};
    for (const k of KEEP) if (full[k] !== undefined) row[k] = full[k];
    return row;
  } catch (err) {
    if (err instanceof InputError) return { error: err.message };
    throw err;
  }
}

/**
 * The figures a fleet sweep keeps per point: enough to compare schedulers, quotas, defragmentation or
 * fleet sizes.
 */
export function fleetSummaryRow(r: FleetResult): Record<string, unknown> {
  const wait = (k: string) => r.kinds.find((x) => x.kind === k)?.waitH.p90 ?? 0;
  return {
    busy: r.utilisation.busy,
    goodput: r.goodput.goodput,
    interruptions: r.goodput.interruptions,
    preemptions: r.goodput.preemptions,
    migrations: r.goodput.migrations,
    pretrainWaitP90H: wait("pretrain"),
    finetuneWaitP90H: wait("finetune"),
    evalWaitP90H: wait("eval"),
    servedMin: Math.min(1, ...r.services.map((s) => s.servedFraction)),
    pendingAtEnd: r.pendingAtEnd,
    facilityMWh: r.energy.facilityMWh,
    shares: Object.fromEntries(r.partners.map((p) => [p.name, p.share])),
  };
}

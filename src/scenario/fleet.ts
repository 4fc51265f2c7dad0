import {
  type Accelerator,
  type AssumptionKey,
  type Assumptions,
  assumptionValues,
  type Catalog,
  type CatalogOverlay,
  extendCatalog,
  INTERRUPTIONS_PER_ACC_HOUR,
  JOB_PRESETS,
  type JobClassPreset,
  type JobPreset,
  LLAMA3_INTERRUPTIONS,
  resolveAccelerator,
  resolveModel,
  resolveSite,
  SYSTEMS,
  sustainedAccelerator,
} from "../catalog/index.js";
import type { Model } from "../catalog/types.js";
import type { CoolingId, HeatRejection } from "../datacenter/cooling.js";
import { facilityProfile } from "../datacenter/facility.js";
import { itPower } from "../datacenter/power.js";
import { InputError } from "../errors.js";
import type { FailureModel } from "../fleet/failures.js";
import type { JobSpec } from "../fleet/job.js";
import { presetJobStreams } from "../fleet/presets.js";
import { SCHEDULERS } from "../fleet/scheduler.js";
import type { FleetSimInput, ServiceSpec, SitePart } from "../fleet/sim.js";
import { generateJobs, type JobStream, pretrainJob, replicaCapacity } from "../fleet/workload.js";
import { splittable } from "../perf/capacity.js";
import type { PodSpec } from "../perf/collectives.js";
import { gemmCurveOf } from "../perf/roofline.js";
import { seededRandom } from "../random.js";
import { type FleetAssumption, fleetAssumptions } from "./fleet-assumptions.js";
import { type FleetScenario, fleetScenarioSchema } from "./fleet-schema.js";
import { validate } from "./load.js";
import { DOMAIN } from "./schema.js";
import { strip } from "./system.js";
import { csvNumber, TRACE_MAX_S } from "./trace.js";

/** One row of a job trace. */
export interface TraceJob {
  readonly tenant: string;
  readonly submitS: number;
  readonly accelerators: number;
  readonly durationS: number;
}

/** Parse a job trace CSV: header with job_id, tenant, submit_time, accelerators (or gpus), duration (seconds). */
export function parseJobTrace(text: string, file: string): TraceJob[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = (lines[0] ?? "").split(",").map((h) => h.trim().toLowerCase());
  const col = (names: readonly string[]) => {
    const i = header.findIndex((h) => names.includes(h));
    if (i < 0)
      throw new InputError(
        `${file}:1`,
        lines[0] ?? "",
        `a CSV header with a column named ${names.join(" or ")}`,
      );
    return i;
  };
  const tenant = col(["tenant", "user", "partner"]);
  const submit = col(["submit_time", "submit_s", "submit"]);
  const acc = col(["accelerators", "gpus", "num_gpu"]);
  const dur = col(["duration", "duration_s", "runtime"]);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(",").map((c) => c.trim());
    const where = `${file}:${i + 2}`;
    const seconds = (what: string) => ({ what, min: 0, max: TRACE_MAX_S });
    return {
      tenant: cells[tenant] ?? "",
      submitS: csvNumber(cells, header, submit, where, seconds("a submit time (s)")),
      accelerators: csvNumber(cells, header, acc, where, {
        what: "an accelerator count",
        min: 1,
        max: DOMAIN.accelerators,
        integer: true,
      }),
      durationS: csvNumber(cells, header, dur, where, seconds("a duration (s)")),
    };
  });
}

/** One accelerator type of the fleet and what follows from it. */
interface Pool {
  readonly acc: Accelerator;
  readonly domainSize: number;
  readonly nodeSize: number;
  readonly busyKw: number;
  readonly idleKw: number;
  readonly podDomains?: number;
  readonly pod?: PodSpec;
  largestSite: number;
  count: number;
}

export interface ResolvedFleet {
  readonly name: string;
  readonly input: FleetSimInput;
  /** The fleet's (first) accelerator type. */
  readonly accelerator: string;
  /** Every accelerator type with its count. */
  readonly pools: readonly { readonly accelerator: string; readonly count: number }[];
  readonly scenario: FleetScenario;
  readonly notes: readonly string[];
  /** Every default the run used with its source (`--assumptions`). */
  readonly assumptions: readonly FleetAssumption[];
}

/**
 * What one fleet simulation may hold: about a million jobs (≈ 10 s and under 1 GB at the measured ~0.6 KB
 * and ~100,000 events/s a job), a million failures, a million autoscaler steps, 100,000 samples and
 * 1,000 workloads (each sized by the performance model before the simulation starts).
 */
export const FLEET_WORK_LIMITS = {
  jobs: 1_000_000,
  failures: 1_000_000,
  autoscaleSteps: 1_000_000,
  samples: 100_000,
  workloads: 1000,
};

/** One part of the simulation's work: its expected count and the input field that sets it most. */
interface WorkPart {
  readonly what: keyof typeof FLEET_WORK_LIMITS;
  readonly expected: number;
  readonly path: string;
  readonly value: unknown;
  /** What sets the count, after it in the message. */
  readonly from: string;
}

/** How each part's count reads in a message. */
const WORK_NOUNS: Readonly<Record<keyof typeof FLEET_WORK_LIMITS, string>> = {
  jobs: "jobs",
  failures: "failures",
  autoscaleSteps: "autoscaler steps",
  samples: "samples",
  workloads: "workloads",
};

/**
 * The simulation's work estimated before it runs (expected jobs, failures, autoscaler steps and samples
 * over the horizon); beyond a limit, an error naming the field that contributes most, the estimate and
 * the limit.
 */
export function checkFleetWork(s: FleetScenario, traceJobs: number, autoscaleMinutes: number): void {
  const fmt = (x: number) => (x < 1e12 ? Math.round(x).toLocaleString("en-US") : x.toExponential(2));
  const accelerators = (s.fleet.sites ?? [{ count: s.fleet.count ?? 0 }]).reduce((x, y) => x + y.count, 0);
  let jobs = traceJobs;
  let biggest: { path: string; value: unknown; jobs: number } = {
    path: "trace",
    value: traceJobs,
    jobs: traceJobs,
  };
  for (const [pi, p] of s.partners.entries())
    for (const [wi, w] of p.workloads.entries()) {
      const n = w.kind === "pretrain" ? w.count : w.kind === "inference" ? 0 : w.perDay * s.days;
      jobs += n;
      const field = w.kind === "pretrain" ? "count" : "perDay";
      const value = w.kind === "pretrain" ? w.count : w.kind === "inference" ? 0 : w.perDay;
      if (n > biggest.jobs) biggest = { path: `partners[${pi}].workloads[${wi}].${field}`, value, jobs: n };
    }
  for (const [pi, p] of s.partners.entries()) {
    const n = presetPerDay(p, accelerators) * s.days;
    jobs += n;
    if (n > biggest.jobs) biggest = { path: `partners[${pi}].jobs`, value: p.jobs, jobs: n };
  }
  const services = s.partners.reduce(
    (x, p) => x + p.workloads.filter((w) => w.kind === "inference").length,
    0,
  );
  const rate =
    s.failures === false
      ? 0
      : s.failures === true
        ? INTERRUPTIONS_PER_ACC_HOUR
        : (s.failures.ratePerAccHour ?? INTERRUPTIONS_PER_ACC_HOUR);
  const workloads = s.partners.reduce((x, p) => x + p.workloads.length, 0);
  const parts: WorkPart[] = [
    {
      what: "workloads",
      expected: workloads,
      path: "partners",
      value: `${s.partners.length} partners`,
      from: "",
    },
    {
      what: "jobs",
      expected: jobs,
      path: biggest.path,
      value: biggest.value,
      from: ` over ${s.days} days`,
    },
    {
      what: "failures",
      expected: rate * accelerators * s.days * 24,
      path: "failures.ratePerAccHour",
      value: rate,
      from: ` (${fmt(accelerators)} accelerators × ${s.days} days)`,
    },
    {
      what: "autoscaleSteps",
      expected: (services * s.days * 1440) / autoscaleMinutes,
      path: "assumptions.autoscaleMinutes",
      value: autoscaleMinutes,
      from: ` (${services} service${services === 1 ? "" : "s"} × ${s.days} days)`,
    },
    {
      what: "samples",
      expected: s.days / s.sampleDays,
      path: "sampleDays",
      value: s.sampleDays,
      from: ` over ${s.days} days`,
    },
  ];
  for (const w of parts) {
    const limit = FLEET_WORK_LIMITS[w.what];
    if (w.expected > limit)
      throw new InputError(
        w.path,
        w.value,
        `a simulation of at most ${fmt(limit)} ${WORK_NOUNS[w.what]}; this one would run ${fmt(w.expected)} ${WORK_NOUNS[w.what]}${w.from}`,
      );
  }
}

/**
 * A fleet scenario validated, with its catalog and assumptions, and its work checked against the limits
 * (`traceJobs`: the rows of its job trace): everything that can be refused before anything is sized.
 */
export function validateFleetScenario(
  data: unknown,
  base: Catalog,
  traceJobs = 0,
): { readonly s: FleetScenario; readonly catalog: Catalog; readonly a: Assumptions } {
  const s = validate(fleetScenarioSchema, data);
  const catalog = s.catalog !== undefined ? extendCatalog(base, strip(s.catalog) as CatalogOverlay) : base;
  const a = assumptionValues(strip(s.assumptions ?? {}) as Partial<Record<AssumptionKey, number>>);
  checkFleetWork(s, traceJobs, a.autoscaleMinutes);
  return { s, catalog, a };
}

/** What the steps of resolving a fleet share: the scenario, its catalog and assumptions, what they found. */
interface FleetCtx {
  readonly s: FleetScenario;
  readonly catalog: Catalog;
  readonly a: Assumptions;
  /** Notes for the report (roundings). */
  readonly notes: string[];
  /** Accelerator types, the fleet's first, in the order the scenario names them. */
  readonly pools: Pool[];
  readonly perfCache: Map<string, unknown>;
}

type Workload = FleetScenario["partners"][number]["workloads"][number];

/**
 * The pool of accelerator type `x`, added on first sight: its scale-up domain, failing node, power and
 * pods.
 */
function poolOf(c: FleetCtx, x: FleetScenario["fleet"]["accelerator"], path: string): number {
  const { s, a, pools } = c;
  const acc = resolveAccelerator(c.catalog, typeof x === "string" ? x : strip(x), path);
  const k = pools.findIndex((p) => p.acc.id === acc.id);
  if (k >= 0) return k;
  const domainSize = Math.min(acc.scaleUp.domainSize, 1024);
  // The failure unit: the catalog system's node (server or tray), else an 8-accelerator server.
  const sys = SYSTEMS.find((y) => y.accelerator === acc.id);
  const per = sys?.acceleratorsPerNode ?? Math.min(8, domainSize);
  const power = itPower(acc, SYSTEMS, a, path);
  let podDomains: number | undefined;
  let pod: PodSpec | undefined;
  if (s.fleet.pod !== undefined) {
    podDomains = Math.floor(s.fleet.pod.accelerators / domainSize);
    if (podDomains < 1)
      throw new InputError(
        "fleet.pod.accelerators",
        s.fleet.pod.accelerators,
        `at least one scale-up domain (${domainSize} × ${acc.id})`,
      );
    if (podDomains * domainSize !== s.fleet.pod.accelerators)
      c.notes.push(
        `fleet.pod: ${s.fleet.pod.accelerators} accelerators rounded to ${podDomains * domainSize} ${acc.id} (${podDomains} domains)`,
      );
    pod = { size: podDomains * domainSize, oversubscription: s.fleet.pod.oversubscription };
  }
  pools.push({
    acc,
    domainSize,
    nodeSize: domainSize % per === 0 ? per : domainSize,
    busyKw: power.kwPerAccelerator * a.trainingLoadFactor,
    idleKw: power.kwPerAccelerator * a.idlePowerFraction,
    ...(podDomains !== undefined ? { podDomains } : {}),
    ...(pod !== undefined ? { pod } : {}),
    largestSite: 0,
    count: 0,
  });
  return pools.length - 1;
}

type SiteSpec = NonNullable<FleetScenario["fleet"]["sites"]>[number];

/** One site: whole scale-up domains of its pool, later phases, and its PUE and carbon from the site. */
function sitePart(
  c: FleetCtx,
  x: Omit<SiteSpec, "site" | "accelerator"> & {
    readonly site: SiteSpec["site"] | undefined;
    readonly accelerator?: SiteSpec["accelerator"] | undefined;
  },
  i: number,
): SitePart {
  const { s, a } = c;
  const path = s.fleet.sites !== undefined ? `fleet.sites[${i}]` : "fleet";
  const pi = x.accelerator !== undefined ? poolOf(c, x.accelerator, `${path}.accelerator`) : 0;
  const pool = c.pools[pi] as Pool;
  const { domainSize } = pool;
  const domains = Math.max(1, Math.floor(x.count / domainSize));
  if (domains * domainSize !== x.count)
    c.notes.push(
      `${path}: ${x.count} accelerators rounded to ${domains * domainSize} (${domains} domains of ${domainSize})`,
    );
  pool.largestSite = Math.max(pool.largestSite, domains * domainSize);
  pool.count += domains * domainSize;
  // Later phases take the site's last domains, the latest phase last.
  let laterDomains = 0;
  const later = [...(x.phases ?? [])]
    .map((ph, j) => ({ ph, j }))
    .sort((u, v) => v.ph.day - u.ph.day)
    .map(({ ph, j }) => {
      const n = Math.round(ph.count / domainSize);
      laterDomains += n;
      if (n < 1 || laterDomains > domains)
        throw new InputError(
          `${path}.phases[${j}].count`,
          ph.count,
          `whole scale-up domains (${domainSize}) within the site's ${domains * domainSize} accelerators`,
        );
      return { domains: n, atS: ph.day * 86_400 };
    });
  const shape = {
    ...(later.length > 0 ? { later } : {}),
    domains,
    domainSize,
    nodeSize: pool.nodeSize,
    pool: pi,
    accelerator: pool.acc.id,
    busyKw: pool.busyKw,
    idleKw: pool.idleKw,
    ...(pool.podDomains !== undefined ? { podDomains: pool.podDomains } : {}),
  };
  if (x.site === undefined) return { name: "fleet", pue: 1, carbonGPerKWh: 0, ...shape };
  const site = resolveSite(c.catalog, typeof x.site === "string" ? x.site : strip(x.site), `${path}.site`);
  const prof = facilityProfile(
    { site, cooling: x.cooling as CoolingId, heatRejection: x.heatRejection as HeatRejection },
    a,
  );
  return { name: site.id, pue: prof.annualPue, carbonGPerKWh: site.gridCarbonGPerKWh, ...shape };
}

/** The pool a workload needs: the fleet accelerator's unless it names one some site holds. */
function poolNeeded(pools: readonly Pool[], id: string | undefined, path: string): number {
  if (id === undefined) return 0;
  const k = pools.findIndex((p) => p.acc.id === id);
  if (k < 0)
    throw new InputError(
      path,
      id,
      `an accelerator some site holds (${pools
        .filter((p) => p.count > 0)
        .map((p) => p.acc.id)
        .join(", ")})`,
    );
  return k;
}

/**
 * A workload's accelerator types in order of preference: the pool of its own (the first listed, or the
 * only one), and each other type it lists with the path that names it (resolved by the caller, in order).
 */
function preferredTypes(
  pools: readonly Pool[],
  accelerator: string | readonly string[] | undefined,
  path: string,
): { readonly own: number; readonly others: readonly { readonly id: string; readonly path: string }[] } {
  const listed = Array.isArray(accelerator) ? (accelerator as readonly string[]) : undefined;
  const own = poolNeeded(
    pools,
    listed !== undefined ? listed[0] : (accelerator as string | undefined),
    listed !== undefined ? `${path}.accelerator[0]` : `${path}.accelerator`,
  );
  const others = (listed ?? []).slice(1).map((id, k) => ({ id, path: `${path}.accelerator[${k + 1}]` }));
  return { own, others };
}

/** Partners with their quotas (in all, or by accelerator type) checked against the fleet. */
function fleetPartners(c: FleetCtx, total: number): FleetSimInput["partners"] {
  const { pools } = c;
  return c.s.partners.map((p, i) => {
    if (typeof p.quota === "object") {
      const poolQuotas = pools.map(() => 0);
      for (const [id, n] of Object.entries(p.quota)) {
        const k = poolNeeded(pools, id, `partners[${i}].quota.${id}`);
        const count = pools[k]?.count ?? 0;
        if (n > count)
          throw new InputError(`partners[${i}].quota.${id}`, n, `at most the fleet's ${count} ${id}`);
        poolQuotas[k] = n;
      }
      return {
        name: p.name,
        quota: poolQuotas.reduce((x, y) => x + y, 0),
        weight: p.weight,
        poolQuotas,
      };
    }
    if (p.quota !== undefined && p.quota > total)
      throw new InputError(`partners[${i}].quota`, p.quota, `at most the fleet's ${total} accelerators`);
    return { name: p.name, quota: p.quota ?? total, weight: p.weight };
  });
}

/** A pretraining run on pool `k`: its work and speed there (checked: fits the sites, splits, fits memory). */
function pretrainOn(
  c: FleetCtx,
  w: Extract<Workload, { kind: "pretrain" }>,
  at: {
    readonly path: string;
    readonly partner: number;
    readonly model: Model;
    readonly globalBatch: number;
  },
  k: number,
  accPath: string,
): JobSpec {
  const { path, model: m, globalBatch } = at;
  const t = c.pools[k] as Pool;
  if (w.accelerators > t.largestSite)
    throw new InputError(
      `${path}.accelerators`,
      w.accelerators,
      `at most the ${t.largestSite} accelerators of the largest ${t.acc.id} site (${accPath})`,
    );
  if (w.accelerators % t.domainSize !== 0 && w.accelerators > t.domainSize)
    throw new InputError(
      `${path}.accelerators`,
      w.accelerators,
      `a multiple of the scale-up domain (${t.domainSize} × ${t.acc.id})`,
    );
  if (!splittable({ model: m, accelerator: t.acc, globalBatch }, w.accelerators))
    throw new InputError(
      `${path}.accelerators`,
      w.accelerators,
      `a count that tp·cp·pp·dp splits exactly for ${m.id} (pp ≤ ${m.layers} layers, dp dividing the ${globalBatch}-sequence batch)`,
    );
  try {
    return pretrainJob(
      {
        partner: at.partner,
        model: m,
        accelerator: sustainedAccelerator(t.acc, c.a),
        size: w.accelerators,
        tokens: w.tokens,
        seqLen: w.seqLen,
        globalBatch,
        precision: w.precision,
        submitS: 0,
        priority: w.priority,
        ...(t.pod !== undefined ? { pod: t.pod } : {}),
        ...(c.pools.length > 1 ? { pool: k } : {}),
      },
      c.perfCache,
    );
  } catch (err) {
    if (err instanceof InputError)
      throw new InputError(`${path}.accelerators`, w.accelerators, `a valid split (${err.message})`);
    if (err instanceof Error && /fits/.test(err.message))
      throw new InputError(
        `${path}.accelerators`,
        w.accelerators,
        `a size at which ${m.id} fits in memory on ${t.acc.id}`,
      );
    throw err;
  }
}

/**
 * A pretraining workload's runs within the horizon: on its own type, with the other types it lists as
 * alternatives (the first that can take a run starts it).
 */
function pretrainJobs(
  c: FleetCtx,
  w: Extract<Workload, { kind: "pretrain" }>,
  partner: number,
  path: string,
  horizonS: number,
): JobSpec[] {
  // A pretraining run may list several types; the first is its own.
  const types = preferredTypes(c.pools, w.accelerator, path);
  const model = resolveModel(
    c.catalog,
    typeof w.model === "string" ? w.model : strip(w.model),
    `${path}.model`,
  );
  const at = { path, partner, model, globalBatch: Math.max(1, Math.round(w.globalBatchTokens / w.seqLen)) };
  const own = pretrainOn(c, w, at, types.own, `${path}.accelerator`);
  const alternatives = types.others.map(({ id, path: where }) => {
    const alt = pretrainOn(c, w, at, poolNeeded(c.pools, id, where), where);
    return {
      pool: alt.pool ?? 0,
      workS: alt.workS,
      ...(alt.speedAt !== undefined ? { speedAt: alt.speedAt } : {}),
    };
  });
  const jobs: JobSpec[] = [];
  for (let k = 0; k < w.count; k++) {
    const submitS = (w.startDay + k * (w.everyDays ?? c.s.days)) * 86_400;
    if (submitS >= horizonS) break;
    jobs.push({ ...own, submitS, ...(alternatives.length > 0 ? { alternatives } : {}) });
  }
  return jobs;
}

/** A service's replica on one type: its size and tokens/s within the SLO (cached per model, type and SLO). */
function replicaOn(
  c: FleetCtx,
  w: Extract<Workload, { kind: "inference" }>,
  m: Model,
  poolIndex: number,
): { readonly size: number; readonly tokensPerS: number } | null {
  const serving = {
    model: m,
    accelerator: sustainedAccelerator((c.pools[poolIndex] as Pool).acc, c.a),
    precision: w.precision,
    inputTokens: w.inputTokens,
    outputTokens: w.outputTokens,
    ttftS: w.slo.ttftMs / 1000,
    tpotS: w.slo.tpotMs / 1000,
  };
  const capKey = JSON.stringify(["replica", serving]);
  if (!c.perfCache.has(capKey)) c.perfCache.set(capKey, replicaCapacity(serving));
  return c.perfCache.get(capKey) as ReturnType<typeof replicaCapacity>;
}

/**
 * An inference service: its replica (size and tokens/s within the SLO) on its first type, the same on
 * each other type it lists, and its traffic.
 */
function serviceSpec(
  c: FleetCtx,
  w: Extract<Workload, { kind: "inference" }>,
  partner: number,
  path: string,
): ServiceSpec {
  const types = preferredTypes(c.pools, w.accelerator, path);
  const poolIndex = types.own;
  const m = resolveModel(c.catalog, typeof w.model === "string" ? w.model : strip(w.model), `${path}.model`);
  const cap = replicaOn(c, w, m, poolIndex);
  if (cap === null)
    throw new InputError(
      `${path}.slo`,
      w.slo,
      `limits that some replica of ${m.id} on ${(c.pools[poolIndex] as Pool).acc.id} meets`,
    );
  const alternatives = types.others.map(({ id, path: where }) => {
    const pool = poolNeeded(c.pools, id, where);
    const alt = replicaOn(c, w, m, pool);
    if (alt === null)
      throw new InputError(where, id, `a type on which some replica of ${m.id} meets the SLO`);
    return { pool, replicaSize: alt.size, tokensPerSPerReplica: alt.tokensPerS };
  });
  return {
    name: w.name ?? `${c.s.partners[partner]?.name}/${m.id}`,
    partner,
    replicaSize: cap.size,
    tokensPerSPerReplica: cap.tokensPerS,
    meanTokensPerS: w.tokensPerDay / 86_400,
    amplitude: w.amplitude,
    peakHour: w.peakHour,
    priority: w.priority,
    ...(c.pools.length > 1 ? { pool: poolIndex } : {}),
    ...(alternatives.length > 0 ? { alternatives } : {}),
  };
}

/**
 * What one accelerator of a type trains at, for the speed of a stream's jobs on another type than its
 * first: dense BF16 peak × the measured GEMM plateau of that part (its family's, else the default).
 */
function sustainedBf16(acc: Pool["acc"]): number {
  return (acc.peakFlops.bf16 ?? acc.peakFlops.fp16 ?? 0) * gemmCurveOf(acc, "bf16").plateau;
}

/**
 * The types a stream's jobs may run on: its first (with its largest site, for the sizes) and the others
 * it lists as alternatives at their sustained GEMM rate relative to the first's.
 */
function streamTypes(
  c: FleetCtx,
  accelerator: string | readonly string[] | undefined,
  path: string,
): { pool: number; acc: Pool["acc"]; largestSite: number; alternatives: JobStream["alternatives"] & {} } {
  const types = preferredTypes(c.pools, accelerator, path);
  const { acc, largestSite } = c.pools[types.own] as Pool;
  const own = sustainedBf16(acc);
  const alternatives = types.others.map(({ id, path: where }) => {
    const pool = poolNeeded(c.pools, id, where);
    const speed = sustainedBf16((c.pools[pool] as Pool).acc) / own;
    if (!(speed > 0)) throw new InputError(where, id, "a type with a BF16 or FP16 peak");
    return { pool, speed };
  });
  return { pool: types.own, acc, largestSite, alternatives };
}

/**
 * A stream of fine-tunes or evaluations, its sizes checked against the largest site of its (first) type;
 * the other types it lists are alternatives at their sustained GEMM rate relative to the first's.
 */
function jobStream(
  c: FleetCtx,
  w: Extract<Workload, { kind: "finetune" | "eval" }>,
  partner: number,
  path: string,
): JobStream {
  const { pool, acc, largestSite, alternatives } = streamTypes(c, w.accelerator, path);
  const d = streamDefaults(w.kind);
  for (const [zi, z] of (w.sizes ?? []).entries())
    if (z.accelerators > largestSite)
      throw new InputError(
        `${path}.sizes[${zi}].accelerators`,
        z.accelerators,
        `at most the ${largestSite} accelerators of the largest ${acc.id} site`,
      );
  let sizes = w.sizes ?? d.sizes.filter((z) => z.accelerators <= largestSite);
  if (sizes.length === 0) sizes = [{ accelerators: largestSite, weight: 1 }];
  if (w.sizes === undefined && sizes.length < d.sizes.length)
    c.notes.push(
      `${path}: default sizes over ${largestSite} accelerators (the largest ${acc.id} site) left out`,
    );
  return {
    partner,
    kind: w.kind,
    perDay: w.perDay,
    sizes,
    medianHours: w.medianHours ?? d.medianHours,
    sigma: w.sigma ?? d.sigma,
    priority: w.priority,
    amplitude: w.amplitude,
    peakHour: w.peakHour,
    ...(c.pools.length > 1 ? { pool } : {}),
    ...(alternatives.length > 0 ? { alternatives } : {}),
  };
}

/** A stream's defaults: the acme-seren preset's class of its kind (fitted to Seren's statements). */
export function streamDefaults(kind: "finetune" | "eval"): JobClassPreset {
  const seren = JOB_PRESETS.find((p) => p.id === "acme-seren") as JobPreset;
  return seren.classes.find((k) => k.kind === kind) as JobClassPreset;
}

type Partner = FleetScenario["partners"][number];

/** A partner's job preset, its scale and types, when it names one. */
function presetOf(p: Partner): { preset: JobPreset; scale: number; accelerator?: string | string[] } | null {
  if (p.jobs === undefined) return null;
  const j = typeof p.jobs === "string" ? { preset: p.jobs, scale: 1, accelerator: undefined } : p.jobs;
  const preset = JOB_PRESETS.find((x) => x.id === j.preset) as JobPreset;
  return { preset, scale: j.scale, ...(j.accelerator !== undefined ? { accelerator: j.accelerator } : {}) };
}

/**
 * Jobs a day a partner's preset submits: the cluster's rate per accelerator × the partner's accelerators
 * (its quota; else `fleetOfType`, the fleet's accelerators of its type) × scale.
 */
function presetPerDay(p: Partner, fleetOfType: number): number {
  const x = presetOf(p);
  if (x === null) return 0;
  const mine =
    typeof p.quota === "number"
      ? p.quota
      : typeof p.quota === "object"
        ? Object.values(p.quota).reduce((a, b) => a + b, 0)
        : fleetOfType;
  return (x.preset.perDay * x.scale * mine) / x.preset.cluster.accelerators;
}

/**
 * A partner's preset as streams, one per job class: sizes larger than its type's largest site are left
 * out (the class's others reweighted; a note says so), each class with its outcomes and the cluster's
 * longest run time.
 */
function presetStreams(c: FleetCtx, pi: number): JobStream[] {
  const p = c.s.partners[pi] as Partner;
  const x = presetOf(p);
  if (x === null) return [];
  const path = `partners[${pi}].jobs`;
  const { pool, acc, largestSite, alternatives } = streamTypes(c, x.accelerator, path);
  const perDay = presetPerDay(p, (c.pools[pool] as Pool).count);
  const { streams, dropped } = presetJobStreams(
    x.preset,
    pi,
    perDay / x.preset.perDay,
    (n) => n <= largestSite,
  );
  for (const kind of dropped)
    c.notes.push(
      `${p.name}: ${x.preset.id} ${kind} jobs of more than ${largestSite} accelerators (the largest ${acc.id} site) left out`,
    );
  return streams.map((st) => ({
    ...st,
    ...(c.pools.length > 1 ? { pool } : {}),
    ...(alternatives.length > 0 ? { alternatives } : {}),
  }));
}

/** Jobs of a trace, each by a partner named in the scenario, within the horizon. */
function traceJobs(c: FleetCtx, trace: readonly TraceJob[], horizonS: number): JobSpec[] {
  const first = c.pools[0] as Pool;
  const tenants = new Map(c.s.partners.map((p, i) => [p.name, i]));
  const jobs: JobSpec[] = [];
  trace.forEach((t, i) => {
    const p = tenants.get(t.tenant);
    if (p === undefined)
      throw new InputError(
        `trace:${i + 2}`,
        t.tenant,
        `a tenant named in partners (${[...tenants.keys()].join(", ")})`,
      );
    if (t.accelerators > first.largestSite)
      throw new InputError(
        `trace:${i + 2}`,
        t.accelerators,
        `at most the ${first.largestSite} accelerators of the largest ${first.acc.id} site`,
      );
    if (t.submitS < horizonS)
      jobs.push({
        partner: p,
        kind: "trace",
        size: t.accelerators,
        submitS: t.submitS,
        workS: t.durationS,
        priority: 1,
      });
  });
  return jobs;
}

/**
 * The Llama 3 run's interruption causes with their counts as shares; with `hardwareShare`, the hardware
 * causes rescaled to that share of all and the others to the rest (proportions kept within each).
 */
function failureCauses(hardwareShare: number | undefined): FailureModel["causes"] {
  const all = LLAMA3_INTERRUPTIONS.causes;
  const hw = all.filter((x) => x.hardware).reduce((t, x) => t + x.count, 0);
  const total = all.reduce((t, x) => t + x.count, 0);
  return all.map((x) => ({
    name: x.name,
    share:
      hardwareShare === undefined
        ? x.count
        : x.hardware
          ? (x.count / hw) * hardwareShare
          : (x.count / (total - hw)) * (1 - hardwareShare),
    hardware: x.hardware,
  }));
}

/**
 * The failure model: the rate (default from the Llama 3 run), its causes, repair and restart, and the
 * checkpoint interval (Young/Daly for the largest job unless given).
 */
function failureModel(c: FleetCtx, jobs: readonly JobSpec[]): FailureModel | null {
  const { s, a } = c;
  if (s.failures === false) return null;
  const f = s.failures === true ? {} : s.failures;
  const rate = f.ratePerAccHour ?? INTERRUPTIONS_PER_ACC_HOUR;
  const largest = Math.max(
    (c.pools[0] as Pool).domainSize,
    ...jobs.filter((j) => j.kind === "pretrain").map((j) => j.size),
  );
  const costS = a.checkpointCostMinutes * 60;
  // Young/Daly: the interval that minimises checkpoint cost plus expected lost work, √(2·C·MTBF).
  const mtbfS = rate > 0 ? 3600 / (rate * largest) : Number.POSITIVE_INFINITY;
  const intervalS =
    f.checkpointMinutes !== undefined
      ? f.checkpointMinutes * 60
      : Math.min(24 * 3600, Math.sqrt(2 * costS * mtbfS));
  return {
    ratePerAccHour: rate,
    causes: failureCauses(f.hardwareShare),
    repairS: a.repairHours * 3600,
    restartS: a.restartMinutes * 60,
    checkpointIntervalS: intervalS,
    checkpointCostS: costS,
  };
}

/** Validate a fleet scenario and build the simulation input (jobs generated from the seed). */
export function resolveFleetScenario(
  data: unknown,
  base: Catalog,
  trace: readonly TraceJob[] = [],
  /** Training rates by their full inputs: may be shared across runs of a sweep (or a session). */
  perfCache: Map<string, unknown> = new Map(),
): ResolvedFleet {
  const { s, catalog, a } = validateFleetScenario(data, base, trace.length);
  const c: FleetCtx = { s, catalog, a, notes: [], pools: [], perfCache };
  poolOf(c, s.fleet.accelerator, "fleet.accelerator");
  const siteSpecs = s.fleet.sites ?? [
    {
      site: s.fleet.site,
      accelerator: undefined,
      count: s.fleet.count ?? 0,
      phases: s.fleet.phases,
      cooling: s.fleet.cooling,
      heatRejection: s.fleet.heatRejection,
    },
  ];
  const parts = siteSpecs.map((x, i) => sitePart(c, x, i));
  const first = c.pools[0] as Pool;
  const horizonS = s.days * 86_400;
  const rng = seededRandom(s.seed);
  const partners = fleetPartners(
    c,
    c.pools.reduce((x, p) => x + p.count, 0),
  );
  const jobs: JobSpec[] = [];
  const streams: JobStream[] = [];
  const services: ServiceSpec[] = [];
  for (const [pi, p] of s.partners.entries())
    for (const [wi, w] of p.workloads.entries()) {
      const path = `partners[${pi}].workloads[${wi}]`;
      if (w.kind === "pretrain") for (const j of pretrainJobs(c, w, pi, path, horizonS)) jobs.push(j);
      else if (w.kind === "inference") services.push(serviceSpec(c, w, pi, path));
      else streams.push(jobStream(c, w, pi, path));
    }
  for (const pi of s.partners.keys()) for (const x of presetStreams(c, pi)) streams.push(x);
  // Appended one by one: a stream may generate more jobs than a call's arguments can hold.
  for (const j of generateJobs(streams, horizonS, rng)) jobs.push(j);
  for (const j of traceJobs(c, trace, horizonS)) jobs.push(j);
  jobs.sort((x, y) => x.submitS - y.submitS);

  const scheduler = SCHEDULERS.find((x) => x.id === s.scheduler);
  if (scheduler === undefined) throw new InputError("scheduler", s.scheduler, "a scheduler id");
  return {
    name: s.name ?? "fleet",
    accelerator: first.acc.id,
    pools: c.pools.filter((p) => p.count > 0).map((p) => ({ accelerator: p.acc.id, count: p.count })),
    scenario: s,
    notes: c.notes,
    assumptions: fleetAssumptions(s, a),
    input: {
      domains: parts.reduce((x, p) => x + p.domains, 0),
      sites: parts,
      domainSize: first.domainSize,
      nodeSize: first.nodeSize,
      ...(first.podDomains !== undefined ? { podDomains: first.podDomains } : {}),
      horizonS,
      seed: s.seed,
      partners,
      jobs,
      services,
      scheduler,
      placement: s.placement,
      borrowing: s.borrowing,
      ...(s.starvationHours !== 6
        ? { starvationS: s.starvationHours === null ? Number.POSITIVE_INFINITY : s.starvationHours * 3600 }
        : {}),
      defragment: s.defragment
        ? { restartS: a.restartMinutes * 60, checkpointS: a.checkpointCostMinutes * 60 }
        : null,
      failures: failureModel(c, jobs),
      power: {
        busyKw: first.busyKw,
        idleKw: first.idleKw,
        pue: parts[0]?.pue ?? 1,
        carbonGPerKWh: parts[0]?.carbonGPerKWh ?? 0,
      },
      sampleS: s.sampleDays * 86_400,
      autoscaleS: a.autoscaleMinutes * 60,
    },
  };
}

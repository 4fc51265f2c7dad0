import type {
  Accelerator,
  AcceleratorInput,
  Assumptions,
  Catalog,
  ChipAssumptions,
  HbmGeneration,
  Model,
  Site,
  SystemInput,
} from "../catalog/index.js";
import { resolveAccelerator, resolveHbm } from "../catalog/index.js";
import type { CoolingId, HeatRejection } from "../datacenter/cooling.js";
import { costPerAcceleratorHour, unitCapex } from "../datacenter/cost.js";
import { facilityProfile } from "../datacenter/facility.js";
import { itPower } from "../datacenter/power.js";
import { servingCapacity } from "../perf/capacity.js";
import { energyOf, energyRates, servingTokenTraffic, sumParts } from "../perf/energy.js";
import { defaultKvPrecision, type InferencePrecision } from "../perf/infer.js";
import { trainingJob } from "../perf/job.js";
import { searchTraining } from "../perf/search.js";
import { GB, type Precision, SECONDS_PER_DAY } from "../units.js";
import {
  type BasePart,
  basePart,
  type ChipCost,
  type ChipPower,
  type ChipSpec,
  chipCost,
  chipPower,
  MIN_CLOCK,
} from "./chip.js";

/**
 * A custom accelerator's design space judged on a workload mix and on the supply it is built from
 * (`stargate design`): each point is the base part with some fields changed; it serves each inference
 * workload at its SLO (the plan's deployment search over replica shapes and batches, perf/capacity.ts)
 * and trains each training workload (the parallelism search), costs what design/chip.ts says, draws what
 * its power model says, and is built as many times a year as the scarcest supply allows.
 */

/** The accelerator fields a design space may vary (paths into an accelerator as the catalog writes it). */
export const DESIGN_FIELDS = [
  "peakTflops.fp32",
  "peakTflops.fp16",
  "peakTflops.bf16",
  "peakTflops.fp8",
  "peakTflops.fp4",
  "hbm.generation",
  "hbm.stacks",
  "hbm.capacityGB",
  "hbm.bandwidthGBps",
  "scaleUp.bandwidthGBps",
  "scaleUp.domainSize",
  "scaleOut.bandwidthGBps",
  "tdpW",
  "sramMB",
] as const;
export type DesignField = (typeof DESIGN_FIELDS)[number];

/** One axis of the space: a field and the values it takes. */
export interface DesignAxis {
  readonly field: DesignField;
  readonly values: readonly (number | string)[];
}

export interface InferWorkload {
  readonly kind: "infer";
  readonly name: string;
  readonly model: Model;
  readonly precision: InferencePrecision;
  readonly inputLen: number;
  readonly outputLen: number;
  readonly ttftS: number;
  readonly tpotS: number;
  readonly weight: number;
}

export interface TrainWorkload {
  readonly kind: "train";
  readonly name: string;
  readonly model: Model;
  readonly tokens: number;
  readonly seqLen: number;
  readonly globalBatch: number;
  readonly precision: Precision;
  readonly accelerators: number;
  readonly weight: number;
}

export type Workload = InferWorkload | TrainWorkload;

/** What the program can buy in a year; a figure not stated does not bind. */
export interface DesignSupply {
  readonly hbmStacksPerYear: number;
  readonly cowosWafersPerYear: number | null;
  readonly logicWafersPerYear: number | null;
}

export interface DesignInput {
  readonly name: string;
  readonly baseId: string;
  readonly base: AcceleratorInput;
  readonly axes: readonly DesignAxis[];
  readonly workloads: readonly Workload[];
  readonly supply: DesignSupply;
  readonly site: Site;
  readonly cooling: CoolingId;
  readonly heatRejection: HeatRejection;
  readonly systems: readonly SystemInput[];
  readonly a: Assumptions;
  readonly c: ChipAssumptions;
  /** The base part's logic silicon, mm², and where the figure comes from. */
  readonly baseLogicMm2: number;
  /** The catalog the design's accelerator is resolved against (its HBM generations, fabrics, family curves). */
  readonly catalog: Catalog;
  /** Catalog parts with a published price, for the cost model's cross-check. */
  readonly priced: readonly {
    acc: Accelerator;
    logicMm2: number;
    priceUsd: number;
    priceSource: string;
    gen: HbmGeneration | null;
  }[];
}

/** The number of points in the space (the product of its axes' lengths). */
export function designSize(axes: readonly DesignAxis[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}

/** The values of point `index` (row-major: the last axis varies fastest). */
export function designPoint(axes: readonly DesignAxis[], index: number): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  let rest = index;
  for (let k = axes.length - 1; k >= 0; k--) {
    const axis = axes[k] as DesignAxis;
    out[axis.field] = axis.values[rest % axis.values.length] as number | string;
    rest = Math.floor(rest / axis.values.length);
  }
  return Object.fromEntries(axes.map((a) => [a.field, out[a.field] as number | string]));
}

/**
 * The base part with a point's values set. Changing the HBM generation or stack count drops the base's
 * stated capacity and bandwidth (they then follow from the generation), unless the point sets them too.
 */
export function pointInput(
  base: AcceleratorInput,
  values: Record<string, number | string>,
  id: string,
): AcceleratorInput {
  const out = structuredClone(base) as unknown as Record<string, Record<string, unknown>>;
  const hbm = out["hbm"] as Record<string, unknown>;
  if (values["hbm.generation"] !== undefined || values["hbm.stacks"] !== undefined)
    for (const k of ["capacityGB", "capacityGiB", "bandwidthGBps"]) delete hbm[k];
  for (const [path, v] of Object.entries(values)) {
    const [head = "", leaf] = path.split(".");
    if (leaf === undefined) (out as Record<string, unknown>)[head] = v;
    else {
      out[head] ??= {};
      (out[head] as Record<string, unknown>)[leaf] = v;
    }
  }
  return {
    ...(out as unknown as AcceleratorInput),
    id,
    name: `${base.name} (design ${id})`,
    source: `design point ${id} of ${base.name}`,
  };
}

/** The largest ratio of the design's dense peak to the base's over the precisions both state. */
function computeScale(design: Accelerator, base: Accelerator): number {
  let scale = 0;
  for (const [p, v] of Object.entries(base.peakFlops)) {
    const d = design.peakFlops[p as Precision];
    if (v !== undefined && v > 0 && d !== undefined) scale = Math.max(scale, d / v);
  }
  return scale > 0 ? scale : 1;
}

/** The HBM generation of a resolved part, if it names one. */
function generationOf(catalog: Catalog, acc: Accelerator): HbmGeneration | null {
  return acc.hbm !== null ? resolveHbm(catalog, acc.hbm.generation) : null;
}

/** A workload's figures at one design point. */
export interface WorkloadResult {
  readonly name: string;
  readonly kind: "infer" | "train";
  /** infer: output tokens/s per accelerator at the SLO; train: tokens/s of the whole run. */
  readonly tokensPerS: number | null;
  readonly usdPerMillionTokens: number | null;
  readonly tokensPerJoule: number | null;
  readonly trainDays: number | null;
  /** The configuration the search found: a replica shape and batch, or a training parallelism. */
  readonly config: string | null;
  /** Why the workload cannot run on this point (no shape meets the SLO, nothing fits memory). */
  readonly problem: string | null;
}

export interface DesignPointResult {
  readonly index: number;
  readonly id: string;
  readonly values: Readonly<Record<string, number | string>>;
  readonly hbmGB: number;
  readonly hbmTBps: number;
  readonly cost: ChipCost;
  readonly power: ChipPower;
  readonly workloads: readonly WorkloadResult[];
  /** Weighted over the inference workloads. */
  readonly usdPerMillionTokens: number | null;
  readonly tokensPerJoule: number | null;
  /** Weighted over the training workloads. */
  readonly trainDays: number | null;
  readonly chipUsd: number;
  readonly chipsPerYearFromSupply: number;
  /** Which supply sets chips per year: hbm, packaging or logic. */
  readonly supplyBinds: "hbm" | "packaging" | "logic";
  /** One year's chips split by the mix's weights: output tokens a day at the SLOs, training runs a year. */
  readonly tokensPerDayFromSupply: number | null;
  readonly trainingRunsPerYearFromSupply: number | null;
  /** Why the point cannot be built or run (a TDP below what memory and static power draw), or null. */
  readonly problem: string | null;
}

/** The base part resolved, with its figures for the silicon and power models. */
export interface ResolvedBase {
  readonly acc: Accelerator;
  readonly part: BasePart;
}

export function resolveBase(d: DesignInput): ResolvedBase {
  const acc = resolveAccelerator(d.catalog, d.base, "base");
  const gen = generationOf(d.catalog, acc);
  return { acc, part: basePart(acc, d.baseLogicMm2, gen?.energyPjPerBit ?? d.a.hbmPjPerBit) };
}

/** Chips a year the scarcest supply allows, and which it is. */
function chipsPerYear(d: DesignInput, stacks: number, cost: ChipCost) {
  const limits: ["hbm" | "packaging" | "logic", number][] = [
    ["hbm", stacks > 0 ? d.supply.hbmStacksPerYear / stacks : Number.POSITIVE_INFINITY],
  ];
  if (d.supply.cowosWafersPerYear !== null)
    limits.push(["packaging", d.supply.cowosWafersPerYear * cost.packagesPerWafer]);
  if (d.supply.logicWafersPerYear !== null)
    limits.push(["logic", d.supply.logicWafersPerYear * cost.logicSetsPerWafer]);
  const [binds, n] = limits.reduce((m, x) => (x[1] < m[1] ? x : m));
  return { binds, n: Number.isFinite(n) ? n : 0 };
}

/** An inference workload on the design: capacity at the SLO, $/M tokens at the site, tokens per joule. */
function inferOn(
  d: DesignInput,
  base: ResolvedBase,
  acc: Accelerator,
  gen: HbmGeneration | null,
  chipUsd: number,
  chip: ChipPower,
  w: InferWorkload,
): WorkloadResult {
  const none = (problem: string): WorkloadResult => ({
    name: w.name,
    kind: "infer",
    tokensPerS: null,
    usdPerMillionTokens: null,
    tokensPerJoule: null,
    trainDays: null,
    config: null,
    problem,
  });
  const domain = acc.scaleUp.domainSize;
  const cap = servingCapacity(
    {
      model: w.model,
      accelerator: acc,
      gpus: domain * 8,
      domainSize: domain,
      precision: w.precision,
      kvPrecision: defaultKvPrecision(w.precision),
    },
    w.inputLen,
    w.outputLen,
    { ttftS: w.ttftS, tpotS: w.tpotS },
    true,
  );
  if (cap === null) return none("no replica shape and batch meets the SLO");
  const a = d.a;
  const power = itPower(acc, d.systems, a, "base");
  const prof = facilityProfile({ site: d.site, cooling: d.cooling, heatRejection: d.heatRejection }, a);
  const liquid = d.cooling === "dlc" || d.cooling === "immersion";
  const capex = unitCapex(
    { accelerator: acc.id, usd: chipUsd, source: "design/chip.ts cost model" },
    d.systems,
    power.kwPerAccelerator,
    liquid,
    a,
    "base",
    d.site.constructionUsdPerMw ?? a.facilityUsdPerMw,
  );
  const hour = costPerAcceleratorHour(
    capex,
    power.kwPerAccelerator,
    a.inferenceLoadFactor,
    prof.annualPue,
    d.site.electricityUsdPerKWh,
    a,
  );
  const tokensPerHour = (cap.tokensPerSPerGpu * 3600) / a.peakToMeanLoad;
  // The plan's energy decomposition, with the design's own figures: energy per FLOP of the base part (the
  // same process) at the design's clock, its static power, its TDP.
  const p = w.precision === "int4" ? "fp8" : w.precision;
  const rates = {
    ...energyRates(acc, gen, p, power.kwPerAccelerator, a, a.inferenceLoadFactor),
    pjPerFlop:
      energyRates(base.acc, null, p, power.kwPerAccelerator, a, a.inferenceLoadFactor).pjPerFlop *
      chip.energyPerFlopScale,
    staticW: chip.staticW,
  };
  const traffic = servingTokenTraffic(
    w.model,
    w.precision,
    w.inputLen,
    w.outputLen,
    cap,
    domain,
    a.peakToMeanLoad,
  );
  const joules = sumParts(energyOf(traffic, rates, prof.annualPue));
  return {
    name: w.name,
    kind: "infer",
    tokensPerS: cap.tokensPerSPerGpu,
    usdPerMillionTokens: (hour.total / tokensPerHour) * 1e6,
    tokensPerJoule: 1 / joules,
    trainDays: null,
    config: `tp ${cap.shape.tp} · pp ${cap.shape.pp} · ep ${cap.shape.ep}, batch ${cap.batch}`,
    problem: null,
  };
}

/** A training workload on the design: the searched best configuration on its accelerators, and the days it takes. */
function trainOn(acc: Accelerator, w: TrainWorkload): WorkloadResult {
  const job = trainingJob({
    model: w.model,
    accelerator: acc,
    gpus: w.accelerators,
    seqLen: w.seqLen,
    globalBatch: w.globalBatch,
    precision: w.precision,
    tokens: w.tokens,
  });
  const best = searchTraining(job).best;
  const base = { name: w.name, kind: "train" as const, usdPerMillionTokens: null, tokensPerJoule: null };
  if (!best.fits) return { ...base, tokensPerS: null, trainDays: null, config: null, problem: best.reason };
  const p = best.parallelism;
  return {
    ...base,
    config: `tp ${p.tp} · pp ${p.pp} · dp ${p.dp} · cp ${p.cp} · ep ${p.ep} · micro-batch ${p.microBatch}`,
    tokensPerS: best.tokensPerS,
    trainDays: w.tokens / best.tokensPerS / SECONDS_PER_DAY,
    problem: null,
  };
}

/** A weighted mean of `f` over the workloads that have it; null when one of them cannot run. */
function weighted(
  rs: readonly { r: WorkloadResult; w: Workload }[],
  f: (r: WorkloadResult) => number | null,
): number | null {
  if (rs.length === 0) return null;
  let sum = 0;
  let weight = 0;
  for (const { r, w } of rs) {
    const v = f(r);
    if (v === null) return null;
    sum += v * w.weight;
    weight += w.weight;
  }
  return sum / weight;
}

/** Evaluate design point `index` of `d` (its base resolved once by the caller). */
export function evaluateDesignPoint(d: DesignInput, base: ResolvedBase, index: number): DesignPointResult {
  const values = designPoint(d.axes, index);
  const id = `${d.baseId}-d${index}`;
  const nominal = resolveAccelerator(d.catalog, pointInput(d.base, values, id), "base");
  const gen = generationOf(d.catalog, nominal);
  const spec: ChipSpec = {
    computeScale: computeScale(nominal, base.acc),
    stacks: nominal.hbm?.stacks ?? 0,
    generation: gen,
    hbmBytes: nominal.hbmBytes,
    hbmBandwidthBytesPerS: nominal.hbmBandwidthBytesPerS,
    scaleUpBytesPerS: nominal.scaleUp.bandwidthBytesPerS * 2,
    sramMB: typeof values["sramMB"] === "number" ? values["sramMB"] : null,
    tdpW: typeof values["tdpW"] === "number" ? values["tdpW"] : null,
  };
  const cost = chipCost(base.part, spec, d.c, d.a);
  const power = chipPower(base.part, spec, cost.logicMm2, d.a, gen?.energyPjPerBit ?? d.a.hbmPjPerBit);
  const supply = chipsPerYear(d, spec.stacks, cost);
  const common = {
    index,
    id,
    values,
    hbmGB: nominal.hbmBytes / GB,
    hbmTBps: nominal.hbmBandwidthBytesPerS / 1e12,
    cost,
    power,
    chipUsd: cost.chipUsd,
    chipsPerYearFromSupply: supply.n,
    supplyBinds: supply.binds,
  };
  if (power.clock < MIN_CLOCK) {
    return {
      ...common,
      workloads: [],
      usdPerMillionTokens: null,
      tokensPerJoule: null,
      trainDays: null,
      tokensPerDayFromSupply: null,
      trainingRunsPerYearFromSupply: null,
      problem: `its ${Math.round(power.tdpW)} W TDP leaves compute under half its clock (memory, links and static power draw ${Math.round(power.memoryAndLinksW + power.staticW)} W; compute wants ${Math.round(power.derivedTdpW - power.memoryAndLinksW - power.staticW)} W)`,
    };
  }
  // The part as it runs: peaks at the sustained clock the power cap allows, the TDP the model derives.
  const scaled: Record<string, number> = {};
  for (const [p, v] of Object.entries(nominal.peakFlops)) if (v !== undefined) scaled[p] = v * power.clock;
  const acc: Accelerator = { ...nominal, peakFlops: scaled, tdpW: power.tdpW };
  const rs = d.workloads.map((w) => ({
    w,
    r: w.kind === "infer" ? inferOn(d, base, acc, gen, cost.chipUsd, power, w) : trainOn(acc, w),
  }));
  const infer = rs.filter((x) => x.w.kind === "infer");
  const train = rs.filter((x) => x.w.kind === "train");
  const total = d.workloads.reduce((s, w) => s + w.weight, 0);
  const failed = rs.find((x) => x.r.problem !== null);
  const tokensPerDay =
    failed !== undefined || infer.length === 0
      ? null
      : infer.reduce(
          (s, { r, w }) => s + ((supply.n * w.weight) / total) * (r.tokensPerS ?? 0) * SECONDS_PER_DAY,
          0,
        );
  const runsPerYear =
    failed !== undefined || train.length === 0
      ? null
      : train.reduce((s, { r, w }) => {
          const tw = w as TrainWorkload;
          return (
            s +
            (((supply.n * w.weight) / total) * 365) /
              (tw.accelerators * (r.trainDays ?? Number.POSITIVE_INFINITY))
          );
        }, 0);
  return {
    ...common,
    workloads: rs.map((x) => x.r),
    usdPerMillionTokens: weighted(infer, (r) => r.usdPerMillionTokens),
    tokensPerJoule: weighted(infer, (r) => r.tokensPerJoule),
    trainDays: weighted(train, (r) => r.trainDays),
    tokensPerDayFromSupply: tokensPerDay,
    trainingRunsPerYearFromSupply: runsPerYear,
    problem: failed !== undefined ? `${failed.r.name}: ${failed.r.problem}` : null,
  };
}

/** A published accelerator price beside what the cost model says its silicon costs to make. */
export interface CostCheck {
  readonly accelerator: string;
  readonly priceUsd: number;
  readonly priceSource: string;
  readonly logicMm2: number;
  /** Logic dies of the cheapest split. */
  readonly dies: number;
  readonly manufacturingUsd: number;
  /** Published price over modelled manufacturing cost: a merchant GPU's margin and what the price includes. */
  readonly priceOverCost: number;
}

/**
 * The cost model on catalog parts with a published price (each part its own base, unchanged): the
 * modelled manufacturing cost against the price brackets the model (a merchant GPU sells at several
 * times its cost; a rack price per accelerator includes the CPU, memory and rack besides).
 */
export function costCheck(
  parts: readonly {
    acc: Accelerator;
    logicMm2: number;
    priceUsd: number;
    priceSource: string;
    gen: HbmGeneration | null;
  }[],
  c: ChipAssumptions,
  a: Assumptions,
): CostCheck[] {
  return parts.map(({ acc, logicMm2, priceUsd, priceSource, gen }) => {
    const part = basePart(acc, logicMm2, gen?.energyPjPerBit ?? a.hbmPjPerBit);
    const cost = chipCost(
      part,
      {
        computeScale: 1,
        stacks: part.stacks,
        generation: gen,
        hbmBytes: acc.hbmBytes,
        hbmBandwidthBytesPerS: acc.hbmBandwidthBytesPerS,
        scaleUpBytesPerS: part.scaleUpBytesPerS,
        sramMB: null,
        tdpW: null,
      },
      c,
      a,
    );
    return {
      accelerator: acc.id,
      priceUsd,
      priceSource,
      logicMm2,
      dies: cost.dies,
      manufacturingUsd: cost.manufacturingUsd,
      priceOverCost: priceUsd / cost.manufacturingUsd,
    };
  });
}

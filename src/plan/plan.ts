import {
  type Accelerator,
  type Assumptions,
  type HbmGeneration,
  type Model,
  type PriceInput,
  type SystemInput,
  sustainedAccelerator,
} from "../catalog/index.js";
import { costPerAcceleratorHour, type HourCost, type UnitCapex, unitCapex } from "../datacenter/cost.js";
import {
  type FacilityDesign,
  type FacilityProfile,
  facilityProfile,
  quarterProfile,
} from "../datacenter/facility.js";
import { type ItPower, itPower } from "../datacenter/power.js";
import { servingCapacity, sizeTraining } from "../perf/capacity.js";
import { defaultKvPrecision, type InferencePrecision } from "../perf/infer.js";
import { HOURS_PER_QUARTER, quarterLabel, quarterOfYear, yearOf } from "../quarter.js";
import {
  type Allows,
  type Concentration,
  type Constraint,
  concentration,
  fleetDelay,
  type RegionalDemand,
  type SensitivityRow,
  type SitePower,
  type SupplierLossRow,
  type SupplyInput,
  type SupplyResult,
  sensitivity,
  supplierLoss,
  supplyRamp,
  totalShortfall,
  usableItMw,
  type VendorSupply,
} from "../supply/ramp.js";
import type { Precision } from "../units.js";
import { type BudgetOutcome, budgetAllows, budgetSummary, costPerGw, type PlanBudget } from "./budget.js";
import { type EnergyOutcome, energyOutcome } from "./energy.js";

export type { PlanBudget } from "./budget.js";

export interface TrainingDemand {
  readonly name: string;
  readonly model: Model;
  readonly tokens: number;
  readonly days: number;
  /** Quarter the run must start (integer quarter). */
  readonly start: number;
  readonly seqLen: number;
  readonly globalBatch: number;
  readonly precision: Precision;
  /** A country code: the run may use only sites in that country. */
  readonly region?: string;
}

export interface InferenceDemand {
  readonly name: string;
  readonly model: Model;
  readonly precision: InferencePrecision;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly ttftS: number;
  readonly tpotS: number;
  /** Output tokens per day from each quarter on, linear between points, held after the last. */
  readonly ramp: readonly { readonly quarter: number; readonly tokensPerDay: number }[];
  /** A country code: the service may use only sites in that country. */
  readonly region?: string;
}

export interface SitePlan {
  readonly design: FacilityDesign;
  /** Grid connection, facility MW, from each quarter on. */
  readonly grid: readonly { readonly from: number; readonly mw: number }[];
  readonly halls: {
    readonly itMw: number;
    readonly count: number;
    readonly firstStart: number;
    readonly everyQuarters: number;
  };
}

export interface PlanInput {
  readonly name: string;
  readonly start: number;
  readonly quarters: number;
  readonly accelerator: Accelerator;
  readonly generation: HbmGeneration;
  readonly stacks: number;
  readonly logicMm2: number;
  readonly systems: readonly SystemInput[];
  readonly price: PriceInput | undefined;
  readonly training: readonly TrainingDemand[];
  readonly inference: readonly InferenceDemand[];
  readonly sites: readonly SitePlan[];
  readonly vendors: readonly VendorSupply[];
  readonly cowos: SupplyInput["cowos"];
  /** Events changing the inputs from their quarter on (resolved: vendors and sites by index). */
  readonly events?: readonly PlanEvent[];
  /** With a budget the plan buys all the money allows, within supply, grid and halls. */
  readonly budget?: PlanBudget;
  readonly a: Assumptions;
}

/** A resolved plan event (see the scenario's `events`). */
export type PlanEvent =
  | {
      readonly quarter: number;
      readonly kind: "hbm-vendor-output";
      readonly vendor: string;
      readonly factor: number;
    }
  | { readonly quarter: number; readonly kind: "cowos-output"; readonly factor: number }
  | {
      readonly quarter: number;
      readonly kind: "export-control";
      readonly vendor?: string;
      readonly accelerator?: string;
      readonly countries: readonly string[];
    }
  | {
      readonly quarter: number;
      readonly kind: "grid-delay";
      readonly site: number;
      readonly quarters: number;
    };

/** An event and the shortfall it causes (the plan with it against the plan without it). */
export interface EventOutcome {
  readonly quarter: string;
  readonly kind: PlanEvent["kind"];
  readonly shortfallAcceleratorQuarters: number;
  /** Accelerator-quarters the fleet delivers less with the event (with a budget the fleet grows past demand). */
  readonly lostAcceleratorQuarters: number;
  /** Quarters later the fleet reaches the size it reaches without the event (null: not within the plan). */
  readonly delayQuarters: number | null;
}

export interface TrainingOutcome {
  readonly name: string;
  readonly model: string;
  readonly start: string;
  readonly gpus: number;
  readonly fits: boolean;
  readonly days: number;
  readonly targetDays: number;
  readonly mfu: number;
  readonly stepTimeS: number;
  readonly parallelism: Record<string, unknown>;
  readonly bottleneck: string;
  readonly usdPerRun: number;
  readonly energyMWh: number;
  /** First quarter the fleet can hold the run, when later than its start (null: on time or never). */
  readonly earliestStart: string | null;
}

export interface InferenceOutcome {
  readonly name: string;
  readonly model: string;
  readonly tokensPerSPerGpu: number;
  readonly shape: { readonly tp: number; readonly pp: number; readonly ep: number };
  readonly batch: number;
  readonly ttftMs: number;
  readonly tpotMs: number;
  readonly bottleneck: string;
  /** Accelerators at the plan's last quarter, sized for the peak rate. */
  readonly gpusAtEnd: number;
  /** Null when no replica shape meets the SLO (nothing is served). */
  readonly usdPerMillionTokens: number | null;
  readonly meetsSlo: boolean;
}

export interface SiteOutcome {
  readonly site: string;
  readonly name: string;
  readonly cooling: string;
  readonly heatRejection: string;
  readonly annualPue: number;
  readonly designPue: number;
  readonly wueLPerKwh: number;
  readonly monthlyPue: readonly number[];
  readonly gridCarbonGPerKWh: number;
  readonly electricityUsdPerKWh: number;
  /** IT MW connected and built at the plan's end. */
  readonly itMwAtEnd: number;
}

export interface QuarterOutcome {
  readonly quarter: string;
  readonly demand: number;
  readonly installed: number;
  readonly allows: Allows;
  /** Accelerators the connected, built IT power can host. */
  readonly power: number;
  readonly tightest: Constraint;
  readonly binding: Constraint | null;
  readonly shortfall: number;
  /** Share of the installed fleet the demand uses. */
  readonly utilisation: number;
  readonly itMwAvailable: number;
  /** Provisioned IT power of the installed fleet, MW. */
  readonly itMw: number;
  /** Mean facility power drawn, MW. */
  readonly facilityMw: number;
  /** Facility power at full IT load in the hottest hour: what the grid connection must carry, MW. */
  readonly peakFacilityMw: number;
  readonly racks: number;
  readonly gridMw: number;
  readonly energyMWh: number;
  readonly co2Tonnes: number;
  readonly waterM3: number;
  readonly capexUsd: number;
  /** Of which hardware (systems, network, storage); the rest is facility. */
  readonly hardwareCapexUsd: number;
  /** Straight-line depreciation this quarter of all capex so far (hardware and facility lives). */
  readonly depreciationUsd: number;
  readonly opexUsd: number;
}

export interface Shortfall {
  readonly quarter: string;
  readonly needed: number;
  readonly available: number;
  readonly constraint: Constraint;
  /** The missing input in its own units. */
  readonly missing: string;
}

export interface PlanResult {
  readonly name: string;
  readonly accelerator: string;
  readonly power: ItPower;
  readonly capex: UnitCapex;
  readonly costPerGpuHour: HourCost;
  readonly training: readonly TrainingOutcome[];
  readonly inference: readonly InferenceOutcome[];
  readonly sites: readonly SiteOutcome[];
  readonly quarters: readonly QuarterOutcome[];
  readonly years: readonly YearOutcome[];
  readonly supply: Omit<SupplyResult, "quarters">;
  readonly sensitivity: readonly SensitivityRow[];
  /** How concentrated the contracted HBM is, by vendor and by the vendors' home countries. */
  readonly concentration: Concentration;
  /** Each supplier (every HBM vendor, then CoWoS) delivering nothing: the shortfall and delay it causes. */
  readonly supplierLoss: readonly SupplierLossRow[];
  /** Each event with the shortfall it causes. */
  readonly events: readonly EventOutcome[];
  /** What the budget bought (null: no budget). */
  readonly budget: BudgetOutcome | null;
  /** Regional demand and what the sovereignty rule costs (null: no demand states a region). */
  readonly regions: RegionsOutcome | null;
  /** Energy per training run and per million tokens by part, from the bytes and FLOPs the model moves. */
  readonly energy: EnergyOutcome;
  readonly shortfalls: readonly Shortfall[];
  readonly demandMet: boolean;
  readonly narrative: readonly string[];
}

export interface YearOutcome {
  readonly year: number;
  readonly installedAtEnd: number;
  readonly energyGWh: number;
  readonly co2Tonnes: number;
  readonly waterM3: number;
  readonly capexUsd: number;
  /** Straight-line depreciation: hardware over hardwareLifeYears, facility over facilityLifeYears. */
  readonly depreciationUsd: number;
  readonly opexUsd: number;
}

/** Cache of the performance results a plan needs, keyed by their inputs (sweeps reuse them). */
export type PerfCache = Map<string, unknown>;

function cached<T>(cache: PerfCache | undefined, key: string, f: () => T): T {
  if (cache === undefined) return f();
  if (cache.has(key)) return cache.get(key) as T;
  const v = f();
  cache.set(key, v);
  return v;
}

function rampAt(ramp: InferenceDemand["ramp"], q: number): number {
  const pts = [...ramp].sort((x, y) => x.quarter - y.quarter);
  const first = pts[0];
  if (first === undefined || q < first.quarter) return 0;
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i];
    const n = pts[i + 1];
    if (p === undefined || q < p.quarter) continue;
    if (n === undefined) return p.tokensPerDay;
    return p.tokensPerDay + ((n.tokensPerDay - p.tokensPerDay) * (q - p.quarter)) / (n.quarter - p.quarter);
  }
  return first.tokensPerDay;
}

/** The grid connection in quarter `q`: the latest step that has started. */
function stepAt(steps: SitePlan["grid"], q: number): number {
  let mw = 0;
  let from = Number.NEGATIVE_INFINITY;
  for (const st of steps)
    if (st.from <= q && st.from >= from) {
      from = st.from;
      mw = st.mw;
    }
  return mw;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** What every step of a plan shares: its input, the accelerator's power and unit capex, the quarters. */
interface PlanContext {
  readonly p: PlanInput;
  readonly a: Assumptions;
  readonly acc: Accelerator;
  /** The accelerator as the performance model sizes it: its math rates × sustainedComputeFraction. */
  readonly perfAcc: Accelerator;
  readonly power: ItPower;
  readonly capex: UnitCapex;
  readonly anyLiquidSite: boolean;
  readonly q0: number;
  readonly n: number;
}

/** A training run sized by the performance model, and how many quarters it lasts. */
interface SizedTraining {
  readonly t: TrainingDemand;
  readonly sizing: ReturnType<typeof sizeTraining>;
  readonly quartersLong: number;
}

/** A service's capacity per accelerator at its SLO (null: the SLO cannot be met). */
interface SizedInference {
  readonly d: InferenceDemand;
  readonly cap: ReturnType<typeof servingCapacity>;
}

/** Training runs sized to finish in their days (memoised across a sweep by their inputs). */
function sizeTrainingDemand(c: PlanContext, cache: PerfCache | undefined): SizedTraining[] {
  const acc = c.perfAcc;
  return c.p.training.map((t) => {
    const key = JSON.stringify([
      "train",
      acc,
      t.model,
      t.tokens,
      t.days,
      t.seqLen,
      t.globalBatch,
      t.precision,
    ]);
    const sizing = cached(cache, key, () =>
      sizeTraining(
        {
          model: t.model,
          accelerator: acc,
          seqLen: t.seqLen,
          globalBatch: t.globalBatch,
          precision: t.precision,
        },
        t.tokens,
        t.days,
      ),
    );
    return { t, sizing, quartersLong: Math.max(1, Math.ceil(sizing.days / (365 / 4) - 1e-9)) };
  });
}

/** Each service's steady-state capacity per accelerator within its SLO. */
function sizeInferenceDemand(c: PlanContext, cache: PerfCache | undefined): SizedInference[] {
  const acc = c.perfAcc;
  return c.p.inference.map((d) => {
    const key = JSON.stringify([
      "serve",
      acc,
      d.model,
      d.precision,
      d.inputTokens,
      d.outputTokens,
      d.ttftS,
      d.tpotS,
    ]);
    const cap = cached(cache, key, () =>
      servingCapacity(
        {
          model: d.model,
          accelerator: acc,
          gpus: acc.scaleUp.domainSize * 8,
          domainSize: acc.scaleUp.domainSize,
          precision: d.precision,
          kvPrecision: defaultKvPrecision(d.precision),
        },
        d.inputTokens,
        d.outputTokens,
        { ttftS: d.ttftS, tpotS: d.tpotS },
      ),
    );
    return { d, cap };
  });
}

/** Accelerators a service needs in quarter q: its token rate at peak over the per-accelerator capacity, whole replicas. */
function servingGpus(c: PlanContext, i: SizedInference, q: number): number {
  const rate = (rampAt(i.d.ramp, q) / 86_400) * c.a.peakToMeanLoad;
  if (rate <= 0) return 0;
  const per = i.cap?.tokensPerSPerGpu ?? 0;
  if (per <= 0) return 0;
  const g = i.cap?.shape;
  const replica = g === undefined ? 1 : g.tp * g.pp;
  return Math.ceil(rate / per / replica) * replica;
}

/** Accelerators demanded per quarter, for training and for serving. */
function quarterlyDemand(
  c: PlanContext,
  training: readonly SizedTraining[],
  inference: readonly SizedInference[],
) {
  const demandTrain: number[] = [];
  const demandServe: number[] = [];
  const byRegion = new Map<string, number[]>();
  const add = (region: string | undefined, i: number, gpus: number) => {
    if (region === undefined || gpus === 0) return;
    const row = byRegion.get(region) ?? Array.from({ length: c.n }, () => 0);
    row[i] = (row[i] ?? 0) + gpus;
    byRegion.set(region, row);
  };
  for (let i = 0; i < c.n; i++) {
    const q = c.q0 + i;
    let train = 0;
    for (const r of training) {
      const g = q >= r.t.start && q < r.t.start + r.quartersLong ? r.sizing.gpus : 0;
      train += g;
      add(r.t.region, i, g);
    }
    let serve = 0;
    for (const x of inference) {
      const g = servingGpus(c, x, q);
      serve += g;
      add(x.d.region, i, g);
    }
    demandTrain.push(train);
    demandServe.push(serve);
  }
  const regions: RegionalDemand[] = [...byRegion.entries()].map(([region, d]) => ({
    region,
    sites: c.p.sites.flatMap((s, si) => (s.design.site.country === region ? [si] : [])),
    demand: d,
  }));
  const demand = demandTrain.map((x, i) => x + (demandServe[i] ?? 0));
  /** Mean draw over provisioned power in quarter i: the load factors weighted by training's share of demand. */
  const loadAt = (i: number) => {
    const trainShare = (demand[i] ?? 0) > 0 ? (demandTrain[i] ?? 0) / (demand[i] ?? 1) : 1;
    return trainShare * c.a.trainingLoadFactor + (1 - trainShare) * c.a.inferenceLoadFactor;
  };
  return { demand, loadAt, regions };
}

/** Each site's PUE profile, and the IT MW its grid connection and built halls allow per quarter. */
function facilities(c: PlanContext) {
  const { p, a, q0, n } = c;
  const profiles: FacilityProfile[] = p.sites.map((s) => facilityProfile(s.design, a));
  const sitePower: SitePower[] = p.sites.map((s, si) => {
    const gridItMw: number[] = [];
    const builtItMw: number[] = [];
    for (let i = 0; i < n; i++) {
      const q = q0 + i;
      let ready = 0;
      for (let k = 0; k < s.halls.count; k++)
        if (s.halls.firstStart + k * s.halls.everyQuarters + Math.round(a.hallBuildQuarters) <= q) ready++;
      gridItMw.push(stepAt(s.grid, q) / (profiles[si]?.designPue ?? 1));
      builtItMw.push(ready * s.halls.itMw);
    }
    return { gridItMw, builtItMw };
  });
  const siteItMw = sitePower.map((sp) => sp.gridItMw.map((g, i) => Math.min(g, sp.builtItMw[i] ?? 0)));
  const itMw = Array.from({ length: n }, (_, i) => usableItMw(sitePower, i));
  return { profiles, sitePower, siteItMw, itMw };
}

/**
 * IT MW of the installed fleet at each site in quarter i: each region's demand at its own sites first
 * (in site order), then the rest of the fleet fills the sites in order.
 */
function placeFleet(
  siteMw: readonly number[],
  regions: readonly RegionalDemand[],
  i: number,
  installedMw: number,
  kwPerAccelerator: number,
): number[] {
  const placed = siteMw.map(() => 0);
  let left = installedMw;
  for (const r of regions) {
    let need = Math.min(left, ((r.demand[i] ?? 0) * kwPerAccelerator) / 1000);
    for (const si of r.sites) {
      const here = Math.min(need, (siteMw[si] ?? 0) - (placed[si] ?? 0));
      placed[si] = (placed[si] ?? 0) + here;
      need -= here;
      left -= here;
    }
  }
  siteMw.forEach((mw, si) => {
    const here = Math.min(left, mw - (placed[si] ?? 0));
    placed[si] = (placed[si] ?? 0) + here;
    left -= here;
  });
  return placed;
}

/**
 * Energy, water, carbon and cost quarter by quarter; accelerators fill sites in order (regional demand
 * its own sites first). Capex is written
 * off straight-line over its life from the quarter after it is spent.
 */
function quarterOutcomes(
  c: PlanContext,
  ramp: SupplyResult,
  fac: ReturnType<typeof facilities>,
  loadAt: (i: number) => number,
  regions: readonly RegionalDemand[],
): QuarterOutcome[] {
  const { p, a, power, capex, anyLiquidSite, q0 } = c;
  const { profiles, siteItMw, itMw } = fac;
  let prevInstalled = 0;
  const hwQuarters = Math.max(1, Math.round(a.hardwareLifeYears * 4));
  const facQuarters = Math.max(1, Math.round(a.facilityLifeYears * 4));
  const hwSpent: number[] = [];
  const facSpent: number[] = [];
  return ramp.quarters.map((rq, i) => {
    const q = q0 + i;
    const placed = placeFleet(
      siteItMw.map((x) => x[i] ?? 0),
      regions,
      i,
      (rq.installed * power.kwPerAccelerator) / 1000,
      power.kwPerAccelerator,
    );
    const load = loadAt(i);
    let facilityMw = 0;
    let peakFacilityMw = 0;
    let energy = 0;
    let co2 = 0;
    let water = 0;
    let energyUsd = 0;
    p.sites.forEach((s, si) => {
      const here = placed[si] ?? 0;
      const prof = profiles[si];
      if (prof === undefined || here <= 0) return;
      const qp = quarterProfile(prof, quarterOfYear(q));
      const itMean = here * load;
      facilityMw += itMean * qp.pue;
      peakFacilityMw += here * prof.designPue;
      const mwh = itMean * qp.pue * HOURS_PER_QUARTER;
      energy += mwh;
      co2 += (mwh * s.design.site.gridCarbonGPerKWh) / 1000;
      water += itMean * HOURS_PER_QUARTER * qp.wueLPerKwh;
      energyUsd += mwh * 1000 * s.design.site.electricityUsdPerKWh;
    });
    const newAcc = rq.installed - prevInstalled;
    prevInstalled = rq.installed;
    let facilityCapex = 0;
    for (const s of p.sites) {
      let hallsStarted = 0;
      for (let k = 0; k < s.halls.count; k++)
        if (
          s.halls.firstStart + k * s.halls.everyQuarters === q ||
          (i === 0 && s.halls.firstStart + k * s.halls.everyQuarters < q)
        )
          hallsStarted += s.halls.itMw;
      facilityCapex +=
        hallsStarted *
        ((s.design.site.constructionUsdPerMw ?? a.facilityUsdPerMw) +
          (anyLiquidSite ? a.liquidCoolingUsdPerMw : 0));
    }
    const hwCapex = newAcc * (capex.system + capex.network + capex.storage);
    let depreciation = 0;
    for (let k = Math.max(0, i - Math.max(hwQuarters, facQuarters)); k < i; k++) {
      if (i - k <= hwQuarters) depreciation += (hwSpent[k] ?? 0) / hwQuarters;
      if (i - k <= facQuarters) depreciation += (facSpent[k] ?? 0) / facQuarters;
    }
    hwSpent.push(hwCapex);
    facSpent.push(facilityCapex);
    const hwInstalled = rq.installed * (capex.system + capex.network + capex.storage);
    const opex =
      energyUsd +
      (hwInstalled * a.hardwareMaintenanceFraction +
        rq.installed * capex.facility * a.facilityMaintenanceFraction +
        ((rq.installed * power.kwPerAccelerator) / 1000) * a.staffPerMw * a.staffUsdPerYear +
        rq.installed * capex.network * a.networkOpexFraction) /
        4;
    return {
      quarter: quarterLabel(q),
      demand: rq.demand,
      installed: rq.installed,
      allows: rq.allows,
      power: rq.power,
      tightest: rq.tightest,
      binding: rq.binding,
      shortfall: rq.shortfall,
      utilisation: rq.installed > 0 ? Math.min(rq.demand, rq.installed) / rq.installed : 0,
      itMwAvailable: itMw[i] ?? 0,
      itMw: (rq.installed * power.kwPerAccelerator) / 1000,
      facilityMw,
      peakFacilityMw,
      racks: Math.ceil(rq.installed / (power.acceleratorsPerSystem * power.systemsPerRack)),
      gridMw: p.sites.reduce((s, x) => s + stepAt(x.grid, q), 0),
      energyMWh: energy,
      co2Tonnes: co2,
      waterM3: water,
      capexUsd: hwCapex + facilityCapex,
      hardwareCapexUsd: hwCapex,
      depreciationUsd: depreciation,
      opexUsd: opex,
    };
  });
}

/** Fleet-average PUE and electricity price (sites weighted by their IT MW at the end), and the cost of an accelerator-hour at each load. */
function unitCosts(c: PlanContext, fac: ReturnType<typeof facilities>, loadAt: (i: number) => number) {
  const { p, a, power, capex, n } = c;
  const { profiles, siteItMw } = fac;
  const lastIt = p.sites.map((_, si) => siteItMw[si]?.[n - 1] ?? 0);
  const totalIt = lastIt.reduce((s, x) => s + x, 0);
  const w = (si: number) => (totalIt > 0 ? (lastIt[si] ?? 0) / totalIt : 1 / Math.max(1, p.sites.length));
  const pue = p.sites.reduce((s, _, si) => s + w(si) * (profiles[si]?.annualPue ?? 1), 0);
  const price = p.sites.reduce((s, x, si) => s + w(si) * x.design.site.electricityUsdPerKWh, 0);
  const load = loadAt(n - 1);
  const at = (loadFactor: number) =>
    costPerAcceleratorHour(capex, power.kwPerAccelerator, loadFactor, pue, price, a);
  return {
    pue,
    hourCost: at(load),
    trainHour: at(a.trainingLoadFactor),
    serveHour: at(a.inferenceLoadFactor),
  };
}

/** Each training run: its size, time, cost and energy, and when its start quarter's fleet is short, the earliest quarter the inputs allow it. */
function trainingOutcomes(
  c: PlanContext,
  training: readonly SizedTraining[],
  demand: readonly number[],
  ramp: SupplyResult,
  quarters: readonly QuarterOutcome[],
  costs: ReturnType<typeof unitCosts>,
): TrainingOutcome[] {
  const { a, power, q0, n } = c;
  const fleetAt = (q: number) => quarters[q - q0]?.installed ?? 0;
  return training.map(({ t, sizing }) => {
    const r = sizing.result;
    let earliest: string | null = null;
    const si = t.start - q0;
    const need = demand[si] ?? sizing.gpus;
    if (si < 0 || si >= n || fleetAt(t.start) < need) {
      earliest = "beyond the plan";
      for (let i = Math.max(0, si); i < n; i++) {
        const al = ramp.quarters[i]?.allows;
        const rq = ramp.quarters[i];
        if (al !== undefined && rq !== undefined && Math.min(al.hbm, al.packaging, rq.power) >= need) {
          earliest = quarterLabel(q0 + i);
          break;
        }
      }
    }
    const hours = sizing.days * 24;
    return {
      name: t.name,
      model: t.model.name,
      start: quarterLabel(t.start),
      gpus: sizing.gpus,
      fits: r.fits,
      days: sizing.days,
      targetDays: t.days,
      mfu: r.mfu,
      stepTimeS: r.stepTimeS,
      parallelism: { ...r.parallelism },
      bottleneck: r.fits ? r.bottleneck : "hbm-capacity",
      usdPerRun: sizing.gpus * hours * costs.trainHour.total,
      energyMWh: (sizing.gpus * power.kwPerAccelerator * a.trainingLoadFactor * costs.pue * hours) / 1000,
      earliestStart: earliest,
    };
  });
}

/** Each service: its capacity, latencies and cost per million tokens, and the accelerators it holds at the end. */
function inferenceOutcomes(
  c: PlanContext,
  inference: readonly SizedInference[],
  costs: ReturnType<typeof unitCosts>,
): InferenceOutcome[] {
  return inference.map((x) => {
    const r = x.cap;
    const per = x.cap?.tokensPerSPerGpu ?? 0;
    // Capacity is sized for the peak: on average each accelerator runs at 1/peakToMeanLoad of its best.
    const tokensPerHour = (per * 3600) / c.a.peakToMeanLoad;
    return {
      name: x.d.name,
      model: x.d.model.name,
      tokensPerSPerGpu: per,
      shape: r?.shape ?? { tp: 0, pp: 0, ep: 0 },
      batch: r?.batch ?? 0,
      ttftMs: (r?.ttftS ?? 0) * 1000,
      tpotMs: (r?.tpotS ?? 0) * 1000,
      bottleneck: r?.bottleneck ?? "latency limits unmet",
      gpusAtEnd: servingGpus(c, x, c.q0 + c.n - 1),
      usdPerMillionTokens: per > 0 ? (costs.serveHour.total / tokensPerHour) * 1e6 : null,
      meetsSlo: x.cap !== null,
    };
  });
}

/** Each site's climate-driven figures and the IT MW it carries at the end. */
function siteOutcomes(c: PlanContext, fac: ReturnType<typeof facilities>): SiteOutcome[] {
  return c.p.sites.map((s, si) => {
    const prof = fac.profiles[si] as FacilityProfile;
    return {
      site: s.design.site.id,
      name: s.design.site.name,
      cooling: s.design.cooling,
      heatRejection: s.design.heatRejection,
      annualPue: prof.annualPue,
      designPue: prof.designPue,
      wueLPerKwh: prof.annualWueLPerKwh,
      monthlyPue: prof.monthly.map((m) => m.pue),
      gridCarbonGPerKWh: s.design.site.gridCarbonGPerKWh,
      electricityUsdPerKWh: s.design.site.electricityUsdPerKWh,
      itMwAtEnd: fac.siteItMw[si]?.[c.n - 1] ?? 0,
    };
  });
}

/** Quarters summed by calendar year. */
function yearOutcomes(c: PlanContext, quarters: readonly QuarterOutcome[]): YearOutcome[] {
  const years: YearOutcome[] = [];
  quarters.forEach((qo, i) => {
    const y = yearOf(c.q0 + i);
    let yr = years[years.length - 1];
    if (yr === undefined || yr.year !== y) {
      yr = {
        year: y,
        installedAtEnd: 0,
        energyGWh: 0,
        co2Tonnes: 0,
        waterM3: 0,
        capexUsd: 0,
        depreciationUsd: 0,
        opexUsd: 0,
      };
      years.push(yr);
    }
    const m = yr as { -readonly [K in keyof YearOutcome]: YearOutcome[K] };
    m.installedAtEnd = qo.installed;
    m.energyGWh += qo.energyMWh / 1000;
    m.co2Tonnes += qo.co2Tonnes;
    m.waterM3 += qo.waterM3;
    m.capexUsd += qo.capexUsd;
    m.depreciationUsd += qo.depreciationUsd;
    m.opexUsd += qo.opexUsd;
  });
  return years;
}

/** The quarters whose demand is not met, with the input that binds and what is missing of it. */
function shortfallsOf(c: PlanContext, quarters: readonly QuarterOutcome[], ramp: SupplyResult): Shortfall[] {
  const { p, power } = c;
  return quarters
    .filter((qo) => qo.binding !== null)
    .map((qo) => {
      const k = qo.binding as Constraint;
      // Regional demand can be short while the whole fleet is not: the gap is the demand not served.
      const gap = qo.shortfall;
      const missing =
        k === "budget"
          ? `$${fmt(gap * c.capex.total)} of capex (${fmt(gap)} accelerators × $${fmt(c.capex.total)})`
          : k === "hbm"
            ? `${fmt(gap * p.stacks)} ${p.generation.name} stacks (${fmt(gap)} accelerators × ${p.stacks})`
            : k === "packaging"
              ? `${fmt(gap)} CoWoS packages (${fmt(gap / Math.max(1e-9, ramp.packagesPerWafer))} interposer wafers)`
              : `${((gap * power.kwPerAccelerator) / 1000).toFixed(1)} MW (IT) of ${k === "grid" ? "grid connection" : "built data halls"}`;
      return { quarter: qo.quarter, needed: qo.demand, available: qo.demand - gap, constraint: k, missing };
    });
}

/** The supply ramp's input: the plan's contracts and technology against its sites' power and its demand. */
function supplyInputOf(
  c: PlanContext,
  fac: ReturnType<typeof facilities>,
  demand: readonly number[],
  regions: readonly RegionalDemand[] = [],
): SupplyInput {
  const { p } = c;
  return {
    start: c.q0,
    quarters: c.n,
    generation: p.generation,
    stacksPerAccelerator: p.stacks,
    logicMm2: p.logicMm2,
    vendors: p.vendors,
    cowos: p.cowos,
    sites: fac.sitePower,
    kwPerAccelerator: c.power.kwPerAccelerator,
    demand,
    ...(p.budget !== undefined ? { budget: budgetAllows(p.budget, c.q0, c.n, c.capex.total) } : {}),
    ...(regions.length > 0 ? { regions } : {}),
    a: c.a,
  };
}

/**
 * The plan's inputs with events applied from their quarter: a vendor's or CoWoS output scaled; an export
 * rule on a vendor cuts its HBM in proportion to the plan's hall capacity in the listed countries; an
 * export rule on the plan's accelerator stops new capacity at sites in those countries (their grid
 * connection counts as zero from then: what is installed stays); a grid delay moves a site's connections
 * not yet made later.
 */
export function withEvents(p: PlanInput, events: readonly PlanEvent[]): PlanInput {
  if (events.length === 0) return p;
  const hallMw = (s: SitePlan) => s.halls.count * s.halls.itMw;
  const totalMw = p.sites.reduce((x, s) => x + hallMw(s), 0);
  const inCountries = (countries: readonly string[]) => (s: SitePlan) =>
    countries.includes(s.design.site.country);
  const vendorFactors = new Map<string, { from: number; factor: number }[]>();
  const addVendor = (vendor: string, from: number, factor: number) =>
    vendorFactors.set(vendor, [...(vendorFactors.get(vendor) ?? []), { from, factor }]);
  const cowosFactors: { from: number; factor: number }[] = [];
  let sites = p.sites;
  for (const e of events) {
    if (e.kind === "hbm-vendor-output") addVendor(e.vendor, e.quarter, e.factor);
    else if (e.kind === "cowos-output") cowosFactors.push({ from: e.quarter, factor: e.factor });
    else if (e.kind === "export-control" && e.vendor !== undefined) {
      const cut = p.sites.filter(inCountries(e.countries)).reduce((x, s) => x + hallMw(s), 0);
      addVendor(e.vendor, e.quarter, totalMw > 0 ? 1 - cut / totalMw : 1);
    } else if (e.kind === "export-control") {
      if (e.accelerator !== p.accelerator.id) continue;
      const hit = inCountries(e.countries);
      sites = sites.map((s) => (hit(s) ? { ...s, grid: [...s.grid, { from: e.quarter, mw: 0 }] } : s));
    } else {
      sites = sites.map((s, si) =>
        si === e.site
          ? { ...s, grid: s.grid.map((g) => (g.from >= e.quarter ? { ...g, from: g.from + e.quarters } : g)) }
          : s,
      );
    }
  }
  return {
    ...p,
    sites,
    vendors: p.vendors.map((v) => {
      const f = vendorFactors.get(v.vendor);
      return f === undefined ? v : { ...v, factors: [...(v.factors ?? []), ...f] };
    }),
    cowos:
      cowosFactors.length > 0
        ? { ...p.cowos, factors: [...(p.cowos.factors ?? []), ...cowosFactors] }
        : p.cowos,
  };
}

/** Each event's own effect: the plan's shortfall with every event against the same plan without that one. */
function eventOutcomes(
  c: PlanContext,
  input: PlanInput,
  events: readonly PlanEvent[],
  demand: readonly number[],
  ramp: SupplyResult,
  regions: readonly RegionalDemand[],
): EventOutcome[] {
  return events.map((e, i) => {
    const others = withEvents(
      input,
      events.filter((_, k) => k !== i),
    );
    const without = { ...c, p: others };
    const r = supplyRamp(supplyInputOf(without, facilities(without), demand, regions));
    return {
      quarter: quarterLabel(e.quarter),
      kind: e.kind,
      shortfallAcceleratorQuarters: totalShortfall(ramp) - totalShortfall(r),
      lostAcceleratorQuarters: r.acceleratorQuarters - ramp.acceleratorQuarters,
      delayQuarters: fleetDelay(r, ramp),
    };
  });
}

/** Each regional demand's share and shortfall, and what the sovereignty rule costs against no rule. */
export interface RegionsOutcome {
  readonly regions: readonly {
    readonly region: string;
    readonly sites: readonly string[];
    /** Share of the plan's accelerator-quarters of demand. */
    readonly demandShare: number;
    /** Provisioned IT MW the region's sites can host at the plan's end. */
    readonly itMwAtEnd: number;
    /** Regional demand its own sites' power cannot host, accelerator-quarters. */
    readonly shortfallAcceleratorQuarters: number;
  }[];
  /** Shortfall of the whole plan with the rule, and without it (every demand may use any site). */
  readonly shortfallWithRule: number;
  readonly shortfallWithoutRule: number;
}

function regionOutcomes(
  c: PlanContext,
  regions: readonly RegionalDemand[],
  ramp: SupplyResult,
  supplyInput: SupplyInput,
  fac: ReturnType<typeof facilities>,
  demand: readonly number[],
): RegionsOutcome | null {
  if (regions.length === 0) return null;
  const { regions: _r, ...free } = supplyInput;
  const total = demand.reduce((x, y) => x + y, 0);
  const count = (mw: number) => Math.floor((mw * 1000) / c.power.kwPerAccelerator + 1e-9);
  return {
    regions: regions.map((r) => {
      const mwAt = (i: number) => r.sites.reduce((x, si) => x + (fac.siteItMw[si]?.[i] ?? 0), 0);
      const short = r.demand.reduce((x, d, i) => x + Math.max(0, d - count(mwAt(i))), 0);
      return {
        region: r.region,
        sites: r.sites.map((si) => c.p.sites[si]?.design.site.id ?? ""),
        demandShare: total > 0 ? r.demand.reduce((x, y) => x + y, 0) / total : 0,
        itMwAtEnd: mwAt(c.n - 1),
        shortfallAcceleratorQuarters: short,
      };
    }),
    shortfallWithRule: totalShortfall(ramp),
    shortfallWithoutRule: totalShortfall(supplyRamp(free)),
  };
}

/** With a budget: what it bought, the services and runs that fleet holds, and its capex per GW against the published figures. */
function budgetOutcome(
  c: PlanContext,
  ramp: SupplyResult,
  fac: ReturnType<typeof facilities>,
  training: readonly SizedTraining[],
  inference: readonly SizedInference[],
): BudgetOutcome | null {
  const b = c.p.budget;
  if (b === undefined) return null;
  const base = budgetSummary(b, ramp.quarters, c.q0, c.capex.total, c.power.kwPerAccelerator);
  const mw = c.p.sites.map((s) => s.halls.count * s.halls.itMw);
  const totalMw = mw.reduce((x, y) => x + y, 0);
  const designPue =
    totalMw > 0
      ? fac.profiles.reduce((x, p, i) => x + (p.designPue * (mw[i] ?? 0)) / totalMw, 0)
      : (fac.profiles[0]?.designPue ?? 1);
  return {
    ...base,
    servingTokensPerDay: inference.map((x) => ({
      name: x.d.name,
      tokensPerDay: (base.accelerators * (x.cap?.tokensPerSPerGpu ?? 0) * 86_400) / c.a.peakToMeanLoad,
    })),
    trainingRuns: training.map(({ t, sizing }) => ({
      name: t.name,
      gpus: sizing.gpus,
      firstQuarter: ramp.quarters.find((q) => q.installed >= sizing.gpus)?.quarter ?? null,
    })),
    costPerGw: costPerGw(c.capex.total, c.power.kwPerAccelerator, designPue),
  };
}

/**
 * Build cost per MW of IT for the plan's accelerators: the sites' market costs weighted by their hall MW,
 * or the facilityUsdPerMw assumption where no site states one.
 */
function buildCostPerMw(p: PlanInput): number {
  const costs = p.sites.map((s) => s.design.site.constructionUsdPerMw ?? p.a.facilityUsdPerMw);
  if (costs.every((x) => x === costs[0])) return costs[0] ?? p.a.facilityUsdPerMw;
  const mw = p.sites.map((s) => s.halls.count * s.halls.itMw);
  const total = mw.reduce((x, y) => x + y, 0);
  return costs.reduce((x, c, i) => x + (c * (mw[i] ?? 0)) / total, 0);
}

/**
 * The plan: size each demand with the performance model (training runs: accelerators to finish in time;
 * inference: accelerators per token rate at the SLO), run the supply ramp against the sites' connected
 * IT power, then the facility (PUE, water, carbon by site and quarter) and the cost of what is installed.
 */
export function evaluatePlan(input: PlanInput, cache?: PerfCache): PlanResult {
  const events = input.events ?? [];
  const p = withEvents(input, events);
  const a = p.a;
  const acc = p.accelerator;
  const power = itPower(acc, p.systems, a, "accelerator");
  const anyLiquidSite = p.sites.some((s) => s.design.cooling === "dlc" || s.design.cooling === "immersion");
  const capex = unitCapex(
    p.price,
    p.systems,
    power.kwPerAccelerator,
    anyLiquidSite,
    a,
    `prices.${acc.id}`,
    buildCostPerMw(p),
  );
  const perfAcc = sustainedAccelerator(acc, a);
  const c: PlanContext = { p, a, acc, perfAcc, power, capex, anyLiquidSite, q0: p.start, n: p.quarters };

  const training = sizeTrainingDemand(c, cache);
  const inference = sizeInferenceDemand(c, cache);
  const { demand, loadAt, regions } = quarterlyDemand(c, training, inference);
  const fac = facilities(c);
  const supplyInput = supplyInputOf(c, fac, demand, regions);
  const ramp = supplyRamp(supplyInput);
  const sens = sensitivity(supplyInput, ramp);
  const quarters = quarterOutcomes(c, ramp, fac, loadAt, regions);
  const costs = unitCosts(c, fac, loadAt);
  const trainingOut = trainingOutcomes(c, training, demand, ramp, quarters, costs);
  const inferenceOut = inferenceOutcomes(c, inference, costs);
  const shortfalls = shortfallsOf(c, quarters, ramp);
  const energy = energyOutcome({
    acc: perfAcc,
    generation: p.generation,
    kwPerAccelerator: power.kwPerAccelerator,
    pue: costs.pue,
    a,
    training,
    inference,
    tokensPerDayAtEnd: inference.map((x) => rampAt(x.d.ramp, c.q0 + c.n - 1)),
  });
  const budget = budgetOutcome(c, ramp, fac, training, inference);
  const regionsOut = regionOutcomes(c, regions, ramp, supplyInput, fac, demand);
  const narrative = [
    ...narrate(quarters, shortfalls, trainingOut, inferenceOut, sens),
    ...budgetAndRegionNarrative(budget, regionsOut),
  ];
  const { quarters: _q, ...supply } = ramp;
  return {
    name: p.name,
    accelerator: acc.id,
    power,
    capex,
    costPerGpuHour: costs.hourCost,
    training: trainingOut,
    inference: inferenceOut,
    sites: siteOutcomes(c, fac),
    quarters,
    years: yearOutcomes(c, quarters),
    supply,
    sensitivity: sens,
    concentration: concentration(supplyInput),
    supplierLoss: supplierLoss(supplyInput, ramp),
    events: eventOutcomes(c, input, events, demand, ramp, regions),
    regions: regionsOut,
    budget,
    energy,
    shortfalls,
    demandMet: shortfalls.length === 0,
    narrative,
  };
}

/** What the budget bought and what held it; what a regional rule costs. */
function budgetAndRegionNarrative(b: BudgetOutcome | null, g: RegionsOutcome | null): string[] {
  const out: string[] = [];
  if (b !== null) {
    const firstBudget = b.limits.find((l) => l.constraint === "budget");
    out.push(
      `The budget of $${(b.capexUsd / 1e9).toFixed(1)}B buys ${fmt(b.accelerators)} accelerators (${b.itMw.toFixed(0)} MW IT) by the plan's end; ${b.bindsFirst !== null ? `${NAMES[b.bindsFirst]} holds the fleet first` : "nothing holds it"}${firstBudget !== undefined ? `, the money from ${firstBudget.from}` : ", and the money never binds"}. The stated demand needs $${(b.neededCapexUsd / 1e9).toFixed(1)}B.`,
    );
  }
  if (g !== null)
    for (const r of g.regions)
      if (r.shortfallAcceleratorQuarters > 0)
        out.push(
          `Demand kept in ${r.region} is ${fmt(r.shortfallAcceleratorQuarters)} accelerator-quarters short of its own sites' power; the rule adds ${fmt(g.shortfallWithRule - g.shortfallWithoutRule)} to the plan's shortfall.`,
        );
  return out;
}

const NAMES: Record<Constraint, string> = {
  budget: "the budget",
  hbm: "HBM supply",
  packaging: "CoWoS packaging",
  grid: "grid connection",
  construction: "data-hall construction",
};

function narrate(
  quarters: readonly QuarterOutcome[],
  shortfalls: readonly Shortfall[],
  training: readonly TrainingOutcome[],
  inference: readonly InferenceOutcome[],
  sens: readonly SensitivityRow[],
): string[] {
  const out: string[] = [];
  if (shortfalls.length === 0) out.push("Demand is met in every quarter of the plan.");
  else {
    // Runs of quarters with the same binding input.
    let i = 0;
    while (i < shortfalls.length) {
      const s = shortfalls[i] as Shortfall;
      let j = i;
      while (j + 1 < shortfalls.length && shortfalls[j + 1]?.constraint === s.constraint) j++;
      const e = shortfalls[j] as Shortfall;
      const worst = shortfalls
        .slice(i, j + 1)
        .reduce((m, x) => (x.needed - x.available > m.needed - m.available ? x : m), s);
      out.push(
        `${s.quarter === e.quarter ? s.quarter : `${s.quarter}–${e.quarter}`}: ${NAMES[s.constraint]} binds; worst in ${worst.quarter}, ${fmt(worst.needed - worst.available)} of ${fmt(worst.needed)} accelerators short — missing ${worst.missing}.`,
      );
      i = j + 1;
    }
  }
  for (const t of training) {
    if (!t.fits) out.push(`Training run ${t.name} does not fit in accelerator memory at any parallelism.`);
    else if (t.days > t.targetDays * 1.0001)
      out.push(
        `Training run ${t.name} takes ${t.days.toFixed(0)} days on ${fmt(t.gpus)} accelerators, over its ${t.targetDays}-day target.`,
      );
    if (t.earliestStart !== null)
      out.push(`Training run ${t.name} cannot start in ${t.start}; earliest: ${t.earliestStart}.`);
  }
  for (const x of inference)
    if (!x.meetsSlo) out.push(`Inference ${x.name}: no replica shape meets its latency limits.`);
  const best = [...sens].sort((x, y) => y.shortfallRemoved - x.shortfallRemoved)[0];
  if (shortfalls.length > 0 && best !== undefined && best.shortfallRemoved > 0)
    out.push(
      `Most valuable extra input: ${best.input} (removes ${fmt(best.shortfallRemoved)} accelerator-quarters of shortfall).`,
    );
  const last = quarters[quarters.length - 1];
  const idle = quarters.filter((q) => q.installed > 0 && q.utilisation < 0.5);
  if (idle.length > 0)
    out.push(
      `${idle.length} quarter(s) use under half of the installed fleet (${idle[0]?.quarter}${idle.length > 1 ? `–${idle[idle.length - 1]?.quarter}` : ""}): capacity for demand the plan does not state yet.`,
    );
  if (last !== undefined)
    out.push(
      `At ${last.quarter}: ${fmt(last.installed)} accelerators, ${last.itMw.toFixed(0)} MW IT provisioned, ${last.facilityMw.toFixed(0)} MW mean facility draw.`,
    );
  return out;
}

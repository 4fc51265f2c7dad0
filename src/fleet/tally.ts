import type { Sites } from "./cluster.js";
import { JOB_KINDS, type JobKind } from "./job.js";
import { percentiles } from "./percentiles.js";
import type { FleetResult, FleetSimInput, OutcomeCounts, SitePart, SizeRow } from "./sim.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * What a fleet simulation counts and integrates as it runs (time-weighted busy, up and per-partner use,
 * peak power, work useful, lost and allocated, waits, completions, services' demand and supply), and the
 * result assembled from it at the end.
 */
export class Tally {
  /** When the time-weighted integrals were last brought up to date. */
  lastT = 0;
  busyInt = 0;
  upInt = 0;
  readonly busySiteInt: number[];
  readonly upSiteInt: number[];
  readonly usageInt: number[];
  peakItKw = 0;
  peakFacilityKw = 0;
  allocatedAccS = 0;
  usefulAccS = 0;
  lostAccS = 0;
  interruptions = 0;
  replicaRestarts = 0;
  preemptions = 0;
  migrations = 0;
  failures = 0;
  readonly byCause: Record<string, number> = {};
  readonly waits = new Map<JobKind, number[]>(JOB_KINDS.map((k) => [k, []]));
  readonly partnerWaits: number[][];
  readonly jcts = new Map<JobKind, number[]>(JOB_KINDS.map((k) => [k, []]));
  readonly submitted = new Map<JobKind, number>(JOB_KINDS.map((k) => [k, 0]));
  readonly samples: { day: number; busy: number; up: number; itMw: number }[] = [];
  /** Per service: tokens served and demanded, autoscaler periods covered, replica-seconds, peak replicas. */
  readonly served: number[];
  readonly covered: number[];
  readonly demanded: number[];
  readonly replicaInt: number[];
  readonly peak: number[];
  ticks = 0;
  /** By outcome, once any job has one (counted when a job's work is done). */
  readonly outcomes: Record<keyof OutcomeCounts, { jobs: number; accH: number }> | null;
  /** By job size, when the input asks. */
  readonly sizes: Map<number, Mutable<SizeRow>> | null;

  constructor(input: FleetSimInput, sites: number) {
    this.sizes = input.bySize === true ? new Map() : null;
    this.outcomes = input.jobs.some((j) => j.outcome !== undefined)
      ? { completed: { jobs: 0, accH: 0 }, failed: { jobs: 0, accH: 0 }, cancelled: { jobs: 0, accH: 0 } }
      : null;
    this.busySiteInt = new Array<number>(sites).fill(0);
    this.upSiteInt = new Array<number>(sites).fill(0);
    this.usageInt = new Array<number>(input.partners.length).fill(0);
    this.partnerWaits = input.partners.map(() => []);
    this.served = input.services.map(() => 0);
    this.covered = input.services.map(() => 0);
    this.demanded = input.services.map(() => 0);
    this.replicaInt = input.services.map(() => 0);
    this.peak = input.services.map(() => 0);
  }

  count(kind: JobKind): void {
    this.submitted.set(kind, (this.submitted.get(kind) ?? 0) + 1);
  }

  /** The row of jobs of `size` accelerators (when counting by size). */
  size(size: number): Mutable<SizeRow> | null {
    if (this.sizes === null) return null;
    let r = this.sizes.get(size);
    if (r === undefined) {
      r = { accelerators: size, submitted: 0, started: 0, waitSumH: 0, runH: 0, accH: 0, interruptions: 0 };
      this.sizes.set(size, r);
    }
    return r;
  }

  /** A job's work is done: count it by its outcome with the accelerator-hours it ran. */
  ended(outcome: keyof OutcomeCounts, accH: number): void {
    if (this.outcomes === null) return;
    this.outcomes[outcome].jobs++;
    this.outcomes[outcome].accH += accH;
  }
}

/** What the end of a run adds to its tally. */
export interface RunEnd {
  readonly cluster: Sites;
  readonly parts: readonly SitePart[];
  readonly events: number;
  readonly transitions: number;
  readonly pendingAtEnd: number;
  readonly violation: string | null;
}

/** Energy site by site: busy and idle accelerator-time at their power, through the site's PUE. */
function siteEnergy(input: FleetSimInput, t: Tally, end: RunEnd): FleetResult["sites"] {
  const T = input.horizonS;
  return end.parts.map((p, k) => {
    const busyS = t.busySiteInt[k] ?? 0;
    const idleS = (t.upSiteInt[k] ?? 0) - busyS;
    const it =
      (busyS * (p.busyKw ?? input.power.busyKw) + idleS * (p.idleKw ?? input.power.idleKw)) / 3600 / 1000;
    const accelerators = end.cluster.clusters[k]?.size ?? 0;
    return {
      name: p.name,
      ...(p.accelerator !== undefined ? { accelerator: p.accelerator } : {}),
      accelerators,
      busy: accelerators > 0 ? busyS / (accelerators * T) : 0,
      up: accelerators > 0 ? (t.upSiteInt[k] ?? 0) / (accelerators * T) : 0,
      pue: p.pue,
      itMWh: it,
      facilityMWh: it * p.pue,
      co2Tonnes: (it * p.pue * p.carbonGPerKWh) / 1000,
    };
  });
}

/** Each partner's use against its quota and weight, and its jobs' waits. */
function partnerRows(input: FleetSimInput, t: Tally): FleetResult["partners"] {
  const totalUse = t.usageInt.reduce((s, x) => s + x, 0);
  const quotaTotal = input.partners.reduce((s, p) => s + p.quota, 0);
  const weightTotal = input.partners.reduce((s, p) => s + p.weight, 0);
  return input.partners.map((p, i) => ({
    name: p.name,
    quota: p.quota,
    weight: p.weight,
    acceleratorHours: (t.usageInt[i] ?? 0) / 3600,
    share: totalUse > 0 ? (t.usageInt[i] ?? 0) / totalUse : 0,
    quotaShare: quotaTotal > 0 ? p.quota / quotaTotal : 0,
    weightShare: weightTotal > 0 ? p.weight / weightTotal : 0,
    waitH: percentiles(t.partnerWaits[i] ?? []),
  }));
}

/** The result of a run from its tally. */
export function fleetResult(input: FleetSimInput, t: Tally, end: RunEnd): FleetResult {
  const size = end.cluster.size;
  const T = input.horizonS;
  const sites = siteEnergy(input, t, end);
  const itMWh = sites.reduce((x, o) => x + o.itMWh, 0);
  const facilityMWh = sites.reduce((x, o) => x + o.facilityMWh, 0);
  const co2Tonnes = sites.reduce((x, o) => x + o.co2Tonnes, 0);
  return {
    accelerators: size,
    horizonDays: T / 86400,
    events: end.events,
    transitions: end.transitions,
    utilisation: { busy: t.busyInt / (size * T), up: t.upInt / (size * T), samples: t.samples },
    partners: partnerRows(input, t),
    kinds: JOB_KINDS.filter((k) => (t.submitted.get(k) ?? 0) > 0).map((k) => ({
      kind: k,
      submitted: t.submitted.get(k) ?? 0,
      completed: t.jcts.get(k)?.length ?? 0,
      waitH: percentiles(t.waits.get(k) ?? []),
      jctH: percentiles(t.jcts.get(k) ?? []),
    })),
    goodput: {
      goodput: t.allocatedAccS > 0 ? t.usefulAccS / t.allocatedAccS : 1,
      usefulAccH: t.usefulAccS / 3600,
      allocatedAccH: t.allocatedAccS / 3600,
      lostAccH: t.lostAccS / 3600,
      interruptions: t.interruptions,
      replicaRestarts: t.replicaRestarts,
      byCause: t.byCause,
      preemptions: t.preemptions,
      migrations: t.migrations,
      failures: t.failures,
    },
    services: input.services.map((s, i) => ({
      name: s.name,
      servedFraction: (t.demanded[i] ?? 0) > 0 ? (t.served[i] ?? 0) / (t.demanded[i] ?? 1) : 1,
      sloTimeFraction: t.ticks > 0 ? (t.covered[i] ?? 0) / t.ticks : 1,
      meanReplicas: (t.replicaInt[i] ?? 0) / T,
      peakReplicas: t.peak[i] ?? 0,
    })),
    energy: {
      itMWh,
      facilityMWh,
      co2Tonnes,
      meanItMw: itMWh / (T / 3600),
      peakItMw: t.peakItKw / 1000,
      peakFacilityMw: t.peakFacilityKw / 1000,
    },
    sites,
    pendingAtEnd: end.pendingAtEnd,
    ...(t.outcomes !== null ? { outcomes: t.outcomes } : {}),
    ...(t.sizes !== null
      ? { bySize: [...t.sizes.values()].sort((a, b) => a.accelerators - b.accelerators) }
      : {}),
    violation: end.violation,
  };
}

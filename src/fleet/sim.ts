import type { Placement } from "./cluster.js";
import type { FailureModel } from "./failures.js";
import type { JobKind, JobSpec } from "./job.js";
import type { Percentiles } from "./percentiles.js";
import type { Scheduler } from "./scheduler.js";
import { FleetSimulation } from "./simulation.js";

export type { FailureModel } from "./failures.js";

/** An inference service: replicas added and removed by an autoscaler following a daily load cycle. */
export interface ServiceSpec {
  readonly name: string;
  readonly partner: number;
  /** Accelerators per replica. */
  readonly replicaSize: number;
  /** Output tokens per second one replica serves within the SLO. */
  readonly tokensPerSPerReplica: number;
  readonly meanTokensPerS: number;
  /** Daily swing: demand = mean × (1 + amplitude × cos(2π (hour − peakHour) / 24)). */
  readonly amplitude: number;
  readonly peakHour: number;
  readonly priority: number;
  /** The accelerator type (pool) its replicas run on (default 0). */
  readonly pool?: number;
  /**
   * Other types its replicas may run on, in order of preference, each with its replica there (size and
   * tokens/s within the SLO). Replicas are counted in first-type replicas; one on another type serves at
   * that type's rate.
   */
  readonly alternatives?: readonly {
    readonly pool: number;
    readonly replicaSize: number;
    readonly tokensPerSPerReplica: number;
  }[];
}

/**
 * A site's share of the fleet: its domains, and the facility figures its energy goes through. Shape and
 * power default to the fleet's (`FleetSimInput.domainSize`, `nodeSize`, `podDomains`, `power`); a fleet
 * of several accelerator types gives each site its own, and its pool.
 */
export interface SitePart {
  readonly name: string;
  readonly domains: number;
  readonly pue: number;
  readonly carbonGPerKWh: number;
  readonly domainSize?: number;
  readonly nodeSize?: number;
  readonly podDomains?: number;
  /** The accelerator type the site holds (an index; jobs of other pools never run here). */
  readonly pool?: number;
  /** Its accelerator's name, for the report. */
  readonly accelerator?: string;
  /** kW per accelerator busy and idle. */
  readonly busyKw?: number;
  readonly idleKw?: number;
  /**
   * Capacity not yet built: groups of the site's last domains that come online at `atS` (a phased
   * build-out). Until then they are down: nothing runs there, they draw no power and fail not.
   */
  readonly later?: readonly { readonly domains: number; readonly atS: number }[];
}

export interface FleetSimInput {
  /** Domains of a single-site fleet (ignored when `sites` is given). */
  readonly domains: number;
  /** Sites of a multi-site fleet; a job runs inside one site. */
  readonly sites?: readonly SitePart[];
  readonly domainSize: number;
  /** Accelerators per node, the unit that fails (default: the whole domain). */
  readonly nodeSize?: number;
  /** Consecutive domains per pod within a site (default: a site is one pod). */
  readonly podDomains?: number;
  readonly horizonS: number;
  readonly seed: number;
  /**
   * Partners: accelerators guaranteed in all (`quota`) and, optionally, by pool (`poolQuotas[pool]`, as
   * Kueue's quotas per resource flavor: a job stays within quota only if both hold).
   */
  readonly partners: readonly {
    readonly name: string;
    readonly quota: number;
    readonly weight: number;
    readonly poolQuotas?: readonly number[];
  }[];
  /** Jobs in submit order. */
  readonly jobs: readonly JobSpec[];
  readonly services: readonly ServiceSpec[];
  readonly scheduler: Scheduler;
  readonly placement: Placement;
  readonly borrowing: boolean;
  /**
   * Fair share's starvation guard: a head blocked this long drains its type, s (default
   * STARVATION_GUARD_S; Infinity: never, best effort as Kueue's BestEffortFIFO).
   */
  readonly starvationS?: number;
  readonly failures: FailureModel | null;
  /** kW per accelerator (its share of the server, fabric included) when busy and when idle; PUE and carbon of a single-site fleet. */
  readonly power: {
    readonly busyKw: number;
    readonly idleKw: number;
    readonly pue: number;
    readonly carbonGPerKWh: number;
  };
  /** Period of the utilisation time series and of the autoscaler, s. */
  readonly sampleS: number;
  readonly autoscaleS: number;
  /**
   * Defragmentation: a gang job blocked because no site has enough whole free domains, though one has
   * enough free accelerators, moves the smaller jobs off partly used domains (checkpointed first, then
   * restarted elsewhere). Null: never.
   */
  readonly defragment?: { readonly restartS: number; readonly checkpointS: number } | null;
  /** Check invariants after every scheduling pass (tests). */
  readonly audit?: boolean;
  /** Count jobs by size (waits, running time, GPU time, interruptions): `FleetResult.bySize`. */
  readonly bySize?: boolean;
}

/** Jobs of one size (accelerators asked for): what they waited, ran and suffered. */
export interface SizeRow {
  readonly accelerators: number;
  readonly submitted: number;
  /** Jobs that started at least once, and the sum of their waits for it, h. */
  readonly started: number;
  readonly waitSumH: number;
  /** Wall hours on accelerators (every run, restarts included) and accelerator-hours. */
  readonly runH: number;
  readonly accH: number;
  /** Interruptions by failures. */
  readonly interruptions: number;
}

/** Jobs that ended (their work done) by outcome: how many and the accelerator-hours they ran. */
export type OutcomeCounts = Readonly<
  Record<"completed" | "failed" | "cancelled", { readonly jobs: number; readonly accH: number }>
>;

export interface FleetResult {
  readonly accelerators: number;
  readonly horizonDays: number;
  /** Kernel events processed. */
  readonly events: number;
  /** Job state changes (starts, stops, completions, interruptions), several of which one event may make. */
  readonly transitions: number;
  readonly utilisation: {
    /** Allocated / all accelerators, time-weighted. */
    readonly busy: number;
    /** Up / all accelerators, time-weighted. */
    readonly up: number;
    /** Snapshots every `sampleS`: busy and up shares of the fleet, and IT power (MW). */
    readonly samples: readonly {
      readonly day: number;
      readonly busy: number;
      readonly up: number;
      readonly itMw: number;
    }[];
  };
  readonly partners: readonly {
    readonly name: string;
    readonly quota: number;
    readonly weight: number;
    readonly acceleratorHours: number;
    /** Share of all accelerator-hours used. */
    readonly share: number;
    readonly quotaShare: number;
    readonly weightShare: number;
    /** Queue wait of its jobs other than inference replicas, h. */
    readonly waitH: Percentiles;
  }[];
  readonly kinds: readonly {
    readonly kind: JobKind;
    readonly submitted: number;
    readonly completed: number;
    readonly waitH: Percentiles;
    readonly jctH: Percentiles;
  }[];
  readonly goodput: {
    /** Useful accelerator-hours (work at full speed) over allocated accelerator-hours, finished or not. */
    readonly goodput: number;
    readonly usefulAccH: number;
    readonly allocatedAccH: number;
    readonly lostAccH: number;
    /** Interruptions of training, fine-tuning, evaluation and trace jobs. */
    readonly interruptions: number;
    /** Inference replicas restarted after a failure (stateless: no work lost). */
    readonly replicaRestarts: number;
    readonly byCause: Readonly<Record<string, number>>;
    readonly preemptions: number;
    /** Jobs moved to make room for a gang (defragmentation). */
    readonly migrations: number;
    readonly failures: number;
  };
  readonly services: readonly {
    readonly name: string;
    /** Served / demanded tokens over the run. */
    readonly servedFraction: number;
    /** Share of autoscaler periods in which the live replicas covered the demand (every request within the SLO). */
    readonly sloTimeFraction: number;
    readonly meanReplicas: number;
    readonly peakReplicas: number;
  }[];
  readonly energy: {
    readonly itMWh: number;
    readonly facilityMWh: number;
    readonly co2Tonnes: number;
    readonly meanItMw: number;
    /** The highest IT power over the run (busy and idle accelerators at their kW), and at the facility (× each site's annual PUE), MW. */
    readonly peakItMw: number;
    readonly peakFacilityMw: number;
  };
  readonly sites: readonly {
    readonly name: string;
    /** The site's accelerator type, when the fleet has several. */
    readonly accelerator?: string;
    readonly accelerators: number;
    readonly busy: number;
    readonly up: number;
    readonly pue: number;
    readonly itMWh: number;
    readonly facilityMWh: number;
    readonly co2Tonnes: number;
  }[];
  readonly pendingAtEnd: number;
  /** Present when some job has an outcome other than completion (a trace-fitted preset). */
  readonly outcomes?: OutcomeCounts;
  /** Present when the input asks for it (`bySize`), sizes ascending. */
  readonly bySize?: readonly SizeRow[];
  /** The first invariant a scheduling pass broke (audit on), or null. */
  readonly violation: string | null;
}

/**
 * Simulate the fleet event by event: arrivals, starts (the scheduler decides, the placement chooses
 * accelerators), completions, failures and repairs, checkpoint/restart, preemption, inference
 * autoscaling; integrates utilisation, per-partner use, goodput and energy. Deterministic for a seed.
 * The run itself is fleet/simulation.ts (state, lifecycle, one handler per event kind); what it counts
 * and the result are fleet/tally.ts.
 */
export function simulateFleet(input: FleetSimInput, progress?: (fraction: number) => void): FleetResult {
  return new FleetSimulation(input, progress).run();
}

import { exponential, type Random, seededRandom } from "../random.js";
import { type Placement, Sites, smallestFragment } from "./cluster.js";
import { planDefrag } from "./defrag.js";
import { EventQueue } from "./events.js";
import { drawStrike, type FailureModel, jobsHit, siteStarts } from "./failures.js";
import { type Percentiles, percentiles } from "./percentiles.js";

export type { FailureModel } from "./failures.js";

import { byStartSeq, JOB_KINDS, type Job, type JobKind, type JobOption, type JobSpec } from "./job.js";
import type { Scheduler, SchedulerContext } from "./scheduler.js";

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
}

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
  /** The first invariant a scheduling pass broke (audit on), or null. */
  readonly violation: string | null;
}

const LEVELS = 4;

/** A FIFO queue with cheap re-insertion at the front (interrupted jobs keep their place). */
class Queue {
  private back: Job[] = [];
  private headAt = 0;
  private front: Job[] = [];
  push(j: Job): void {
    this.back.push(j);
  }
  pushFront(j: Job): void {
    this.front.push(j);
  }
  peek(): Job | undefined {
    return this.front.length > 0 ? this.front[this.front.length - 1] : this.back[this.headAt];
  }
  /** Remove `j`: usually the head (a fast path), anywhere otherwise. */
  take(j: Job): void {
    if (this.front.length > 0 && this.front[this.front.length - 1] === j) this.front.pop();
    else if (this.front.length === 0 && this.back[this.headAt] === j) this.shift();
    else this.remove(j);
  }
  shift(): void {
    if (this.front.length > 0) this.front.pop();
    else {
      this.headAt++;
      if (this.headAt > 1024 && this.headAt * 2 > this.back.length) {
        this.back = this.back.slice(this.headAt);
        this.headAt = 0;
      }
    }
  }
  remove(j: Job): void {
    const f = this.front.indexOf(j);
    if (f >= 0) {
      this.front.splice(f, 1);
      return;
    }
    const b = this.back.indexOf(j, this.headAt);
    if (b >= 0) this.back.splice(b, 1);
  }
  get length(): number {
    return this.front.length + this.back.length - this.headAt;
  }
  /** Every queued job (for audits). */
  items(): Job[] {
    return [...this.front, ...this.back.slice(this.headAt)];
  }
}

/**
 * Simulate the fleet event by event: arrivals, starts (the scheduler decides, the placement chooses
 * accelerators), completions, failures and repairs, checkpoint/restart, preemption, inference
 * autoscaling; integrates utilisation, per-partner use, goodput and energy. Deterministic for a seed.
 */
export function simulateFleet(input: FleetSimInput, progress?: (fraction: number) => void): FleetResult {
  const q = new EventQueue();
  const rng: Random = seededRandom(input.seed);
  const parts: readonly SitePart[] = input.sites ?? [
    { name: "fleet", domains: input.domains, pue: input.power.pue, carbonGPerKWh: input.power.carbonGPerKWh },
  ];
  const cluster = new Sites(
    parts.map((p) => {
      const podDomains = p.podDomains ?? input.podDomains;
      return {
        domains: p.domains,
        domainSize: p.domainSize ?? input.domainSize,
        nodeSize: p.nodeSize ?? p.domainSize ?? input.nodeSize ?? input.domainSize,
        pool: p.pool ?? 0,
        ...(podDomains !== undefined ? { podDomains } : {}),
      };
    }),
  );
  const busySite = parts.map(() => 0);
  const busySiteInt = parts.map(() => 0);
  const upSiteInt = parts.map(() => 0);
  const P = input.partners.length;
  const usage = new Array<number>(P).fill(0);
  const usageInt = new Array<number>(P).fill(0);
  const pools = Math.max(1, ...cluster.pools.map((p) => p + 1));
  /** One FIFO queue per (partner, level, pool): work for one accelerator type never waits behind another's. */
  const queues: Queue[] = Array.from({ length: P * LEVELS * pools }, () => new Queue());
  /** Running jobs; each knows its index (`slot`), so removal is a swap with the last. */
  const running: Job[] = [];
  const addRunning = (j: Job) => {
    j.slot = running.length;
    running.push(j);
  };
  const removeRunning = (j: Job) => {
    const last = running.pop() as Job;
    if (last !== j) {
      running[j.slot] = last;
      last.slot = j.slot;
    }
    j.slot = -1;
  };
  /**
   * Jobs on each domain, for failures and defragmentation, in no order (removal swaps with the last);
   * `inOrder` gives them in allocation order, which says which nodes they fill.
   */
  const onDomain: Job[][] = Array.from({ length: cluster.domains }, () => []);
  const inOrder = (d: number): Job[] => [...(onDomain[d] ?? [])].sort(byStartSeq);
  let starts = 0;
  const waits = new Map<JobKind, number[]>(JOB_KINDS.map((k) => [k, []]));
  const partnerWaits = input.partners.map(() => [] as number[]);
  const jcts = new Map<JobKind, number[]>(JOB_KINDS.map((k) => [k, []]));
  const submitted = new Map<JobKind, number>(JOB_KINDS.map((k) => [k, 0]));
  const fl = input.failures;
  const byCause: Record<string, number> = {};
  let lastT = 0;
  let busy = 0;
  let busyInt = 0;
  let upInt = 0;
  let allocatedAccS = 0;
  let usefulAccS = 0;
  let lostAccS = 0;
  let interruptions = 0;
  let replicaRestarts = 0;
  let preemptions = 0;
  let migrations = 0;
  let failures = 0;
  let nextId = 0;
  let violation: string | null = null;
  let wakeAt = Number.POSITIVE_INFINITY;
  let borrowedCount = 0;
  let transitions = 0;
  let created = 0;
  let finished = 0;
  let stopped = 0;
  const samples: { day: number; busy: number; up: number; itMw: number }[] = [];

  const level = (j: JobSpec) => Math.max(0, Math.min(LEVELS - 1, Math.round(j.priority)));
  const queueOf = (j: Job) => queues[(j.partner * LEVELS + level(j)) * pools + j.home] as Queue;
  const checkpointed = (j: Job) =>
    fl !== null && (j.kind === "pretrain" || j.kind === "finetune" || j.kind === "trace");
  /** Progress per wall second while running: speed, less checkpoint stalls. */
  const rate = (j: Job) =>
    checkpointed(j) && fl !== null
      ? (j.speed * fl.checkpointIntervalS) / (fl.checkpointIntervalS + fl.checkpointCostS)
      : j.speed;

  /** Integrate time-weighted quantities up to now. */
  /** kW per busy and idle accelerator, and PUE, of each site. */
  const siteBusyKw = parts.map((p) => p.busyKw ?? input.power.busyKw);
  const siteIdleKw = parts.map((p) => p.idleKw ?? input.power.idleKw);
  let peakItKw = 0;
  let peakFacilityKw = 0;
  /** IT and facility power now, kW. */
  const powerNow = (): [number, number] => {
    let it = 0;
    let fac = 0;
    for (let s = 0; s < parts.length; s++) {
      const b = busySite[s] ?? 0;
      const kw = b * (siteBusyKw[s] ?? 0) + ((cluster.clusters[s]?.upTotal ?? 0) - b) * (siteIdleKw[s] ?? 0);
      it += kw;
      fac += kw * (parts[s]?.pue ?? 1);
    }
    return [it, fac];
  };
  const account = () => {
    const dt = q.now - lastT;
    if (dt <= 0) return;
    busyInt += busy * dt;
    upInt += cluster.upTotal * dt;
    for (let s = 0; s < parts.length; s++) {
      busySiteInt[s] = (busySiteInt[s] ?? 0) + (busySite[s] ?? 0) * dt;
      upSiteInt[s] = (upSiteInt[s] ?? 0) + (cluster.clusters[s]?.upTotal ?? 0) * dt;
    }
    // The state that held since the last change: its power, for the peak.
    const [it, fac] = powerNow();
    if (it > peakItKw) peakItKw = it;
    if (fac > peakFacilityKw) peakFacilityKw = fac;
    for (let p = 0; p < P; p++) usageInt[p] = (usageInt[p] ?? 0) + (usage[p] ?? 0) * dt;
    lastT = q.now;
  };

  /** Accelerators each partner holds in each pool (partner × pools + pool), and each pool's size. */
  const poolUsage = new Array<number>(P * pools).fill(0);
  const poolSize = new Array<number>(pools).fill(0);
  cluster.clusters.forEach((c, k) => {
    const p = cluster.pools[k] ?? 0;
    poolSize[p] = (poolSize[p] ?? 0) + c.size;
  });
  /** Whether starting `j` on type `pool` keeps its partner within quota. */
  const withinQuotaIn = (j: Job, pool: number) => {
    const p = input.partners[j.partner];
    if ((usage[j.partner] ?? 0) + j.size > (p?.quota ?? 0)) return false;
    if (p?.poolQuotas === undefined) return true;
    return (poolUsage[j.partner * pools + pool] ?? 0) + j.size <= (p.poolQuotas[pool] ?? 0);
  };
  const withinQuota = (j: Job) => withinQuotaIn(j, j.pool ?? 0);

  /** Switch a pending job to another type: its work and speed there, its progress kept as a fraction. */
  const switchTo = (j: Job, o: JobOption) => {
    const m = j as { -readonly [K in keyof Job]: Job[K] };
    const frac = j.workS > 0 ? j.savedWorkS / j.workS : 0;
    m.pool = o.pool;
    m.workS = o.workS;
    m.savedWorkS = frac * o.workS;
    if (o.speedAt !== undefined) m.speedAt = o.speedAt;
    else delete m.speedAt;
  };
  /** Every type a job may run on, its first choice first. */
  const optionsOf = new Map<Job, readonly JobOption[]>();

  const start = (j: Job): boolean => {
    if (j.readyS > q.now) {
      if (j.readyS < wakeAt) {
        wakeAt = j.readyS;
        q.at(j.readyS, () => {
          wakeAt = Number.POSITIVE_INFINITY;
          pass();
        });
      }
      return false;
    }
    let inQuota = withinQuota(j);
    let alloc = inQuota || input.borrowing ? cluster.place(j.size, input.placement, j.pool ?? 0) : null;
    if (alloc === null && (inQuota || input.borrowing) && defragment(j))
      alloc = cluster.place(j.size, input.placement, j.pool ?? 0);
    const options = optionsOf.get(j);
    if (alloc === null && options !== undefined)
      // Another type it may run on, in order of preference.
      for (const o of options) {
        if (o.pool === (j.pool ?? 0)) continue;
        const ok = withinQuotaIn(j, o.pool);
        if (!ok && !input.borrowing) continue;
        const a = cluster.place(j.size, input.placement, o.pool);
        if (a === null) continue;
        switchTo(j, o);
        alloc = a;
        inQuota = ok;
        break;
      }
    if (alloc === null) return false;
    defragTried.delete(j);
    account();
    transitions++;
    cluster.commit(alloc);
    // Usually the head; a preemption may have put a victim of the same queue in front of it.
    queueOf(j).take(j);
    j.alloc = alloc;
    j.borrowed = !inQuota;
    if (j.borrowed) borrowedCount++;
    j.state = "running";
    j.startedS = q.now;
    if (j.firstStartS < 0) {
      j.firstStartS = q.now;
      waits.get(j.kind)?.push((q.now - j.submitS) / 3600);
      if (j.kind !== "inference") partnerWaits[j.partner]?.push((q.now - j.submitS) / 3600);
    }
    j.speed = j.speedAt !== undefined ? j.speedAt(smallestFragment(alloc), alloc.pods ?? 1) : 1;
    j.epoch++;
    usage[j.partner] = (usage[j.partner] ?? 0) + j.size;
    const pk = j.partner * pools + (j.pool ?? 0);
    poolUsage[pk] = (poolUsage[pk] ?? 0) + j.size;
    busy += j.size;
    busySite[alloc.site ?? 0] = (busySite[alloc.site ?? 0] ?? 0) + j.size;
    addRunning(j);
    j.startSeq = starts++;
    for (const d of alloc.domains) onDomain[d]?.push(j);
    if (j.service !== undefined) liveReplicas[j.service] = (liveReplicas[j.service] ?? 0) + 1;
    j.progressFromS = q.now + j.stallS;
    const stall = j.stallS;
    j.stallS = 0;
    if (Number.isFinite(j.workS)) {
      const epoch = j.epoch;
      q.after(stall + (j.workS - j.savedWorkS) / rate(j), () => {
        if (j.epoch === epoch && j.state === "running") finish(j);
      });
    }
    return true;
  };

  /** Wall time the current run has made progress (after its restart stall), s. */
  const working = (j: Job) => Math.max(0, q.now - j.progressFromS);

  /** Take a running job off its accelerators; returns the work (s at full speed) done since it started. */
  const detach = (j: Job): number => {
    account();
    transitions++;
    const elapsed = q.now - j.startedS;
    const progress = working(j);
    if (j.alloc !== null) {
      cluster.release(j.alloc);
      busySite[j.alloc.site ?? 0] = (busySite[j.alloc.site ?? 0] ?? 0) - j.size;
      for (const d of j.alloc.domains) {
        const list = onDomain[d] as Job[];
        const last = list.pop() as Job;
        if (last !== j) list[list.indexOf(j)] = last;
      }
    }
    j.alloc = null;
    usage[j.partner] = (usage[j.partner] ?? 0) - j.size;
    const pk = j.partner * pools + (j.pool ?? 0);
    poolUsage[pk] = (poolUsage[pk] ?? 0) - j.size;
    busy -= j.size;
    removeRunning(j);
    if (j.borrowed) borrowedCount--;
    if (j.service !== undefined) liveReplicas[j.service] = (liveReplicas[j.service] ?? 0) - 1;
    j.epoch++;
    allocatedAccS += elapsed * j.size;
    return Math.min(progress * rate(j), j.workS - j.savedWorkS);
  };

  const finish = (j: Job) => {
    detach(j);
    finished++;
    j.state = "done";
    j.endS = q.now;
    // Work saved by earlier runs was credited when they were interrupted.
    usefulAccS += (j.workS - j.savedWorkS) * j.size;
    jcts.get(j.kind)?.push((q.now - j.submitS) / 3600);
    pass();
  };

  /** Interrupt (failure) or preempt a running job: it keeps the work up to its last checkpoint. */
  /**
   * Interrupt (failure) or preempt a running job: it keeps the work up to its last checkpoint. A
   * training-like job restarts as soon as it is placed again and pays `restartS` there, holding its
   * accelerators (so a failure during the restart interrupts it again); a replica comes back after it.
   */
  const interrupt = (j: Job, restartS: number) => {
    const elapsed = q.now - j.startedS;
    const progress = working(j);
    const done = detach(j);
    j.state = "pending";
    if (j.kind === "inference") {
      // A replica is stateless: what it served counts, and it is simply started again.
      usefulAccS += elapsed * j.size;
      j.readyS = q.now + restartS;
    } else {
      let saved = 0;
      if (checkpointed(j) && fl !== null) {
        const intervals = Math.floor(progress / (fl.checkpointIntervalS + fl.checkpointCostS));
        saved = Math.min(done, intervals * fl.checkpointIntervalS * j.speed);
      }
      lostAccS += (done - saved) * j.size;
      j.lostWorkAccS += (done - saved) * j.size;
      usefulAccS += saved * j.size;
      j.savedWorkS += saved;
      j.readyS = q.now;
      j.stallS = restartS;
    }
    queueOf(j).pushFront(j);
  };

  const headScratch: Job[] = [];

  // Defragmentation (see FleetSimInput.defragment).
  const dfg = input.defragment ?? null;
  /** The smallest scale-up domain of each pool. */
  const smallestDomain: number[] = [];
  cluster.clusters.forEach((c, k) => {
    const p = cluster.pools[k] ?? 0;
    smallestDomain[p] = Math.min(smallestDomain[p] ?? Number.POSITIVE_INFINITY, c.domainSize);
  });
  /** When each blocked gang last tried to defragment: it tries again after an autoscaler period. */
  const defragTried = new Map<Job, number>();
  /** Move a running job: it checkpoints (if it can), leaves, and restarts wherever the scheduler puts it. */
  const migrate = (v: Job) => {
    if (dfg === null) return;
    migrations++;
    const elapsed = q.now - v.startedS;
    const done = detach(v);
    let delayS = dfg.restartS;
    if (v.kind === "inference") usefulAccS += elapsed * v.size;
    else if (v.kind === "finetune" || v.kind === "trace") {
      // A checkpoint on demand before the move keeps all the work.
      usefulAccS += done * v.size;
      v.savedWorkS += done;
      delayS += dfg.checkpointS;
    } else {
      // An evaluation starts over.
      lostAccS += done * v.size;
      v.lostWorkAccS += done * v.size;
    }
    v.state = "pending";
    v.readyS = q.now + delayS;
    queueOf(v).pushFront(v);
  };

  /** Make room for a gang job that no site can place (fleet/defrag.ts); true when jobs were moved. */
  const defragment = (j: Job): boolean => {
    // Only a job of at least a whole domain of its pool is a gang that fragments can block.
    if (dfg === null || j.size < (smallestDomain[j.pool ?? 0] ?? Number.POSITIVE_INFINITY)) return false;
    const last = defragTried.get(j);
    if (last !== undefined && q.now - last < input.autoscaleS) return false;
    defragTried.set(j, q.now);
    const victims = planDefrag(cluster, j, (d) => onDomain[d] ?? [], input.placement);
    if (victims === null) return false;
    for (const v of victims) migrate(v);
    return true;
  };

  const ctx: SchedulerContext = {
    get now() {
      return q.now;
    },
    pools,
    weights: input.partners.map((p) => p.weight),
    borrowing: input.borrowing,
    share: (p) => {
      if (pools === 1) return (usage[p] ?? 0) / cluster.size;
      let m = 0;
      for (let k = 0; k < pools; k++) m = Math.max(m, (poolUsage[p * pools + k] ?? 0) / (poolSize[k] ?? 1));
      return m;
    },
    free: (pool) => cluster.freeIn(pool),
    heads: (skip) => {
      const out = headScratch;
      out.length = 0;
      // Queues are laid out partner, level, pool: walk each partner's levels from the highest.
      for (let p = 0; p < P; p++)
        for (let l = LEVELS - 1; l >= 0; l--) {
          const base = (p * LEVELS + l) * pools;
          for (let k = 0; k < pools; k++) {
            if (skip?.has(k)) continue;
            const j = (queues[base + k] as Queue).peek();
            if (j !== undefined) out.push(j);
          }
        }
      return out;
    },
    tryStart: start,
    withinQuota,
    running: () => [...running],
    borrowedRunning: () => borrowedCount,
    wouldFit: (j, victims) => {
      // Release the victims' accelerators, try the placement, and put everything back.
      for (const v of victims) if (v.alloc !== null) cluster.release(v.alloc);
      const fits = cluster.place(j.size, input.placement, j.pool ?? 0) !== null;
      for (const v of victims) if (v.alloc !== null) cluster.commit(v.alloc);
      return fits;
    },
    preempt: (j) => {
      preemptions++;
      j.preemptions++;
      interrupt(j, 0);
    },
  };

  const audit = () => {
    if (violation !== null) return;
    const used = new Int32Array(cluster.domains);
    for (const j of running) {
      if (j.alloc === null) {
        violation = `running job ${j.id} has no allocation`;
        return;
      }
      const site = j.alloc.site ?? 0;
      if (cluster.pools[site] !== (j.pool ?? 0)) violation = `job ${j.id} runs outside its pool`;
      for (let i = 0; i < j.alloc.domains.length; i++) {
        const d = j.alloc.domains[i] as number;
        if (cluster.locate(d)[0] !== site) violation = `job ${j.id} spans sites`;
        used[d] = (used[d] ?? 0) + (j.alloc.counts[i] as number);
        if (!cluster.isUp(d)) violation = `job ${j.id} runs on down domain ${d}`;
      }
    }
    for (let d = 0; d < cluster.domains; d++) {
      if (!cluster.isUp(d)) continue;
      const free = cluster.freeAt(d);
      const total = (used[d] ?? 0) + free;
      const capacity = cluster.capacityAt(d);
      if (free < 0 || total !== capacity)
        violation = `domain ${d}: ${used[d]} allocated + ${free} free ≠ ${capacity}`;
    }
    for (const j of running)
      if (!input.borrowing && j.borrowed) violation = `job ${j.id} started beyond its partner's quota`;
    // Every queued job is pending, once; every pending job is queued.
    const queued = new Set<Job>();
    for (const qu of queues)
      for (const j of qu.items()) {
        if (j.state !== "pending" || queued.has(j))
          violation = `job ${j.id} queued while ${j.state} or twice`;
        queued.add(j);
      }
    if (queued.size !== created - finished - stopped - running.length)
      violation = `${queued.size} queued ≠ ${created - finished - stopped - running.length} pending`;
    if (!input.borrowing)
      usage.forEach((u, p) => {
        if (u > (input.partners[p]?.quota ?? 0)) violation = `partner ${p} holds ${u} > quota`;
        const pq = input.partners[p]?.poolQuotas;
        if (pq !== undefined)
          for (let k = 0; k < pools; k++)
            if ((poolUsage[p * pools + k] ?? 0) > (pq[k] ?? 0))
              violation = `partner ${p} holds ${poolUsage[p * pools + k]} > its pool ${k} quota`;
      });
  };

  const pass = () => {
    input.scheduler.schedule(ctx);
    if (input.audit === true) audit();
  };

  // Phased build-out: domains not yet built are down until they come online.
  parts.forEach((p, k) => {
    const c = cluster.clusters[k];
    if (c === undefined || p.later === undefined) return;
    let end = c.domains;
    for (const g of p.later) {
      const first = Math.max(0, end - g.domains);
      const from = (cluster.offsets[k] as number) + first;
      const count = end - first;
      end = first;
      if (count <= 0 || g.atS <= 0) continue;
      for (let d = from; d < from + count; d++) cluster.fail(d);
      q.at(g.atS, () => {
        account();
        for (let d = from; d < from + count; d++) cluster.repair(d);
        pass();
      });
    }
  });

  // Arrivals.
  let nextJob = 0;
  const arrive = () => {
    const spec = input.jobs[nextJob++];
    if (spec !== undefined) {
      const j = newJob(spec);
      submitted.set(j.kind, (submitted.get(j.kind) ?? 0) + 1);
      queueOf(j).push(j);
      pass();
    }
    const next = input.jobs[nextJob];
    if (next !== undefined) q.at(next.submitS, arrive);
  };
  const newJob = (spec: JobSpec): Job => {
    created++;
    const j: Job = {
      partner: spec.partner,
      kind: spec.kind,
      size: spec.size,
      submitS: spec.submitS,
      workS: spec.workS,
      priority: spec.priority,
      id: nextId++,
      state: "pending",
      readyS: spec.submitS,
      startedS: 0,
      firstStartS: -1,
      endS: 0,
      savedWorkS: 0,
      speed: 1,
      alloc: null,
      epoch: 0,
      borrowed: false,
      interruptions: 0,
      preemptions: 0,
      lostWorkAccS: 0,
      slot: -1,
      startSeq: -1,
      stallS: 0,
      progressFromS: 0,
      home: spec.pool ?? 0,
    };
    if (spec.speedAt !== undefined) (j as { speedAt?: JobSpec["speedAt"] }).speedAt = spec.speedAt;
    if (spec.service !== undefined) (j as { service?: number }).service = spec.service;
    if (spec.pool !== undefined) (j as { pool?: number }).pool = spec.pool;
    if (spec.alternatives !== undefined && spec.alternatives.length > 0)
      optionsOf.set(j, [
        {
          pool: spec.pool ?? 0,
          workS: spec.workS,
          ...(spec.speedAt !== undefined ? { speedAt: spec.speedAt } : {}),
        },
        ...spec.alternatives,
      ]);
    return j;
  };
  if (input.jobs.length > 0) q.at(input.jobs[0]?.submitS ?? 0, arrive);

  // Failures: one Poisson stream over all accelerators; the failed accelerator is drawn uniformly.
  if (fl !== null && fl.ratePerAccHour > 0) {
    const starts = siteStarts(cluster);
    const totalRate = (fl.ratePerAccHour * cluster.size) / 3600;
    const fail = () => {
      failures++;
      const strike = drawStrike(cluster, starts, fl.causes, rng);
      if (strike !== null && !cluster.isNodeDown(strike.d, strike.node)) {
        const { d, node, cause } = strike;
        const hit = jobsHit(cluster, strike, inOrder(d));
        const stop = (j: Job) => {
          j.interruptions++;
          if (j.kind === "inference") replicaRestarts++;
          else {
            interruptions++;
            byCause[cause.name] = (byCause[cause.name] ?? 0) + 1;
          }
          interrupt(j, fl.restartS);
        };
        for (const j of hit) stop(j);
        if (cause.hardware) {
          // The node's accelerators must be free to leave: stop the newest jobs still needing them.
          const rest = inOrder(d).sort((a, b) => b.startedS - a.startedS);
          while (cluster.freeAt(d) < strike.nodeSize && rest.length > 0) stop(rest.shift() as Job);
          account();
          if (cluster.failNode(d, node))
            q.after(exponential(rng, fl.repairS), () => {
              account();
              cluster.repairNode(d, node);
              pass();
            });
        }
        if (hit.length > 0 || cause.hardware) pass();
      }
      q.after(exponential(rng, 1 / totalRate), fail);
    };
    q.after(exponential(rng, 1 / totalRate), fail);
  }

  // Inference services: an autoscaler tick adds or removes replicas to follow demand; served tokens are
  // integrated tick by tick.
  const replicas = input.services.map(() => [] as Job[]);
  const liveReplicas = input.services.map(() => 0);
  const spare = input.services.map(() => [] as Job[]);
  const resetReplica = (j: Job): Job => {
    const m = j as { -readonly [K in keyof Job]: Job[K] };
    m.id = nextId++;
    created++;
    m.submitS = q.now;
    m.state = "pending";
    m.readyS = q.now;
    m.firstStartS = -1;
    m.epoch++;
    m.borrowed = false;
    m.alloc = null;
    return j;
  };
  const served = input.services.map(() => 0);
  const covered = input.services.map(() => 0);
  let ticks = 0;
  const demanded = input.services.map(() => 0);
  const replicaInt = input.services.map(() => 0);
  const peak = input.services.map(() => 0);
  const demandAt = (s: ServiceSpec, t: number) =>
    s.meanTokensPerS * (1 + s.amplitude * Math.cos((2 * Math.PI * (t / 3600 - s.peakHour)) / 24));
  if (input.services.length > 0) {
    const tick = () => {
      ticks++;
      input.services.forEach((s, i) => {
        const list = replicas[i] as Job[];
        const live = liveReplicas[i] ?? 0;
        const d = demandAt(s, q.now);
        demanded[i] = (demanded[i] ?? 0) + d * input.autoscaleS;
        served[i] = (served[i] ?? 0) + Math.min(d, live * s.tokensPerSPerReplica) * input.autoscaleS;
        if (live * s.tokensPerSPerReplica >= d) covered[i] = (covered[i] ?? 0) + 1;
        replicaInt[i] = (replicaInt[i] ?? 0) + live * input.autoscaleS;
        peak[i] = Math.max(peak[i] ?? 0, live);
        // Size for the demand at the next tick; remove the newest replicas first (pending before running).
        const want = Math.ceil(demandAt(s, q.now + input.autoscaleS) / s.tokensPerSPerReplica);
        for (let k = list.length; k < want; k++) {
          // A stopped replica object is reused (replicas churn daily; fresh objects would dominate GC).
          const reuse = spare[i]?.pop();
          const j =
            reuse !== undefined
              ? resetReplica(reuse)
              : newJob({
                  partner: s.partner,
                  kind: "inference",
                  size: s.replicaSize,
                  submitS: q.now,
                  workS: Number.POSITIVE_INFINITY,
                  priority: s.priority,
                  service: i,
                  ...(s.pool !== undefined ? { pool: s.pool } : {}),
                });
          submitted.set("inference", (submitted.get("inference") ?? 0) + 1);
          list.push(j);
          queueOf(j).push(j);
        }
        while (list.length > want) {
          const j = list.pop();
          if (j === undefined) break;
          if (j.state === "running") {
            usefulAccS += (q.now - j.startedS) * j.size; // serving time is useful work
            detach(j);
          } else queueOf(j).remove(j);
          j.state = "stopped";
          stopped++;
          spare[i]?.push(j);
        }
      });
      pass();
      if (q.now + input.autoscaleS <= input.horizonS) q.after(input.autoscaleS, tick);
    };
    q.at(0, tick);
  }

  const sample = () => {
    samples.push({
      day: q.now / 86400,
      busy: busy / cluster.size,
      up: cluster.upTotal / cluster.size,
      itMw: powerNow()[0] / 1000,
    });
    progress?.(q.now / input.horizonS);
    if (q.now + input.sampleS <= input.horizonS) q.after(input.sampleS, sample);
  };
  q.at(0, sample);

  q.run(input.horizonS);
  account();
  // Jobs still running at the end: their allocated time counts, their work so far is useful.
  for (const j of [...running]) {
    const elapsed = q.now - j.startedS;
    allocatedAccS += elapsed * j.size;
    if (j.kind === "inference") usefulAccS += elapsed * j.size;
    else usefulAccS += Math.min(working(j) * rate(j), j.workS - j.savedWorkS) * j.size;
  }
  let pendingAtEnd = 0;
  for (const qu of queues) pendingAtEnd += qu.length;

  const size = cluster.size;
  const T = input.horizonS;
  const totalUse = usageInt.reduce((s, x) => s + x, 0);
  const quotaTotal = input.partners.reduce((s, p) => s + p.quota, 0);
  const weightTotal = input.partners.reduce((s, p) => s + p.weight, 0);
  // Energy site by site: busy and idle accelerator-time at their power, through the site's PUE.
  const siteOut = parts.map((p, k) => {
    const busyS = busySiteInt[k] ?? 0;
    const idleS = (upSiteInt[k] ?? 0) - busyS;
    const it =
      (busyS * (p.busyKw ?? input.power.busyKw) + idleS * (p.idleKw ?? input.power.idleKw)) / 3600 / 1000;
    const accelerators = cluster.clusters[k]?.size ?? 0;
    return {
      name: p.name,
      ...(p.accelerator !== undefined ? { accelerator: p.accelerator } : {}),
      accelerators,
      busy: accelerators > 0 ? busyS / (accelerators * T) : 0,
      up: accelerators > 0 ? (upSiteInt[k] ?? 0) / (accelerators * T) : 0,
      pue: p.pue,
      itMWh: it,
      facilityMWh: it * p.pue,
      co2Tonnes: (it * p.pue * p.carbonGPerKWh) / 1000,
    };
  });
  const itMWh = siteOut.reduce((x, o) => x + o.itMWh, 0);
  const facilityMWh = siteOut.reduce((x, o) => x + o.facilityMWh, 0);
  const co2Tonnes = siteOut.reduce((x, o) => x + o.co2Tonnes, 0);
  return {
    accelerators: size,
    horizonDays: T / 86400,
    events: q.processed,
    transitions,
    utilisation: { busy: busyInt / (size * T), up: upInt / (size * T), samples },
    partners: input.partners.map((p, i) => ({
      name: p.name,
      quota: p.quota,
      weight: p.weight,
      acceleratorHours: (usageInt[i] ?? 0) / 3600,
      share: totalUse > 0 ? (usageInt[i] ?? 0) / totalUse : 0,
      quotaShare: quotaTotal > 0 ? p.quota / quotaTotal : 0,
      weightShare: weightTotal > 0 ? p.weight / weightTotal : 0,
      waitH: percentiles(partnerWaits[i] ?? []),
    })),
    kinds: JOB_KINDS.filter((k) => (submitted.get(k) ?? 0) > 0).map((k) => ({
      kind: k,
      submitted: submitted.get(k) ?? 0,
      completed: jcts.get(k)?.length ?? 0,
      waitH: percentiles(waits.get(k) ?? []),
      jctH: percentiles(jcts.get(k) ?? []),
    })),
    goodput: {
      goodput: allocatedAccS > 0 ? usefulAccS / allocatedAccS : 1,
      usefulAccH: usefulAccS / 3600,
      allocatedAccH: allocatedAccS / 3600,
      lostAccH: lostAccS / 3600,
      interruptions,
      replicaRestarts,
      byCause,
      preemptions,
      migrations,
      failures,
    },
    services: input.services.map((s, i) => ({
      name: s.name,
      servedFraction: (demanded[i] ?? 0) > 0 ? (served[i] ?? 0) / (demanded[i] ?? 1) : 1,
      sloTimeFraction: ticks > 0 ? (covered[i] ?? 0) / ticks : 1,
      meanReplicas: (replicaInt[i] ?? 0) / T,
      peakReplicas: peak[i] ?? 0,
    })),
    energy: {
      itMWh,
      facilityMWh,
      co2Tonnes,
      meanItMw: itMWh / (T / 3600),
      peakItMw: peakItKw / 1000,
      peakFacilityMw: peakFacilityKw / 1000,
    },
    sites: siteOut,
    pendingAtEnd,
    violation,
  };
}

import { exponential, type Random, seededRandom } from "../random.js";
import { type Allocation, Sites, smallestFragment } from "./cluster.js";
import { planDefrag } from "./defrag.js";
import { EventQueue } from "./events.js";
import { drawStrike, type FailureModel, jobsHit, type Strike, siteStarts } from "./failures.js";
import { byStartSeq, type Job, type JobOption, type JobSpec } from "./job.js";
import { LEVELS, Queue } from "./queue.js";
import { type SchedulerContext, STARVATION_GUARD_S } from "./scheduler.js";
import type { FleetResult, FleetSimInput, ServiceSpec, SitePart } from "./sim.js";
import { fleetResult, Tally } from "./tally.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One run of the fleet twin: the state (sites, queues, running jobs, partners' use), the job lifecycle
 * (start, finish, interrupt, migrate), the scheduler's view of it, and one handler per event kind
 * (arrival, failure, repair, build-out, autoscaler tick, snapshot). sim.ts's simulateFleet runs it.
 */
export class FleetSimulation {
  private readonly q = new EventQueue();
  private readonly rng: Random;
  private readonly parts: readonly SitePart[];
  private readonly cluster: Sites;
  private readonly P: number;
  private readonly pools: number;
  /** One FIFO queue per (partner, level, pool): work for one accelerator type never waits behind another's. */
  private readonly queues: Queue[];
  /** Running jobs; each knows its index (`slot`), so removal is a swap with the last. */
  private readonly running: Job[] = [];
  /**
   * Jobs on each domain, for failures and defragmentation, in no order (removal swaps with the last);
   * `inOrder` gives them in allocation order, which says which nodes they fill.
   */
  private readonly onDomain: Job[][];
  private readonly fl: FailureModel | null;
  private readonly t: Tally;
  /** kW per busy and idle accelerator, and PUE, of each site. */
  private readonly siteBusyKw: number[];
  private readonly siteIdleKw: number[];
  /** Accelerators each partner holds (and in each pool: partner × pools + pool); busy per site. */
  private readonly usage: number[];
  private readonly poolUsage: number[];
  private readonly poolSize: number[];
  private readonly busySite: number[];
  private busy = 0;
  private borrowedCount = 0;
  private starts = 0;
  private transitions = 0;
  private nextId = 0;
  private created = 0;
  private finished = 0;
  private stopped = 0;
  private violation: string | null = null;
  private wakeAt = Number.POSITIVE_INFINITY;
  private nextJob = 0;
  /** Every type a job may run on, its first choice first. */
  private readonly optionsOf = new Map<Job, readonly JobOption[]>();
  private readonly headScratch: Job[] = [];
  /** Per pool, running jobs by expected end (soonest first), when the scheduler needs them. */
  private readonly byEnd: Job[][];
  // Defragmentation (see FleetSimInput.defragment).
  private readonly dfg: { readonly restartS: number; readonly checkpointS: number } | null;
  /** The smallest scale-up domain of each pool. */
  private readonly smallestDomain: number[] = [];
  /** When each blocked gang last tried to defragment: it tries again after an autoscaler period. */
  private readonly defragTried = new Map<Job, number>();
  // Inference services: each one's replicas, how many run, and stopped replica objects kept for reuse.
  private readonly replicas: Job[][];
  private readonly liveReplicas: number[];
  /** Per service with other types: its live replicas on each of them. */
  private readonly liveOnAlternative: number[][];
  private readonly spare: Job[][];
  private readonly ctx: SchedulerContext;

  constructor(
    private readonly input: FleetSimInput,
    private readonly progress?: (fraction: number) => void,
  ) {
    this.rng = seededRandom(input.seed);
    this.parts = input.sites ?? [
      {
        name: "fleet",
        domains: input.domains,
        pue: input.power.pue,
        carbonGPerKWh: input.power.carbonGPerKWh,
      },
    ];
    this.cluster = new Sites(
      this.parts.map((p) => {
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
    const cluster = this.cluster;
    this.P = input.partners.length;
    this.pools = Math.max(1, ...cluster.pools.map((p) => p + 1));
    this.queues = Array.from({ length: this.P * LEVELS * this.pools }, () => new Queue());
    this.onDomain = Array.from({ length: cluster.domains }, () => []);
    this.fl = input.failures;
    this.t = new Tally(input, this.parts.length);
    this.siteBusyKw = this.parts.map((p) => p.busyKw ?? input.power.busyKw);
    this.siteIdleKw = this.parts.map((p) => p.idleKw ?? input.power.idleKw);
    this.busySite = this.parts.map(() => 0);
    this.usage = new Array<number>(this.P).fill(0);
    this.poolUsage = new Array<number>(this.P * this.pools).fill(0);
    this.poolSize = new Array<number>(this.pools).fill(0);
    cluster.clusters.forEach((c, k) => {
      const p = cluster.pools[k] ?? 0;
      this.poolSize[p] = (this.poolSize[p] ?? 0) + c.size;
      this.smallestDomain[p] = Math.min(this.smallestDomain[p] ?? Number.POSITIVE_INFINITY, c.domainSize);
    });
    this.dfg = input.defragment ?? null;
    this.replicas = input.services.map(() => []);
    this.liveReplicas = input.services.map(() => 0);
    this.liveOnAlternative = input.services.map((s) => (s.alternatives ?? []).map(() => 0));
    this.spare = input.services.map(() => []);
    this.byEnd = input.scheduler.needsEnds === true ? Array.from({ length: this.pools }, () => []) : [];
    this.ctx = this.schedulerContext();
  }

  /** Schedule the first events, run to the horizon, and count what is still running. */
  run(): FleetResult {
    this.scheduleBuildOut();
    const first = this.input.jobs[0];
    if (first !== undefined) this.q.at(first.submitS ?? 0, () => this.onArrival());
    this.scheduleFailures();
    if (this.input.services.length > 0) this.q.at(0, () => this.onAutoscale());
    this.q.at(0, () => this.onSample());
    this.q.run(this.input.horizonS);
    this.account();
    // Jobs still running at the end: their allocated time counts, their work so far is useful.
    const t = this.t;
    for (const j of [...this.running]) {
      const elapsed = this.q.now - j.startedS;
      t.allocatedAccS += elapsed * j.size;
      this.ran(j, elapsed);
      if (j.kind === "inference") t.usefulAccS += elapsed * j.size;
      else t.usefulAccS += Math.min(this.working(j) * this.rate(j), j.workS - j.savedWorkS) * j.size;
    }
    let pendingAtEnd = 0;
    for (const qu of this.queues) pendingAtEnd += qu.length;
    return fleetResult(this.input, t, {
      cluster: this.cluster,
      parts: this.parts,
      events: this.q.processed,
      transitions: this.transitions,
      pendingAtEnd,
      violation: this.violation,
    });
  }

  // ---- State: queues, running jobs, quotas, power, the time-weighted integrals.

  private level(j: JobSpec): number {
    return Math.max(0, Math.min(LEVELS - 1, Math.round(j.priority)));
  }
  private queueOf(j: Job): Queue {
    return this.queues[(j.partner * LEVELS + this.level(j)) * this.pools + j.home] as Queue;
  }
  private addRunning(j: Job): void {
    j.slot = this.running.length;
    this.running.push(j);
  }
  /** Where a job's expected end falls in a pool's list: the first index whose end is ≥ it (> it: `after`). */
  private static endIndex(list: readonly Job[], endS: number, after: boolean): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = (list[mid] as Job).expectedEndS;
      if (e < endS || (after && e === endS)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** Insert a started job among its pool's running jobs by expected end (after equal ones). */
  private addEnding(j: Job): void {
    const list = this.byEnd[j.pool ?? 0];
    if (list !== undefined) list.splice(FleetSimulation.endIndex(list, j.expectedEndS, true), 0, j);
  }
  private removeEnding(j: Job): void {
    const list = this.byEnd[j.pool ?? 0];
    if (list === undefined) return;
    let i = FleetSimulation.endIndex(list, j.expectedEndS, false);
    while (i < list.length && list[i] !== j) i++;
    if (i < list.length) list.splice(i, 1);
  }
  private removeRunning(j: Job): void {
    this.removeEnding(j);
    const last = this.running.pop() as Job;
    if (last !== j) {
      this.running[j.slot] = last;
      last.slot = j.slot;
    }
    j.slot = -1;
  }
  private inOrder(d: number): Job[] {
    return [...(this.onDomain[d] ?? [])].sort(byStartSeq);
  }
  private checkpointed(j: Job): boolean {
    return this.fl !== null && (j.kind === "pretrain" || j.kind === "finetune" || j.kind === "trace");
  }
  /** Progress per wall second while running: speed, less checkpoint stalls. */
  private rate(j: Job): number {
    const fl = this.fl;
    return this.checkpointed(j) && fl !== null
      ? (j.speed * fl.checkpointIntervalS) / (fl.checkpointIntervalS + fl.checkpointCostS)
      : j.speed;
  }
  /** Wall time the current run has made progress (after its restart stall), s. */
  private working(j: Job): number {
    return Math.max(0, this.q.now - j.progressFromS);
  }

  /** IT and facility power now, kW. */
  private powerNow(): [number, number] {
    let it = 0;
    let fac = 0;
    for (let s = 0; s < this.parts.length; s++) {
      const b = this.busySite[s] ?? 0;
      const kw =
        b * (this.siteBusyKw[s] ?? 0) +
        ((this.cluster.clusters[s]?.upTotal ?? 0) - b) * (this.siteIdleKw[s] ?? 0);
      it += kw;
      fac += kw * (this.parts[s]?.pue ?? 1);
    }
    return [it, fac];
  }

  /** Integrate time-weighted quantities up to now. */
  private account(): void {
    const t = this.t;
    const dt = this.q.now - t.lastT;
    if (dt <= 0) return;
    t.busyInt += this.busy * dt;
    t.upInt += this.cluster.upTotal * dt;
    for (let s = 0; s < this.parts.length; s++) {
      t.busySiteInt[s] = (t.busySiteInt[s] ?? 0) + (this.busySite[s] ?? 0) * dt;
      t.upSiteInt[s] = (t.upSiteInt[s] ?? 0) + (this.cluster.clusters[s]?.upTotal ?? 0) * dt;
    }
    // The state that held since the last change: its power, for the peak.
    const [it, fac] = this.powerNow();
    if (it > t.peakItKw) t.peakItKw = it;
    if (fac > t.peakFacilityKw) t.peakFacilityKw = fac;
    for (let p = 0; p < this.P; p++) t.usageInt[p] = (t.usageInt[p] ?? 0) + (this.usage[p] ?? 0) * dt;
    t.lastT = this.q.now;
  }

  /** Whether starting `j` on type `pool` (with `size` accelerators there) keeps its partner within quota. */
  private withinQuotaIn(j: Job, pool: number, size = j.size): boolean {
    const p = this.input.partners[j.partner];
    if ((this.usage[j.partner] ?? 0) + size > (p?.quota ?? 0)) return false;
    if (p?.poolQuotas === undefined) return true;
    return (this.poolUsage[j.partner * this.pools + pool] ?? 0) + size <= (p.poolQuotas[pool] ?? 0);
  }
  private withinQuota(j: Job): boolean {
    return this.withinQuotaIn(j, j.pool ?? 0);
  }

  // ---- Placement: where a job starts, on its own type or another it may run on.

  /** Switch a pending job to another type: its work and speed there, its progress kept as a fraction. */
  private switchTo(j: Job, o: JobOption): void {
    const m = j as Mutable<Job>;
    const frac = j.workS > 0 ? j.savedWorkS / j.workS : 0;
    m.pool = o.pool;
    m.workS = o.workS;
    // A replica's work is unbounded: it has none saved, wherever it runs.
    m.savedWorkS = Number.isFinite(o.workS) ? frac * o.workS : 0;
    if (o.size !== undefined) m.size = o.size;
    if (o.speedAt !== undefined) m.speedAt = o.speedAt;
    else delete m.speedAt;
  }

  /** Wake the scheduler when `j` is ready, if nothing earlier will. */
  private wakeFor(j: Job): void {
    if (j.readyS < this.wakeAt) {
      this.wakeAt = j.readyS;
      this.q.at(j.readyS, () => {
        this.wakeAt = Number.POSITIVE_INFINITY;
        this.pass();
      });
    }
  }

  /**
   * Accelerators for `j`: its own type (within quota, or borrowing), after defragmenting if a gang is
   * blocked, else another type it may run on in order of preference; null when none has room.
   */
  private placeFor(j: Job): { alloc: Allocation; inQuota: boolean } | null {
    const input = this.input;
    let inQuota = this.withinQuota(j);
    let alloc = inQuota || input.borrowing ? this.cluster.place(j.size, input.placement, j.pool ?? 0) : null;
    if (alloc === null && (inQuota || input.borrowing) && this.defragment(j))
      alloc = this.cluster.place(j.size, input.placement, j.pool ?? 0);
    const options = this.optionsOf.get(j);
    if (alloc === null && options !== undefined)
      for (const o of options) {
        if (o.pool === (j.pool ?? 0)) continue;
        const size = o.size ?? j.size;
        const ok = this.withinQuotaIn(j, o.pool, size);
        if (!ok && !input.borrowing) continue;
        const a = this.cluster.place(size, input.placement, o.pool);
        if (a === null) continue;
        this.switchTo(j, o);
        alloc = a;
        inQuota = ok;
        break;
      }
    return alloc === null ? null : { alloc, inQuota };
  }

  // ---- The job lifecycle: start, detach, finish, interrupt, migrate.

  /** Start `j` if it is ready and fits; its completion is scheduled. */
  private start(j: Job): boolean {
    const q = this.q;
    if (j.readyS > q.now) {
      this.wakeFor(j);
      return false;
    }
    const placed = this.placeFor(j);
    if (placed === null) return false;
    const { alloc, inQuota } = placed;
    this.defragTried.delete(j);
    this.account();
    this.transitions++;
    this.cluster.commit(alloc);
    // Usually the head; a preemption may have put a victim of the same queue in front of it.
    this.queueOf(j).take(j);
    j.alloc = alloc;
    j.borrowed = !inQuota;
    if (j.borrowed) this.borrowedCount++;
    j.state = "running";
    j.startedS = q.now;
    if (j.firstStartS < 0) {
      j.firstStartS = q.now;
      this.t.waits.get(j.kind)?.push((q.now - j.submitS) / 3600);
      const row = j.kind !== "inference" ? this.t.size(j.size) : null;
      if (row !== null) {
        row.started++;
        row.waitSumH += (q.now - j.submitS) / 3600;
      }
      if (j.kind !== "inference") this.t.partnerWaits[j.partner]?.push((q.now - j.submitS) / 3600);
    }
    j.speed = j.speedAt !== undefined ? j.speedAt(smallestFragment(alloc), alloc.pods ?? 1) : 1;
    j.epoch++;
    this.usage[j.partner] = (this.usage[j.partner] ?? 0) + j.size;
    const pk = j.partner * this.pools + (j.pool ?? 0);
    this.poolUsage[pk] = (this.poolUsage[pk] ?? 0) + j.size;
    this.busy += j.size;
    this.busySite[alloc.site ?? 0] = (this.busySite[alloc.site ?? 0] ?? 0) + j.size;
    this.addRunning(j);
    j.startSeq = this.starts++;
    for (const d of alloc.domains) this.onDomain[d]?.push(j);
    if (j.service !== undefined) this.countReplica(j, 1);
    j.progressFromS = q.now + j.stallS;
    j.expectedEndS = Number.isFinite(j.workS)
      ? j.progressFromS + (j.workS - j.savedWorkS) / this.rate(j)
      : Number.POSITIVE_INFINITY;
    this.addEnding(j);
    const stall = j.stallS;
    j.stallS = 0;
    if (Number.isFinite(j.workS)) {
      const epoch = j.epoch;
      q.after(stall + (j.workS - j.savedWorkS) / this.rate(j), () => {
        if (j.epoch === epoch && j.state === "running") this.finish(j);
      });
    }
    return true;
  }

  /** A replica starts (+1) or stops (−1): its service's live count, and on which of its other types. */
  private countReplica(j: Job, by: 1 | -1): void {
    const i = j.service as number;
    this.liveReplicas[i] = (this.liveReplicas[i] ?? 0) + by;
    const alts = this.input.services[i]?.alternatives;
    if (alts === undefined) return;
    const k = alts.findIndex((a) => a.pool === (j.pool ?? 0));
    const counts = this.liveOnAlternative[i] as number[];
    if (k >= 0) counts[k] = (counts[k] ?? 0) + by;
  }

  /** Tokens/s a service's live replicas serve: first-type replicas at its rate, the others at theirs. */
  private liveTokensPerS(s: ServiceSpec, i: number): number {
    const live = this.liveReplicas[i] ?? 0;
    if (s.alternatives === undefined) return live * s.tokensPerSPerReplica;
    const counts = this.liveOnAlternative[i] as number[];
    let onOthers = 0;
    let tokens = 0;
    s.alternatives.forEach((a, k) => {
      onOthers += counts[k] ?? 0;
      tokens += (counts[k] ?? 0) * a.tokensPerSPerReplica;
    });
    return (live - onOthers) * s.tokensPerSPerReplica + tokens;
  }

  /** Take a running job off its accelerators; returns the work (s at full speed) done since it started. */
  private detach(j: Job): number {
    this.account();
    this.transitions++;
    const elapsed = this.q.now - j.startedS;
    const progress = this.working(j);
    if (j.alloc !== null) {
      this.cluster.release(j.alloc);
      this.busySite[j.alloc.site ?? 0] = (this.busySite[j.alloc.site ?? 0] ?? 0) - j.size;
      for (const d of j.alloc.domains) {
        const list = this.onDomain[d] as Job[];
        const last = list.pop() as Job;
        if (last !== j) list[list.indexOf(j)] = last;
      }
    }
    j.alloc = null;
    this.usage[j.partner] = (this.usage[j.partner] ?? 0) - j.size;
    const pk = j.partner * this.pools + (j.pool ?? 0);
    this.poolUsage[pk] = (this.poolUsage[pk] ?? 0) - j.size;
    this.busy -= j.size;
    this.removeRunning(j);
    if (j.borrowed) this.borrowedCount--;
    if (j.service !== undefined) this.countReplica(j, -1);
    j.epoch++;
    this.t.allocatedAccS += elapsed * j.size;
    this.ran(j, elapsed);
    return Math.min(progress * this.rate(j), j.workS - j.savedWorkS);
  }

  /** A run of `elapsed` seconds ends: the job's and its size's running time. */
  private ran(j: Job, elapsed: number): void {
    j.ranAccS += elapsed * j.size;
    const row = j.kind !== "inference" ? this.t.size(j.size) : null;
    if (row !== null) {
      row.runH += elapsed / 3600;
      row.accH += (elapsed * j.size) / 3600;
    }
  }

  private finish(j: Job): void {
    this.detach(j);
    this.t.ended(j.outcome ?? "completed", j.ranAccS / 3600);
    this.finished++;
    j.state = "done";
    j.endS = this.q.now;
    // Work saved by earlier runs was credited when they were interrupted.
    this.t.usefulAccS += (j.workS - j.savedWorkS) * j.size;
    this.t.jcts.get(j.kind)?.push((this.q.now - j.submitS) / 3600);
    this.pass();
  }

  /**
   * Interrupt (failure) or preempt a running job: it keeps the work up to its last checkpoint. A
   * training-like job restarts as soon as it is placed again and pays `restartS` there, holding its
   * accelerators (so a failure during the restart interrupts it again); a replica comes back after it.
   */
  private interrupt(j: Job, restartS: number): void {
    const t = this.t;
    const fl = this.fl;
    const elapsed = this.q.now - j.startedS;
    const progress = this.working(j);
    const done = this.detach(j);
    j.state = "pending";
    if (j.kind === "inference") {
      // A replica is stateless: what it served counts, and it is simply started again.
      t.usefulAccS += elapsed * j.size;
      j.readyS = this.q.now + restartS;
    } else {
      let saved = 0;
      if (this.checkpointed(j) && fl !== null) {
        const intervals = Math.floor(progress / (fl.checkpointIntervalS + fl.checkpointCostS));
        saved = Math.min(done, intervals * fl.checkpointIntervalS * j.speed);
      }
      t.lostAccS += (done - saved) * j.size;
      j.lostWorkAccS += (done - saved) * j.size;
      t.usefulAccS += saved * j.size;
      j.savedWorkS += saved;
      j.readyS = this.q.now;
      j.stallS = restartS;
    }
    this.queueOf(j).pushFront(j);
  }

  /** Move a running job: it checkpoints (if it can), leaves, and restarts wherever the scheduler puts it. */
  private migrate(v: Job): void {
    const dfg = this.dfg;
    if (dfg === null) return;
    const t = this.t;
    t.migrations++;
    const elapsed = this.q.now - v.startedS;
    const done = this.detach(v);
    let delayS = dfg.restartS;
    if (v.kind === "inference") t.usefulAccS += elapsed * v.size;
    else if (v.kind === "finetune" || v.kind === "trace") {
      // A checkpoint on demand before the move keeps all the work.
      t.usefulAccS += done * v.size;
      v.savedWorkS += done;
      delayS += dfg.checkpointS;
    } else {
      // An evaluation starts over.
      t.lostAccS += done * v.size;
      v.lostWorkAccS += done * v.size;
    }
    v.state = "pending";
    v.readyS = this.q.now + delayS;
    this.queueOf(v).pushFront(v);
  }

  /** Make room for a gang job that no site can place (fleet/defrag.ts); true when jobs were moved. */
  private defragment(j: Job): boolean {
    // Only a job of at least a whole domain of its pool is a gang that fragments can block.
    if (this.dfg === null || j.size < (this.smallestDomain[j.pool ?? 0] ?? Number.POSITIVE_INFINITY))
      return false;
    const last = this.defragTried.get(j);
    if (last !== undefined && this.q.now - last < this.input.autoscaleS) return false;
    this.defragTried.set(j, this.q.now);
    const victims = planDefrag(this.cluster, j, (d) => this.onDomain[d] ?? [], this.input.placement);
    if (victims === null) return false;
    for (const v of victims) this.migrate(v);
    return true;
  }

  // ---- The scheduler: its view of the fleet, and a pass (with the audit, in tests).

  /** The queue heads, partner by partner from the highest level (pools in `skip` left out). */
  private heads(skip?: ReadonlySet<number> | null): Job[] {
    const out = this.headScratch;
    out.length = 0;
    // Queues are laid out partner, level, pool: walk each partner's levels from the highest.
    for (let p = 0; p < this.P; p++)
      for (let l = LEVELS - 1; l >= 0; l--) {
        const base = (p * LEVELS + l) * this.pools;
        for (let k = 0; k < this.pools; k++) {
          if (skip?.has(k)) continue;
          const j = (this.queues[base + k] as Queue).peek();
          if (j !== undefined) out.push(j);
        }
      }
    return out;
  }

  /** Pending jobs of a pool in priority order (levels high to low, partners by share / weight, FIFO). */
  private pendingOf(pool: number, limit: number): Job[] {
    const out: Job[] = [];
    const order = [...Array(this.P).keys()].sort(
      (a, b) =>
        this.ctx.share(a) / (this.input.partners[a]?.weight ?? 1) -
          this.ctx.share(b) / (this.input.partners[b]?.weight ?? 1) || a - b,
    );
    for (let l = LEVELS - 1; l >= 0 && out.length < limit; l--)
      for (const p of order) {
        if (out.length >= limit) break;
        (this.queues[(p * LEVELS + l) * this.pools + pool] as Queue).scan(limit - out.length, (j) => {
          out.push(j);
          return true;
        });
      }
    return out;
  }

  private schedulerContext(): SchedulerContext {
    const sim = this;
    const { input, cluster, pools } = this;
    return {
      get now() {
        return sim.q.now;
      },
      pools,
      weights: input.partners.map((p) => p.weight),
      borrowing: input.borrowing,
      starvationS: input.starvationS ?? STARVATION_GUARD_S,
      share: (p) => {
        if (pools === 1) return (sim.usage[p] ?? 0) / cluster.size;
        let m = 0;
        for (let k = 0; k < pools; k++)
          m = Math.max(m, (sim.poolUsage[p * pools + k] ?? 0) / (sim.poolSize[k] ?? 1));
        return m;
      },
      free: (pool) => cluster.freeIn(pool),
      heads: (skip) => sim.heads(skip),
      pending: (pool, limit) => sim.pendingOf(pool, limit),
      endingFirst: (pool) => sim.byEnd[pool] ?? [],
      expectedRunS: (j) => j.stallS + (j.workS - j.savedWorkS) / sim.rate(j),
      tryStart: (j) => sim.start(j),
      withinQuota: (j) => sim.withinQuota(j),
      running: () => [...sim.running],
      borrowedRunning: () => sim.borrowedCount,
      wouldFit: (j, victims) => {
        // Release the victims' accelerators, try the placement, and put everything back.
        for (const v of victims) if (v.alloc !== null) cluster.release(v.alloc);
        const fits = cluster.place(j.size, input.placement, j.pool ?? 0) !== null;
        for (const v of victims) if (v.alloc !== null) cluster.commit(v.alloc);
        return fits;
      },
      preempt: (j) => {
        sim.t.preemptions++;
        j.preemptions++;
        sim.interrupt(j, 0);
      },
    };
  }

  private pass(): void {
    this.input.scheduler.schedule(this.ctx);
    if (this.input.audit === true && this.violation === null) this.violation = this.audit();
  }

  /** The first invariant the state breaks, or null (allocations, queues, quotas). */
  private audit(): string | null {
    const { cluster, input, pools } = this;
    let violation: string | null = null;
    const used = new Int32Array(cluster.domains);
    for (const j of this.running) {
      if (j.alloc === null) return `running job ${j.id} has no allocation`;
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
    for (const j of this.running)
      if (!input.borrowing && j.borrowed) violation = `job ${j.id} started beyond its partner's quota`;
    // Every queued job is pending, once; every pending job is queued.
    const queued = new Set<Job>();
    for (const qu of this.queues)
      for (const j of qu.items()) {
        if (j.state !== "pending" || queued.has(j))
          violation = `job ${j.id} queued while ${j.state} or twice`;
        queued.add(j);
      }
    const pending = this.created - this.finished - this.stopped - this.running.length;
    if (queued.size !== pending) violation = `${queued.size} queued ≠ ${pending} pending`;
    if (!input.borrowing)
      this.usage.forEach((u, p) => {
        if (u > (input.partners[p]?.quota ?? 0)) violation = `partner ${p} holds ${u} > quota`;
        const pq = input.partners[p]?.poolQuotas;
        if (pq !== undefined)
          for (let k = 0; k < pools; k++)
            if ((this.poolUsage[p * pools + k] ?? 0) > (pq[k] ?? 0))
              violation = `partner ${p} holds ${this.poolUsage[p * pools + k]} > its pool ${k} quota`;
      });
    return violation;
  }

  // ---- Event handlers, one per kind.

  /** Phased build-out: domains not yet built are down until they come online. */
  private scheduleBuildOut(): void {
    this.parts.forEach((p, k) => {
      const c = this.cluster.clusters[k];
      if (c === undefined || p.later === undefined) return;
      let end = c.domains;
      for (const g of p.later) {
        const first = Math.max(0, end - g.domains);
        const from = (this.cluster.offsets[k] as number) + first;
        const count = end - first;
        end = first;
        if (count <= 0 || g.atS <= 0) continue;
        for (let d = from; d < from + count; d++) this.cluster.fail(d);
        this.q.at(g.atS, () => this.onBuilt(from, count));
      }
    });
  }

  private onBuilt(from: number, count: number): void {
    this.account();
    for (let d = from; d < from + count; d++) this.cluster.repair(d);
    this.pass();
  }

  /** A job arrives: queued, a scheduling pass; the next arrival is scheduled. */
  private onArrival(): void {
    const spec = this.input.jobs[this.nextJob++];
    if (spec !== undefined) {
      const j = this.newJob(spec);
      this.t.count(j.kind);
      const row = j.kind !== "inference" ? this.t.size(j.size) : null;
      if (row !== null) row.submitted++;
      this.queueOf(j).push(j);
      this.pass();
    }
    const next = this.input.jobs[this.nextJob];
    if (next !== undefined) this.q.at(next.submitS, () => this.onArrival());
  }

  private newJob(spec: JobSpec): Job {
    this.created++;
    const j: Job = {
      partner: spec.partner,
      kind: spec.kind,
      size: spec.size,
      submitS: spec.submitS,
      workS: spec.workS,
      priority: spec.priority,
      id: this.nextId++,
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
      ranAccS: 0,
      expectedEndS: 0,
      slot: -1,
      startSeq: -1,
      stallS: 0,
      progressFromS: 0,
      home: spec.pool ?? 0,
    };
    if (spec.speedAt !== undefined) (j as { speedAt?: JobSpec["speedAt"] }).speedAt = spec.speedAt;
    if (spec.service !== undefined) (j as { service?: number }).service = spec.service;
    if (spec.pool !== undefined) (j as { pool?: number }).pool = spec.pool;
    if (spec.outcome !== undefined) (j as { outcome?: JobSpec["outcome"] }).outcome = spec.outcome;
    if (spec.alternatives !== undefined && spec.alternatives.length > 0)
      this.optionsOf.set(j, [
        {
          pool: spec.pool ?? 0,
          workS: spec.workS,
          size: spec.size,
          ...(spec.speedAt !== undefined ? { speedAt: spec.speedAt } : {}),
        },
        ...spec.alternatives,
      ]);
    return j;
  }

  /** Failures: one Poisson stream over all accelerators; the failed accelerator is drawn uniformly. */
  private scheduleFailures(): void {
    const fl = this.fl;
    if (fl === null || fl.ratePerAccHour <= 0) return;
    const starts = siteStarts(this.cluster);
    const meanGapS = 1 / ((fl.ratePerAccHour * this.cluster.size) / 3600);
    const next = () => this.q.after(exponential(this.rng, meanGapS), fail);
    const fail = () => {
      this.onFailure(fl, drawStrike(this.cluster, starts, fl.causes, this.rng));
      next();
    };
    next();
  }

  /** A failure strikes: the jobs it hits are interrupted; a hardware fault takes its node down until repaired. */
  private onFailure(fl: FailureModel, strike: Strike | null): void {
    const t = this.t;
    t.failures++;
    if (strike === null || this.cluster.isNodeDown(strike.d, strike.node)) return;
    const { d, node, cause } = strike;
    const hit = jobsHit(this.cluster, strike, this.inOrder(d));
    const stop = (j: Job) => {
      j.interruptions++;
      const row = j.kind !== "inference" ? t.size(j.size) : null;
      if (row !== null) row.interruptions++;
      if (j.kind === "inference") t.replicaRestarts++;
      else {
        t.interruptions++;
        t.byCause[cause.name] = (t.byCause[cause.name] ?? 0) + 1;
      }
      this.interrupt(j, fl.restartS);
    };
    for (const j of hit) stop(j);
    if (cause.hardware) {
      // The node's accelerators must be free to leave: stop the newest jobs still needing them.
      const rest = this.inOrder(d).sort((a, b) => b.startedS - a.startedS);
      while (this.cluster.freeAt(d) < strike.nodeSize && rest.length > 0) stop(rest.shift() as Job);
      this.account();
      if (this.cluster.failNode(d, node))
        this.q.after(exponential(this.rng, fl.repairS), () => this.onRepair(d, node));
    }
    if (hit.length > 0 || cause.hardware) this.pass();
  }

  private onRepair(d: number, node: number): void {
    this.account();
    this.cluster.repairNode(d, node);
    this.pass();
  }

  /** Demand of a service at time `t` (its daily cycle). */
  private demandAt(s: ServiceSpec, t: number): number {
    return s.meanTokensPerS * (1 + s.amplitude * Math.cos((2 * Math.PI * (t / 3600 - s.peakHour)) / 24));
  }

  /** A stopped replica object, made pending again under a new id. */
  private resetReplica(j: Job): Job {
    const m = j as Mutable<Job>;
    m.id = this.nextId++;
    this.created++;
    m.submitS = this.q.now;
    m.state = "pending";
    m.readyS = this.q.now;
    m.firstStartS = -1;
    m.epoch++;
    m.borrowed = false;
    m.alloc = null;
    // It starts again from its first type (its last run may have been on another).
    const first = this.optionsOf.get(j)?.[0];
    if (first !== undefined) this.switchTo(j, first);
    return j;
  }

  /** Count what a service served this autoscaler period, then size it for the demand at the next. */
  private scaleService(s: ServiceSpec, i: number): void {
    const t = this.t;
    const q = this.q;
    const autoscaleS = this.input.autoscaleS;
    const list = this.replicas[i] as Job[];
    const live = this.liveReplicas[i] ?? 0;
    const capacity = this.liveTokensPerS(s, i);
    const d = this.demandAt(s, q.now);
    t.demanded[i] = (t.demanded[i] ?? 0) + d * autoscaleS;
    t.served[i] = (t.served[i] ?? 0) + Math.min(d, capacity) * autoscaleS;
    if (capacity >= d) t.covered[i] = (t.covered[i] ?? 0) + 1;
    t.replicaInt[i] = (t.replicaInt[i] ?? 0) + live * autoscaleS;
    t.peak[i] = Math.max(t.peak[i] ?? 0, live);
    // Size for the demand at the next tick; remove the newest replicas first (pending before running).
    const want = Math.ceil(this.demandAt(s, q.now + autoscaleS) / s.tokensPerSPerReplica);
    for (let k = list.length; k < want; k++) {
      // A stopped replica object is reused (replicas churn daily; fresh objects would dominate GC).
      const reuse = this.spare[i]?.pop();
      const j =
        reuse !== undefined
          ? this.resetReplica(reuse)
          : this.newJob({
              partner: s.partner,
              kind: "inference",
              size: s.replicaSize,
              submitS: q.now,
              workS: Number.POSITIVE_INFINITY,
              priority: s.priority,
              service: i,
              ...(s.pool !== undefined ? { pool: s.pool } : {}),
              ...(s.alternatives !== undefined && s.alternatives.length > 0
                ? {
                    alternatives: s.alternatives.map((a) => ({
                      pool: a.pool,
                      workS: Number.POSITIVE_INFINITY,
                      size: a.replicaSize,
                    })),
                  }
                : {}),
            });
      t.count("inference");
      list.push(j);
      this.queueOf(j).push(j);
    }
    while (list.length > want) {
      const j = list.pop();
      if (j === undefined) break;
      if (j.state === "running") {
        t.usefulAccS += (q.now - j.startedS) * j.size; // serving time is useful work
        this.detach(j);
      } else this.queueOf(j).remove(j);
      j.state = "stopped";
      this.stopped++;
      this.spare[i]?.push(j);
    }
  }

  /** An autoscaler tick: every service counted and resized, a scheduling pass, the next tick. */
  private onAutoscale(): void {
    this.t.ticks++;
    for (const [i, s] of this.input.services.entries()) this.scaleService(s, i);
    this.pass();
    if (this.q.now + this.input.autoscaleS <= this.input.horizonS)
      this.q.after(this.input.autoscaleS, () => this.onAutoscale());
  }

  /** A snapshot of busy and up shares and IT power; progress; the next snapshot. */
  private onSample(): void {
    const size = this.cluster.size;
    this.t.samples.push({
      day: this.q.now / 86400,
      busy: this.busy / size,
      up: this.cluster.upTotal / size,
      itMw: this.powerNow()[0] / 1000,
    });
    this.progress?.(this.q.now / this.input.horizonS);
    if (this.q.now + this.input.sampleS <= this.input.horizonS)
      this.q.after(this.input.sampleS, () => this.onSample());
  }
}

import type { Job } from "./job.js";

/**
 * What a scheduler may see and do at one scheduling pass. Pending jobs wait in FIFO queues, one per
 * (partner, priority level, pool — the accelerator type a job needs); `tryStart` places and starts a job
 * if its accelerators are free and the quota rule allows it; `preempt` stops a running job (it loses the
 * work since its last checkpoint). Pools are independent resources: a job blocked in one pool never holds
 * back another pool's work.
 */
export interface SchedulerContext {
  readonly now: number;
  readonly pools: number;
  readonly weights: readonly number[];
  readonly borrowing: boolean;
  /** How long a blocked head may be passed over before fair share drains its type for it, s (Infinity: never). */
  readonly starvationS: number;
  /**
   * A partner's dominant share: the largest fraction of any pool's accelerators it holds (dominant
   * resource fairness, Ghodsi et al. 2011; with one pool, its share of the fleet).
   */
  share(partner: number): number;
  /** Free accelerators in up domains of a pool. */
  free(pool: number): number;
  /**
   * The heads of every non-empty queue of the pools not in `skip`: partner by partner, highest level
   * first, pool by pool (a reused array the caller may reorder, valid until the next call).
   */
  heads(skip: ReadonlySet<number> | null): Job[];
  /** Start the job if it can be placed now and its partner stays within quota (or may borrow). */
  tryStart(job: Job): boolean;
  /** Whether starting the job would stay within its partner's quota. */
  withinQuota(job: Job): boolean;
  /** Running jobs, any order. */
  running(): readonly Job[];
  /** Running jobs that borrowed beyond their partner's quota. */
  borrowedRunning(): number;
  preempt(job: Job): void;
  /**
   * Up to `limit` pending jobs needing `pool`, in the order a priority scheduler takes them: highest
   * level first, partners by dominant share / weight, each queue first in first out.
   */
  pending(pool: number, limit: number): Job[];
  /**
   * Running jobs of a pool by when they will finish if nothing stops them (`Job.expectedEndS`), soonest
   * first; kept only for a scheduler that asks (`Scheduler.needsEnds`).
   */
  endingFirst(pool: number): readonly Job[];
  /** Wall time a pending job needs to finish once started (its restart and its work left), s. */
  expectedRunS(job: Job): number;
  /** Whether the job could be placed (and admitted) if these running jobs were stopped; changes nothing. */
  wouldFit(job: Job, victims: readonly Job[]): boolean;
}

/** A scheduling policy. Every implementation passes the shared conformance suite (test/fleet). */
export interface Scheduler {
  readonly id: string;
  /** It reads `SchedulerContext.endingFirst` (the simulation keeps running jobs ordered by end). */
  readonly needsEnds?: boolean;
  schedule(ctx: SchedulerContext): void;
}

/** Mark a job's pool blocked for the rest of a pass; true when every pool is. */
function block(blocked: Set<number>, j: Job, ctx: SchedulerContext): boolean {
  blocked.add(j.pool ?? 0);
  return blocked.size >= ctx.pools;
}

const bySubmit = (a: Job, b: Job) => a.submitS - b.submitS || a.id - b.id;

/**
 * The first of `candidates` (in their order) whose accelerators, with the free ones, cover the job, or
 * null when they cannot or the job still would not be placed (a trial placement says).
 */
function victims(ctx: SchedulerContext, job: Job, candidates: readonly Job[]): Job[] | null {
  let freed = ctx.free(job.pool ?? 0);
  const chosen: Job[] = [];
  for (const v of candidates) {
    if (freed >= job.size) break;
    chosen.push(v);
    freed += v.size;
  }
  return freed >= job.size && ctx.wouldFit(job, chosen) ? chosen : null;
}

/**
 * First in, first out across all partners: the oldest pending job starts first; nothing of its pool
 * passes it.
 */
export const fifo: Scheduler = {
  id: "fifo",
  schedule(ctx) {
    const blocked = new Set<number>();
    for (;;) {
      const hs = ctx.heads(blocked);
      if (hs.length === 0) return;
      hs.sort(bySubmit);
      const j = hs[0] as Job;
      if (!ctx.tryStart(j) && block(blocked, j, ctx)) return;
    }
  },
};

/**
 * Strict priority with preemption: the highest-priority oldest job starts first; if it cannot be placed,
 * lower-priority running jobs of its pool are preempted (lowest priority, most recently started first)
 * when that frees enough; otherwise nothing of its pool passes it.
 */
export const priority: Scheduler = {
  id: "priority",
  schedule(ctx) {
    const blocked = new Set<number>();
    for (;;) {
      const hs = ctx.heads(blocked);
      if (hs.length === 0) return;
      hs.sort((a, b) => b.priority - a.priority || bySubmit(a, b));
      const j = hs[0] as Job;
      if (ctx.tryStart(j)) continue;
      const pool = j.pool ?? 0;
      const chosen =
        j.readyS > ctx.now || (!ctx.withinQuota(j) && !ctx.borrowing)
          ? null
          : victims(
              ctx,
              j,
              ctx
                .running()
                .filter((r) => r.priority < j.priority && (r.pool ?? 0) === pool)
                .sort((a, b) => a.priority - b.priority || b.startedS - a.startedS),
            );
      if (chosen !== null) {
        for (const v of chosen) ctx.preempt(v);
        if (ctx.tryStart(j)) continue;
      }
      if (block(blocked, j, ctx)) return;
    }
  },
};

/**
 * How long a blocked head may be passed over before it holds back everyone with a larger share, s (the
 * default of `SchedulerContext.starvationS`).
 */
export const STARVATION_GUARD_S = 6 * 3600;

/**
 * Weighted fair share with quotas (Kueue/Volcano queue semantics): partners are served in increasing
 * order of dominant share / weight; within quota first, then — when borrowing is on — on idle capacity
 * beyond quota. A head that cannot be placed is passed over (best effort), unless it has waited longer
 * than the starvation guard (STARVATION_GUARD_S unless the fleet sets another): then nothing else of its
 * type starts until it runs (a drain). An in-quota job
 * that cannot be placed reclaims borrowed accelerators of its type (the most recently started first).
 */
export const fairShare: Scheduler = {
  id: "fair-share",
  schedule(ctx) {
    // Heads passed over in this pass (made only when one is: most passes start or stop at the first),
    // and pools drained for a starved head.
    let blocked: Set<Job> | null = null;
    let drained: Set<number> | null = null;
    for (let guard = 0; guard < 100_000; guard++) {
      // The next job: a starved head (waiting longer than the guard) first, then in quota before
      // borrowing, then the smallest dominant share / weight, then priority, age.
      let j: Job | undefined;
      let jq = 0;
      let js = 0;
      for (const h of ctx.heads(drained)) {
        if (blocked?.has(h)) continue;
        const starved = h.readyS <= ctx.now && ctx.now - h.readyS > ctx.starvationS;
        const hq = starved ? -1 : ctx.withinQuota(h) ? 0 : 1;
        const hs = ctx.share(h.partner) / (ctx.weights[h.partner] ?? 1);
        if (
          j === undefined ||
          hq < jq ||
          (hq === jq &&
            (hs < js ||
              (hs === js && (h.priority > j.priority || (h.priority === j.priority && bySubmit(h, j) < 0)))))
        ) {
          j = h;
          jq = hq;
          js = hs;
        }
      }
      if (j === undefined) return;
      if (ctx.tryStart(j)) continue;
      if (j.readyS > ctx.now) {
        // Restarting after an interruption: it waits for its restart time, not for capacity.
        blocked ??= new Set<Job>();
        blocked.add(j);
        continue;
      }
      if (ctx.withinQuota(j) && ctx.borrowedRunning() > 0) {
        // Reclaim borrowed capacity for an in-quota job.
        const pool = j.pool ?? 0;
        const chosen = victims(
          ctx,
          j,
          ctx
            .running()
            .filter((r) => r.borrowed && (r.pool ?? 0) === pool)
            .sort((a, b) => b.startedS - a.startedS),
        );
        if (chosen !== null && chosen.length > 0) {
          for (const v of chosen) ctx.preempt(v);
          if (ctx.tryStart(j)) continue;
        }
      }
      if (ctx.now - j.readyS > ctx.starvationS) {
        // A drain: nothing else of its pool starts until it runs.
        drained ??= new Set<number>();
        if (block(drained, j, ctx)) return;
        continue;
      }
      blocked ??= new Set<Job>();
      blocked.add(j);
    }
  },
};

/** Jobs the backfill pass considers per pool and pass: Slurm's `bf_max_job_test` default (slurm.conf). */
export const BACKFILL_MAX_JOB_TEST = 500;

/**
 * When the blocked job `head` can start if running jobs end as expected (accelerators counted, placement
 * not), and how many accelerators beyond its need are free then.
 */
function reservation(ctx: SchedulerContext, pool: number, head: Job): { shadowS: number; extra: number } {
  let free = ctx.free(pool);
  for (const r of ctx.endingFirst(pool)) {
    if (free >= head.size) break;
    free += r.size;
    if (free >= head.size) return { shadowS: r.expectedEndS, extra: free - head.size };
  }
  return free >= head.size
    ? { shadowS: ctx.now, extra: free - head.size }
    : { shadowS: Number.POSITIVE_INFINITY, extra: 0 };
}

/**
 * One pool's backfill pass: jobs start in priority order until one cannot; it gets a reservation (the
 * earliest time enough accelerators free up, from running jobs' expected ends), and later jobs start
 * only if they would finish by then or fit in what the reservation leaves over.
 */
function backfillPool(ctx: SchedulerContext, pool: number): void {
  let reserved: { shadowS: number; extra: number } | null = null;
  for (const j of ctx.pending(pool, BACKFILL_MAX_JOB_TEST)) {
    if (j.state !== "pending" || j.size > ctx.free(pool)) {
      if (
        reserved === null &&
        j.state === "pending" &&
        j.readyS <= ctx.now &&
        (ctx.withinQuota(j) || ctx.borrowing)
      )
        reserved = reservation(ctx, pool, j);
      continue;
    }
    if (reserved === null) {
      if (ctx.tryStart(j) || j.readyS > ctx.now) continue;
      if (ctx.withinQuota(j) || ctx.borrowing) reserved = reservation(ctx, pool, j);
      continue;
    }
    const before = ctx.now + ctx.expectedRunS(j) <= reserved.shadowS;
    if (!before && j.size > reserved.extra) continue;
    if (ctx.tryStart(j) && !before) reserved.extra -= j.size;
  }
}

/**
 * Priority with EASY backfill (as Slurm's sched/backfill, Lifka 1995): the highest-priority job that
 * cannot start holds a reservation, and lower ones start around it when they do not delay it. Run times
 * are known exactly (users' time limits are longer: Slurm backfills less than this).
 */
export const backfill: Scheduler = {
  id: "backfill",
  needsEnds: true,
  schedule(ctx) {
    for (let pool = 0; pool < ctx.pools; pool++) backfillPool(ctx, pool);
  },
};

export const SCHEDULERS: readonly Scheduler[] = [fifo, priority, fairShare, backfill];
export type SchedulerId = "fifo" | "priority" | "fair-share" | "backfill";
export const SCHEDULER_IDS: readonly SchedulerId[] = ["fifo", "priority", "fair-share", "backfill"];

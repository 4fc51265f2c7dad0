import type { Random } from "../random.js";
import type { Sites } from "./cluster.js";
import type { Job } from "./job.js";

/** One cause of interruption, with its share of all interruptions. */
export interface FailureCause {
  readonly name: string;
  readonly share: number;
  /** Hardware causes take the failed accelerator's node down until it is repaired. */
  readonly hardware: boolean;
}

/** Failures: a Poisson process per accelerator; hardware causes take a node down until repaired. */
export interface FailureModel {
  /** Interruptions per accelerator-hour, all causes together. */
  readonly ratePerAccHour: number;
  readonly causes: readonly FailureCause[];
  /** Mean time to repair a failed node, s (exponential). */
  readonly repairS: number;
  /** Time from an interruption to the job running again (detection, rescheduling, loading the checkpoint), s. */
  readonly restartS: number;
  /** Wall time between checkpoints of a running training job, s. */
  readonly checkpointIntervalS: number;
  /** Time a checkpoint stalls the job, s. */
  readonly checkpointCostS: number;
}

/** Where a failure strikes: an accelerator (global domain, node, slot in the domain) and its cause. */
export interface Strike {
  readonly d: number;
  readonly node: number;
  readonly slot: number;
  readonly nodeSize: number;
  readonly cause: FailureCause;
}

/** The first accelerator index of each site (accelerators numbered site by site). */
export function siteStarts(cluster: Sites): number[] {
  const out: number[] = [];
  let acc = 0;
  for (const c of cluster.clusters) {
    out.push(acc);
    acc += c.size;
  }
  return out;
}

/**
 * Draw a failure: the accelerator uniformly over the fleet (its site, domain and slot), then the cause by
 * its share. Three draws from `rng`, always in this order.
 */
export function drawStrike(
  cluster: Sites,
  starts: readonly number[],
  causes: readonly FailureCause[],
  rng: Random,
): Strike | null {
  const a = Math.min(cluster.size - 1, Math.floor(rng.next() * cluster.size));
  let site = 0;
  while (site + 1 < starts.length && (starts[site + 1] as number) <= a) site++;
  const sc = cluster.clusters[site];
  if (sc === undefined) return null;
  const d = (cluster.offsets[site] as number) + Math.floor((a - (starts[site] as number)) / sc.domainSize);
  const slot = Math.floor(rng.next() * sc.domainSize);
  const shares = causes.reduce((s, c) => s + c.share, 0);
  let u = rng.next() * shares;
  let cause = causes[causes.length - 1];
  for (const c of causes) {
    if (u < c.share) {
      cause = c;
      break;
    }
    u -= c.share;
  }
  if (cause === undefined) return null;
  return { d, node: Math.floor(slot / sc.nodeSize), slot, nodeSize: sc.nodeSize, cause };
}

/**
 * The jobs a strike interrupts. Work fills the domain's up nodes in allocation order, so the failed
 * accelerator's position among them says which jobs it (or, for a hardware cause, its whole node)
 * serves; beyond the work it is idle. `jobs` are the domain's jobs in allocation order.
 */
export function jobsHit(cluster: Sites, s: Strike, jobs: readonly Job[]): Job[] {
  let rank = 0;
  for (let i = 0; i < s.node; i++) if (!cluster.isNodeDown(s.d, i)) rank++;
  const ns = s.nodeSize;
  const lo = s.cause.hardware ? rank * ns : rank * ns + (s.slot % ns);
  const hi = s.cause.hardware ? lo + ns : lo + 1;
  const hit: Job[] = [];
  let at = 0;
  for (const j of jobs) {
    const i = j.alloc?.domains.indexOf(s.d) ?? -1;
    const n = i >= 0 ? (j.alloc?.counts[i] ?? 0) : 0;
    if (at < hi && at + n > lo) hit.push(j);
    at += n;
  }
  return hit;
}

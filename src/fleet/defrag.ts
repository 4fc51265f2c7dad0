import type { Allocation, Placement, Sites } from "./cluster.js";
import { byStartSeq, type Job } from "./job.js";

/**
 * Defragmentation planning: which running jobs to move so that a gang job that no site can place (its
 * free accelerators are scattered over partly used domains) fits. Pure: it reads the cluster, tries
 * placements and puts everything back; the simulator moves the jobs.
 */

/** Anything but pretraining that fits inside one domain of its site may move. */
function movable(v: Job, gang: Job, domainSize: number): boolean {
  return v !== gang && v.state === "running" && v.kind !== "pretrain" && v.size < domainSize;
}

/**
 * Whether `gang` fits in site `site` once `victims` leave, and every victim then fits somewhere (largest
 * first) in its own pool; changes nothing.
 */
export function trialMove(
  cluster: Sites,
  gang: Job,
  site: number,
  victims: readonly Job[],
  placement: Placement,
): boolean {
  for (const v of victims) if (v.alloc !== null) cluster.release(v.alloc);
  const a = cluster.placeIn(site, gang.size, placement);
  let ok = false;
  if (a !== null) {
    cluster.commit(a);
    ok = true;
    const placed: Allocation[] = [];
    for (const v of [...victims].sort((x, y) => y.size - x.size)) {
      const b = cluster.place(v.size, placement, v.pool ?? 0);
      if (b === null) {
        ok = false;
        break;
      }
      cluster.commit(b);
      placed.push(b);
    }
    for (const b of placed) cluster.release(b);
    cluster.release(a);
  }
  for (const v of victims) if (v.alloc !== null) cluster.commit(v.alloc);
  return ok;
}

/**
 * The jobs to move for `gang`, or null: in the fullest site of its pool with enough free accelerators,
 * the partly used domains that hold only movable jobs, fewest used accelerators first, as many as the
 * gang lacks whole domains — when a trial placement says the gang and every moved job then fit.
 * `jobsOn(d)` lists the jobs on global domain d (any order; they move in allocation order).
 */
export function planDefrag(
  cluster: Sites,
  gang: Job,
  jobsOn: (d: number) => readonly Job[],
  placement: Placement,
): Job[] | null {
  for (const s of cluster.siteOrder(gang.size, gang.pool ?? 0)) {
    const c = cluster.clusters[s];
    if (c === undefined) continue;
    const D = c.domainSize;
    if (gang.size < D) continue;
    const need = Math.ceil(gang.size / D) - c.wholeFree;
    if (need <= 0) continue;
    const o = cluster.offsets[s] as number;
    const cand: { d: number; used: number }[] = [];
    for (let i = 0; i < c.domains; i++) {
      const f = c.free[i] as number;
      if (c.capacity[i] !== D || f === D) continue;
      if (jobsOn(o + i).every((v) => movable(v, gang, D))) cand.push({ d: o + i, used: D - f });
    }
    if (cand.length < need) continue;
    cand.sort((x, y) => x.used - y.used || x.d - y.d);
    const victims = new Set<Job>();
    for (let k = 0; k < need; k++)
      for (const v of [...jobsOn(cand[k]?.d ?? -1)].sort(byStartSeq)) victims.add(v);
    const list = [...victims];
    if (trialMove(cluster, gang, s, list, placement)) return list;
  }
  return null;
}

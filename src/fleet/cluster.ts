/**
 * Accelerators grouped into scale-up domains (an NVLink node or rack), each up or down, with free counts
 * kept in buckets by free count so placements are O(domains touched), not O(fleet).
 */

/** Where a job runs: domain indices and the accelerators it holds in each. */
export interface Allocation {
  readonly domains: readonly number[];
  readonly counts: readonly number[];
  /** The site the allocation lies in (a gang never spans sites). */
  readonly site?: number;
  /** Pods it spans (1 when the cluster has no pods). */
  readonly pods?: number;
}

/** How a job's accelerators are chosen. */
export type Placement = "topology" | "spread";

export class Cluster {
  readonly free: Int32Array;
  /** 1 while the domain has any node up. */
  readonly up: Uint8Array;
  /** Accelerators on up nodes of each domain. */
  readonly capacity: Int32Array;
  /** 1 for each node (domain × nodesPerDomain + node) that is down. */
  readonly nodeDown: Uint8Array;
  readonly nodesPerDomain: number;
  /** bucket[k] holds the up domains with exactly k free accelerators. */
  private readonly members: Int32Array[];
  private readonly counts: Int32Array;
  private readonly pos: Int32Array;
  freeTotal: number;
  upDomains: number;
  /** Accelerators on up nodes. */
  upTotal: number;
  readonly pods: number;
  /** Whole free domains in each pod. */
  private readonly podWhole: Int32Array;

  constructor(
    readonly domains: number,
    readonly domainSize: number,
    /** Accelerators per node: the unit that fails and is repaired (a server, an NVL72 compute tray). */
    readonly nodeSize: number = domainSize,
    /** Domains per pod (consecutive domains; the last pod may be smaller); default: one pod. */
    readonly podDomains: number = domains,
  ) {
    this.pods = Math.max(1, Math.ceil(domains / Math.max(1, podDomains)));
    this.podWhole = new Int32Array(this.pods);
    this.nodesPerDomain = Math.max(1, Math.floor(domainSize / nodeSize));
    this.free = new Int32Array(domains).fill(domainSize);
    this.up = new Uint8Array(domains).fill(1);
    this.capacity = new Int32Array(domains).fill(domainSize);
    this.nodeDown = new Uint8Array(domains * this.nodesPerDomain);
    this.members = Array.from({ length: domainSize + 1 }, () => new Int32Array(domains));
    this.counts = new Int32Array(domainSize + 1);
    this.pos = new Int32Array(domains);
    for (let d = 0; d < domains; d++) this.add(d, domainSize);
    this.freeTotal = domains * domainSize;
    this.upDomains = domains;
    this.upTotal = domains * domainSize;
  }

  get size(): number {
    return this.domains * this.domainSize;
  }

  /** Up domains with every accelerator free. */
  get wholeFree(): number {
    return this.counts[this.domainSize] as number;
  }

  /** The pod of a domain. */
  private podOf(d: number): number {
    return this.pods === 1 ? 0 : Math.floor(d / this.podDomains);
  }

  private add(d: number, k: number): void {
    if (k === this.domainSize) this.podWhole[this.podOf(d)] = (this.podWhole[this.podOf(d)] as number) + 1;
    const n = this.counts[k] as number;
    (this.members[k] as Int32Array)[n] = d;
    this.pos[d] = n;
    this.counts[k] = n + 1;
  }

  private remove(d: number, k: number): void {
    if (k === this.domainSize) this.podWhole[this.podOf(d)] = (this.podWhole[this.podOf(d)] as number) - 1;
    const m = this.members[k] as Int32Array;
    const n = (this.counts[k] as number) - 1;
    const i = this.pos[d] as number;
    const last = m[n] as number;
    m[i] = last;
    this.pos[last] = i;
    this.counts[k] = n;
  }

  private take(d: number, n: number): void {
    const f = this.free[d] as number;
    this.remove(d, f);
    this.free[d] = f - n;
    this.add(d, f - n);
    this.freeTotal -= n;
  }

  /**
   * Choose accelerators for `n` (null when they are not free now); nothing is taken. Domain indices in
   * the result are offset by `offset` and it is tagged with `site` (for a cluster that is one site of
   * several).
   */
  place(n: number, how: Placement, offset = 0, site = 0): Allocation | null {
    if (n > this.freeTotal || n <= 0) return null;
    const size = this.domainSize;
    const domains: number[] = [];
    const counts: number[] = [];
    if (how === "topology") {
      // Whole free domains for the multiple of the domain size, best fit for the remainder.
      const whole = Math.floor(n / size);
      const rest = n - whole * size;
      if ((this.counts[size] as number) < whole) return null;
      if (this.pods > 1 && whole > 0) this.wholeByPod(whole, domains, counts);
      else {
        const full = this.members[size] as Int32Array;
        for (let i = 0; i < whole; i++) {
          domains.push(full[(this.counts[size] as number) - 1 - i] as number);
          counts.push(size);
        }
      }
      if (rest > 0) {
        let found = -1;
        for (let k = rest; k < size && found < 0; k++)
          if ((this.counts[k] as number) > 0)
            found = (this.members[k] as Int32Array)[(this.counts[k] as number) - 1] as number;
        if (found < 0 && (this.counts[size] as number) > whole) {
          // A whole domain not already chosen: in the job's (first) pod when it has one.
          const m = this.members[size] as Int32Array;
          const pod = domains.length > 0 && this.pods > 1 ? this.podOf(domains[0] as number) : -1;
          for (let j = (this.counts[size] as number) - 1; j >= 0; j--) {
            const d = m[j] as number;
            if (domains.includes(d)) continue;
            if (found < 0) found = d;
            if (pod < 0 || this.podOf(d) === pod) {
              found = d;
              break;
            }
          }
        }
        if (found < 0) return null;
        domains.push(found);
        counts.push(rest);
      }
      return this.allocation(domains, counts, offset, site);
    }
    // Spread: fill partly used domains first (fewest free first), then whole ones, ignoring topology.
    let left = n;
    for (let k = 1; k <= size && left > 0; k++) {
      const m = this.members[k] as Int32Array;
      const c = this.counts[k] as number;
      for (let j = c - 1; j >= 0 && left > 0; j--) {
        const t = Math.min(k, left);
        domains.push(m[j] as number);
        counts.push(t);
        left -= t;
      }
    }
    return left === 0 ? this.allocation(domains, counts, offset, site) : null;
  }

  private allocation(domains: number[], counts: number[], offset: number, site: number): Allocation {
    const pods = this.podsSpanned(domains);
    if (offset !== 0) for (let i = 0; i < domains.length; i++) domains[i] = (domains[i] as number) + offset;
    return { domains, counts, site, pods };
  }

  /**
   * Choose `whole` whole free domains spanning as few pods as possible: the pod with the fewest whole
   * free domains that still holds them all (best fit, keeping large pods open), else the pods with the
   * most first.
   */
  private wholeByPod(whole: number, domains: number[], counts: number[]): void {
    let best = -1;
    for (let p = 0; p < this.pods; p++) {
      const w = this.podWhole[p] as number;
      if (w >= whole && (best < 0 || w < (this.podWhole[best] as number))) best = p;
    }
    const order =
      best >= 0
        ? [best]
        : Array.from({ length: this.pods }, (_, p) => p).sort(
            (a, b) => (this.podWhole[b] as number) - (this.podWhole[a] as number) || a - b,
          );
    let left = whole;
    for (const p of order) {
      const end = Math.min(this.domains, (p + 1) * this.podDomains);
      for (let d = p * this.podDomains; d < end && left > 0; d++)
        if (this.free[d] === this.domainSize && this.up[d] === 1) {
          domains.push(d);
          counts.push(this.domainSize);
          left--;
        }
      if (left === 0) return;
    }
  }

  /** Distinct pods among domains. */
  private podsSpanned(domains: readonly number[]): number {
    if (this.pods === 1 || domains.length <= 1) return 1;
    const seen = new Set<number>();
    for (const d of domains) seen.add(this.podOf(d));
    return seen.size;
  }

  /** Take an allocation found by `place` (its domain indices less `offset`). */
  commit(a: Allocation, offset = 0): void {
    for (let i = 0; i < a.domains.length; i++)
      this.take((a.domains[i] as number) - offset, a.counts[i] as number);
  }

  /** Give back an allocation (domains that went down meanwhile get nothing back: they reset on repair). */
  release(a: Allocation, offset = 0): void {
    for (let i = 0; i < a.domains.length; i++) {
      const d = (a.domains[i] as number) - offset;
      if (this.up[d] === 0) continue;
      const f = this.free[d] as number;
      const n = a.counts[i] as number;
      this.remove(d, f);
      this.free[d] = f + n;
      this.add(d, f + n);
      this.freeTotal += n;
    }
  }

  /**
   * Take one node of a domain down. Its accelerators must be free: release the allocations on it first
   * (the simulator interrupts them). Returns false when the node was already down.
   */
  failNode(d: number, node: number): boolean {
    const k = d * this.nodesPerDomain + node;
    if (this.nodeDown[k] === 1) return false;
    const f = this.free[d] as number;
    const n = this.nodeSize;
    if (f < n) throw new Error(`node ${node} of domain ${d} still holds work`);
    this.remove(d, f);
    this.nodeDown[k] = 1;
    this.free[d] = f - n;
    this.capacity[d] = (this.capacity[d] as number) - n;
    this.freeTotal -= n;
    this.upTotal -= n;
    if (this.capacity[d] === 0) {
      this.up[d] = 0;
      this.upDomains--;
    } else this.add(d, f - n);
    return true;
  }

  /** Bring a node back, empty. */
  repairNode(d: number, node: number): void {
    const k = d * this.nodesPerDomain + node;
    if (this.nodeDown[k] === 0) return;
    const f = this.free[d] as number;
    if (this.up[d] === 1) this.remove(d, f);
    else {
      this.up[d] = 1;
      this.upDomains++;
    }
    this.nodeDown[k] = 0;
    const n = this.nodeSize;
    this.free[d] = f + n;
    this.capacity[d] = (this.capacity[d] as number) + n;
    this.freeTotal += n;
    this.upTotal += n;
    this.add(d, f + n);
  }

  isNodeDown(d: number, node: number): boolean {
    return this.nodeDown[d * this.nodesPerDomain + node] === 1;
  }

  /** Take a whole domain down (every node; nothing may run on it). */
  fail(d: number): void {
    for (let i = 0; i < this.nodesPerDomain; i++) this.failNode(d, i);
  }

  /** Bring every node of a domain back. */
  repair(d: number): void {
    for (let i = 0; i < this.nodesPerDomain; i++) this.repairNode(d, i);
  }
}

/** The smallest number of accelerators a job holds in one domain: its effective scale-up domain. */
export function smallestFragment(a: Allocation): number {
  let m = Number.POSITIVE_INFINITY;
  for (const c of a.counts) if (c < m) m = c;
  return m;
}

/** One site's shape: its domains, their size, the failing node, its pods and its pool. */
export interface SiteShape {
  readonly domains: number;
  readonly domainSize: number;
  /** Accelerators per node (default: the whole domain). */
  readonly nodeSize?: number;
  /** Domains per pod (default: the site is one pod). */
  readonly podDomains?: number;
  /** The accelerator type (pool) the site holds: a job runs only on sites of its pool (default 0). */
  readonly pool?: number;
}

/**
 * Several sites behind one domain numbering (site k's domains follow site k−1's); each site holds one
 * accelerator type (its pool) with its own scale-up domain size. A job runs inside one site of its pool:
 * placement tries the site with the fewest free accelerators that can take it (packing), so large gaps
 * stay open for large jobs.
 */
export class Sites {
  readonly clusters: Cluster[];
  readonly offsets: number[];
  readonly pools: number[];
  readonly domains: number;
  readonly size: number;

  constructor(shapes: readonly SiteShape[]) {
    this.clusters = shapes.map(
      (x) => new Cluster(x.domains, x.domainSize, x.nodeSize ?? x.domainSize, x.podDomains ?? x.domains),
    );
    this.pools = shapes.map((x) => x.pool ?? 0);
    this.offsets = [];
    let o = 0;
    let size = 0;
    for (const x of shapes) {
      this.offsets.push(o);
      o += x.domains;
      size += x.domains * x.domainSize;
    }
    this.domains = o;
    this.size = size;
  }

  get freeTotal(): number {
    let f = 0;
    for (const c of this.clusters) f += c.freeTotal;
    return f;
  }

  get upTotal(): number {
    let u = 0;
    for (const c of this.clusters) u += c.upTotal;
    return u;
  }

  /** Free accelerators in the sites of a pool. */
  freeIn(pool: number): number {
    let f = 0;
    for (let k = 0; k < this.clusters.length; k++)
      if (this.pools[k] === pool) f += (this.clusters[k] as Cluster).freeTotal;
    return f;
  }

  /** The site of a global domain index and the index within it. */
  locate(d: number): [number, number] {
    let s = this.clusters.length - 1;
    while (s > 0 && (this.offsets[s] as number) > d) s--;
    return [s, d - (this.offsets[s] as number)];
  }

  /** Choose accelerators inside site `s` (global domain indices), or null. */
  placeIn(s: number, n: number, how: Placement): Allocation | null {
    return this.clusters[s]?.place(n, how, this.offsets[s] as number, s) ?? null;
  }

  /** Sites of a pool with at least `n` free accelerators, fewest free first (the packing order). */
  siteOrder(n: number, pool = 0): number[] {
    const out: number[] = [];
    this.clusters.forEach((c, k) => {
      if (c.freeTotal >= n && this.pools[k] === pool) out.push(k);
    });
    return out.sort(
      (a, b) => (this.clusters[a]?.freeTotal ?? 0) - (this.clusters[b]?.freeTotal ?? 0) || a - b,
    );
  }

  place(n: number, how: Placement, pool = 0): Allocation | null {
    const cs = this.clusters;
    if (cs.length === 1) return this.pools[0] === pool ? this.placeIn(0, n, how) : null;
    // The fullest site that can take the job (siteOrder's order, without allocating: this is the hot
    // path), then, when fragmentation stops it, the next fullest.
    let after = -1;
    let afterFree = -1;
    for (;;) {
      let pick = -1;
      let fewest = Number.POSITIVE_INFINITY;
      for (let k = 0; k < cs.length; k++) {
        const f = (cs[k] as Cluster).freeTotal;
        if (this.pools[k] !== pool || f < n || f < afterFree || (f === afterFree && k <= after)) continue;
        if (f < fewest) {
          fewest = f;
          pick = k;
        }
      }
      if (pick < 0) return null;
      const a = this.placeIn(pick, n, how);
      if (a !== null) return a;
      after = pick;
      afterFree = fewest;
    }
  }

  commit(a: Allocation): void {
    const s = a.site ?? 0;
    this.clusters[s]?.commit(a, this.offsets[s] as number);
  }

  release(a: Allocation): void {
    const s = a.site ?? 0;
    this.clusters[s]?.release(a, this.offsets[s] as number);
  }

  fail(d: number): void {
    const [s, i] = this.locate(d);
    this.clusters[s]?.fail(i);
  }

  repair(d: number): void {
    const [s, i] = this.locate(d);
    this.clusters[s]?.repair(i);
  }

  failNode(d: number, node: number): boolean {
    const [s, i] = this.locate(d);
    return this.clusters[s]?.failNode(i, node) ?? false;
  }

  repairNode(d: number, node: number): void {
    const [s, i] = this.locate(d);
    this.clusters[s]?.repairNode(i, node);
  }

  isNodeDown(d: number, node: number): boolean {
    const [s, i] = this.locate(d);
    return this.clusters[s]?.isNodeDown(i, node) ?? false;
  }

  capacityAt(d: number): number {
    const [s, i] = this.locate(d);
    return this.clusters[s]?.capacity[i] ?? 0;
  }

  isUp(d: number): boolean {
    const [s, i] = this.locate(d);
    return this.clusters[s]?.up[i] === 1;
  }

  freeAt(d: number): number {
    const [s, i] = this.locate(d);
    return this.clusters[s]?.free[i] ?? 0;
  }
}

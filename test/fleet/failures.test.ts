import { describe, expect, it } from "vitest";
import { Sites } from "../../src/fleet/cluster.js";
import { drawStrike, jobsHit, siteStarts } from "../../src/fleet/failures.js";
import type { Job } from "../../src/fleet/job.js";
import { seededRandom } from "../../src/random.js";

const causes = [
  { name: "hw", share: 3, hardware: true },
  { name: "sw", share: 1, hardware: false },
];

describe("where a failure strikes", () => {
  it("is uniform over accelerators across sites of different domain sizes, causes by share", () => {
    // 16 accelerators in 8-GPU servers and 72 in one NVL72-like rack of 4-GPU trays.
    const sites = new Sites([
      { domains: 2, domainSize: 8 },
      { domains: 1, domainSize: 72, nodeSize: 4, pool: 1 },
    ]);
    const starts = siteStarts(sites);
    expect(starts).toEqual([0, 16]);
    const rng = seededRandom(5);
    let rack = 0;
    let hw = 0;
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const s = drawStrike(sites, starts, causes, rng);
      if (s === null) throw new Error("no strike");
      if (s.d === 2) {
        rack++;
        expect(s.nodeSize).toBe(4);
        expect(s.node).toBeLessThan(18);
      } else expect(s.node).toBe(0);
      if (s.cause.hardware) hw++;
    }
    expect(Math.abs(rack / n - 72 / 88)).toBeLessThan(0.01);
    expect(Math.abs(hw / n - 0.75)).toBeLessThan(0.01);
  });

  it("hits the jobs whose work fills the failed accelerator or, for hardware, its node", () => {
    // One 8-accelerator domain of two 4-accelerator nodes; jobs a (3), b (3), c (2) in allocation order
    // fill slots 0-2, 3-5, 6-7.
    const sites = new Sites([{ domains: 1, domainSize: 8, nodeSize: 4 }]);
    const job = (id: number, n: number) => ({ id, alloc: { domains: [0], counts: [n] } }) as unknown as Job;
    const jobs = [job(1, 3), job(2, 3), job(3, 2)];
    const hw = causes[0] as (typeof causes)[number];
    const sw = causes[1] as (typeof causes)[number];
    const ids = (xs: Job[]) => xs.map((j) => j.id);
    // Software on slot 3: only b. Hardware on node 0 (slots 0-3): a and b. Hardware on node 1: b and c.
    expect(ids(jobsHit(sites, { d: 0, node: 0, slot: 3, nodeSize: 4, cause: sw }, jobs))).toEqual([2]);
    expect(ids(jobsHit(sites, { d: 0, node: 0, slot: 1, nodeSize: 4, cause: hw }, jobs))).toEqual([1, 2]);
    expect(ids(jobsHit(sites, { d: 0, node: 1, slot: 7, nodeSize: 4, cause: hw }, jobs))).toEqual([2, 3]);
    // With node 0 down, work fills node 1 first: a failure there hits a (slots 0-2 of the up nodes).
    sites.failNode(0, 0);
    expect(ids(jobsHit(sites, { d: 0, node: 1, slot: 5, nodeSize: 4, cause: sw }, jobs.slice(0, 1)))).toEqual(
      [1],
    );
  });
});

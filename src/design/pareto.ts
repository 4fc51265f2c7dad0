import type { DesignPointResult } from "./design.js";

/**
 * The Pareto front of a design space, its knee, and why each dominated point loses. Objectives: cost per
 * million tokens (lower), tokens per joule (higher), days to train (lower), and what one year's supply
 * builds: tokens a day and training runs a year (higher). Objectives no workload gives are left out.
 */

export const OBJECTIVES = [
  { key: "usdPerMillionTokens", better: "min", serves: true },
  { key: "tokensPerJoule", better: "max", serves: true },
  { key: "trainDays", better: "min", serves: false },
  { key: "tokensPerDayFromSupply", better: "max", serves: true },
  { key: "trainingRunsPerYearFromSupply", better: "max", serves: false },
] as const;
export type ObjectiveKey = (typeof OBJECTIVES)[number]["key"];
type Objective = (typeof OBJECTIVES)[number];

/** A point's value of an objective, signed so that larger is better. */
const score = (p: DesignPointResult, o: Objective): number => {
  const v = p[o.key] as number;
  return o.better === "min" ? -v : v;
};

/** Whether `a` is at least as good as `b` on every objective and better on one. */
export function dominates(
  a: DesignPointResult,
  b: DesignPointResult,
  objectives: readonly Objective[],
): boolean {
  let better = false;
  for (const o of objectives) {
    const x = score(a, o);
    const y = score(b, o);
    if (x < y) return false;
    if (x > y) better = true;
  }
  return better;
}

/** How a dominated point loses: the front point that beats it by the most, and by how much on each objective. */
export interface Loss {
  readonly index: number;
  readonly to: number;
  /** Relative change from the dominated point to the winner, per objective (0.12: 12% more). */
  readonly by: Readonly<Partial<Record<ObjectiveKey, number>>>;
}

export interface Front {
  readonly objectives: readonly ObjectiveKey[];
  /** Indices of the non-dominated points, in index order. */
  readonly pareto: readonly number[];
  /** The front point nearest the ideal (each objective scaled 0-1 over the front, weighted by the mix). */
  readonly knee: number | null;
  readonly losses: readonly Loss[];
}

/** The objectives the points have (a mix without training has no days to train). */
function objectivesOf(points: readonly DesignPointResult[]): Objective[] {
  return OBJECTIVES.filter((o) => points.some((p) => p[o.key] !== null));
}

/** Relative change of each objective from `from` to `to`. */
function changes(from: DesignPointResult, to: DesignPointResult, objectives: readonly Objective[]) {
  const by: Partial<Record<ObjectiveKey, number>> = {};
  for (const o of objectives) {
    const a = from[o.key] as number;
    const b = to[o.key] as number;
    by[o.key] = a !== 0 ? (b - a) / Math.abs(a) : 0;
  }
  return by;
}

/** The front point nearest the ideal: each objective scaled 0 (best on the front) to 1 (worst), weighted. */
function kneeOf(
  front: readonly DesignPointResult[],
  objectives: readonly Objective[],
  serveWeight: number,
): number | null {
  if (front.length === 0) return null;
  // Each objective's best and worst over the front, once.
  const ranges = objectives.map((o) => {
    const s = front.map((q) => score(q, o));
    return { o, hi: Math.max(...s), lo: Math.min(...s) };
  });
  let best: { d: number; i: number } | null = null;
  for (const p of front) {
    let d = 0;
    for (const { o, hi, lo } of ranges) {
      const n = hi > lo ? (hi - score(p, o)) / (hi - lo) : 0;
      d += (o.serves ? serveWeight : 1 - serveWeight) * n * n;
    }
    if (best === null || d < best.d - 1e-12) best = { d, i: p.index };
  }
  return best?.i ?? null;
}

/**
 * The front of the feasible points (a point with a problem is on no front), the knee, and for each
 * dominated point the front point that beats it by the largest total margin. `serveWeight`: the mix's
 * share of serving (the knee weighs the serving objectives by it, training's by the rest).
 */
export function paretoFront(points: readonly DesignPointResult[], serveWeight: number): Front {
  const ok = points.filter((p) => p.problem === null);
  const objectives = objectivesOf(ok);
  const front = ok.filter((p) => !ok.some((q) => dominates(q, p, objectives)));
  const losses = ok
    .filter((p) => !front.includes(p))
    .map((p) => {
      let best: { q: DesignPointResult; margin: number } | null = null;
      for (const q of front) {
        if (!dominates(q, p, objectives)) continue;
        const margin = objectives.reduce(
          (m, o) => m + Math.abs((score(q, o) - score(p, o)) / (score(p, o) || 1)),
          0,
        );
        if (best === null || margin > best.margin) best = { q, margin };
      }
      const to = best?.q ?? (front[0] as DesignPointResult);
      return { index: p.index, to: to.index, by: changes(p, to, objectives) };
    });
  return {
    objectives: objectives.map((o) => o.key),
    pareto: front.map((p) => p.index),
    knee: kneeOf(front, objectives, serveWeight),
    losses,
  };
}

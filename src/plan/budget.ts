import { COST_PER_GW, type CostPerGwReference } from "../catalog/index.js";
import { quarterLabel } from "../quarter.js";
import type { Constraint, SupplyQuarter } from "../supply/ramp.js";

/** Capex to spend from quarter `from`: all of it at once, or at most `perQuarterUsd` a quarter. */
export interface PlanBudget {
  readonly capexUsd: number;
  readonly from: number;
  readonly perQuarterUsd: number | null;
}

/** Money available by the end of quarter q: none before `from`, then up to perQuarterUsd a quarter, never over capexUsd. */
export function moneyAt(b: PlanBudget, q: number): number {
  if (q < b.from) return 0;
  return b.perQuarterUsd === null ? b.capexUsd : Math.min(b.capexUsd, b.perQuarterUsd * (q - b.from + 1));
}

/**
 * Cumulative accelerators the budget buys by each quarter: the money available over the capex of one
 * accelerator with its share of the facility (system, network, storage, and kW × build cost per MW).
 */
export function budgetAllows(b: PlanBudget, q0: number, n: number, unitCapexUsd: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor(moneyAt(b, q0 + i) / unitCapexUsd + 1e-9));
}

/** A run of quarters in which the same input held the fleet's growth. */
export interface LimitRun {
  readonly from: string;
  readonly to: string;
  readonly constraint: Constraint;
}

/** The budget outcome: what the money bought, by when, what held it, and what the demand would need. */
export interface BudgetOutcome {
  readonly capexUsd: number;
  readonly from: string;
  readonly perQuarterUsd: number | null;
  /** Capex of the installed fleet at the end: accelerators × the capex of one with its facility share. */
  readonly spentUsd: number;
  readonly accelerators: number;
  /** Provisioned IT power of the fleet bought, MW. */
  readonly itMw: number;
  /** First quarter the stated demand exceeds the fleet the budget bought (null: never). */
  readonly firstShortfallQuarter: string | null;
  /** The input that held the fleet first (from the budget's first quarter), and each run of quarters by the input that held it. */
  readonly bindsFirst: Constraint | null;
  readonly limits: readonly LimitRun[];
  readonly unitCapexUsd: number;
  /** The budget the stated demand needs: its peak accelerators × the capex of one. */
  readonly neededCapexUsd: number;
  /** Quarter by quarter: the money available so far and the capex of the fleet installed. */
  readonly byQuarter: readonly {
    readonly quarter: string;
    readonly availableUsd: number;
    readonly spentUsd: number;
  }[];
  /** Output tokens a day the fleet bought serves at the end, each service alone on the whole fleet (mean rate: peak capacity / peakToMeanLoad). */
  readonly servingTokensPerDay: readonly { readonly name: string; readonly tokensPerDay: number }[];
  /** Each training run: the accelerators it needs and the first quarter the fleet bought holds them (null: never in the plan). */
  readonly trainingRuns: readonly {
    readonly name: string;
    readonly gpus: number;
    readonly firstQuarter: string | null;
  }[];
  /** The plan's capex per GW beside the published figures. */
  readonly costPerGw: CostPerGw;
}

export interface CostPerGw {
  /** Capex per GW of provisioned IT power, and per GW of facility power at the design PUE. */
  readonly itUsdPerGw: number;
  readonly facilityUsdPerGw: number;
  readonly published: readonly CostPerGwReference[];
  /** Published low and high together. */
  readonly bracket: readonly [number, number];
  /** Where the facility figure falls: below, within or above the bracket. */
  readonly position: "below" | "within" | "above";
}

/** The plan's capex per GW (IT and facility) beside the published bracket. */
export function costPerGw(unitCapexUsd: number, kwPerAccelerator: number, designPue: number): CostPerGw {
  const itUsdPerGw = (unitCapexUsd / kwPerAccelerator) * 1e6;
  const facilityUsdPerGw = itUsdPerGw / designPue;
  const lo = Math.min(...COST_PER_GW.map((r) => r.lowUsdPerGw));
  const hi = Math.max(...COST_PER_GW.map((r) => r.highUsdPerGw));
  return {
    itUsdPerGw,
    facilityUsdPerGw,
    published: COST_PER_GW,
    bracket: [lo, hi],
    position: facilityUsdPerGw < lo ? "below" : facilityUsdPerGw > hi ? "above" : "within",
  };
}

/** Runs of quarters from the budget's first on, by the input that held the fleet's growth. */
export function limitRuns(quarters: readonly SupplyQuarter[], fromIndex: number): LimitRun[] {
  const runs: LimitRun[] = [];
  for (const q of quarters.slice(Math.max(0, fromIndex))) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.constraint === q.tightest)
      runs[runs.length - 1] = { ...last, to: q.quarter };
    else runs.push({ from: q.quarter, to: q.quarter, constraint: q.tightest });
  }
  return runs;
}

/** What the budget bought: everything but the services and runs, which the plan sizes. */
export function budgetSummary(
  b: PlanBudget,
  quarters: readonly SupplyQuarter[],
  q0: number,
  unitCapexUsd: number,
  kwPerAccelerator: number,
): Omit<BudgetOutcome, "servingTokensPerDay" | "trainingRuns" | "costPerGw"> {
  const last = quarters[quarters.length - 1];
  const installed = last?.installed ?? 0;
  const limits = limitRuns(quarters, b.from - q0);
  return {
    capexUsd: b.capexUsd,
    from: quarterLabel(b.from),
    perQuarterUsd: b.perQuarterUsd,
    spentUsd: installed * unitCapexUsd,
    accelerators: installed,
    itMw: (installed * kwPerAccelerator) / 1000,
    firstShortfallQuarter: quarters.find((q) => q.shortfall > 0)?.quarter ?? null,
    bindsFirst: limits[0]?.constraint ?? null,
    limits,
    unitCapexUsd,
    neededCapexUsd: Math.max(0, ...quarters.map((q) => q.demand)) * unitCapexUsd,
    byQuarter: quarters.map((q, i) => ({
      quarter: q.quarter,
      availableUsd: moneyAt(b, q0 + i),
      spentUsd: q.installed * unitCapexUsd,
    })),
  };
}

import type { Assumptions, CapacityPoint, HbmGeneration } from "../catalog/index.js";
import { parseQuarter, quarterLabel } from "../quarter.js";

/** Wafer diameter of HBM DRAM and CoWoS interposers, mm. */
export const WAFER_MM = 300;

/** Gross dies per wafer for a die of `areaMm2` (the standard estimate with edge loss): πr²/A − πd/√(2A). */
export function grossDiesPerWafer(areaMm2: number, waferMm = WAFER_MM): number {
  const r = waferMm / 2;
  return Math.max(0, (Math.PI * r * r) / areaMm2 - (Math.PI * waferMm) / Math.sqrt(2 * areaMm2));
}

/**
 * Known-good HBM stacks per DRAM wafer of a generation: die capacity = stack capacity / stack height;
 * die area = die capacity / DDR5 density × HBM area factor; good dies = gross dies × DDR5 yield ×
 * (1 − HBM yield penalty); stacks = good dies / stack height × stack yield. (The base die, made on a
 * separate wafer, is not counted.)
 */
export function stacksPerWafer(gen: HbmGeneration, a: Assumptions): { stacks: number; dieAreaMm2: number } {
  const height = gen.stackHeight ?? 8;
  const dieGbit = (gen.capacityPerStackBytes * 8) / 1e9 / height;
  const dieAreaMm2 = (dieGbit / a.ddr5DensityGbPerMm2) * a.hbmDieAreaFactor;
  const good = grossDiesPerWafer(dieAreaMm2) * a.ddr5Yield * (1 - a.hbmYieldPenalty);
  return { stacks: (good / height) * a.stackYield, dieAreaMm2 };
}

/**
 * Accelerator packages per CoWoS wafer: interposer area = (logic silicon + stacks × stack footprint) ×
 * interposer overhead; gross interposers per wafer × packaging yield.
 */
export function packagesPerWafer(
  logicMm2: number,
  stacks: number,
  a: Assumptions,
): { packages: number; interposerMm2: number } {
  const interposerMm2 = (logicMm2 + stacks * a.hbmFootprintMm2) * a.interposerOverhead;
  return { packages: grossDiesPerWafer(interposerMm2) * a.packagingYield, interposerMm2 };
}

/** Capacity in quarter `q`: linear between the stated points, flat before the first and after the last. */
export function capacityAt(points: readonly CapacityPoint[], q: number, path = "points"): number {
  const pts = points.map((p, i) => ({
    q: parseQuarter(p.quarter, `${path}[${i}].quarter`),
    w: p.wafersPerMonth,
  }));
  pts.sort((x, y) => x.q - y.q);
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (first === undefined || last === undefined) return 0;
  if (q <= first.q) return first.w;
  if (q >= last.q) return last.w;
  for (let i = 1; i < pts.length; i++) {
    const b = pts[i];
    const p = pts[i - 1];
    if (b !== undefined && p !== undefined && q <= b.q) return p.w + ((b.w - p.w) * (q - p.q)) / (b.q - p.q);
  }
  return last.w;
}

/** The inputs that can hold a fleet below its demand: the physical ones, and a budget when one is given. */
export type Constraint = "hbm" | "packaging" | "grid" | "construction" | "budget";
export type PhysicalConstraint = Exclude<Constraint, "budget">;
export const CONSTRAINTS: readonly PhysicalConstraint[] = ["hbm", "packaging", "grid", "construction"];

/** Cumulative accelerators each input allows; `budget` only when the plan has one. */
export type Allows = Readonly<Record<PhysicalConstraint, number>> & { readonly budget?: number };

/** IT megawatts a site can host each quarter: its grid connection / design PUE, and its built halls. */
export interface SitePower {
  readonly gridItMw: readonly number[];
  readonly builtItMw: readonly number[];
}

/**
 * IT MW usable in quarter i: Σ over sites of min(grid, built), plus extra grid or built MW placed at the
 * site it helps most (the one most short of that input).
 */
export function usableItMw(sites: readonly SitePower[], i: number, extra: SupplyExtra = {}): number {
  let mw = 0;
  let gridShort = 0;
  let builtShort = 0;
  for (const s of sites) {
    const g = s.gridItMw[i] ?? 0;
    const b = s.builtItMw[i] ?? 0;
    mw += Math.min(g, b);
    gridShort = Math.max(gridShort, b - g);
    builtShort = Math.max(builtShort, g - b);
  }
  return mw + Math.min(extra.gridItMw ?? 0, gridShort) + Math.min(extra.builtItMw ?? 0, builtShort);
}

export interface VendorSupply {
  readonly vendor: string;
  /** Home country (ISO alpha-2), or "unstated". */
  readonly country?: string;
  readonly points: readonly CapacityPoint[];
  /** Share of the vendor's HBM wafer output contracted to this buyer, 0-1. */
  readonly allocation: number;
  /** Output multiplied by `factor` from quarter `from` on (supply events). */
  readonly factors?: readonly OutputFactor[];
}

export interface OutputFactor {
  readonly from: number;
  readonly factor: number;
}

/** The product of the factors in force in quarter q. */
export function factorAt(factors: readonly OutputFactor[] | undefined, q: number): number {
  let f = 1;
  for (const x of factors ?? []) if (x.from <= q) f *= x.factor;
  return f;
}

export interface SupplyInput {
  /** First quarter of the plan; contracted wafers start then. */
  readonly start: number;
  readonly quarters: number;
  readonly generation: HbmGeneration;
  readonly stacksPerAccelerator: number;
  readonly logicMm2: number;
  readonly vendors: readonly VendorSupply[];
  readonly cowos: {
    readonly points: readonly CapacityPoint[];
    readonly allocation: number;
    readonly factors?: readonly OutputFactor[];
  };
  /** Per site, IT megawatts connected and built, per quarter of the plan. */
  readonly sites: readonly SitePower[];
  readonly kwPerAccelerator: number;
  /** Accelerators the demand needs installed, per quarter of the plan. */
  readonly demand: readonly number[];
  /**
   * With a budget: the cumulative accelerators the money allows by each quarter. The buyer then installs
   * all the inputs and the money allow, whatever the demand (the demand still decides the shortfall).
   */
  readonly budget?: readonly number[];
  /**
   * Demand that may be served only from some sites (a region's sovereignty rule): the sites' indices and
   * the accelerators it needs per quarter (part of `demand`). The rest of the demand may use any site.
   */
  readonly regions?: readonly RegionalDemand[];
  readonly a: Assumptions;
}

export interface RegionalDemand {
  readonly region: string;
  readonly sites: readonly number[];
  readonly demand: readonly number[];
}

/**
 * Accelerators of the demand the sites' power can serve in quarter i when regional demand may use only
 * its own sites: each region up to its sites' power, the rest of the demand up to the power left.
 */
export function regionalCapacity(
  s: SupplyInput,
  regions: readonly RegionalDemand[],
  i: number,
  count: (mw: number) => number,
): number {
  const siteMw = s.sites.map((p) => Math.min(p.gridItMw[i] ?? 0, p.builtItMw[i] ?? 0));
  let served = 0;
  let regional = 0;
  for (const r of regions) {
    const d = r.demand[i] ?? 0;
    regional += d;
    served += Math.min(d, count(r.sites.reduce((x, si) => x + (siteMw[si] ?? 0), 0)));
  }
  const total = count(siteMw.reduce((x, y) => x + y, 0));
  return served + Math.min(Math.max(0, (s.demand[i] ?? 0) - regional), Math.max(0, total - served));
}

/** Extra inputs for sensitivity runs, in the units a planner negotiates. */
export interface SupplyExtra {
  /** Extra HBM wafers per month allocated to this buyer, by vendor. */
  readonly hbmWafersPerMonth?: Readonly<Record<string, number>>;
  readonly cowosWafersPerMonth?: number;
  /** Extra grid connection, in IT MW. */
  readonly gridItMw?: number;
  /** Extra built halls, in IT MW. */
  readonly builtItMw?: number;
}

export interface SupplyQuarter {
  readonly quarter: string;
  readonly demand: number;
  /** Accelerators the connected, built IT power can host. */
  readonly power: number;
  /** Accelerators in service at the end of the quarter. */
  readonly installed: number;
  /** Cumulative accelerators each input allows by the end of the quarter. */
  readonly allows: Allows;
  /** The input that allows the fewest accelerators this quarter. */
  readonly tightest: Constraint;
  /** The input that holds the fleet below demand, or null when demand is met. */
  readonly binding: Constraint | null;
  readonly shortfall: number;
  readonly stacksDelivered: number;
  readonly packagesDelivered: number;
}

export interface SupplyResult {
  readonly quarters: readonly SupplyQuarter[];
  readonly stacksPerWafer: number;
  readonly hbmDieAreaMm2: number;
  readonly packagesPerWafer: number;
  readonly interposerMm2: number;
  /** Σ installed over quarters: accelerator-quarters delivered. */
  readonly acceleratorQuarters: number;
  /** Σ over quarters of what the inputs together allow, whatever the demand: accelerator-quarters of capacity. */
  readonly capacityQuarters: number;
}

/**
 * The fleet ramp: each quarter's contracted HBM wafers become stacks hbmLeadQuarters later and CoWoS
 * wafers become packages packagingLeadQuarters later; the cumulative stacks / stacks per accelerator,
 * cumulative packages, and connected IT MW / kW per accelerator each cap the fleet. The buyer installs up
 * to demand (never removing what is installed); a contract's output not yet needed is stored.
 */
export function supplyRamp(s: SupplyInput, extra: SupplyExtra = {}): SupplyResult {
  const a = s.a;
  const spw = stacksPerWafer(s.generation, a);
  const ppw = packagesPerWafer(s.logicMm2, s.stacksPerAccelerator, a);
  const hbmLead = Math.round(a.hbmLeadQuarters);
  const pkgLead = Math.round(a.packagingLeadQuarters);
  const hbmStarted: number[] = [];
  const pkgStarted: number[] = [];
  for (let i = 0; i < s.quarters; i++) {
    const q = s.start + i;
    let wafers = 0;
    s.vendors.forEach((v, vi) => {
      wafers +=
        capacityAt(v.points, q, `supply.hbm[${vi}].points`) * v.allocation * factorAt(v.factors, q) +
        (extra.hbmWafersPerMonth?.[v.vendor] ?? 0);
    });
    hbmStarted.push(3 * wafers * spw.stacks);
    const cowos =
      capacityAt(s.cowos.points, q, "supply.cowos.points") *
        s.cowos.allocation *
        factorAt(s.cowos.factors, q) +
      (extra.cowosWafersPerMonth ?? 0);
    pkgStarted.push(3 * cowos * ppw.packages);
  }
  let stacks = 0;
  let packages = 0;
  let installed = 0;
  let acceleratorQuarters = 0;
  let capacityQuarters = 0;
  const quarters: SupplyQuarter[] = [];
  for (let i = 0; i < s.quarters; i++) {
    stacks += hbmStarted[i - hbmLead] ?? 0;
    packages += pkgStarted[i - pkgLead] ?? 0;
    const count = (mw: number) => Math.floor((mw * 1000) / s.kwPerAccelerator + 1e-9);
    const sum = (f: (p: SitePower) => number) => s.sites.reduce((x, p) => x + f(p), 0);
    const money = s.budget?.[i];
    const allows: Allows = {
      hbm: Math.floor(stacks / s.stacksPerAccelerator + 1e-9),
      packaging: Math.floor(packages + 1e-9),
      grid: count(sum((p) => p.gridItMw[i] ?? 0) + (extra.gridItMw ?? 0)),
      construction: count(sum((p) => p.builtItMw[i] ?? 0) + (extra.builtItMw ?? 0)),
      ...(money !== undefined ? { budget: money } : {}),
    };
    const power = count(usableItMw(s.sites, i, extra));
    const demand = s.demand[i] ?? 0;
    const cap = Math.min(allows.hbm, allows.packaging, power);
    // With regions, the demand the sites' power can serve under the rule caps what is worth installing.
    const servable =
      s.regions !== undefined && s.regions.length > 0 ? regionalCapacity(s, s.regions, i, count) : demand;
    installed = Math.max(
      installed,
      money !== undefined ? Math.min(money, cap) : Math.min(demand, servable, cap),
    );
    const served = Math.min(installed, servable);
    // The smallest cap is the tightest input; power is split by which of grid and halls is the scarcer
    // overall. It binds when the fleet falls short of demand.
    const powerCause: Constraint = allows.grid <= allows.construction ? "grid" : "construction";
    const physical: Constraint =
      allows.hbm <= Math.min(allows.packaging, power)
        ? "hbm"
        : allows.packaging <= power
          ? "packaging"
          : powerCause;
    const tightest: Constraint =
      money !== undefined && money < cap
        ? "budget"
        : servable < Math.min(demand, cap)
          ? powerCause
          : physical;
    const binding: Constraint | null = served < demand ? tightest : null;
    acceleratorQuarters += installed;
    capacityQuarters += cap;
    quarters.push({
      quarter: quarterLabel(s.start + i),
      demand,
      power,
      installed,
      allows,
      tightest,
      binding,
      shortfall: Math.max(0, demand - served),
      stacksDelivered: stacks,
      packagesDelivered: packages,
    });
  }
  return {
    quarters,
    stacksPerWafer: spw.stacks,
    hbmDieAreaMm2: spw.dieAreaMm2,
    packagesPerWafer: ppw.packages,
    interposerMm2: ppw.interposerMm2,
    acceleratorQuarters,
    capacityQuarters,
  };
}

/** Demand left unmet over the plan, accelerator-quarters. */
export function totalShortfall(r: SupplyResult): number {
  return r.quarters.reduce((x, q) => x + q.shortfall, 0);
}

export interface SensitivityRow {
  /** What one more unit is, in words. */
  readonly input: string;
  readonly constraint: Constraint;
  /** Accelerator-quarters installed over the plan gained by one more unit (zero when demand is met). */
  readonly acceleratorQuarters: number;
  /** Accelerator-quarters of capacity (what the inputs together allow) gained by one more unit. */
  readonly capacityQuarters: number;
  /** Demand shortfall (accelerator-quarters) removed by one more unit. */
  readonly shortfallRemoved: number;
}

/** What one more unit of each input buys: the ramp rerun with that unit added. */
export function sensitivity(s: SupplyInput, base: SupplyResult = supplyRamp(s)): SensitivityRow[] {
  const baseShort = totalShortfall(base);
  const row = (input: string, constraint: Constraint, extra: SupplyExtra): SensitivityRow => {
    const r = supplyRamp(s, extra);
    return {
      input,
      constraint,
      acceleratorQuarters: r.acceleratorQuarters - base.acceleratorQuarters,
      capacityQuarters: r.capacityQuarters - base.capacityQuarters,
      shortfallRemoved: baseShort - totalShortfall(r),
    };
  };
  return [
    ...s.vendors.map((v) =>
      row(`+1,000 ${v.vendor} HBM wafers/month`, "hbm", { hbmWafersPerMonth: { [v.vendor]: 1000 } }),
    ),
    row("+1,000 CoWoS wafers/month", "packaging", { cowosWafersPerMonth: 1000 }),
    row("+10 MW (IT) of grid connection", "grid", { gridItMw: 10 }),
    row("+10 MW (IT) of built data halls", "construction", { builtItMw: 10 }),
  ];
}

/** Herfindahl–Hirschman index of market shares (fractions summing to 1): Σ (100·share)², 0–10,000. */
export function hhi(shares: readonly number[]): number {
  return shares.reduce((x, f) => x + (100 * f) ** 2, 0);
}

/** HBM wafers the buyer has contracted from each vendor over the plan, as shares of the total. */
export function hbmShares(s: SupplyInput): {
  readonly byVendor: Record<string, number>;
  readonly byCountry: Record<string, number>;
} {
  const wafers = s.vendors.map((v, vi) => {
    let w = 0;
    for (let i = 0; i < s.quarters; i++)
      w += capacityAt(v.points, s.start + i, `supply.hbm[${vi}].points`) * v.allocation;
    return w;
  });
  const total = wafers.reduce((x, w) => x + w, 0);
  const byVendor: Record<string, number> = {};
  const byCountry: Record<string, number> = {};
  s.vendors.forEach((v, vi) => {
    const share = total > 0 ? (wafers[vi] ?? 0) / total : 0;
    byVendor[v.vendor] = (byVendor[v.vendor] ?? 0) + share;
    const c = v.country ?? "unstated";
    byCountry[c] = (byCountry[c] ?? 0) + share;
  });
  return { byVendor, byCountry };
}

export interface Concentration {
  /** HHI of the contracted HBM by vendor (10,000: one vendor). */
  readonly hbmVendorHhi: number;
  readonly hbmByVendor: Readonly<Record<string, number>>;
  /** Shares of the contracted HBM by the vendors' home countries, and the HHI over them. */
  readonly byCountry: Readonly<Record<string, number>>;
  readonly countryHhi: number;
}

export function concentration(s: SupplyInput): Concentration {
  const { byVendor, byCountry } = hbmShares(s);
  return {
    hbmVendorHhi: hhi(Object.values(byVendor)),
    hbmByVendor: byVendor,
    byCountry,
    countryHhi: hhi(Object.values(byCountry)),
  };
}

export interface SupplierLossRow {
  /** An HBM vendor, or "TSMC CoWoS". */
  readonly supplier: string;
  /** Demand shortfall added over the plan, accelerator-quarters. */
  readonly shortfallAcceleratorQuarters: number;
  /**
   * Quarters later the fleet first reaches the size the plan reaches without the loss; null when it
   * never does within the plan.
   */
  readonly delayQuarters: number | null;
}

/**
 * How many quarters later `changed` first reaches the fleet `base` reaches at its end (0 when that is
 * no fleet; null when `changed` never reaches it within the plan).
 */
export function fleetDelay(base: SupplyResult, changed: SupplyResult): number | null {
  const target = base.quarters[base.quarters.length - 1]?.installed ?? 0;
  const reach = (r: SupplyResult) => r.quarters.findIndex((q) => q.installed >= target);
  const at = reach(changed);
  return target <= 0 ? 0 : at < 0 ? null : at - reach(base);
}

/** Each supplier in turn delivering nothing from the plan's first quarter: what it costs the plan. */
export function supplierLoss(s: SupplyInput, base: SupplyResult = supplyRamp(s)): SupplierLossRow[] {
  const row = (supplier: string, input: SupplyInput): SupplierLossRow => {
    const r = supplyRamp(input);
    return {
      supplier,
      shortfallAcceleratorQuarters: totalShortfall(r) - totalShortfall(base),
      delayQuarters: fleetDelay(base, r),
    };
  };
  const vendors = [...new Set(s.vendors.map((v) => v.vendor))];
  return [
    ...vendors.map((name) =>
      row(name, { ...s, vendors: s.vendors.map((v) => (v.vendor === name ? { ...v, allocation: 0 } : v)) }),
    ),
    row("TSMC CoWoS", { ...s, cowos: { ...s.cowos, allocation: 0 } }),
  ];
}

import {
  type Accelerator,
  type Assumptions,
  type ChipAssumptions,
  type HbmGeneration,
  RETICLE_MM2,
} from "../catalog/index.js";
import { grossDiesPerWafer, packagesPerWafer } from "../supply/ramp.js";
import { GB } from "../units.js";

/**
 * A custom accelerator's silicon, cost and power, derived from a base part it varies (design/design.ts):
 * logic area from compute, SRAM and HBM interfaces by named scaling assumptions; die cost from wafer price,
 * area and the negative-binomial yield; the package from its interposer area; HBM at its price per GB;
 * and a TDP that follows from the same energy decomposition the plan uses (perf/energy.ts).
 */

/** What a design changes that the silicon and power models read, beside the base part's figures. */
export interface ChipSpec {
  /** Ratio of the design's dense peak to the base's (the largest over the precisions both state). */
  readonly computeScale: number;
  readonly stacks: number;
  readonly generation: HbmGeneration | null;
  /** HBM capacity, bytes (what the price is paid on). */
  readonly hbmBytes: number;
  readonly hbmBandwidthBytesPerS: number;
  /** Bidirectional scale-up bandwidth, bytes/s. */
  readonly scaleUpBytesPerS: number;
  /** On-chip SRAM, MB, when the design states it (else the base part's, unchanged). */
  readonly sramMB: number | null;
  /** A stated TDP (a power cap), W; null: the TDP the power model derives. */
  readonly tdpW: number | null;
}

/** The base part as the models read it: its logic area and its power decomposition. */
export interface BasePart {
  readonly logicMm2: number;
  readonly stacks: number;
  readonly tdpW: number;
  readonly hbmBandwidthBytesPerS: number;
  readonly scaleUpBytesPerS: number;
  readonly hbmPjPerBit: number;
}

/** Logic silicon, mm²: the base's, with its compute share scaled, HBM interfaces and SRAM added or removed. */
export function logicArea(base: BasePart, d: ChipSpec, c: ChipAssumptions): number {
  const compute = base.logicMm2 * c.computeAreaShare * d.computeScale;
  const rest = base.logicMm2 * (1 - c.computeAreaShare);
  const phy = (d.stacks - base.stacks) * c.hbmPhyMm2PerStack;
  const sram = d.sramMB !== null ? (d.sramMB - c.baseSramMB) * c.sramMm2PerMB : 0;
  return Math.max(50, compute + rest + phy + sram);
}

/** Negative-binomial (Stapper) die yield: (1 + A·D0/α)^−α, A in cm². */
export function dieYield(dieMm2: number, c: ChipAssumptions): number {
  return (1 + ((dieMm2 / 100) * c.defectsPerCm2) / c.defectClustering) ** -c.defectClustering;
}

/** HBM price per GB of a generation: HBM3E's, older generations' below it, HBM4-class above, tall stacks dearer. */
export function hbmUsdPerGB(gen: HbmGeneration | null, c: ChipAssumptions): number {
  const id = gen?.id ?? "hbm3e";
  const steps = id.startsWith("hbm4e") ? 2 : id.startsWith("hbm4") ? 1 : 0;
  const base =
    steps > 0
      ? c.hbm3eUsdPerGB * c.hbm4Premium ** steps
      : id.startsWith("hbm3e")
        ? c.hbm3eUsdPerGB
        : c.hbm3eUsdPerGB * c.hbmOlderPricePerGB;
  return base * ((gen?.stackHeight ?? 8) >= 12 ? c.tallStackPremium : 1);
}

export interface ChipCost {
  readonly logicMm2: number;
  /** Logic dies per package and the area of a (reticle-limited, when several) die: logicSilicon. */
  readonly dies: number;
  readonly dieMm2: number;
  readonly dieYield: number;
  /** Good dies per logic wafer, and one chip's logic per logic wafer. */
  readonly goodDiesPerWafer: number;
  readonly logicSetsPerWafer: number;
  readonly logicUsd: number;
  readonly interposerMm2: number;
  /** Good packages per interposer (CoWoS) wafer. */
  readonly packagesPerWafer: number;
  readonly packagingUsd: number;
  readonly hbmUsd: number;
  readonly boardUsd: number;
  /** (logic + packaging + HBM) / packaging yield + board: a failed assembly loses its dies and stacks. */
  readonly manufacturingUsd: number;
  /** What the lab pays: manufacturing × designPartnerMarkup. */
  readonly chipUsd: number;
}

/**
 * The logic's silicon: one die up to the reticle limit; beyond it, reticle-limited dies (a B200's two),
 * a part-filled last one priced by its share of a reticle. So cost rises with area everywhere: a larger
 * design never gets the better yield of smaller dies (designers who split logic finer for yield trade
 * die-to-die bandwidth and power for it; this model does not).
 */
export function logicSilicon(logicMm2: number, c: ChipAssumptions) {
  const dies = Math.max(1, Math.ceil(logicMm2 / RETICLE_MM2 - 1e-9));
  const dieMm2 = Math.min(logicMm2, RETICLE_MM2);
  const y = dieYield(dieMm2, c);
  const goodDiesPerWafer = grossDiesPerWafer(dieMm2) * y;
  const diesPerChip = logicMm2 / dieMm2;
  return {
    dies,
    dieMm2,
    yield: y,
    goodDiesPerWafer,
    logicSetsPerWafer: goodDiesPerWafer / diesPerChip,
    logicUsd: (c.logicWaferUsd * diesPerChip) / Math.max(1e-9, goodDiesPerWafer),
  };
}

/** The cost of one accelerator of spec `d` (the formulas of ChipCost's fields). */
export function chipCost(base: BasePart, d: ChipSpec, c: ChipAssumptions, a: Assumptions): ChipCost {
  const logicMm2 = logicArea(base, d, c);
  const { dies, dieMm2, yield: y, goodDiesPerWafer, logicSetsPerWafer, logicUsd } = logicSilicon(logicMm2, c);
  const pkg = packagesPerWafer(logicMm2, d.stacks, a);
  const packagingUsd = c.cowosWaferUsd / Math.max(1e-9, pkg.packages) + c.packageAssemblyUsd;
  const hbmUsd = (d.hbmBytes / GB) * hbmUsdPerGB(d.generation, c);
  const manufacturingUsd = (logicUsd + packagingUsd + hbmUsd) / a.packagingYield + c.boardUsd;
  return {
    logicMm2,
    dies,
    dieMm2,
    dieYield: y,
    goodDiesPerWafer,
    logicSetsPerWafer,
    logicUsd,
    interposerMm2: pkg.interposerMm2,
    packagesPerWafer: pkg.packages,
    packagingUsd,
    hbmUsd,
    boardUsd: c.boardUsd,
    manufacturingUsd,
    chipUsd: manufacturingUsd * c.designPartnerMarkup,
  };
}

export interface ChipPower {
  /** Compute at peak dense throughput, W (the base's share of its TDP, scaled with the peak). */
  readonly computeW: number;
  /** HBM and links at full rate, W (the base's remaining share, scaled with HBM and link power). */
  readonly memoryAndLinksW: number;
  /** Static power, W (the base's share, scaled with logic area: leakage goes with transistors). */
  readonly staticW: number;
  /** The TDP these add up to, W. */
  readonly derivedTdpW: number;
  /** The TDP the chip runs at: the stated cap, or the derived figure. */
  readonly tdpW: number;
  /** Sustained clock over the base's under the cap (1 when the cap covers the derived TDP). */
  readonly clock: number;
  /** Energy per FLOP over the base's at that clock (DVFS: ∝ V² ∝ clock²). */
  readonly energyPerFlopScale: number;
}

/** The lowest sustained clock over nominal a power cap may impose; below it the design point is refused. */
export const MIN_CLOCK = 0.5;

/**
 * TDP from the plan's energy decomposition of the base part (perf/energy.ts): computePowerShare of its TDP
 * is compute at peak, acceleratorStaticShare static, the rest HBM and links at their full rates. A design
 * scales compute with its peak, static with its logic area, and the rest with its HBM (bandwidth × pJ/bit)
 * and scale-up (bandwidth × pJ/bit) power. A stated TDP below that caps it: the compute clock falls until
 * compute fits (dynamic power ∝ f·V², V ∝ f in the DVFS range, so ∝ f³), energy per FLOP with V².
 */
export function chipPower(
  base: BasePart,
  d: ChipSpec,
  logicMm2: number,
  a: Assumptions,
  hbmPjPerBit: number,
): ChipPower {
  const computeBase = base.tdpW * a.computePowerShare;
  const staticBase = base.tdpW * a.acceleratorStaticShare;
  const restBase = base.tdpW - computeBase - staticBase;
  const io = (hbmBps: number, pj: number, linkBps: number) =>
    hbmBps * 8 * pj + linkBps * 8 * a.scaleUpPjPerBit;
  const ioRatio =
    io(d.hbmBandwidthBytesPerS, hbmPjPerBit, d.scaleUpBytesPerS) /
    Math.max(1e-9, io(base.hbmBandwidthBytesPerS, base.hbmPjPerBit, base.scaleUpBytesPerS));
  const computeW = computeBase * d.computeScale;
  const memoryAndLinksW = restBase * ioRatio;
  const staticW = staticBase * (logicMm2 / base.logicMm2);
  const derivedTdpW = computeW + memoryAndLinksW + staticW;
  if (d.tdpW === null || d.tdpW >= derivedTdpW)
    return {
      computeW,
      memoryAndLinksW,
      staticW,
      derivedTdpW,
      tdpW: d.tdpW ?? derivedTdpW,
      clock: 1,
      energyPerFlopScale: 1,
    };
  const room = Math.max(0, d.tdpW - memoryAndLinksW - staticW) / computeW;
  const clock = Math.cbrt(room);
  return {
    computeW: computeW * room,
    memoryAndLinksW,
    staticW,
    derivedTdpW,
    tdpW: d.tdpW,
    clock,
    energyPerFlopScale: clock * clock,
  };
}

/** The base part's figures the design models start from. */
export function basePart(acc: Accelerator, logicMm2: number, hbmPjPerBit: number): BasePart {
  return {
    logicMm2,
    stacks: acc.hbm?.stacks ?? 0,
    tdpW: acc.tdpW ?? 0,
    hbmBandwidthBytesPerS: acc.hbmBandwidthBytesPerS,
    scaleUpBytesPerS: acc.scaleUp.bandwidthBytesPerS * 2,
    hbmPjPerBit,
  };
}

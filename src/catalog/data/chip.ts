import type { Sourced } from "../types.js";

const A = "assumption: ";

/**
 * The chip cost and power model's parameters (design/chip.ts). The reference data set has no primary
 * figure for any of them (wafer, HBM and packaging prices are not published by their makers): each is an
 * engineering judgement with its reasoning and a range, which a design scenario may override under
 * `assumptions:`. The catalog's published accelerator prices bracket what they add up to (a test holds it).
 */
export const CHIP_ASSUMPTIONS = {
  logicWaferUsd: {
    value: 18_000,
    unit: "USD per 300 mm wafer",
    range: [15_000, 25_000],
    source: `${A}a processed 4/5-nm-class logic wafer (the node of Hopper and Blackwell); trade-press estimates of TSMC's N5/N4 wafer price run about $16-18k and of N3 about $20k and more (2023-2025)`,
  },
  defectsPerCm2: {
    value: 0.08,
    unit: "defects per cm²",
    range: [0.05, 0.15],
    source: `${A}killer-defect density of a mature 4/5-nm-class process; foundries have described N5 below 0.1 per cm² a year after ramp`,
  },
  defectClustering: {
    value: 3,
    unit: "alpha of the negative binomial",
    range: [2, 6],
    source: `${A}clustering parameter of the negative-binomial yield model Y = (1 + A·D0/alpha)^-alpha (Stapper); 2-5 is the usual range for logic`,
  },
  computeAreaShare: {
    value: 0.5,
    unit: "of the base part's logic area",
    range: [0.35, 0.65],
    source: `${A}share of a GPU die that scales with dense peak FLOPs at the same node and clock (tensor cores with their register files, schedulers and the datapaths that feed them); annotated Hopper and Blackwell die shots put the SM array at about half to two thirds of the die, of which the math units are most`,
  },
  sramMm2PerMB: {
    value: 0.6,
    unit: "mm² per MB",
    range: [0.4, 0.9],
    source: `${A}on-die SRAM at 4/5-nm class: a 0.021 µm² high-density bitcell is 0.18 mm² per MB of bits; arrays, periphery and redundancy take shipped caches to about 3× that`,
  },
  baseSramMB: {
    value: 126,
    unit: "MB per base part",
    range: [100, 160],
    source: `${A}on-chip SRAM of a Blackwell-class part (two dies of ~50 MB L2 each plus the SMs' shared memory and registers, ~26 MB); a design's sramMB is compared with this to add or remove area`,
  },
  hbmPhyMm2PerStack: {
    value: 12,
    unit: "mm² of logic per HBM stack",
    range: [8, 20],
    source: `${A}the HBM PHY and memory controller for one 1024-bit (HBM3/3E) or 2048-bit (HBM4, denser PHY) interface on the logic die`,
  },
  cowosWaferUsd: {
    value: 6_000,
    unit: "USD per interposer wafer",
    range: [4_000, 10_000],
    source: `${A}a processed silicon-interposer (CoWoS) wafer with its TSVs and redistribution layers; the package cost follows from the interposer area (supply's interposerOverhead and hbmFootprintMm2)`,
  },
  packageAssemblyUsd: {
    value: 600,
    unit: "USD per package",
    range: [300, 1_200],
    source: `${A}organic substrate, bonding of the dies and stacks, underfill, lid and final test of one accelerator package`,
  },
  hbm3eUsdPerGB: {
    value: 15,
    unit: "USD per GB",
    range: [10, 25],
    source: `${A}contract price of HBM3E; trade-press estimates put a 24-36 GB stack at a few hundred to about a thousand dollars (2024-2025), several times DDR5's price per bit`,
  },
  hbmOlderPricePerGB: {
    value: 0.8,
    unit: "× HBM3E's price per GB",
    range: [0.6, 1],
    source: `${A}HBM3, HBM2E and HBM2 sell below HBM3E per GB as their capacity matures`,
  },
  hbm4Premium: {
    value: 1.4,
    unit: "× HBM3E's price per GB",
    range: [1.15, 1.8],
    source: `${A}HBM4 (2048-bit interface, logic-process base die) over HBM3E per GB; HBM4E another step of the same size`,
  },
  tallStackPremium: {
    value: 1.1,
    unit: "× price per GB for 12-high and taller",
    range: [1, 1.25],
    source: `${A}taller stacks lose more to stacking yield, so cost more per GB`,
  },
  boardUsd: {
    value: 1_500,
    unit: "USD per accelerator",
    range: [800, 2_500],
    source: `${A}the accelerator module beyond its package: board, voltage regulators and power stages, connectors, cold plate`,
  },
  designPartnerMarkup: {
    value: 1.5,
    unit: "× manufacturing cost",
    range: [1.2, 2.2],
    source: `${A}what a lab pays over the manufacturing cost for a custom accelerator built with a design partner (ASIC vendors' gross margins of roughly 20-55%), far below a merchant GPU's (the catalog's prices bracket the cost model at 3-8×)`,
  },
} as const satisfies Record<string, Sourced>;

export type ChipAssumptionKey = keyof typeof CHIP_ASSUMPTIONS;
export type ChipAssumptions = { readonly [K in ChipAssumptionKey]: number };

/** The chip model's parameters with `overrides` applied. */
export function chipAssumptionValues(
  overrides: Partial<Record<ChipAssumptionKey, number>> = {},
): ChipAssumptions {
  const out = {} as Record<ChipAssumptionKey, number>;
  for (const k of Object.keys(CHIP_ASSUMPTIONS) as ChipAssumptionKey[])
    out[k] = overrides[k] ?? CHIP_ASSUMPTIONS[k].value;
  return out;
}

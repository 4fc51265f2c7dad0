import type { Sourced } from "../types.js";

const A = "assumption: ";

/**
 * Every parameter of the data-center, cost and supply models that is not a catalog entry, with its
 * provenance. A plan scenario overrides any of them under `assumptions:`; a Monte-Carlo run samples the
 * stated ranges. Sources marked "assumption" are engineering judgements with the reasoning given: the
 * reference data set has no primary figure for them (see ../shared/reference gaps).
 */
export const ASSUMPTIONS = {
  // Power delivery and facility overheads.
  upsEfficiency: {
    value: 0.97,
    unit: "fraction",
    range: [0.94, 0.99],
    source: `${A}large three-phase double-conversion UPS datasheets state 96-97% (e.g. Schneider Galaxy VX up to 97%)`,
  },
  distributionEfficiency: {
    value: 0.985,
    unit: "fraction",
    range: [0.97, 0.995],
    source: `${A}medium-voltage transformers and busway lose 1-3% between the grid meter and the rack`,
  },
  miscLoadFraction: {
    value: 0.01,
    unit: "of IT load",
    range: [0.005, 0.02],
    source: `${A}lighting, security and offices`,
  },
  // Cooling.
  chillerCarnotFraction: {
    value: 0.51,
    unit: "of Carnot COP",
    range: [0.45, 0.6],
    source:
      "derived: ASHRAE 90.1 minimum for water-cooled centrifugal chillers ≥300 t, 0.56 kW/ton (COP 6.28), at AHRI 550/590 rating (6.7 °C leaving chilled water, 29.4 °C entering condenser water): Carnot COP 279.85/22.7 = 12.3, 6.28/12.3 = 0.51",
  },
  airCooledChillerCarnotFraction: {
    value: 0.41,
    unit: "of Carnot COP",
    range: [0.35, 0.5],
    source:
      "derived: ASHRAE 90.1 minimum for air-cooled chillers, 10.1 EER (COP 2.96), at AHRI rating (35 °C outdoor air, 6.7 °C leaving water); with this model's approaches (dryApproachK + hxApproachK) the lift is 38.3 K, Carnot COP 277.85/38.3 = 7.25, 2.96/7.25 = 0.41",
  },
  chilledWaterPumpKwPerKw: {
    value: 0.03,
    unit: "kW per kW of heat",
    range: [0.015, 0.05],
    source: `${A}chilled-water distribution pumps serving air handlers`,
  },
  airSideFanKwPerKw: {
    value: 0.05,
    unit: "kW per kW of heat",
    range: [0.03, 0.08],
    source: `${A}CRAH / fan-wall power for air-cooled heat`,
  },
  legacyAirFanKwPerKw: {
    value: 0.12,
    unit: "kW per kW of heat",
    range: [0.08, 0.2],
    source: `${A}constant-speed CRAC fans without aisle containment, moving air for the worst rack`,
  },
  liquidPumpKwPerKw: {
    value: 0.015,
    unit: "kW per kW of heat",
    range: [0.01, 0.03],
    source: `${A}CDU and facility-water pumps for liquid-cooled heat`,
  },
  dryCoolerFanKwPerKw: {
    value: 0.02,
    unit: "kW per kW of heat",
    range: [0.01, 0.04],
    source: `${A}dry-cooler fans rejecting heat to outside air`,
  },
  towerFanKwPerKw: {
    value: 0.01,
    unit: "kW per kW of heat",
    range: [0.005, 0.02],
    source: `${A}cooling-tower fans and condenser pumps`,
  },
  dryApproachK: {
    value: 6,
    unit: "K",
    range: [4, 10],
    source: `${A}dry-cooler approach: leaving water this much above outside dry-bulb`,
  },
  towerApproachK: {
    value: 4,
    unit: "K",
    range: [3, 6],
    source: `${A}cooling-tower approach: leaving water this much above outside wet-bulb`,
  },
  hxApproachK: {
    value: 2,
    unit: "K",
    range: [1, 3],
    source: `${A}plate heat exchanger between the condenser loop and the facility loop`,
  },
  economizerBandK: {
    value: 3,
    unit: "K",
    range: [1, 5],
    source: `${A}band over which free cooling hands over to the chiller (partial economizer)`,
  },
  cyclesOfConcentration: {
    value: 4,
    unit: "cycles",
    range: [3, 6],
    source: `${A}evaporative systems bleed water at 1/(C−1) of evaporation to limit mineral concentration; 3-6 cycles typical`,
  },
  airChilledWaterC: {
    value: 16,
    unit: "°C",
    range: [12, 20],
    source: `${A}chilled-water supply for air halls with contained aisles delivering server inlet air within ASHRAE TC 9.9's recommended 18-27 °C`,
  },
  liquidSupplyC: {
    value: 32,
    unit: "°C",
    range: [27, 40],
    source: "ASHRAE TC 9.9 liquid-cooling facility-water class W32 (supply up to 32 °C)",
  },
  dlcLiquidFraction: {
    value: 0.8,
    unit: "of IT heat",
    range: [0.7, 0.9],
    source: `${A}cold plates capture CPUs, GPUs and switches; fans, memory, drives and PSUs stay air-cooled`,
  },
  // IT load.
  serverPowerFactor: {
    value: 1.8,
    unit: "× accelerator TDP",
    range: [1.6, 2.0],
    source:
      "derived: 8-GPU server power over its accelerators' TDP in NVIDIA datasheets: DGX H100 10.2 kW / (8 × 700 W) = 1.82, DGX B200 14.3 kW / (8 × 1,000 W) = 1.79",
  },
  fabricPowerFraction: {
    value: 0.06,
    unit: "of compute IT load",
    range: [0.03, 0.1],
    source: `${A}scale-out switches, storage and management servers`,
  },
  airRackLimitKw: {
    value: 40,
    unit: "kW per rack",
    range: [20, 50],
    source: `${A}air-cooled rack power limit of a new AI hall (Uptime 2024: most sites have no racks above 30 kW)`,
  },
  trainingLoadFactor: {
    value: 0.8,
    unit: "of provisioned IT power",
    range: [0.65, 0.9],
    source: `${A}mean draw of a training cluster over the datasheet maximum`,
  },
  inferenceLoadFactor: {
    value: 0.6,
    unit: "of provisioned IT power",
    range: [0.4, 0.8],
    source: `${A}mean draw of an inference fleet that follows a daily load cycle`,
  },
  peakToMeanLoad: {
    value: 1.5,
    unit: "ratio",
    range: [1.2, 2],
    source: `${A}inference capacity is sized for the daily peak, this many times the mean token rate`,
  },
  // Capex and opex.
  facilityUsdPerMw: {
    value: 10.7e6,
    unit: "USD per MW of IT",
    range: [7.7e6, 20e6],
    source:
      "CBRE North American Data Center Trends via build.inc: $7.7M → $10.7M per MW over two years (latest used); range up to gigaenergy.com's >$20M/MW for AI-optimised builds (../shared/reference)",
  },
  liquidCoolingUsdPerMw: {
    value: 1.0e6,
    unit: "USD per MW of IT",
    range: [0.5e6, 2e6],
    source: `${A}extra plant for liquid cooling (CDUs, secondary loops) on top of the average build cost`,
  },
  systemMultiplier: {
    value: 1.25,
    unit: "× accelerator price",
    range: [1.15, 1.35],
    source: `${A}a server (CPUs, memory, NICs, chassis, integration) costs this much more than its accelerators; cross-checked by a test against the ~$3M GB200 NVL72 rack estimate`,
  },
  networkCapexFraction: {
    value: 0.15,
    unit: "of system capex",
    range: [0.1, 0.2],
    source: `${A}scale-out fabric (switches, optics, cables)`,
  },
  storageCapexFraction: {
    value: 0.03,
    unit: "of system capex",
    range: [0.02, 0.05],
    source: `${A}storage for data and checkpoints`,
  },
  hardwareLifeYears: {
    value: 5,
    unit: "years",
    range: [4, 6],
    source:
      "Amazon 2024 10-K / Q4 2024 results: useful life of a subset of servers shortened from 6 to 5 years for the pace of AI; Microsoft and Alphabet use 6",
  },
  facilityLifeYears: {
    value: 20,
    unit: "years",
    range: [15, 30],
    source: `${A}building shell, power and cooling plant`,
  },
  costOfCapital: {
    value: 0.08,
    unit: "per year",
    range: [0.06, 0.12],
    source: `${A}discount rate for annualising capex (capital recovery factor)`,
  },
  hardwareMaintenanceFraction: {
    value: 0.03,
    unit: "of hardware capex per year",
    range: [0.02, 0.05],
    source: `${A}support contracts and spares`,
  },
  facilityMaintenanceFraction: {
    value: 0.02,
    unit: "of facility capex per year",
    range: [0.01, 0.03],
    source: `${A}facility upkeep`,
  },
  staffPerMw: {
    value: 0.3,
    unit: "FTE per MW of IT",
    range: [0.1, 0.5],
    source: `${A}operations, security and technicians`,
  },
  staffUsdPerYear: {
    value: 80_000,
    unit: "USD per FTE-year",
    range: [60_000, 120_000],
    source: `${A}loaded cost of one operations employee`,
  },
  networkOpexFraction: {
    value: 0.05,
    unit: "of network capex per year",
    range: [0.02, 0.08],
    source: `${A}WAN transit and network support`,
  },
  // Supply.
  hbmDieAreaFactor: {
    value: 1.4,
    unit: "× DDR5 die area at equal capacity",
    range: [1.35, 1.45],
    source:
      "TrendForce (Avril Wu) via eeNews Europe: HBM die 35-45% larger than DDR5 (../shared/reference supply_chain)",
  },
  ddr5DensityGbPerMm2: {
    value: 0.3,
    unit: "Gb per mm²",
    range: [0.25, 0.35],
    source: `${A}bit density of 1b-nm-class DDR5 (a 16 Gb die of ~55 mm²)`,
  },
  ddr5Yield: {
    value: 0.9,
    unit: "fraction",
    range: [0.8, 0.95],
    source: `${A}die yield of mature DDR5`,
  },
  hbmYieldPenalty: {
    value: 0.25,
    unit: "fraction",
    range: [0.2, 0.3],
    source:
      "TrendForce via eeNews Europe: HBM yield 20-30% lower than DDR5 (../shared/reference supply_chain)",
  },
  stackYield: {
    value: 0.9,
    unit: "fraction",
    range: [0.8, 0.95],
    source: `${A}yield of stacking and testing good dies into a known-good stack`,
  },
  hbmLeadQuarters: {
    value: 2,
    unit: "quarters",
    source:
      "TrendForce via eeNews Europe: more than two quarters from wafer start to packaged HBM (../shared/reference supply_chain)",
  },
  packagingYield: {
    value: 0.9,
    unit: "fraction",
    range: [0.8, 0.95],
    source: `${A}CoWoS assembly yield`,
  },
  interposerOverhead: {
    value: 1.3,
    unit: "× silicon footprint",
    range: [1.2, 1.5],
    source: `${A}interposer area over the area of the logic dies and HBM stacks it carries`,
  },
  hbmFootprintMm2: {
    value: 121,
    unit: "mm² per stack",
    range: [110, 130],
    source: `${A}an HBM3/HBM3E stack occupies about 11 × 11 mm`,
  },
  packagingLeadQuarters: {
    value: 1,
    unit: "quarters",
    source: `${A}from CoWoS wafer to a tested accelerator in a delivered system`,
  },
  hallBuildQuarters: {
    value: 6,
    unit: "quarters",
    range: [4, 8],
    source: `${A}design-build of a data hall once land and permits are in hand (18 months)`,
  },
  // Fleet.
  repairHours: {
    value: 24,
    unit: "hours",
    range: [4, 72],
    source: `${A}mean time to repair or replace a failed node (diagnosis, swap, burn-in)`,
  },
  restartMinutes: {
    value: 10,
    unit: "minutes",
    range: [3, 30],
    source: `${A}from an interruption to the job training again: detection, rescheduling onto spares, loading the checkpoint`,
  },
  checkpointCostMinutes: {
    value: 0.5,
    unit: "minutes",
    range: [0.1, 3],
    source: `${A}training stall per checkpoint with sharded, asynchronous checkpointing`,
  },
  idlePowerFraction: {
    value: 0.25,
    unit: "of provisioned IT power",
    range: [0.15, 0.4],
    source: `${A}an idle server (accelerators idle, CPUs, fans, NICs on) draws this share of its maximum`,
  },
  autoscaleMinutes: {
    value: 15,
    unit: "minutes",
    range: [5, 30],
    source: `${A}how often an inference autoscaler resizes a service`,
  },
  // Performance model (perf/): what a whole run sustains of the parts as measured.
  sustainedComputeFraction: {
    value: 1,
    unit: "fraction",
    range: [0.78, 1],
    source: `${A}share of the microbenchmarked math rate (GEMM and attention curves) a whole run sustains, 1 = the parts as measured; range: 8 H200 serve 0.90× their 1,000 W rate at 700 W (MLPerf Inference v4.1), GB200 training runs 1/1.28 = 0.78 of its parts (validate); a sustained-at-TDP GEMM would replace it. Plan, sites and fleet (pretraining runs, inference replicas) size with it, to 0.01`,
  },
  // Energy decomposition (perf/energy.ts).
  computePowerShare: {
    value: 0.6,
    unit: "fraction",
    range: [0.45, 0.75],
    source: `${A}share of an accelerator's TDP its compute units draw at peak dense throughput; energy per FLOP of a precision = TDP × this share / peak FLOP/s of that precision (a named physical argument: a chip running dense GEMM sits at its power limit; the rest of the TDP is HBM, I/O and static power)`,
  },
  acceleratorStaticShare: {
    value: 0.2,
    unit: "fraction",
    range: [0.1, 0.3],
    source: `${A}static and idle power of the accelerator package (leakage, clocks, uncore), share of TDP, drawn whenever it is on`,
  },
  hbmPjPerBit: {
    value: 3.5,
    unit: "pJ/bit",
    range: [2.5, 4.5],
    source: `${A}HBM access energy for generations without a primary figure: HBM2's 3.9 pJ/bit (O'Connor et al., MICRO-50 2017) less the ~10% each later generation's vendors claim; the reference lists pJ/bit for HBM2E-HBM4 among its gaps. A catalog generation's own energyPjPerBit wins`,
  },
  scaleUpPjPerBit: {
    value: 5,
    unit: "pJ/bit",
    range: [1.3, 10],
    source: `${A}scale-up link energy per bit moved (SerDes both ends plus the switch): NVLink-C2C's 1.3 pJ/bit on-package (NVIDIA Grace Hopper whitepaper) is the floor; board-to-switch copper and the switch ASIC cost several times that`,
  },
  scaleOutPjPerBit: {
    value: 30,
    unit: "pJ/bit",
    range: [15, 60],
    source: `${A}scale-out energy per bit moved: NIC, two to three switch hops and pluggable optics at each (a 400G/800G optical module draws 12-16 W, ~15-20 pJ/bit, per end)`,
  },
} as const satisfies Record<string, Sourced>;

export type AssumptionKey = keyof typeof ASSUMPTIONS;

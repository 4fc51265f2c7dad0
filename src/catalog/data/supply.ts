/**
 * Industry supply figures: HBM (TSV) wafer capacity by vendor and TSMC CoWoS capacity, from
 * ../shared/reference/reference.json (supply_chain). Each is a list of (quarter, wafers per month) points;
 * models interpolate linearly between points and hold the last one flat (no invented growth).
 */
export interface CapacityPoint {
  readonly quarter: string;
  readonly wafersPerMonth: number;
}

export interface VendorCapacity {
  readonly vendor: string;
  /**
   * The supplier's home country (ISO 3166 alpha-2): the jurisdiction whose export rules bind it. Fab
   * locations are not in the reference (Micron, for one, makes HBM in Japan and Taiwan).
   */
  readonly country?: string;
  readonly points: readonly CapacityPoint[];
  readonly source: string;
}

const TRENDFORCE_HBM =
  "TrendForce (Mar 2024) via asiae.co.kr, eeNews Europe, iconnect007: HBM/TSV wafer capacity 2023 and end-2024 plan (SK hynix 120-125k: midpoint)";

export const HBM_CAPACITY: readonly VendorCapacity[] = [
  {
    vendor: "SK hynix",
    country: "KR",
    points: [
      { quarter: "2023Q4", wafersPerMonth: 45_000 },
      { quarter: "2024Q4", wafersPerMonth: 122_500 },
    ],
    source: TRENDFORCE_HBM,
  },
  {
    vendor: "Samsung",
    country: "KR",
    points: [
      { quarter: "2023Q4", wafersPerMonth: 45_000 },
      { quarter: "2024Q4", wafersPerMonth: 130_000 },
    ],
    source: TRENDFORCE_HBM,
  },
  {
    vendor: "Micron",
    country: "US",
    points: [
      { quarter: "2023Q4", wafersPerMonth: 3_000 },
      { quarter: "2024Q4", wafersPerMonth: 20_000 },
    ],
    source: TRENDFORCE_HBM,
  },
];

export const COWOS_CAPACITY: VendorCapacity = {
  vendor: "TSMC CoWoS",
  country: "TW",
  points: [
    { quarter: "2024Q4", wafersPerMonth: 37_500 },
    { quarter: "2025Q4", wafersPerMonth: 77_500 },
    { quarter: "2026Q4", wafersPerMonth: 125_000 },
  ],
  source:
    "MoneyDJ/TrendForce (Oct 2024): 35-40k end-2024; TrendForce (Dec 2025): 75-80k now, 120-130k targeted by end-2026 (midpoints; ../shared/reference supply_chain)",
};

/**
 * Logic silicon per accelerator package, mm², for the interposer-area estimate of packages per CoWoS
 * wafer. Accelerators not listed fall back to two reticle-limited dies (2 × 858 mm²).
 */
export const LOGIC_SILICON_MM2: Readonly<Record<string, { readonly mm2: number; readonly source: string }>> =
  {
    "a100-sxm-80gb": {
      mm2: 826,
      source: "NVIDIA A100 Tensor Core GPU Architecture whitepaper: GA100 826 mm²",
    },
    "h100-sxm": { mm2: 814, source: "NVIDIA H100 Tensor Core GPU Architecture whitepaper: GH100 814 mm²" },
    h800: { mm2: 814, source: "GH100 die, as H100" },
    h200: { mm2: 814, source: "GH100 die, as H100" },
  };

/** The reticle limit, 26 × 33 mm. */
export const RETICLE_MM2 = 858;

/**
 * Published all-in costs of an AI data centre per GW, to bracket the plan's own capex per GW. From
 * ../shared/reference/campuses.json (investment), each with its source and confidence.
 */
export interface CostPerGwReference {
  readonly what: string;
  readonly lowUsdPerGw: number;
  readonly highUsdPerGw: number;
  readonly year: number;
  readonly confidence: "medium" | "low";
  readonly source: string;
}

export const COST_PER_GW: readonly CostPerGwReference[] = [
  {
    what: "all-in, Nvidia's view (~$35B of Nvidia hardware + ~$15B other per GW)",
    lowUsdPerGw: 50e9,
    highUsdPerGw: 60e9,
    year: 2025,
    confidence: "medium",
    source:
      "Huang, Nvidia Q2 FY2026 earnings call, 27 Aug 2025 (Livemint/Bloomberg 2025-09-01); 'widely cited range $50-60B per GW'",
  },
  {
    what: "industry executives: 1 GW of computing power",
    lowUsdPerGw: 50e9,
    highUsdPerGw: 50e9,
    year: 2025,
    confidence: "medium",
    source: "Reuters via CNA 2025-10-31 (Stargate Michigan story)",
  },
  {
    what: "Stargate programme, implied ($500B / 10 GW; >$400B / ~7 GW; >$450B / >8 GW)",
    lowUsdPerGw: 50e9,
    highUsdPerGw: 57e9,
    year: 2025,
    confidence: "low",
    source: "OpenAI announcements via RTTNews 2025-09-24 and Reuters/CNA 2025-10-31 (derived ratios)",
  },
];

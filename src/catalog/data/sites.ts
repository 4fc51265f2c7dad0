import type { SiteInput } from "../types.js";
import { GLOBAL_SITES } from "./sites-global.js";

/**
 * Korea-wide grid and tariff figures (one national grid, one KEPCO tariff), from
 * ../shared/reference/reference.json (datacenter.south_korea).
 */
const KR_GRID_G_PER_KWH = 413.46;
/** KEPCO industrial (B) energy charge 182.7 KRW/kWh at 1,364 KRW/USD. */
const KRW_PER_USD = 1364;
const KR_TARIFF_USD = 182.7 / KRW_PER_USD;
const KR_SOURCES =
  "grid 413.46 gCO2e/kWh: lowcarbonpower.org 'Electricity in South Korea in 2023'; tariff 182.7 KRW/kWh: KEPCO/MOTIE industrial (B) energy charge from 2024-10-24 (energynews.pro), converted at 1,364 KRW/USD (Bank of Korea 2024 average; energy charge only, no demand charge)";
const KR_CLIMATE_NOTE =
  "monthly means: KMA climate normals 1991-2020 for the nearest station, transcribed to 0.1 °C (not in ../shared/reference: confidence low until checked against KMA data); diurnal range 8 K and wet-bulb depression 4 K: assumptions for Korea's humid summers (no station humidity data in the reference)";

const KR_FIGURES = {
  sources: {
    climate: KR_CLIMATE_NOTE,
    humidity:
      "assumption: wet-bulb depression 4 K for Korea's humid summers (no station humidity data in the reference)",
    gridCarbon: "lowcarbonpower.org 'Electricity in South Korea in 2023'",
    electricity:
      "KEPCO/MOTIE industrial (B) energy charge 182.7 KRW/kWh from 2024-10-24 (energynews.pro) at 1,364 KRW/USD",
    construction:
      "assumption: no Korean construction cost per MW in the reference; the facilityUsdPerMw assumption applies",
  },
  ranges: { climate: [-1, 1] },
} as const;

/**
 * Built-in sites: the Korean candidate regions for Stargate Korea, then the announced campuses and
 * candidates of ../shared/reference/campuses.json (see sites-global.ts). Users add sites in catalog YAML.
 */
const KOREAN_SITES: readonly SiteInput[] = [
  {
    id: "kr-seoul",
    name: "Seoul capital region (Gyeonggi)",
    country: "KR",
    monthlyMeanC: [-1.9, 0.7, 6.1, 12.6, 18.2, 22.7, 25.3, 26.1, 21.6, 14.8, 7.2, 0.4],
    diurnalRangeC: 8,
    wetBulbDepressionC: 4,
    gridCarbonGPerKWh: KR_GRID_G_PER_KWH,
    electricityUsdPerKWh: KR_TARIFF_USD,
    ...KR_FIGURES,
    source: `Seoul station; ${KR_CLIMATE_NOTE}; ${KR_SOURCES}`,
  },
  {
    id: "kr-jeonnam",
    name: "Jeollanam-do (southwest coast)",
    country: "KR",
    monthlyMeanC: [1.9, 3.1, 7.0, 12.3, 17.4, 21.6, 25.4, 26.6, 22.6, 17.0, 10.6, 4.3],
    diurnalRangeC: 8,
    wetBulbDepressionC: 4,
    gridCarbonGPerKWh: KR_GRID_G_PER_KWH,
    electricityUsdPerKWh: KR_TARIFF_USD,
    ...KR_FIGURES,
    source: `Mokpo station; ${KR_CLIMATE_NOTE}; ${KR_SOURCES}`,
  },
  {
    id: "kr-pohang",
    name: "Pohang (Gyeongsangbuk-do, east coast)",
    country: "KR",
    monthlyMeanC: [1.6, 3.3, 7.5, 13.1, 18.0, 21.4, 25.0, 25.8, 21.6, 16.5, 10.4, 4.1],
    diurnalRangeC: 8,
    wetBulbDepressionC: 4,
    gridCarbonGPerKWh: KR_GRID_G_PER_KWH,
    electricityUsdPerKWh: KR_TARIFF_USD,
    ...KR_FIGURES,
    source: `Pohang station; ${KR_CLIMATE_NOTE}; ${KR_SOURCES}`,
  },
  {
    id: "kr-ulsan",
    name: "Ulsan (southeast coast)",
    country: "KR",
    monthlyMeanC: [1.6, 3.5, 7.7, 13.1, 17.9, 21.4, 25.1, 26.0, 21.8, 16.6, 10.3, 4.0],
    diurnalRangeC: 8,
    wetBulbDepressionC: 4,
    gridCarbonGPerKWh: KR_GRID_G_PER_KWH,
    electricityUsdPerKWh: KR_TARIFF_USD,
    ...KR_FIGURES,
    source: `Ulsan station; ${KR_CLIMATE_NOTE}; ${KR_SOURCES}`,
  },
];

export const SITES: readonly SiteInput[] = [...KOREAN_SITES, ...GLOBAL_SITES];

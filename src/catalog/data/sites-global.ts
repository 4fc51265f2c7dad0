import type { SiteInput } from "../types.js";

/**
 * Announced AI campuses and candidate sites beyond Korea, from ../shared/reference/campuses.json
 * (siteFacts, climateNormals, investment) unless a figure says "assumption". Low-confidence figures carry
 * a range that Monte Carlo samples (`ranges`; `climate` is an offset added to every month, K).
 */
const REF = "../shared/reference/campuses.json";

// Grid carbon: the latest country figures in the reference (Ember 2025 via GreenCalculus).
const GREENCALCULUS = `GreenCalculus 'Grid Electricity Emission Factors by Country (Ember 2025)' (${REF} siteFacts)`;
const US_GRID = `350 gCO2e/kWh: US national average (EPA eGRID 2023 via ${GREENCALCULUS}); the state grid (ERCOT, WECC, PJM, MISO) differs: range 250-450 is an assumption`;

// Construction cost per MW of IT by market.
const CW_2025 = `Cushman & Wakefield Data Center Development Cost Guide 2025 pp. 6-9 (${REF} investment): 19 US markets average $11.7M/MW, low $9.3M San Antonio, high $15.0M Reno; excludes fit-out, land, soft costs`;
const TT_2025 = `Turner & Townsend Data Centre Cost Index 2025-2026 (${REF} investment)`;
const NO_CONSTRUCTION =
  "assumption: no construction cost per MW for this market in the reference; the US average $11.7M/MW (Cushman & Wakefield 2025) with range 9-16 $M/MW";

const EIA_2023 = `EIA Electric Power Annual 2023, industrial average revenue per kWh by state (${REF} siteFacts)`;

/** Abilene, TX monthly means (integer °C max/min averaged; period unstated). */
const ABILENE_C = [6.0, 9.0, 13.5, 18.5, 22.5, 26.5, 28.5, 28.5, 24.5, 19.0, 12.5, 7.5];
const ABILENE_CLIMATE = `whatstheweatherlike.org Abilene table (integer °C, period unstated; ${REF} climateNormals, confidence low: Jan min ~1.5 °C colder than NWS 1991-2020), mean = (max+min)/2; diurnal range = mean(max − min) = 13.6 K`;
const TX_HUMIDITY =
  "assumption: summer RH ~50% (secondary, unverified, in the reference siteFacts for Abilene; NWS notes afternoon RH often < 20% in dry spells), range 35-65%";

export const GLOBAL_SITES: readonly SiteInput[] = [
  {
    id: "us-abilene",
    name: "Abilene, TX (Stargate flagship, Crusoe/Oracle)",
    country: "US",
    monthlyMeanC: ABILENE_C,
    diurnalRangeC: 13.6,
    relativeHumidityPct: 50,
    gridCarbonGPerKWh: 350,
    electricityUsdPerKWh: 0.066,
    constructionUsdPerMw: 9.3e6,
    sources: {
      climate: ABILENE_CLIMATE,
      humidity: TX_HUMIDITY,
      gridCarbon: US_GRID,
      electricity: `TX 6.6 ¢/kWh: ${EIA_2023}`,
      construction: `Texas market: $9.3M/MW (San Antonio, the lowest of 19; 'Texas markets lowest'): ${CW_2025}`,
    },
    ranges: { climate: [-1.5, 1.5], humidity: [35, 65], gridCarbon: [250, 450] },
    source: `${REF}: Abilene, TX siteFacts and climateNormals`,
  },
  {
    id: "us-shackelford",
    name: "Shackelford County, TX (Stargate, Oracle/Vantage Frontier)",
    country: "US",
    monthlyMeanC: ABILENE_C,
    diurnalRangeC: 13.6,
    relativeHumidityPct: 50,
    gridCarbonGPerKWh: 350,
    electricityUsdPerKWh: 0.066,
    constructionUsdPerMw: 9.3e6,
    sources: {
      climate: `Abilene Regional (~50 km SE) as the nearest normals, as the reference says: ${ABILENE_CLIMATE}`,
      humidity: TX_HUMIDITY,
      gridCarbon: US_GRID,
      electricity: `TX 6.6 ¢/kWh: ${EIA_2023}`,
      construction: `Texas market $9.3M/MW: ${CW_2025}`,
    },
    ranges: { climate: [-1.5, 1.5], humidity: [35, 65], gridCarbon: [250, 450] },
    source: `${REF}: Shackelford County siteFacts (climate: Abilene proxy)`,
  },
  {
    id: "us-milam",
    name: "Milam County, TX (Stargate, SoftBank/SB Energy)",
    country: "US",
    monthlyMeanC: [9.1, 11.4, 15.7, 19.7, 24.1, 28.0, 30.1, 30.3, 26.4, 20.7, 14.4, 9.9],
    diurnalRangeC: 12,
    relativeHumidityPct: 60,
    gridCarbonGPerKWh: 350,
    electricityUsdPerKWh: 0.066,
    constructionUsdPerMw: 9.3e6,
    sources: {
      climate:
        "assumption: approximate NOAA 1991-2020 monthly means for Waco Regional (USW00013959), the nearest normals the reference names but does not hold (°F recalled, converted); range ±1.5 K. Replace with NCEI 1991-2020 normals for USW00013959",
      humidity:
        "assumption: summer RH ~60% for humid-subtropical central Texas (no figure in the reference), range 45-75%",
      gridCarbon: US_GRID,
      electricity: `TX 6.6 ¢/kWh: ${EIA_2023}`,
      construction: `Texas market $9.3M/MW: ${CW_2025}`,
    },
    ranges: { climate: [-1.5, 1.5], humidity: [45, 75], gridCarbon: [250, 450] },
    source: `${REF}: Milam County siteFacts; climate an assumption (see sources)`,
  },
  {
    id: "us-dona-ana",
    name: "Doña Ana County, NM (Stargate, Oracle)",
    country: "US",
    monthlyMeanC: [7.7, 10.3, 14.2, 18.3, 23.3, 28.2, 28.9, 27.9, 24.7, 18.9, 12.1, 7.4],
    diurnalRangeC: 15,
    relativeHumidityPct: 30,
    gridCarbonGPerKWh: 350,
    electricityUsdPerKWh: 0.0575,
    constructionUsdPerMw: 11.7e6,
    sources: {
      climate:
        "assumption: approximate NOAA 1991-2020 monthly means for El Paso Intl (USW00023044), the nearest normals the reference names but does not hold (°F recalled, converted); range ±1.5 K. Replace with NCEI 1991-2020 normals for USW00023044",
      humidity:
        "assumption: warmest-month RH ~30% for the Chihuahuan desert (Phoenix's TMY3 June-August 19-32% in the reference is the nearest measured analogue), range 20-45%",
      gridCarbon: US_GRID,
      electricity: `NM 5.75 ¢/kWh: ${EIA_2023}`,
      construction: `US average $11.7M/MW: ${CW_2025}`,
    },
    ranges: { climate: [-1.5, 1.5], humidity: [20, 45], gridCarbon: [250, 450], construction: [9.3e6, 15e6] },
    source: `${REF}: Doña Ana County siteFacts; climate an assumption (see sources)`,
  },
  {
    id: "us-lordstown",
    name: "Lordstown, OH (Stargate, SoftBank)",
    country: "US",
    monthlyMeanC: [-3.2, -1.8, 2.8, 9.3, 14.5, 19.3, 21.6, 20.8, 16.8, 10.8, 5.4, -0.8],
    diurnalRangeC: 10.7,
    relativeHumidityPct: 70,
    gridCarbonGPerKWh: 350,
    electricityUsdPerKWh: 0.0703,
    constructionUsdPerMw: 11.7e6,
    sources: {
      climate: `NOAA 1981-2010 normals, Youngstown-Warren Regional Airport (Wikipedia table, ${REF} climateNormals, confidence high), mean = (max+min)/2; diurnal range = mean(max − min) = 10.7 K`,
      humidity:
        "assumption: summer RH ~70% for the humid-continental Ohio valley (no figure in the reference), range 60-80%",
      gridCarbon: US_GRID,
      electricity: `OH 7.03 ¢/kWh: ${EIA_2023}; April 2025 7.90 ¢ (EIA EPM Table 5.6.A)`,
      construction: `US average $11.7M/MW: ${CW_2025}`,
    },
    ranges: { climate: [-0.5, 1.0], humidity: [60, 80], gridCarbon: [250, 450], construction: [9.3e6, 15e6] },
    source: `${REF}: Lordstown siteFacts and Youngstown climateNormals`,
  },
  {
    id: "us-saline",
    name: "Saline Township, MI (Stargate Michigan, Related Digital)",
    country: "US",
    monthlyMeanC: [-3.6, -2.2, 3.0, 9.8, 16.1, 21.3, 23.6, 22.6, 18.6, 11.8, 5.2, -0.6],
    diurnalRangeC: 10,
    relativeHumidityPct: 70,
    gridCarbonGPerKWh: 350,
    electricityUsdPerKWh: 0.0816,
    constructionUsdPerMw: 11.7e6,
    sources: {
      climate:
        "assumption: approximate NOAA 1991-2020 monthly means for Detroit Metro (USW00094847), the nearest normals the reference names but does not hold (°F recalled, converted); range ±1.5 K. Replace with NCEI 1991-2020 normals for USW00094847 or Ann Arbor",
      humidity: "assumption: summer RH ~70% for southern Michigan (no figure in the reference), range 60-80%",
      gridCarbon: US_GRID,
      electricity: `MI 8.16 ¢/kWh: ${EIA_2023}; April 2025 8.53 ¢ (EIA EPM Table 5.6.A)`,
      construction: `US average $11.7M/MW: ${CW_2025}`,
    },
    ranges: { climate: [-1.5, 1.5], humidity: [60, 80], gridCarbon: [250, 450], construction: [9.3e6, 15e6] },
    source: `${REF}: Saline Township siteFacts; climate an assumption (see sources)`,
  },
  {
    id: "no-narvik",
    name: "Narvik / Kvandal, Norway (Stargate Norway, Nscale/Aker)",
    country: "NO",
    monthlyMeanC: [-4.0, -1.5, 0.0, 3.0, 8.0, 11.5, 14.5, 14.0, 10.5, 4.5, 1.5, -0.5],
    diurnalRangeC: 5.9,
    relativeHumidityPct: 75,
    gridCarbonGPerKWh: 28,
    electricityUsdPerKWh: 0.045,
    sources: {
      climate: `climatestotravel.com Narvik (integer °C max/min, period unknown; ${REF} climateNormals, confidence low), mean = (max+min)/2; diurnal range 5.9 K; annual mean 3.7 °C per de.wikipedia agrees`,
      humidity:
        "assumption: summer RH ~75% on the Ofotfjord coast (no figure in the reference), range 65-85%",
      gridCarbon: `28 gCO2e/kWh: ${GREENCALCULUS}; 30 g for 2023 (Ember via Statista)`,
      electricity:
        "assumption: 4.5 ¢/kWh for a large industrial load in the NO4 (northern Norway) price zone; the reference has only 'power prices well below the European average' (Nscale release); range 2-8 ¢",
      construction: NO_CONSTRUCTION,
    },
    ranges: {
      climate: [-1.5, 1.5],
      humidity: [65, 85],
      electricity: [0.02, 0.08],
      construction: [9e6, 16e6],
    },
    source: `${REF}: Narvik siteFacts and climateNormals`,
  },
  {
    id: "ae-abu-dhabi",
    name: "Abu Dhabi, UAE (Stargate UAE, UAE-US AI Campus)",
    country: "AE",
    monthlyMeanC: [19.0, 20.0, 22.5, 27.0, 31.5, 32.5, 35.0, 36.0, 33.0, 29.0, 24.7, 20.3],
    diurnalRangeC: 11.9,
    relativeHumidityPct: 50,
    gridCarbonGPerKWh: 359,
    electricityUsdPerKWh: 0.07,
    sources: {
      climate: `landenweb.com Jan-Oct (integer °C max/min; ${REF} climateNormals, confidence low, November and December missing); December 20.3 °C: abudhabienterprise.com (${REF} siteFacts); November 24.7 °C: assumption, midway between October and December; diurnal range = mean(max − min) Jan-Oct = 11.9 K`,
      humidity: `NCMS stations in Abu Dhabi Emirate 1976-2015: ~50% in summer, 46% (May) to 64% (Dec) (${REF} siteFacts)`,
      gridCarbon: `derived: the 2023 generation mix (gas 72%, nuclear 20%, solar 8%: lowcarbonpower.org/Ember, ${REF} siteFacts) × IPCC AR5 lifecycle medians (gas CCGT 490, nuclear 12, utility PV 48 gCO2e/kWh; Schlömer et al. 2014, Annex III) = 359; no published gCO2/kWh in the reference; range 300-420`,
      electricity:
        "assumption: 7 ¢/kWh for a large industrial load (no UAE industrial price in the reference), range 5-10 ¢",
      construction: NO_CONSTRUCTION,
    },
    ranges: {
      climate: [-1.5, 1.5],
      humidity: [46, 64],
      gridCarbon: [300, 420],
      electricity: [0.05, 0.1],
      construction: [9e6, 16e6],
    },
    source: `${REF}: Abu Dhabi siteFacts and climateNormals`,
  },
  {
    id: "in-mumbai",
    name: "Mumbai, India (candidate for an OpenAI India 1 GW site)",
    country: "IN",
    monthlyMeanC: [24.9, 25.5, 27.3, 29.2, 30.7, 29.3, 27.7, 27.5, 27.9, 29.1, 28.7, 26.7],
    diurnalRangeC: 7.7,
    relativeHumidityPct: 75,
    gridCarbonGPerKWh: 670,
    electricityUsdPerKWh: 0.1,
    sources: {
      climate: `Wikipedia 'Climate of Mumbai' table citing IMD (Santacruz presumed; ${REF} siteFacts, confidence low); diurnal range = 2 × mean(max − mean) = 7.7 K (no minima in the reference)`,
      humidity:
        "assumption: RH ~75% in May, the warmest month, before the monsoon; IMD daily bulletins in the reference quote 65-93% at Santacruz (not normals); range 65-90%",
      gridCarbon: `670 gCO2e/kWh: ${GREENCALCULUS}; 713 g for 2023 (Ember via OWID)`,
      electricity:
        "assumption: 10 ¢/kWh for an HT industrial load in Maharashtra (no Indian industrial price in the reference), range 8-13 ¢",
      construction: NO_CONSTRUCTION,
    },
    ranges: {
      climate: [-1, 1],
      humidity: [65, 90],
      gridCarbon: [600, 720],
      electricity: [0.08, 0.13],
      construction: [6e6, 14e6],
    },
    source: `${REF}: Mumbai siteFacts`,
  },
  {
    id: "de-frankfurt",
    name: "Frankfurt am Main, Germany",
    country: "DE",
    monthlyMeanC: [2.2, 3.2, 6.8, 10.9, 15.0, 18.4, 20.6, 20.2, 15.8, 10.9, 6.2, 3.0],
    diurnalRangeC: 8.7,
    relativeHumidityPct: 65,
    gridCarbonGPerKWh: 330,
    electricityUsdPerKWh: 0.2202,
    constructionUsdPerMw: 11.6e6,
    sources: {
      climate: `climatestotravel.com 'Frankfurt - Average temperatures (1991-2020)' (presumably DWD; ${REF} climateNormals, confidence medium); diurnal range = mean(max − min) = 8.7 K`,
      humidity: "assumption: summer RH ~65% (no figure in the reference), range 55-75%",
      gridCarbon: `330 gCO2e/kWh: ${GREENCALCULUS}; 381 g for 2023 (Ember/OWID)`,
      electricity: `17.71 GBP p/kWh incl. taxes, Germany 2023 (DESNZ international comparison of IEA data, ${REF} siteFacts) at 1.2435 USD/GBP (2023 average): 22.0 ¢`,
      construction: `Frankfurt $11.6/W: ${TT_2025}`,
    },
    ranges: { humidity: [55, 75], electricity: [0.15, 0.25] },
    source: `${REF}: Frankfurt siteFacts and climateNormals`,
  },
  {
    id: "jp-tokyo",
    name: "Tokyo, Japan",
    country: "JP",
    monthlyMeanC: [6.1, 6.6, 10.0, 14.6, 19.7, 22.6, 26.5, 27.9, 24.4, 19.1, 13.4, 8.6],
    diurnalRangeC: 7.2,
    relativeHumidityPct: 71.6,
    gridCarbonGPerKWh: 477,
    electricityUsdPerKWh: 0.15,
    constructionUsdPerMw: 15.2e6,
    sources: {
      climate: `japan.world-season.com citing JMA (period not stated, not the 1991-2020 normals; ${REF} climateNormals, confidence low-medium); diurnal range = mean(max − min) = 7.2 K`,
      humidity: `71.6% in August, the warmest month: same table (${REF} climateNormals)`,
      gridCarbon: `477 gCO2e/kWh: ${GREENCALCULUS}`,
      electricity:
        "assumption: 15 ¢/kWh (about 22 JPY/kWh at 150 JPY/USD) for an extra-high-voltage industrial load (no Japanese industrial price in the reference), range 11-20 ¢",
      construction: `Tokyo $15.2/W (15.15 precisely): ${TT_2025}`,
    },
    ranges: { climate: [-1, 1], electricity: [0.11, 0.2] },
    source: `${REF}: Tokyo siteFacts and climateNormals`,
  },
  {
    id: "gb-north-east",
    name: "North East England (Stargate UK, Cobalt Park, North Tyneside)",
    country: "GB",
    monthlyMeanC: [4.1, 4.6, 6.2, 8.3, 10.9, 13.8, 15.9, 15.7, 13.1, 9.9, 6.6, 4.3],
    diurnalRangeC: 7.5,
    relativeHumidityPct: 80,
    gridCarbonGPerKWh: 177,
    electricityUsdPerKWh: 0.2852,
    constructionUsdPerMw: 12.0e6,
    sources: {
      climate: `Durham Observatory, Met Office 1991-2020 (durhamukweather.com; ${REF} siteFacts, confidence medium): January-April and September from the reference; May-August and October-December are an assumption (approximate Met Office 1991-2020 Durham means, recalled), range ±1 K; diurnal range 7.5 K from the reference months' max − min (5.6-8.4 K)`,
      humidity:
        "assumption: summer RH ~80% on the North Sea coast (no figure in the reference), range 70-88%",
      gridCarbon: `177 gCO2e/kWh: DEFRA/DESNZ 2025 UK factor (${GREENCALCULUS}); 149 g GB generation average 2023 (National Grid ESO)`,
      electricity: `22.32 GBP p/kWh for very large industrial users, 2H2024 (DESNZ Table 5.4.1, ${REF} siteFacts) at 1.278 USD/GBP (2024 average): 28.5 ¢`,
      construction: `London $12.0/W as the UK market: ${TT_2025}`,
    },
    ranges: { climate: [-1, 1], humidity: [70, 88], gridCarbon: [149, 177], construction: [10e6, 14e6] },
    source: `${REF}: North East England siteFacts`,
  },
];

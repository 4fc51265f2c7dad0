import type { Assumptions, Site } from "../catalog/index.js";
import { DAYS_PER_MONTH, typicalDay } from "./climate.js";
import { type CoolingId, coolingModel, type HeatRejection } from "./cooling.js";

/** A data-hall design at a site. */
export interface FacilityDesign {
  readonly site: Site;
  readonly cooling: CoolingId;
  readonly heatRejection: HeatRejection;
}

export interface MonthProfile {
  /** Facility energy over IT energy for the month. */
  readonly pue: number;
  /** Site water per kWh of IT energy, litres. */
  readonly wueLPerKwh: number;
  /** Fraction of heat lifted by chillers. */
  readonly chillerFraction: number;
}

export interface FacilityProfile {
  readonly monthly: readonly MonthProfile[];
  /** Energy-weighted (day-weighted at constant IT load) annual PUE. */
  readonly annualPue: number;
  /** PUE in the hottest hour: sizes the grid connection for a given IT load. */
  readonly designPue: number;
  readonly annualWueLPerKwh: number;
  /** Power-delivery loss per unit of IT power: 1/(η_UPS·η_distribution) − 1. */
  readonly deliveryLoss: number;
}

/**
 * PUE and water month by month: PUE(hour) = 1 + delivery loss + miscellaneous load + cooling kW per kW
 * of IT heat (from the cooling model at that hour's weather); months average their 24 typical hours.
 */
export function facilityProfile(d: FacilityDesign, a: Assumptions): FacilityProfile {
  const model = coolingModel(d.cooling);
  const deliveryLoss = 1 / (a.upsEfficiency * a.distributionEfficiency) - 1;
  let designPue = 0;
  const monthly = DAYS_PER_MONTH.map((_, m) => {
    let pue = 0;
    let water = 0;
    let chill = 0;
    const hours = typicalDay(d.site, m);
    for (const w of hours) {
      const c = model.hour(a, d.heatRejection, w);
      const p = 1 + deliveryLoss + a.miscLoadFraction + c.kwPerKw;
      designPue = Math.max(designPue, p);
      pue += p;
      water += c.litresPerKwh;
      chill += c.chillerFraction;
    }
    return {
      pue: pue / hours.length,
      wueLPerKwh: water / hours.length,
      chillerFraction: chill / hours.length,
    };
  });
  const days = DAYS_PER_MONTH.reduce((s, x) => s + x, 0);
  const weighted = (f: (m: MonthProfile) => number) =>
    monthly.reduce((s, m, i) => s + f(m) * (DAYS_PER_MONTH[i] ?? 0), 0) / days;
  return {
    monthly,
    annualPue: weighted((m) => m.pue),
    designPue,
    annualWueLPerKwh: weighted((m) => m.wueLPerKwh),
    deliveryLoss,
  };
}

/** Mean PUE and WUE over the three months of quarter `q` (1-4). */
export function quarterProfile(p: FacilityProfile, q: number): { pue: number; wueLPerKwh: number } {
  const months = [0, 1, 2].map((i) => (q - 1) * 3 + i);
  const days = months.reduce((s, m) => s + (DAYS_PER_MONTH[m] ?? 0), 0);
  let pue = 0;
  let wue = 0;
  for (const m of months) {
    const mp = p.monthly[m];
    const w = (DAYS_PER_MONTH[m] ?? 0) / days;
    pue += (mp?.pue ?? 0) * w;
    wue += (mp?.wueLPerKwh ?? 0) * w;
  }
  return { pue, wueLPerKwh: wue };
}

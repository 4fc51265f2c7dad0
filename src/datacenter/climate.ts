import type { Site } from "../catalog/index.js";

/** Days per month of a common year, January first. */
export const DAYS_PER_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export interface Hour {
  readonly dryBulbC: number;
  readonly wetBulbC: number;
}

/**
 * The 24 hours of a typical day of `month` (0-11): a sinusoid of the site's daily range around the
 * monthly mean, warmest at 15:00; wet-bulb = dry-bulb − the site's depression (never above dry-bulb).
 */
export function typicalDay(site: Site, month: number): Hour[] {
  const mean = site.monthlyMeanC[month] ?? 0;
  return Array.from({ length: 24 }, (_, h) => {
    const dry = mean + (site.diurnalRangeC / 2) * Math.cos((2 * Math.PI * (h - 15)) / 24);
    return { dryBulbC: dry, wetBulbC: dry - site.wetBulbDepressionC };
  });
}

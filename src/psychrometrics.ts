/**
 * Wet-bulb temperature from dry-bulb temperature and relative humidity at sea-level pressure: Stull's
 * empirical fit (R. Stull, "Wet-Bulb Temperature from Relative Humidity and Air Temperature", J. Appl.
 * Meteor. Climatol. 50, 2011): valid for RH 5–99% and −20..50 °C, error within about ±1 K.
 */
export function stullWetBulbC(dryBulbC: number, relativeHumidityPct: number): number {
  const t = dryBulbC;
  const rh = relativeHumidityPct;
  return (
    t * Math.atan(0.151977 * Math.sqrt(rh + 8.313659)) +
    Math.atan(t + rh) -
    Math.atan(rh - 1.676331) +
    0.00391838 * rh ** 1.5 * Math.atan(0.023101 * rh) -
    4.686035
  );
}

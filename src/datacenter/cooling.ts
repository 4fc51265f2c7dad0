import type { Assumptions } from "../catalog/index.js";
import type { Hour } from "./climate.js";

/** How the plant rejects heat outside: dry coolers, dry coolers with evaporative assist, or cooling towers. */
export type HeatRejection = "dry" | "adiabatic" | "evaporative";
export const HEAT_REJECTIONS: readonly HeatRejection[] = ["dry", "adiabatic", "evaporative"];

/** Water evaporated per kWh of heat: 3.6 MJ / 2.45 MJ/kg latent heat of water at ~20 °C = 1.469 L. */
export const EVAPORATION_L_PER_KWH = 3.6 / 2.45;
const KELVIN = 273.15;
/** Chiller lift below which the Carnot formula is not used (compressors have a minimum lift). */
const MIN_LIFT_K = 5;

/** Cooling power and water for one kilowatt of IT heat during one hour. */
export interface CoolingHour {
  /** Mechanical power (fans, pumps, chillers), kW per kW of IT heat. */
  readonly kwPerKw: number;
  /** Water consumed on site, litres per kWh of IT heat. */
  readonly litresPerKwh: number;
  /** Fraction of the heat a chiller had to lift (0: free cooling all hour). */
  readonly chillerFraction: number;
}

/**
 * A cooling technology. Every implementation answers the same question — mechanical power and water per
 * unit of IT heat at one hour's weather — and passes the shared conformance test (test/datacenter).
 */
export interface CoolingModel {
  readonly id: string;
  readonly name: string;
  /** Racks must be liquid-cooled systems (or may be). */
  readonly liquid: boolean;
  hour(a: Assumptions, rejection: HeatRejection, weather: Hour): CoolingHour;
}

/**
 * One heat path: heat leaves the IT at coolant supply temperature `supplyC`. Free cooling delivers
 * water at outside temperature (dry-bulb for dry coolers, wet-bulb for towers; adiabatic assist switches
 * to wet-bulb when dry cooling falls short) plus the approaches; a chiller trims what free cooling
 * cannot reach, with COP = carnotFraction × T_cold / lift. Water: evaporation of the rejected heat
 * (including compressor work) times C/(C−1) for blow-down.
 */
export function heatPath(
  a: Assumptions,
  rejection: HeatRejection,
  weather: Hour,
  supplyC: number,
  transportKwPerKw: number,
  economizer = true,
): CoolingHour {
  const dryFree = weather.dryBulbC + a.dryApproachK + a.hxApproachK;
  const wet =
    rejection === "evaporative" || (rejection === "adiabatic" && dryFree > supplyC - a.economizerBandK);
  const outsideC = wet ? weather.wetBulbC + a.towerApproachK : weather.dryBulbC + a.dryApproachK;
  const freeC = outsideC + a.hxApproachK;
  const chillerFraction = economizer
    ? Math.min(1, Math.max(0, (freeC - (supplyC - a.economizerBandK)) / a.economizerBandK))
    : 1;
  const coldK = supplyC - a.hxApproachK + KELVIN;
  const lift = Math.max(MIN_LIFT_K, outsideC + a.hxApproachK + KELVIN - coldK);
  // Water-cooled chillers reject to tower water; dry and adiabatic plants use air-cooled chillers.
  const carnot = rejection === "evaporative" ? a.chillerCarnotFraction : a.airCooledChillerCarnotFraction;
  const cop = (carnot * coldK) / lift;
  const compressor = chillerFraction / cop;
  // Adiabatic coolers keep their fans running while spraying.
  const rejectionFans = rejection === "evaporative" ? a.towerFanKwPerKw : a.dryCoolerFanKwPerKw;
  const water = wet
    ? EVAPORATION_L_PER_KWH * (1 + compressor) * (a.cyclesOfConcentration / (a.cyclesOfConcentration - 1))
    : 0;
  return { kwPerKw: transportKwPerKw + rejectionFans + compressor, litresPerKwh: water, chillerFraction };
}

function mix(parts: readonly (readonly [number, CoolingHour])[]): CoolingHour {
  let kw = 0;
  let water = 0;
  let chill = 0;
  for (const [f, h] of parts) {
    kw += f * h.kwPerKw;
    water += f * h.litresPerKwh;
    chill += f * h.chillerFraction;
  }
  return { kwPerKw: kw, litresPerKwh: water, chillerFraction: chill };
}

/** Air cooling with containment, elevated chilled water and an economizer. */
export const air: CoolingModel = {
  id: "air",
  name: "air (contained aisles, chilled water with economizer)",
  liquid: false,
  hour: (a, r, w) => heatPath(a, r, w, a.airChilledWaterC, a.airSideFanKwPerKw + a.chilledWaterPumpKwPerKw),
};

/**
 * Legacy air cooling: constant-speed CRAC fans without containment, 6.7 °C chilled water (the AHRI
 * 550/590 rating point), chillers all year.
 */
export const airLegacy: CoolingModel = {
  id: "air-legacy",
  name: "air, legacy (CRAC units, 6.7 °C chilled water, no economizer)",
  liquid: false,
  hour: (a, r, w) => heatPath(a, r, w, 6.7, a.legacyAirFanKwPerKw + a.chilledWaterPumpKwPerKw, false),
};

/** Direct-to-chip liquid cooling on warm facility water; the rest of the heat goes to air. */
export const dlc: CoolingModel = {
  id: "dlc",
  name: "direct-to-chip liquid (warm water) with residual air",
  liquid: true,
  hour: (a, r, w) =>
    mix([
      [a.dlcLiquidFraction, heatPath(a, r, w, a.liquidSupplyC, a.liquidPumpKwPerKw)],
      [
        1 - a.dlcLiquidFraction,
        heatPath(a, r, w, a.airChilledWaterC, a.airSideFanKwPerKw + a.chilledWaterPumpKwPerKw),
      ],
    ]),
};

/** Single-phase immersion: all heat into the dielectric fluid, rejected on warm facility water. */
export const immersion: CoolingModel = {
  id: "immersion",
  name: "single-phase immersion",
  liquid: true,
  hour: (a, r, w) => heatPath(a, r, w, a.liquidSupplyC, a.liquidPumpKwPerKw),
};

export const COOLING_MODELS: readonly CoolingModel[] = [air, airLegacy, dlc, immersion];
export type CoolingId = "air" | "air-legacy" | "dlc" | "immersion";
export const COOLING_IDS: readonly CoolingId[] = ["air", "air-legacy", "dlc", "immersion"];

export function coolingModel(id: CoolingId): CoolingModel {
  const m = COOLING_MODELS.find((c) => c.id === id);
  if (m === undefined) throw new Error(`unknown cooling ${id}`);
  return m;
}

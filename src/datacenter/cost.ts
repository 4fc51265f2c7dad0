import type { Assumptions, PriceInput, SystemInput } from "../catalog/index.js";
import { InputError } from "../errors.js";

export const HOURS_PER_YEAR = 8760;

/** Capital recovery factor: the annual payment that repays 1 over `years` at `rate`: r / (1 − (1+r)^−n). */
export function capitalRecoveryFactor(rate: number, years: number): number {
  return rate === 0 ? 1 / years : rate / (1 - (1 + rate) ** -years);
}

/** Capex per accelerator, USD. */
export interface UnitCapex {
  /** The accelerator in its system (CPUs, memory, NICs, chassis). */
  readonly system: number;
  readonly network: number;
  readonly storage: number;
  /** Building, power and cooling plant for its provisioned IT power. */
  readonly facility: number;
  readonly total: number;
  readonly priceSource: string;
}

/**
 * Capex per accelerator: a per-system price divided by the system's accelerators, or an accelerator
 * price × systemMultiplier; network and storage as shares of it; facility = IT MW × (build cost per MW
 * + liquid plant when liquid-cooled). The build cost is the market's (`buildUsdPerMw`) when a site states
 * one, else the facilityUsdPerMw assumption.
 */
export function unitCapex(
  price: PriceInput | undefined,
  systems: readonly SystemInput[],
  kwPerAccelerator: number,
  liquid: boolean,
  a: Assumptions,
  path = "prices",
  buildUsdPerMw: number = a.facilityUsdPerMw,
): UnitCapex {
  if (price === undefined)
    throw new InputError(
      path,
      undefined,
      "a price for the accelerator (prices: {ID: {usd: ..., source: ...}})",
    );
  let system = price.usd * a.systemMultiplier;
  if (price.perSystem !== undefined) {
    const s = systems.find((x) => x.id === price.perSystem);
    if (s === undefined)
      throw new InputError(`${path}.perSystem`, price.perSystem, "a system id from the catalog");
    system = price.usd / s.accelerators;
  }
  const network = system * a.networkCapexFraction;
  const storage = system * a.storageCapexFraction;
  const facility = (kwPerAccelerator / 1000) * (buildUsdPerMw + (liquid ? a.liquidCoolingUsdPerMw : 0));
  return {
    system,
    network,
    storage,
    facility,
    total: system + network + storage + facility,
    priceSource: price.source,
  };
}

/** Cost of one accelerator-hour by cause, USD. */
export interface HourCost {
  /** Annualised hardware (system, network, storage) capex: capex × CRF(costOfCapital, hardwareLifeYears). */
  readonly hardware: number;
  /** Annualised facility capex over facilityLifeYears. */
  readonly facility: number;
  /** Provisioned kW × load factor × PUE × price. */
  readonly energy: number;
  readonly maintenance: number;
  readonly staff: number;
  readonly network: number;
  readonly total: number;
}

/** Total cost of ownership per accelerator-hour: annualised capex plus opex, over 8,760 hours. */
export function costPerAcceleratorHour(
  capex: UnitCapex,
  kwPerAccelerator: number,
  loadFactor: number,
  pue: number,
  electricityUsdPerKWh: number,
  a: Assumptions,
): HourCost {
  const hw = capex.system + capex.network + capex.storage;
  const perYear = {
    hardware: hw * capitalRecoveryFactor(a.costOfCapital, a.hardwareLifeYears),
    facility: capex.facility * capitalRecoveryFactor(a.costOfCapital, a.facilityLifeYears),
    energy: kwPerAccelerator * loadFactor * pue * HOURS_PER_YEAR * electricityUsdPerKWh,
    maintenance: hw * a.hardwareMaintenanceFraction + capex.facility * a.facilityMaintenanceFraction,
    staff: (kwPerAccelerator / 1000) * a.staffPerMw * a.staffUsdPerYear,
    network: capex.network * a.networkOpexFraction,
  };
  const h = (x: number) => x / HOURS_PER_YEAR;
  const out = {
    hardware: h(perYear.hardware),
    facility: h(perYear.facility),
    energy: h(perYear.energy),
    maintenance: h(perYear.maintenance),
    staff: h(perYear.staff),
    network: h(perYear.network),
  };
  return { ...out, total: Object.values(out).reduce((s, x) => s + x, 0) };
}

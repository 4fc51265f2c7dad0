import type { Accelerator, Assumptions, SystemInput } from "../catalog/index.js";
import { InputError } from "../errors.js";

/** IT power and rack packing of one accelerator in its system. */
export interface ItPower {
  /** Provisioned IT power per accelerator: system maximum / accelerators × (1 + fabric share), kW. */
  readonly kwPerAccelerator: number;
  readonly system: string;
  readonly acceleratorsPerSystem: number;
  readonly systemKw: number;
  readonly systemsPerRack: number;
  readonly rackKw: number;
  readonly cooling: "air" | "liquid";
  /** The datasheet or the formula the power came from. */
  readonly source: string;
}

/**
 * The accelerator's system from the catalog when one is listed (datasheet power), else an 8-accelerator
 * server of 8 × TDP × serverPowerFactor, packed into air racks up to airRackLimitKw.
 */
export function itPower(
  acc: Accelerator,
  systems: readonly SystemInput[],
  a: Assumptions,
  path = "accelerator",
): ItPower {
  const sys = systems.find((s) => s.accelerator === acc.id);
  if (sys !== undefined) {
    return {
      kwPerAccelerator: (sys.maxPowerKw / sys.accelerators) * (1 + a.fabricPowerFraction),
      system: sys.id,
      acceleratorsPerSystem: sys.accelerators,
      systemKw: sys.maxPowerKw,
      systemsPerRack: sys.perRack,
      rackKw: sys.maxPowerKw * sys.perRack,
      cooling: sys.cooling,
      source: `${sys.source}; + fabricPowerFraction for switches and storage`,
    };
  }
  if (acc.tdpW === null)
    throw new InputError(
      `${path}.tdpW`,
      null,
      "the accelerator's TDP (W), or a system for it in the catalog",
    );
  const systemKw = (8 * acc.tdpW * a.serverPowerFactor) / 1000;
  const perRack = Math.max(1, Math.floor(a.airRackLimitKw / systemKw));
  return {
    kwPerAccelerator: (systemKw / 8) * (1 + a.fabricPowerFraction),
    system: `8 × ${acc.id} server`,
    acceleratorsPerSystem: 8,
    systemKw,
    systemsPerRack: perRack,
    rackKw: systemKw * perRack,
    cooling: "air",
    source: "formula: 8 × TDP × serverPowerFactor per server; + fabricPowerFraction",
  };
}

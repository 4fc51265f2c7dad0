import type { PriceInput, SystemInput } from "../types.js";

/** Packaged systems with datasheet power. */
export const SYSTEMS: readonly SystemInput[] = [
  {
    id: "dgx-a100",
    name: "NVIDIA DGX A100 (8 × A100 80GB)",
    accelerator: "a100-sxm-80gb",
    accelerators: 8,
    maxPowerKw: 6.5,
    cooling: "air",
    perRack: 4,
    acceleratorsPerNode: 8,
    source: "NVIDIA DGX A100 datasheet: system power 6.5 kW max",
  },
  {
    id: "dgx-h100",
    name: "NVIDIA DGX H100 (8 × H100 SXM)",
    accelerator: "h100-sxm",
    accelerators: 8,
    maxPowerKw: 10.2,
    cooling: "air",
    perRack: 4,
    acceleratorsPerNode: 8,
    source: "NVIDIA DGX H100 datasheet: system power ~10.2 kW max",
  },
  {
    id: "dgx-h200",
    name: "NVIDIA DGX H200 (8 × H200)",
    accelerator: "h200",
    accelerators: 8,
    maxPowerKw: 10.2,
    cooling: "air",
    perRack: 4,
    acceleratorsPerNode: 8,
    source: "NVIDIA DGX H200 datasheet: system power ~10.2 kW max",
  },
  {
    id: "dgx-b200",
    name: "NVIDIA DGX B200 (8 × B200)",
    accelerator: "b200",
    accelerators: 8,
    maxPowerKw: 14.3,
    cooling: "air",
    perRack: 2,
    acceleratorsPerNode: 8,
    source: "NVIDIA DGX B200 datasheet: system power ~14.3 kW max",
  },
  {
    id: "gb200-nvl72",
    name: "NVIDIA GB200 NVL72 (72 × B200 with 36 Grace, liquid-cooled rack)",
    accelerator: "gb200",
    accelerators: 72,
    maxPowerKw: 120,
    cooling: "liquid",
    perRack: 1,
    acceleratorsPerNode: 4,
    source:
      "18 compute trays of 4 GPUs (72 / 18); introl.com GB200 NVL72 deployment guide (~120 kW per rack; 132 kW of power-shelf output), via ../shared/reference (datacenter.rack_power)",
  },
  {
    id: "gb300-nvl72",
    name: "NVIDIA GB300 NVL72 (liquid-cooled rack)",
    accelerator: "gb300",
    accelerators: 72,
    maxPowerKw: 142,
    cooling: "liquid",
    perRack: 1,
    acceleratorsPerNode: 4,
    source:
      "18 compute trays of 4 GPUs, as GB200 NVL72; ~120 kW nominal, ~142 kW peak (introl.com; manishklach essay), via ../shared/reference (datacenter.rack_power; confidence low); peak used for provisioning",
  },
];

/** Published prices. Few exist: vendors do not publish list prices, so each is an analyst or CEO figure. */
export const PRICES: readonly PriceInput[] = [
  {
    accelerator: "h100-sxm",
    usd: 27_500,
    source:
      "Raymond James estimate of the H100 selling price, $25,000-30,000 (2023, reported by Tom's Hardware); midpoint; confidence low",
  },
  {
    accelerator: "b200",
    usd: 35_000,
    source: "Jensen Huang to CNBC (2024-03-19): a Blackwell GPU will cost $30,000-40,000; midpoint",
  },
  {
    accelerator: "gb200",
    usd: 3_000_000,
    perSystem: "gb200-nvl72",
    source: "HSBC estimate of a GB200 NVL72 rack at ~$3 million (2024, reported by Barron's); confidence low",
  },
  {
    accelerator: "mi300x",
    usd: 12_500,
    source: "Citi estimate of the MI300X selling price, $10,000-15,000 (2024); midpoint; confidence low",
  },
];

import type { HbmGenerationInput } from "../types.js";

/** HBM generations. Figures from ../shared/reference/reference.json (hbm_generations), sources inline. */
export const HBM_GENERATIONS: readonly HbmGenerationInput[] = [
  {
    id: "hbm2",
    name: "HBM2",
    interfaceBits: 1024,
    pinSpeedGbps: 2.0,
    capacityPerStackGB: 8,
    stackHeight: 8,
    energyPjPerBit: 3.9,
    vendors: ["Samsung", "SK hynix"],
    source:
      "O'Connor et al., 'Fine-Grained DRAM', MICRO-50 2017 (NVIDIA): HBM2 access energy ~3.9 pJ/bit; JEDEC JESD235A 2 Gb/s/pin, 8 GB 8-Hi",
  },
  {
    id: "hbm2e",
    name: "HBM2E",
    interfaceBits: 1024,
    pinSpeedGbps: 3.2,
    capacityPerStackGB: 16,
    stackHeight: 8,
    vendors: ["Samsung", "SK hynix", "Micron"],
    source:
      "icdirectory.co.uk 'How does HBM3E differ from HBM2E?' (3.2 Gb/s -> ~410 GB/s, up to 16 GB 8x16Gb dies); design-reuse.com HBM3 blog (HBM2E 3.2 GT/s)",
  },
  {
    id: "hbm3",
    name: "HBM3",
    interfaceBits: 1024,
    pinSpeedGbps: 6.4,
    capacityPerStackGB: 16,
    stackHeight: 8,
    vendors: ["SK hynix", "Samsung"],
    source:
      "SK hynix HBM3 announcement (819 GB/s per stack, 16 GB 8-Hi / 24 GB 12-Hi); tweakers.net Micron HBM3E article (HBM3 6.4 Gb/s per pin)",
  },
  {
    id: "hbm3e-8hi",
    name: "HBM3E 8-Hi",
    interfaceBits: 1024,
    pinSpeedGbps: 9.2,
    capacityPerStackGB: 24,
    stackHeight: 8,
    vendors: ["SK hynix", "Micron", "Samsung"],
    source:
      "Micron HBM3E volume-production announcement (Feb 2024): 9.2 Gb/s/pin, ~1.2 TB/s, 24 GB 8-high; SK hynix HBM3E (up to 1.18 TB/s)",
  },
  {
    id: "hbm3e-12hi",
    name: "HBM3E 12-Hi",
    interfaceBits: 1024,
    pinSpeedGbps: 9.6,
    capacityPerStackGB: 36,
    stackHeight: 12,
    vendors: ["SK hynix", "Micron", "Samsung"],
    source:
      "SK hynix 12-layer HBM3E mass production (Sept 2024, 9.6 Gb/s, 12 x 24Gb dies = 36 GB); Micron 12-high (>9.2 Gb/s, >1.2 TB/s)",
  },
  {
    id: "hbm4",
    name: "HBM4 (JEDEC baseline, 12-Hi)",
    interfaceBits: 2048,
    pinSpeedGbps: 8,
    capacityPerStackGB: 36,
    stackHeight: 12,
    vendors: ["SK hynix", "Samsung", "Micron"],
    source:
      "JEDEC HBM4 (2048-bit x 8 Gb/s = 2 TB/s per stack; 4/8/12/16-high, 24Gb and 32Gb layers); Micron HBM4 12-high 36 GB samples",
  },
  {
    id: "hbm4-samsung",
    name: "HBM4 (Samsung 11.7 Gb/s, 12-Hi)",
    interfaceBits: 2048,
    pinSpeedGbps: 11.7,
    capacityPerStackGB: 36,
    stackHeight: 12,
    vendors: ["Samsung"],
    source:
      "Samsung newsroom Feb 12 2026: HBM4 mass production, 11.7 Gb/s, up to 3.3 TB/s per stack, 12-Hi 24-36 GB",
  },
  {
    id: "hbm4e",
    name: "HBM4E (Samsung samples, 12-Hi)",
    interfaceBits: 2048,
    pinSpeedGbps: 14,
    capacityPerStackGB: 48,
    stackHeight: 12,
    vendors: ["Samsung"],
    source: "Samsung newsroom (May 2026): HBM4E 12-Hi samples, stable 14 Gb/s scalable to 16, 48 GB 12-Hi",
  },
];

import { describe, expect, it } from "vitest";
import {
  builtinCatalog,
  extendCatalog,
  resolveAccelerator,
  resolveHbm,
  resolveModel,
  withSustainedCompute,
} from "../../src/catalog/index.js";
import { InputError } from "../../src/errors.js";
import { busBandwidthFraction } from "../../src/perf/parts.js";
import { deviceRates, gemmCurveOf } from "../../src/perf/roofline.js";

const never = (): never => {
  throw new Error("missing built-in entry");
};

const CONTRACT_ACCELERATORS = [
  "a100-sxm-80gb",
  "h100-sxm",
  "h800",
  "h200",
  "b200",
  "gb200",
  "b300",
  "mi300x",
  "mi325x",
  "mi355x",
  "tpu-v5p",
  "tpu-v6e",
  "tpu-v7",
  "trainium2",
  "gaudi3",
];
const CONTRACT_MEMORY = ["hbm2e", "hbm3", "hbm3e-8hi", "hbm3e-12hi", "hbm4"];
const CONTRACT_MODELS = [
  "gpt3-175b",
  "llama2-70b",
  "llama3-8b",
  "llama3-70b",
  "llama3.1-405b",
  "mixtral-8x7b",
  "mixtral-8x22b",
  "deepseek-v3",
];

describe("catalog", () => {
  const cat = builtinCatalog();

  it("has every id the contract names, and each resolves", () => {
    for (const id of CONTRACT_ACCELERATORS) expect(resolveAccelerator(cat, id).id, id).toBe(id);
    for (const id of CONTRACT_MEMORY) expect(resolveHbm(cat, id).id, id).toBe(id);
    for (const id of CONTRACT_MODELS) expect(resolveModel(cat, id).id, id).toBe(id);
  });

  it("gives every entry a source", () => {
    for (const family of [cat.accelerators, cat.memory, cat.networks, cat.models]) {
      for (const [id, entry] of family)
        expect((entry.source ?? "").length, `${id} source`).toBeGreaterThan(10);
    }
  });

  it("derives per-stack HBM figures from interface width and pin speed", () => {
    const hbm3 = resolveHbm(cat, "hbm3");
    expect(hbm3.bandwidthPerStackBytesPerS, "HBM3 1024 bits × 6.4 Gb/s / 8").toBeCloseTo(819.2e9, -6);
    const hbm4 = resolveHbm(cat, "hbm4");
    expect(hbm4.bandwidthPerStackBytesPerS, "HBM4 2048 bits × 8 Gb/s / 8").toBeCloseTo(2048e9, -6);
    expect(hbm4.capacityPerStackBytes).toBe(36e9);
  });

  it("derives an accelerator's memory from its HBM generation and stack count", () => {
    const chip = resolveAccelerator(cat, {
      name: "custom-asic-hbm4",
      peakTflops: { bf16: 1200, fp8: 2400 },
      hbm: { generation: "hbm4", stacks: 8 },
      scaleUp: { bandwidthGBps: 900, domainSize: 64 },
      scaleOut: { bandwidthGBps: 100 },
      tdpW: 1100,
    });
    expect(chip.hbmBytes, "8 × 36 GB").toBe(288e9);
    expect(chip.hbmBandwidthBytesPerS, "8 × 2.048 TB/s").toBeCloseTo(16.384e12, -6);
    expect(chip.scaleUp.bandwidthBytesPerS, "900 GB/s bidirectional → 450 per direction").toBe(450e9);
    expect(chip.scaleUp.domainSize).toBe(64);
    expect(chip.peakFlops.fp8).toBe(2400e12);
  });

  it("lets stated capacity and bandwidth override the derivation (parts that enable fewer stacks)", () => {
    const a100 = resolveAccelerator(cat, "a100-sxm-80gb");
    expect(a100.hbmBytes).toBe(80 * 1024 ** 3); // 80 GiB: five 16 GiB stacks
    expect(a100.hbmBandwidthBytesPerS).toBe(2039e9);
    expect(a100.hbm).toEqual({ generation: "hbm2e", stacks: 5 });
  });

  it("reports an unknown id as an input error naming the path and the choices", () => {
    expect(() => resolveAccelerator(cat, "h1000", "system.accelerator")).toThrow(InputError);
    expect(() => resolveAccelerator(cat, "h1000", "system.accelerator")).toThrow(
      /^system\.accelerator: expected an accelerator id from the catalog \(.*h100-sxm.*\), got "h1000"$/,
    );
    expect(() => resolveModel(cat, "llama9")).toThrow(/^model: expected a model id/);
  });

  it("a network's curveOf must name a network of the catalog; a valid one lends its curve's shape", () => {
    const net = (curveOf: string) => ({
      id: "nvlink4-lite",
      name: "NVLink 4, 6 links",
      kind: "scale-up" as const,
      bandwidthGBps: 300,
      latencyUs: 3,
      curveOf,
      source: "user scenario",
    });
    const acc = (curveOf: string) => {
      const ext = extendCatalog(cat, {
        networks: [net(curveOf)],
        accelerators: [
          {
            ...(cat.accelerators.get("h100-sxm") ?? never()),
            id: "h-lite",
            scaleUp: { fabric: "nvlink4-lite", domainSize: 8 },
          },
        ],
      });
      return resolveAccelerator(ext, "h-lite", "system.accelerator");
    };
    expect(() => acc("nvlink9")).toThrow(
      /^networks\.nvlink4-lite\.curveOf: expected a network id from the catalog .*got "nvlink9"$/,
    );
    // Without a large-message figure of its own the part's links reach the shape's share of their peak,
    // and small messages the same absolute bandwidth as on the shape's fabric.
    const lite = acc("nvlink4").parts.scaleUpCurve;
    const h100 = resolveAccelerator(cat, "h100-sxm").parts.scaleUpCurve;
    expect(lite?.value.plateau).toBe(h100?.value.plateau);
    expect(lite?.value.ringPlateau).toBe(h100?.value.ringPlateau);
    const small = (c: typeof lite, peakGBps: number) =>
      c === null ? 0 : busBandwidthFraction(c.value, 4096) * peakGBps;
    expect(small(lite, 150) / small(h100, 450)).toBeCloseTo(1, 2);
    expect(lite?.provenance).toMatch(
      /^all-reduce plateau at the shape's share of nvlink4-lite's peak, on the shape/,
    );
  });

  it("extends with user entries without touching the built-in catalog", () => {
    const ext = extendCatalog(cat, {
      memory: [
        {
          id: "hbm5-guess",
          name: "HBM5",
          interfaceBits: 2048,
          pinSpeedGbps: 16,
          capacityPerStackGB: 64,
          vendors: [],
          source: "user scenario",
        },
      ],
    });
    expect(resolveHbm(ext, "hbm5-guess").bandwidthPerStackBytesPerS).toBe(4096e9);
    expect(cat.memory.has("hbm5-guess")).toBe(false);
  });
});

describe("withSustainedCompute: the parts as a whole run sustains them", () => {
  const cat = builtinCatalog();

  it("scales every math rate (GEMM dense and block-scaled, attention) and nothing else; peaks stay the datasheet's", () => {
    for (const id of ["h100-sxm", "h800", "gb200", "mi300x"]) {
      const acc = resolveAccelerator(cat, id);
      const s = withSustainedCompute(acc, 0.8);
      expect(s.peakFlops).toEqual(acc.peakFlops);
      expect(s.hbmBandwidthBytesPerS).toBe(acc.hbmBandwidthBytesPerS);
      expect(s.parts.memoryFraction).toEqual(acc.parts.memoryFraction);
      expect(s.parts.scaleUpCurve).toEqual(acc.parts.scaleUpCurve);
      for (const p of Object.keys(acc.peakFlops) as (keyof typeof acc.peakFlops)[]) {
        expect(gemmCurveOf(s, p).plateau).toBeCloseTo(gemmCurveOf(acc, p).plateau * 0.8, 12);
        expect(gemmCurveOf(s, p, true).plateau).toBeCloseTo(gemmCurveOf(acc, p, true).plateau * 0.8, 12);
        const [r, r0] = [deviceRates(s, p), deviceRates(acc, p)];
        expect(r.matmulFlopsPerS).toBeCloseTo(r0.matmulFlopsPerS * 0.8, -6);
        expect(r.attentionFlopsPerS).toBeCloseTo(r0.attentionFlopsPerS * 0.8, -6);
        expect(r.attentionBwdFlopsPerS).toBeCloseTo(r0.attentionBwdFlopsPerS * 0.8, -6);
        expect(r.memoryBytesPerS).toBe(r0.memoryBytesPerS);
        expect(r.peakFlopsPerS).toBe(r0.peakFlopsPerS);
      }
      expect(s.parts.attention.provenance).toMatch(
        /× 0\.8 sustained \(assumption sustainedComputeFraction\)$/,
      );
    }
  });

  it("a part with no GEMM measured anywhere in its family is scaled too (the default curve), and 1 is the part itself", () => {
    const custom = resolveAccelerator(cat, {
      name: "no-rows",
      peakTflops: { bf16: 1000, fp8: 2000 },
      hbm: { capacityGB: 100, bandwidthGBps: 4000 },
      scaleUp: { bandwidthGBps: 900, domainSize: 8 },
      scaleOut: { bandwidthGBps: 50 },
    });
    const s = withSustainedCompute(custom, 0.9);
    expect(gemmCurveOf(s, "fp8").plateau).toBeCloseTo(gemmCurveOf(custom, "fp8").plateau * 0.9, 12);
    expect(withSustainedCompute(custom, 1)).toBe(custom);
  });
});

import { median } from "../numerics.js";
import { type Precision, sixteenBitTwin } from "../units.js";
import { LINK_ROWS } from "./data/microbench.js";
import { ATTENTION_CURVES, COLLECTIVE_CURVES, GEMM_CURVES, MEMORY_FRACTIONS } from "./data/part-curves.js";
import type {
  AttentionCurve,
  CollectiveCurve,
  GemmClass,
  GemmCurve,
  Provenanced,
  StoredCollectiveCurve,
  StoredGemmCurve,
} from "./parts.js";
import type { AcceleratorInput, InterconnectInput } from "./types.js";

/** What the performance model knows of one accelerator's parts, each with where it comes from. */
export interface AcceleratorParts {
  /** GEMM curves per precision, per-tensor-scaled kernels. */
  readonly gemm: Readonly<Partial<Record<Precision, Provenanced<GemmCurve>>>>;
  /** GEMM curves with fine-grained (block) scaling, where measured on the part or its family. */
  readonly gemmBlockwise: Readonly<Partial<Record<Precision, Provenanced<GemmCurve>>>>;
  /** The fused attention kernel's curve, and which kernel it is (null: the stated default). */
  readonly attention: Provenanced<AttentionCurve> & { readonly kernel: string | null };
  /** Fraction of peak HBM bandwidth streaming kernels reach. */
  readonly memoryFraction: Provenanced<number>;
  /**
   * All-reduce bus bandwidth curve of the scale-up fabric, where measured; `ownFigure`: the system of the
   * part's own large-message figure that set its plateau (LINK_ROWS), if one did.
   */
  readonly scaleUpCurve: (Provenanced<CollectiveCurve> & { readonly ownFigure?: string }) | null;
}

/**
 * The attention kernel a current framework runs, in order of preference: cuDNN fused attention
 * (Transformer Engine's default on Hopper), NVIDIA's SM100 MHA prefill kernel, FlashAttention-3, -4, -2.
 */
export const ATTENTION_KERNELS = [
  "cuDNN",
  "FlashMLA dense MHA prefill",
  "FlashAttention-3",
  "FlashAttention-4",
  "FlashAttention-2",
] as const;

const dense = GEMM_CURVES.filter((c) => c.cls === "dense");
const plateaus = dense.map((c) => c.plateau);
/**
 * A part with no GEMM measurement on it or its family: the median of the measured curves (an assumption;
 * the measured plateaus span the range given).
 */
export const DEFAULT_GEMM_CURVE: Provenanced<GemmCurve> = {
  value: {
    plateau: median(plateaus),
    latencyS: median(dense.map((c) => c.latencyS)),
    k0: median(dense.map((c) => c.k0)),
  },
  provenance: `assumption: no GEMM measured on this part or its family; median of the ${dense.length} measured curves (plateau range ${Math.min(...plateaus)}–${Math.max(...plateaus)})`,
};

const fractions = MEMORY_FRACTIONS.map((m) => m.fraction);
export const DEFAULT_MEMORY_FRACTION: Provenanced<number> = {
  value: fractions.reduce((a, b) => a + b, 0) / fractions.length,
  provenance: `assumption: no STREAM measurement on this part or its family; mean of the ${fractions.length} measured Triad fractions (range ${Math.min(...fractions)}–${Math.max(...fractions)})`,
};

const h100 = ATTENTION_CURVES.find((c) => c.kernel === "cuDNN");
export const DEFAULT_ATTENTION_CURVE: AcceleratorParts["attention"] = {
  kernel: null,
  value: {
    fwdPlateau: median(ATTENTION_CURVES.map((c) => c.fwdPlateau)),
    s0: h100?.s0 ?? 0,
    bwdRatio: h100?.bwdRatio ?? 1,
  },
  provenance:
    "assumption: no attention kernel measured on this part or its family; median of the measured plateaus",
};

/** Precisions tried, in order, when a part has no curve for the one asked. */
const PRECISION_FALLBACK: Readonly<Record<Precision, readonly Precision[]>> = {
  fp32: ["fp32"],
  fp16: ["fp16", "bf16"],
  bf16: ["bf16", "fp16"],
  fp8: ["fp8", "bf16"],
  fp4: ["fp4", "fp8", "bf16"],
};

type Member = { readonly id: string; readonly input: AcceleratorInput };

function gemmCurveFor(
  id: string,
  input: AcceleratorInput,
  family: readonly Member[],
  p: Precision,
  cls: GemmClass,
): Provenanced<GemmCurve> | null {
  const peak = input.peakTflops[p] ?? 0;
  for (const q of PRECISION_FALLBACK[p]) {
    const own = GEMM_CURVES.find((c) => c.acc === id && c.p === q && c.cls === cls);
    if (own !== undefined) return { value: pick(own), provenance: describe(own, id, p) };
    // Family members with a curve for q; the nearest peak (similar clocks and power) first.
    const candidates = family
      .map((f) => ({ f, c: GEMM_CURVES.find((c) => c.acc === f.id && c.p === q && c.cls === cls) }))
      .filter((x): x is { f: Member; c: StoredGemmCurve } => x.c !== undefined)
      .sort(
        (a, b) =>
          Math.abs((a.f.input.peakTflops[q] ?? 0) - peak) - Math.abs((b.f.input.peakTflops[q] ?? 0) - peak),
      );
    const best = candidates[0];
    if (best !== undefined) return { value: pick(best.c), provenance: describe(best.c, id, p) };
  }
  return null;
}

function pick(c: StoredGemmCurve): GemmCurve {
  return { plateau: c.plateau, latencyS: c.latencyS, k0: c.k0 };
}

function describe(c: StoredGemmCurve, id: string, p: Precision): string {
  const how = c.fit === "full" ? "fitted" : "plateau fitted (latency, k0: median of the full fits)";
  const where = c.acc === id && c.p === p ? "" : `, inherited from ${c.acc} ${c.p}`;
  const kernel =
    c.baseline === true ? " (a library's untuned baseline configurations: a tuned kernel runs faster)" : "";
  return `${how} to ${c.rows} ${c.cls} GEMM rows measured on ${c.acc}${kernel}${where}`;
}

/** Position of a measured kernel in ATTENTION_KERNELS (−1: not one a framework uses). */
export function attentionKernelRank(kernel: string): number {
  return ATTENTION_KERNELS.findIndex((k) => kernel.startsWith(k));
}

function attentionFor(id: string, family: readonly Member[]): AcceleratorParts["attention"] {
  const ids = [id, ...family.map((f) => f.id)];
  const curves = ATTENTION_CURVES.filter((c) => ids.includes(c.acc)).sort(
    (a, b) =>
      attentionKernelRank(a.kernel) - attentionKernelRank(b.kernel) ||
      (a.acc === id ? -1 : b.acc === id ? 1 : 0),
  );
  const c = curves[0];
  if (c === undefined) return DEFAULT_ATTENTION_CURVE;
  const inherited = c.acc === id ? "" : `, inherited from ${c.acc} (its family's preferred kernel)`;
  return {
    kernel: c.kernel,
    value: { fwdPlateau: c.fwdPlateau, s0: c.s0, bwdRatio: c.bwdRatio },
    provenance: `${c.kernel} fitted to ${c.rows} rows measured on ${c.acc}${inherited}`,
  };
}

function memoryFor(id: string, family: readonly Member[]): Provenanced<number> {
  for (const m of [id, ...family.map((f) => f.id)]) {
    const f = MEMORY_FRACTIONS.find((x) => x.acc === m);
    if (f !== undefined)
      return {
        value: f.fraction,
        provenance: `STREAM Triad measured on ${m}${m === id ? "" : " (inherited from its family)"}`,
      };
  }
  return DEFAULT_MEMORY_FRACTION;
}

/**
 * Resolve the measured parts of an accelerator: its own curves, else its family's (a chip without
 * measurements inherits its family's curve, and the provenance says so), else the stated defaults. A
 * catalog entry's `matmulEfficiency` / `memoryEfficiency` replace the plateau / the fraction.
 */
export function resolveParts(
  id: string,
  input: AcceleratorInput,
  catalog: ReadonlyMap<string, AcceleratorInput>,
  networks: ReadonlyMap<string, InterconnectInput>,
): AcceleratorParts {
  const family: Member[] =
    input.family === undefined
      ? []
      : [...catalog.entries()]
          .filter(([other, a]) => other !== id && a.family === input.family)
          .map(([other, a]) => ({ id: other, input: a }));
  const gemm: Partial<Record<Precision, Provenanced<GemmCurve>>> = {};
  const gemmBlockwise: Partial<Record<Precision, Provenanced<GemmCurve>>> = {};
  for (const p of Object.keys(input.peakTflops) as Precision[]) {
    let c = gemmCurveFor(id, input, family, p, "dense") ?? DEFAULT_GEMM_CURVE;
    const override =
      typeof input.matmulEfficiency === "number" ? input.matmulEfficiency : input.matmulEfficiency?.[p];
    if (override !== undefined)
      c = {
        value: { ...c.value, plateau: override },
        provenance: `matmulEfficiency ${override} of the catalog entry`,
      };
    gemm[p] = c;
    const b = gemmCurveFor(id, input, family, p, "blockwise");
    if (b !== null) gemmBlockwise[p] = b;
  }
  const memoryFraction =
    input.memoryEfficiency !== undefined
      ? {
          value: input.memoryEfficiency,
          provenance: `memoryEfficiency ${input.memoryEfficiency} of the catalog entry`,
        }
      : memoryFor(id, family);
  return {
    gemm,
    gemmBlockwise,
    attention: attentionFor(id, family),
    memoryFraction,
    scaleUpCurve: input.scaleUp.bandwidthGBps !== undefined ? null : scaleUpCurveFor(id, input, networks),
  };
}

/**
 * The measured all-reduce curve a fabric's collectives take the shape of: that of the link generation its
 * `curveOf` names, else its own nccl-tests sweeps'; none (a flat share of the peak) without either.
 */
export function fabricCurve(
  fabric: string,
  net: InterconnectInput | undefined,
): StoredCollectiveCurve | undefined {
  const shapeOf = net?.curveOf ?? fabric;
  return COLLECTIVE_CURVES.find((c) => c.fabric === shapeOf);
}

/**
 * The scale-up fabric's measured all-reduce curve as this part sees it: the curve fitted to its fabric's
 * nccl-tests sweeps (or, with `curveOf`, to the same link generation's), and where the part has its own
 * large-message all-reduce figure (LINK_ROWS) and no sweep of its own, that figure as the plateau. The half-bandwidth size moves
 * with the plateau so the latency-bound regime keeps its absolute bandwidth (the links' latency is the
 * generation's), and every other collective keeps the shape's cap: the ring protocol's measured share
 * where there is one, else the shape's own plateau (no ring figure on the part).
 */
function scaleUpCurveFor(
  id: string,
  input: AcceleratorInput,
  networks: ReadonlyMap<string, InterconnectInput>,
): AcceleratorParts["scaleUpCurve"] {
  const fabric = input.scaleUp.fabric;
  if (fabric === undefined) return null;
  const net = networks.get(fabric);
  const curve = fabricCurve(fabric, net);
  if (curve === undefined) return null;
  const shapeOf = curve.fabric;
  const sweeps = `fitted to ${curve.rows} nccl-tests rows on ${curve.acc} (${shapeOf})`;
  const fitted = `all-reduce bus bandwidth ${sweeps}`;
  const ring = (r: number, how: string) => `; ring-protocol collectives at most ${r} of the peak (${how})`;
  // A part whose own sweeps made the curve keeps it: many sizes outweigh one large-message figure.
  const swept = curve.acc.split("+").includes(id);
  const own = swept ? undefined : LINK_ROWS.find((r) => r.acc === id && r.kind === "all-reduce");
  const shapeNet = networks.get(shapeOf);
  if ((own === undefined && shapeOf === fabric) || net === undefined || shapeNet === undefined) {
    const { plateau, halfBytes, exponent, ringPlateau } = curve;
    return {
      value: { plateau, halfBytes, exponent, ...(ringPlateau !== undefined ? { ringPlateau } : {}) },
      provenance: `${fitted}${curve.ringPlateau !== undefined ? ring(curve.ringPlateau, "measured") : ""}`,
    };
  }
  // Per-direction peaks (datasheet figures count both directions). Without a figure of its own the
  // part's links reach the same share of their peak as the shape's.
  const peak = net.bandwidthGBps / 2;
  const plateau = own === undefined ? curve.plateau : round4(own.busGBps / peak);
  const absolute = (plateau * peak) / (curve.plateau * (shapeNet.bandwidthGBps / 2));
  const ringPlateau = curve.ringPlateau ?? curve.plateau;
  const where =
    own === undefined
      ? `all-reduce plateau at the shape's share of ${fabric}'s peak`
      : `all-reduce plateau ${own.busGBps} GB/s measured on ${id} (${own.system})`;
  return {
    value: {
      plateau,
      halfBytes: Math.round(curve.halfBytes * absolute ** (1 / curve.exponent)),
      exponent: curve.exponent,
      ringPlateau,
    },
    ...(own !== undefined ? { ownFigure: own.system } : {}),
    provenance: `${where}, on the shape of the curve ${sweeps}${ring(ringPlateau, curve.ringPlateau !== undefined ? "measured on the shape's fabric" : "the shape's measured all-reduce plateau: no ring figure on this part")}`,
  };
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** A precision's block-scaled GEMM curve, where measured on the part or its family (bf16 and fp16 stand in for each other). */
function blockwiseCurveFor(parts: AcceleratorParts, p: Precision): Provenanced<GemmCurve> | undefined {
  return parts.gemmBlockwise[p] ?? parts.gemmBlockwise[sixteenBitTwin(p)];
}

/**
 * The GEMM curve the performance model runs a precision at: the block-scaled one where asked and
 * measured, else the per-tensor one (bf16 and fp16 stand in for each other), else the stated default.
 */
export function gemmCurveAt(
  parts: AcceleratorParts,
  p: Precision,
  blockwise = false,
): Provenanced<GemmCurve> {
  const b = blockwise ? blockwiseCurveFor(parts, p) : undefined;
  return b ?? parts.gemm[p] ?? parts.gemm[sixteenBitTwin(p)] ?? DEFAULT_GEMM_CURVE;
}

/**
 * The parts as a whole run sustains them: every math rate (each precision's GEMM plateau, dense and
 * block-scaled, and the attention kernel's) × `fraction`, the `sustainedComputeFraction` assumption;
 * HBM and collectives keep their measured rates. Precisions the part has no curve for take the curve
 * the performance model would fall back on, so nothing escapes the scaling. 1 returns `parts` itself.
 */
export function sustainedParts(
  parts: AcceleratorParts,
  precisions: readonly Precision[],
  fraction: number,
): AcceleratorParts {
  if (fraction === 1) return parts;
  const note = ` × ${fraction} sustained (assumption sustainedComputeFraction)`;
  const scaled = (c: Provenanced<GemmCurve>): Provenanced<GemmCurve> => ({
    value: { ...c.value, plateau: c.value.plateau * fraction },
    provenance: c.provenance + note,
  });
  const gemm: Partial<Record<Precision, Provenanced<GemmCurve>>> = {};
  const gemmBlockwise: Partial<Record<Precision, Provenanced<GemmCurve>>> = {};
  for (const p of precisions) {
    gemm[p] = scaled(gemmCurveAt(parts, p));
    const b = blockwiseCurveFor(parts, p);
    if (b !== undefined) gemmBlockwise[p] = scaled(b);
  }
  const a = parts.attention;
  return {
    ...parts,
    gemm,
    gemmBlockwise,
    attention: {
      ...a,
      value: { ...a.value, fwdPlateau: a.value.fwdPlateau * fraction },
      provenance: a.provenance + note,
    },
  };
}

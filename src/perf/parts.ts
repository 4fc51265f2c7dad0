import { GEMM_KNEE } from "../catalog/data/part-curves.js";
import type { AttentionCurve, CollectiveCurve, GemmCurve } from "../catalog/parts.js";
import { nelderMead } from "../numerics.js";

/**
 * Part-level models: the time of one GEMM, the efficiency of a fused attention kernel and the bus
 * bandwidth of a collective, each a named function whose parameters are fitted to microbenchmarks of
 * that part (the fits live here too, so a test can re-fit every stored curve from its rows).
 */

/** Bytes a GEMM moves at least once: both inputs in the input format, the output in 16-bit. */
export function gemmBytes(m: number, n: number, k: number, inBytes: number, outBytes = 2): number {
  return (m * k + k * n) * inBytes + m * n * outBytes;
}

/**
 * How a GEMM's math and operand traffic combine: their q-norm, (compute^q + memory^q)^(1/q). Far from the
 * ridge point the larger one is the time (a decode GEMM reads its weights, a large one computes); at the
 * ridge neither hides the other fully and the time is 2^(1/q) of either. q = ∞ is the plain roofline
 * max, q = 1 their sum. `GEMM_KNEE` is fitted with the curves to every production GEMM row
 * (perf/parts-fit.ts fitGemmKnee).
 */
export function gemmBound(compute: number, memory: number, knee = GEMM_KNEE): number {
  const hi = Math.max(compute, memory);
  if (hi <= 0 || !Number.isFinite(knee)) return hi;
  return hi * ((compute / hi) ** knee + (memory / hi) ** knee) ** (1 / knee);
}

/**
 * Math time of a GEMM of `flops` on a curve: at its plateau share of the peak, stretched by (1 + k0/K)
 * where the reduction depth K is known (short loops leave the prologue and epilogue unhidden).
 */
export function gemmMathSeconds(c: GemmCurve, peakFlopsPerS: number, flops: number, k?: number): number {
  return (flops / (peakFlopsPerS * c.plateau)) * (k !== undefined ? 1 + c.k0 / k : 1);
}

/**
 * Seconds for an M×K by K×N GEMM: the math time (2·M·N·K at the curve's plateau share of peak, stretched
 * by (1 + k0/K) for short reduction loops) and the HBM time of its operands, combined by `gemmBound`,
 * plus the kernel's fixed latency. Small M is bound by reading the weights; large shapes reach the plateau.
 */
export function gemmSeconds(
  c: GemmCurve,
  peakFlopsPerS: number,
  memoryBytesPerS: number,
  m: number,
  n: number,
  k: number,
  inBytes: number,
  outBytes = 2,
  knee = GEMM_KNEE,
): number {
  const compute = gemmMathSeconds(c, peakFlopsPerS, 2 * m * n * k, k);
  const memory = gemmBytes(m, n, k, inBytes, outBytes) / memoryBytesPerS;
  return gemmBound(compute, memory, knee) + c.latencyS;
}

/** One measured GEMM as the fit sees it. */
export interface GemmSample {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly tflops: number;
}

/** Bounds of the fitted GEMM parameters (a fit that runs into one says so by its value). */
const GEMM_BOUNDS = { plateau: [0.05, 1], latencyS: [0, 30e-6], k0: [0, 2000] } as const;
const clamp = (x: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, x));

/**
 * Rows with M ≥ 256 weigh 1 in the fit, smaller M (decode-like, launch-bound) 0.3: the model is used for
 * both, and the acceptance bound is on the former.
 */
export const GEMM_LARGE_M = 256;

/** The fit's loss: squared log error of throughput, rows with M ≥ 256 weighing 1 and smaller ones 0.3. */
export function gemmLoss(
  samples: readonly GemmSample[],
  peak: number,
  mem: number,
  inBytes: number,
  c: GemmCurve,
  knee = GEMM_KNEE,
): number {
  let loss = 0;
  for (const s of samples) {
    const t = gemmSeconds(c, peak, mem, s.m, s.n, s.k, inBytes, 2, knee);
    const predicted = (2 * s.m * s.n * s.k) / t / 1e12;
    const w = s.m >= GEMM_LARGE_M ? 1 : 0.3;
    loss += w * Math.log(predicted / s.tflops) ** 2;
  }
  return loss;
}

/**
 * Least-squares fit (on log throughput) of a GEMM curve to measured rows of one part and precision.
 * With `fixed`, only the plateau is fitted (too few shapes to separate latency and depth effects).
 */
export function fitGemmCurve(
  samples: readonly GemmSample[],
  peakFlopsPerS: number,
  memoryBytesPerS: number,
  inBytes: number,
  fixed?: { readonly latencyS: number; readonly k0: number },
  knee = GEMM_KNEE,
): GemmCurve {
  const curve = (x: readonly number[]): GemmCurve => ({
    plateau: clamp(x[0] ?? 0.7, GEMM_BOUNDS.plateau),
    latencyS: fixed?.latencyS ?? clamp((x[1] ?? 4) * 1e-6, GEMM_BOUNDS.latencyS),
    k0: fixed?.k0 ?? clamp((x[2] ?? 100) * 100, GEMM_BOUNDS.k0),
  });
  const loss = (x: readonly number[]) =>
    gemmLoss(samples, peakFlopsPerS, memoryBytesPerS, inBytes, curve(x), knee);
  if (fixed !== undefined) return curve(nelderMead(loss, [0.7], [0.1]).x);
  let best: { x: number[]; value: number } | null = null;
  for (const latencyUs of [1, 4, 10]) {
    const r = nelderMead(loss, [0.7, latencyUs, 1], [0.1, 1, 1], 4000);
    if (best === null || r.value < best.value) best = r;
  }
  return curve(best?.x ?? []);
}

/** Fused attention efficiency (fraction of dense peak) at sequence length `seq`, forward or backward. */
export function attentionEfficiency(c: AttentionCurve, seq: number, backward = false): number {
  return c.fwdPlateau * (seq / (seq + c.s0)) * (backward ? c.bwdRatio : 1);
}

/** Fit fwdPlateau (and s0 unless given) to forward efficiencies by sequence length (null: long sequence). */
export function fitAttentionCurve(
  samples: readonly { readonly seq: number | null; readonly efficiency: number }[],
  bwdRatio: number,
  s0Fixed?: number,
): AttentionCurve {
  const LONG = 1e9;
  const curve = (x: readonly number[]): AttentionCurve => ({
    fwdPlateau: clamp(x[0] ?? 0.5, [0.01, 1]),
    s0: s0Fixed ?? clamp((x[1] ?? 3) * 100, [0, 1e5]),
    bwdRatio,
  });
  const loss = (x: readonly number[]) => {
    const c = curve(x);
    let l = 0;
    for (const s of samples) l += Math.log(attentionEfficiency(c, s.seq ?? LONG) / s.efficiency) ** 2;
    return l;
  };
  return curve(nelderMead(loss, s0Fixed === undefined ? [0.5, 3] : [0.5], [0.1, 1]).x);
}

/** Bus bandwidth of a collective of `bytes` as a fraction of the link's per-direction peak. */
export function busBandwidthFraction(c: CollectiveCurve, bytes: number): number {
  return c.plateau / (1 + (c.halfBytes / Math.max(1, bytes)) ** c.exponent);
}

/** Fit a collective curve to (message size, bus bandwidth / peak) points. */
export function fitCollectiveCurve(
  samples: readonly { readonly bytes: number; readonly fraction: number }[],
): CollectiveCurve {
  const curve = (x: readonly number[]): CollectiveCurve => ({
    plateau: clamp(x[0] ?? 0.8, [0.05, 2]),
    halfBytes: 2 ** clamp(x[1] ?? 20, [0, 40]),
    exponent: clamp(x[2] ?? 1, [0.2, 2]),
  });
  const loss = (x: readonly number[]) => {
    const c = curve(x);
    let l = 0;
    for (const s of samples) l += Math.log(busBandwidthFraction(c, s.bytes) / s.fraction) ** 2;
    return l;
  };
  return curve(nelderMead(loss, [0.8, 22, 1], [0.2, 2, 0.3], 4000).x);
}

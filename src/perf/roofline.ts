import type { GemmCurve } from "../catalog/parts.js";
import { gemmCurveAt } from "../catalog/resolve-parts.js";
import type { Accelerator } from "../catalog/types.js";
import { InputError } from "../errors.js";
import { isLowPrecision, type Precision, sixteenBitTwin } from "../units.js";
import { CALIBRATION, type Calibration } from "./calibration.js";
import { attentionEfficiency, gemmBound, gemmMathSeconds } from "./parts.js";

/** One operator: the FLOPs it does and the HBM bytes it moves. */
export interface Op {
  readonly kind: "matmul" | "attention" | "memory";
  readonly flops: number;
  readonly bytes: number;
  /** A GEMM against model weights (its backward has a weight gradient unless they are frozen). */
  readonly weights?: true;
  /** A GEMM's reduction depth K (short loops run below the plateau: perf/parts.ts gemmSeconds). */
  readonly k?: number;
}

/** What an accelerator sustains for a given precision: its measured part curves, resolved. */
export interface DeviceRates {
  /** Large-GEMM rate: peak × the GEMM curve's plateau. */
  readonly matmulFlopsPerS: number;
  readonly gemm: GemmCurve;
  /** Fused attention forward and backward at the job's sequence length. */
  readonly attentionFlopsPerS: number;
  readonly attentionBwdFlopsPerS: number;
  readonly memoryBytesPerS: number;
  readonly overheadS: number;
  /** Dense peak of the chosen precision, the denominator of MFU. */
  readonly peakFlopsPerS: number;
  /** Whether a non-GEMM operator's memory traffic hides under its math (max) or adds to it (sum). */
  readonly overlapComputeMemory: boolean;
}

/** The precision attention products and other non-GEMM math run in: 16-bit for 8- and 4-bit training. */
function attentionPrecision(p: Precision): Precision {
  return isLowPrecision(p) ? "bf16" : p;
}

/** Dense peak of a precision (bf16 and fp16 stand in for each other), or a clear error naming `path`. */
export function peakOf(acc: Accelerator, p: Precision, path: string): number {
  const v = acc.peakFlops[p] ?? acc.peakFlops[sixteenBitTwin(p)];
  if (v === undefined) {
    const have = Object.keys(acc.peakFlops).join(", ");
    throw new InputError(path, p, `a precision ${acc.id} supports (${have})`);
  }
  return v;
}

/** The GEMM curve of a precision (fine-grained block scaling where asked and measured). */
export function gemmCurveOf(acc: Accelerator, p: Precision, blockwise = false): GemmCurve {
  return gemmCurveAt(acc.parts, p, blockwise).value;
}

export interface RateOptions {
  /** Sequence length the attention kernels run at (their efficiency rises with it). */
  readonly seqLen?: number;
  /** GEMMs with fine-grained block scales (DeepSeek-V3's fp8 recipe, DeepGEMM). */
  readonly blockwise?: boolean;
}

/** Attention efficiency is quoted at 8,192 tokens where no sequence length is given. */
const DEFAULT_ATTENTION_SEQ = 8192;

export function deviceRates(
  acc: Accelerator,
  precision: Precision,
  calibration: Calibration = CALIBRATION,
  path = "training.precision",
  options: RateOptions = {},
): DeviceRates {
  const peak = peakOf(acc, precision, path);
  const gemm = gemmCurveOf(acc, precision, options.blockwise);
  const attnPeak = peakOf(acc, attentionPrecision(precision), path);
  const seq = options.seqLen ?? DEFAULT_ATTENTION_SEQ;
  const attention = acc.parts.attention.value;
  return {
    matmulFlopsPerS: peak * gemm.plateau,
    gemm,
    attentionFlopsPerS: attnPeak * attentionEfficiency(attention, seq),
    attentionBwdFlopsPerS: attnPeak * attentionEfficiency(attention, seq, true),
    memoryBytesPerS: acc.hbmBandwidthBytesPerS * acc.parts.memoryFraction.value,
    overheadS: calibration.kernelOverheadS,
    peakFlopsPerS: peak,
    overlapComputeMemory: calibration.overlapComputeMemory,
  };
}

/** Time split into the part bound by math and the part bound by memory traffic. */
export interface OpTime {
  computeS: number;
  memoryS: number;
}

/** Add the time of every operator in `ops`, each scaled by `scale` (2 for the backward of a GEMM, say). */
export function addOpsTime(
  acc: OpTime,
  ops: readonly Op[],
  rates: DeviceRates,
  scale = 1,
  backward = false,
): void {
  for (const op of ops) addOpTime(acc, op, rates, scale, backward);
}

/**
 * Time of an operator, attributed to whichever bound dominates. A GEMM follows its measured curve
 * (perf/parts.ts gemmSeconds: math and operand traffic combined by gemmBound, plus the kernel latency); attention
 * and element-wise kernels take FLOPs / rate and bytes / bandwidth, added (no overlap, the default: see
 * CALIBRATION.overlapComputeMemory) or the larger, plus the per-kernel overhead.
 */
export function addOpTime(acc: OpTime, op: Op, rates: DeviceRates, scale = 1, backward = false): void {
  const mem = op.bytes / rates.memoryBytesPerS;
  let c: number;
  let t: number;
  if (op.kind === "matmul") {
    const g = rates.gemm;
    c = gemmMathSeconds(g, rates.peakFlopsPerS, op.flops, op.k);
    t = (gemmBound(c, mem) + g.latencyS) * scale;
  } else {
    const rate = backward ? rates.attentionBwdFlopsPerS : rates.attentionFlopsPerS;
    c = op.kind === "attention" ? op.flops / rate : 0;
    t = ((rates.overlapComputeMemory ? Math.max(c, mem) : c + mem) + rates.overheadS) * scale;
  }
  if (c >= mem) acc.computeS += t;
  else acc.memoryS += t;
}

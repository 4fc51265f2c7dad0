import type { Accelerator } from "../catalog/types.js";
import { InputError } from "../errors.js";
import type { Precision } from "../units.js";
import { CALIBRATION, type Calibration } from "./calibration.js";

/** One operator: the FLOPs it does and the HBM bytes it moves. */
export interface Op {
  readonly kind: "matmul" | "attention" | "memory";
  readonly flops: number;
  readonly bytes: number;
  /** A GEMM against model weights (its backward has a weight gradient unless they are frozen). */
  readonly weights?: true;
}

/** What an accelerator sustains for a given precision (peak × measured efficiency). */
export interface DeviceRates {
  readonly matmulFlopsPerS: number;
  readonly attentionFlopsPerS: number;
  readonly memoryBytesPerS: number;
  readonly overheadS: number;
  /** Dense peak of the chosen precision, the denominator of MFU. */
  readonly peakFlopsPerS: number;
  /** Whether an operator's memory traffic hides under its math (max) or adds to it (sum). */
  readonly overlapComputeMemory: boolean;
}

/** The precision attention products and other non-GEMM math run in: 16-bit for 8- and 4-bit training. */
function attentionPrecision(p: Precision): Precision {
  return p === "fp8" || p === "fp4" ? "bf16" : p;
}

function peakOf(acc: Accelerator, p: Precision, path: string): number {
  const v =
    acc.peakFlops[p] ?? (p === "bf16" ? acc.peakFlops.fp16 : p === "fp16" ? acc.peakFlops.bf16 : undefined);
  if (v === undefined) {
    const have = Object.keys(acc.peakFlops).join(", ");
    throw new InputError(path, p, `a precision ${acc.id} supports (${have})`);
  }
  return v;
}

export function deviceRates(
  acc: Accelerator,
  precision: Precision,
  calibration: Calibration = CALIBRATION,
  path = "training.precision",
): DeviceRates {
  const peak = peakOf(acc, precision, path);
  const matmulEff = acc.matmulEfficiency[precision] ?? calibration.matmulEfficiency;
  const attnPrecision = attentionPrecision(precision);
  const attnPeak = peakOf(acc, attnPrecision, path);
  const attnEff = acc.matmulEfficiency[attnPrecision] ?? calibration.matmulEfficiency;
  return {
    matmulFlopsPerS: peak * matmulEff,
    attentionFlopsPerS: attnPeak * attnEff * calibration.flashAttentionFraction,
    memoryBytesPerS: acc.hbmBandwidthBytesPerS * (acc.memoryEfficiency ?? calibration.memoryEfficiency),
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

/**
 * Roofline time of an operator: FLOPs / sustained rate and bytes / sustained bandwidth, added (no
 * overlap, the default: see CALIBRATION.overlapComputeMemory) or the larger of the two, plus a fixed
 * per-kernel overhead; both make small operators run at a lower fraction of peak. The whole time is
 * attributed to whichever bound dominates.
 */
/** Add the time of every operator in `ops`, each scaled by `scale` (2 for the backward of a GEMM, say). */
export function addOpsTime(acc: OpTime, ops: readonly Op[], rates: DeviceRates, scale = 1): void {
  for (const op of ops) addOpTime(acc, op, rates, scale);
}

export function addOpTime(acc: OpTime, op: Op, rates: DeviceRates, scale = 1): void {
  const rate = op.kind === "attention" ? rates.attentionFlopsPerS : rates.matmulFlopsPerS;
  const c = op.flops / rate;
  const mem = op.bytes / rates.memoryBytesPerS;
  const t = ((rates.overlapComputeMemory ? Math.max(c, mem) : c + mem) + rates.overheadS) * scale;
  if (c >= mem) acc.computeS += t;
  else acc.memoryS += t;
}

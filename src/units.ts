/** Unit constants. Models work in SI base units (bytes, seconds, FLOP, W); convert only at the edges. */
export const KiB = 1024;
export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;
export const GB = 1e9;
export const TB = 1e12;
export const TFLOPS = 1e12;
export const GIGA = 1e9;
/** Bits per byte. */
export const BITS = 8;
export const SECONDS_PER_DAY = 86_400;

/** Bytes per element for each numeric format. */
export const BYTES_PER_ELEMENT = {
  fp32: 4,
  tf32: 4,
  fp16: 2,
  bf16: 2,
  fp8: 1,
  fp4: 0.5,
  int8: 1,
  int4: 0.5,
} as const;

export type Precision = "fp32" | "fp16" | "bf16" | "fp8" | "fp4";
export const PRECISIONS: readonly Precision[] = ["fp32", "fp16", "bf16", "fp8", "fp4"];

/** The precision that stands in for `p`: bf16 and fp16 share one peak and one GEMM curve; others are their own. */
export function sixteenBitTwin(p: Precision): Precision {
  return p === "bf16" ? "fp16" : p === "fp16" ? "bf16" : p;
}

/** 8- and 4-bit formats: GEMM inputs are cast to them; attention and element-wise work stay 16-bit. */
export function isLowPrecision(p: Precision): boolean {
  return p === "fp8" || p === "fp4";
}

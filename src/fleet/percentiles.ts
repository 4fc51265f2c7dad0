/** Median, 90th and 99th percentile of a sample. */
export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** Percentiles of `xs` as the sorted sample's element at ⌊p·n⌋ (zeros for an empty sample). */
export function percentiles(xs: readonly number[]): Percentiles {
  if (xs.length === 0) return { p50: 0, p90: 0, p99: 0 };
  const s = Float64Array.from(xs).sort();
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99) };
}

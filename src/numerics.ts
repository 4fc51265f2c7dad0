/** Small numerical helpers shared by the model layers: a median and Nelder–Mead minimisation. */

/** The median of `xs` (the mean of the two middle values for an even count; 0 for none). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/**
 * Nelder–Mead simplex minimisation (Nelder & Mead 1965; the standard reflection 1, expansion 2,
 * contraction ½, shrink ½ coefficients). Deterministic: the same function and start give the same result.
 */
export function nelderMead(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  steps: readonly number[],
  iterations = 2000,
  tolerance = 1e-12,
): { x: number[]; value: number } {
  const n = start.length;
  let simplex: { x: number[]; v: number }[] = [{ x: [...start], v: f(start) }];
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i] = (x[i] ?? 0) + (steps[i] ?? 1);
    simplex.push({ x, v: f(x) });
  }
  const at = (p: { x: number[] }, i: number) => p.x[i] ?? 0;
  const combine = (a: number[], b: number[], t: number) => a.map((ai, i) => ai + t * ((b[i] ?? 0) - ai));
  for (let it = 0; it < iterations; it++) {
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0];
    const worst = simplex[n];
    if (best === undefined || worst === undefined) break;
    if (Math.abs(worst.v - best.v) <= tolerance * (Math.abs(best.v) + tolerance)) break;
    const centroid = Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += at(simplex[j] ?? best, i);
      return s / n;
    });
    const reflect = combine(centroid, worst.x, -1);
    const vr = f(reflect);
    const second = simplex[n - 1] ?? best;
    if (vr < best.v) {
      const expand = combine(centroid, worst.x, -2);
      const ve = f(expand);
      simplex[n] = ve < vr ? { x: expand, v: ve } : { x: reflect, v: vr };
    } else if (vr < second.v) {
      simplex[n] = { x: reflect, v: vr };
    } else {
      const contract = combine(centroid, worst.x, 0.5);
      const vc = f(contract);
      if (vc < worst.v) simplex[n] = { x: contract, v: vc };
      else {
        simplex = simplex.map((p, j) => {
          if (j === 0) return p;
          const x = combine(best.x, p.x, 0.5);
          return { x, v: f(x) };
        });
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  const best = simplex[0] ?? { x: [...start], v: f(start) };
  return { x: best.x, value: best.v };
}

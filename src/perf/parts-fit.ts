import {
  ATTENTION_ROWS,
  COLLECTIVE_ROWS,
  GEMM_ROWS,
  LINK_ROWS,
  MEMORY_ROWS,
} from "../catalog/data/microbench.js";
import { type Catalog, resolveAccelerator } from "../catalog/index.js";
import {
  type AttentionRow,
  type CollectiveRow,
  type GemmClass,
  type GemmRow,
  gemmFitRows,
  gemmGroupKey,
  isBaselineGemm,
  type StoredAttentionCurve,
  type StoredCollectiveCurve,
  type StoredGemmCurve,
  type StoredMemoryFraction,
} from "../catalog/parts.js";
import { ATTENTION_KERNELS, attentionKernelRank } from "../catalog/resolve-parts.js";
import { median } from "../numerics.js";
import type { Precision } from "../units.js";
import { fitAttentionCurve, fitCollectiveCurve, fitGemmCurve, GEMM_LARGE_M, gemmLoss } from "./parts.js";

/**
 * Which measured rows make which curve, and the fits (scripts/fit-parts.mjs writes the result to
 * src/catalog/data/part-curves.ts; test/perf/parts.test.ts re-fits and compares).
 */
export interface PartCurves {
  readonly gemm: readonly StoredGemmCurve[];
  /** How math and operand traffic combine in every GEMM (perf/parts.ts gemmBound). */
  readonly gemmKnee: number;
  readonly attention: readonly StoredAttentionCurve[];
  readonly memory: readonly StoredMemoryFraction[];
  readonly collectives: readonly StoredCollectiveCurve[];
}

/** GEMM input bytes per element; NVFP4 adds one 8-bit scale per 16 elements. */
export const GEMM_INPUT_BYTES: Readonly<Record<Precision, number>> = {
  fp32: 4,
  fp16: 2,
  bf16: 2,
  fp8: 1,
  fp4: 0.5 + 1 / 16,
};

const round = (x: number, digits: number) => Number(x.toPrecision(digits));

/** STREAM Triad (two reads, one write, like the model's element-wise kernels) over the peak, per part. */
export function fitMemoryFractions(): StoredMemoryFraction[] {
  const out: StoredMemoryFraction[] = [];
  for (const acc of [...new Set(MEMORY_ROWS.map((r) => r.acc))]) {
    const triad = MEMORY_ROWS.find((r) => r.acc === acc && r.test === "Triad");
    if (triad === undefined) continue;
    out.push({ acc, fraction: round(triad.tbps / triad.peakTbps, 4), rows: 1 });
  }
  return out;
}

/**
 * GEMM curves per (part, precision, kernel class). All three parameters are fitted where the rows hold at
 * least three shapes with M ≥ 256 and six rows; otherwise only the plateau, with latency and k0 the
 * median of the full fits to tuned kernels.
 */
export function fitGemmCurves(
  catalog: Catalog,
  memory: readonly StoredMemoryFraction[],
  knee: number,
): StoredGemmCurve[] {
  const groups = gemmGroups();
  const fitOne = (
    g: { acc: string; p: Precision; rows: readonly GemmRow[] },
    fixed?: { latencyS: number; k0: number },
  ) => {
    const { peak, mem } = gemmRates(catalog, memory, g);
    return fitGemmCurve(g.rows, peak, mem, GEMM_INPUT_BYTES[g.p], fixed, knee);
  };
  const full: StoredGemmCurve[] = [];
  const partial: GemmGroup[] = [];
  for (const g of groups.values()) {
    const large = new Set(g.rows.filter((r) => r.m >= GEMM_LARGE_M).map((r) => `${r.m}x${r.n}x${r.k}`));
    // Rows that are all memory-bound say nothing of the plateau.
    if (large.size === 0) continue;
    if (large.size < 3 || g.rows.length < 6) {
      partial.push(g);
      continue;
    }
    full.push(stored(g, fitOne(g), "full"));
  }
  // Tuned kernels only: an untuned configuration's latency says nothing of another part's library.
  const tuned = full.filter((c) => c.baseline !== true);
  const fixed = {
    latencyS: median(tuned.map((c) => c.latencyS)),
    k0: median(tuned.map((c) => c.k0)),
  };
  const rest = partial.map((g) => stored(g, fitOne(g, fixed), "plateau"));
  return [...full, ...rest];
}

type GemmGroup = { acc: string; p: Precision; cls: GemmClass; rows: GemmRow[] };

/** A group's fitted curve as stored, marked when its rows are all a library's untuned baseline (gemmFitRows). */
function stored(
  g: GemmGroup,
  c: { plateau: number; latencyS: number; k0: number },
  fit: StoredGemmCurve["fit"],
): StoredGemmCurve {
  return {
    acc: g.acc,
    p: g.p,
    cls: g.cls,
    ...rounded(c),
    rows: g.rows.length,
    fit,
    ...(g.rows.every(isBaselineGemm) ? { baseline: true as const } : {}),
  };
}

/** The rows each GEMM curve is fitted to (catalog/parts.ts gemmFitRows), by (part, precision, kernel class). */
function gemmGroups(): Map<string, GemmGroup> {
  const groups = new Map<string, GemmGroup>();
  for (const r of gemmFitRows(GEMM_ROWS)) {
    const key = gemmGroupKey(r);
    const g = groups.get(key) ?? { acc: r.acc, p: r.p, cls: r.cls, rows: [] };
    g.rows.push(r);
    groups.set(key, g);
  }
  return groups;
}

/** The dense peak and STREAM-measured HBM rate a group's rows ran at. */
function gemmRates(
  catalog: Catalog,
  memory: readonly StoredMemoryFraction[],
  g: { acc: string; p: Precision },
): { peak: number; mem: number } {
  const defaultMemory = memory.reduce((s, m) => s + m.fraction, 0) / Math.max(1, memory.length);
  const acc = resolveAccelerator(catalog, g.acc);
  return {
    peak: acc.peakFlops[g.p] ?? 0,
    mem: acc.hbmBandwidthBytesPerS * (memory.find((m) => m.acc === g.acc)?.fraction ?? defaultMemory),
  };
}

/** Knees tried, from the sum (1) towards the plain maximum; the last is the maximum itself. */
const KNEES = [...Array.from({ length: 21 }, (_, i) => 1 + i / 4), Number.POSITIVE_INFINITY];

/**
 * The knee of every GEMM (perf/parts.ts gemmBound): for each candidate, the curves are re-fitted and the
 * loss summed over every production row; the smallest total wins. One value for all parts: each curve's
 * rows alone span too few shapes near its ridge point to fix a knee of its own.
 */
export function fitGemmKnee(catalog: Catalog, memory: readonly StoredMemoryFraction[]): number {
  let best = { knee: Number.POSITIVE_INFINITY, loss: Number.POSITIVE_INFINITY };
  for (const knee of KNEES) {
    const loss = gemmKneeLoss(catalog, memory, knee);
    if (loss < best.loss) best = { knee, loss };
  }
  return best.knee;
}

/** The fit's loss over every production GEMM row with the curves re-fitted at `knee`. */
export function gemmKneeLoss(
  catalog: Catalog,
  memory: readonly StoredMemoryFraction[],
  knee: number,
): number {
  const groups = [...gemmGroups().values()];
  let loss = 0;
  for (const c of fitGemmCurves(catalog, memory, knee)) {
    const g = groups.find((x) => x.acc === c.acc && x.p === c.p && x.cls === c.cls);
    if (g === undefined) continue;
    const { peak, mem } = gemmRates(catalog, memory, g);
    loss += gemmLoss(g.rows, peak, mem, GEMM_INPUT_BYTES[g.p], c, knee);
  }
  return loss;
}

function rounded(c: { plateau: number; latencyS: number; k0: number }) {
  return { plateau: round(c.plateau, 4), latencyS: round(c.latencyS, 3), k0: Math.round(c.k0) };
}

function kernelRank(r: AttentionRow): number {
  const i = attentionKernelRank(r.kernel);
  return i < 0 ? Number.POSITIVE_INFINITY : i;
}

/**
 * Attention curves per part: forward bf16 rows of its preferred kernel, causal or unstated, head dim 128
 * where measured. Backward over forward from the one kernel measured both ways (B200 SM100 MHA prefill)
 * where the part has no backward row of its own; s0 from the full fit where a part has too few lengths.
 */
export function fitAttentionCurves(catalog: Catalog): StoredAttentionCurve[] {
  const peakOf = (acc: string, p: Precision) => resolveAccelerator(catalog, acc).peakFlops[p] ?? 1;
  const eff = (r: AttentionRow) => (r.tflops * 1e12) / peakOf(r.acc, r.p);
  const pick = (acc: string) => {
    const rows = ATTENTION_ROWS.filter((r) => r.acc === acc && r.p === "bf16" && r.causal !== false);
    const best = Math.min(...rows.map(kernelRank));
    if (!Number.isFinite(best)) return null;
    const kernelRows = rows.filter((r) => kernelRank(r) === best);
    const hd128 = kernelRows.filter((r) => r.headDim === 128);
    const use = hd128.length > 0 ? hd128 : kernelRows;
    return {
      kernel: ATTENTION_KERNELS[best] ?? "",
      fwd: use.filter((r) => r.dir === "fwd"),
      bwd: use.filter((r) => r.dir === "bwd"),
    };
  };
  const picks = [...new Set(ATTENTION_ROWS.map((r) => r.acc))]
    .map((acc) => ({ acc, pick: pick(acc) }))
    .filter((x) => x.pick !== null && x.pick.fwd.length > 0);
  const ratioOf = (p: { fwd: AttentionRow[]; bwd: AttentionRow[] }) => {
    const f = p.fwd.find((r) => r.seq === null);
    const b = p.bwd[0];
    return f !== undefined && b !== undefined ? round(eff(b) / eff(f), 4) : null;
  };
  let measuredRatio: number | null = null;
  for (const x of picks) if (x.pick !== null) measuredRatio ??= ratioOf(x.pick);
  const bwdRatio = measuredRatio ?? 1;
  const out: StoredAttentionCurve[] = [];
  let s0: number | null = null;
  const lengths = (rows: AttentionRow[]) => new Set(rows.map((r) => r.seq)).size;
  const ordered = [...picks].sort((a, b) => lengths(b.pick?.fwd ?? []) - lengths(a.pick?.fwd ?? []));
  for (const { acc, pick: p } of ordered) {
    if (p === null) continue;
    const samples = p.fwd.map((r) => ({ seq: r.seq, efficiency: eff(r) }));
    const full = lengths(p.fwd) >= 3;
    const c = fitAttentionCurve(samples, ratioOf(p) ?? bwdRatio, full ? undefined : (s0 ?? 0));
    if (full) s0 ??= c.s0;
    out.push({
      acc,
      kernel: p.kernel,
      fwdPlateau: round(c.fwdPlateau, 4),
      s0: Math.round(c.s0),
      bwdRatio: c.bwdRatio,
      rows: p.fwd.length + p.bwd.length,
    });
  }
  return out;
}

/**
 * Scale-up all-reduce bus bandwidth curves per fabric, from nccl-tests sweeps (messages ≥ 1 KiB); with the
 * ring protocol's measured share of the peak where a fabric has one (`ringPlateau`).
 */
export function fitCollectiveCurves(catalog: Catalog): StoredCollectiveCurve[] {
  const byFabric = new Map<string, { accs: Set<string>; rows: CollectiveRow[] }>();
  for (const r of COLLECTIVE_ROWS) {
    const fabric = catalog.accelerators.get(r.acc)?.scaleUp.fabric;
    if (fabric === undefined || r.bytes < 1024) continue;
    const g = byFabric.get(fabric) ?? { accs: new Set<string>(), rows: [] };
    g.accs.add(r.acc);
    g.rows.push(r);
    byFabric.set(fabric, g);
  }
  return [...byFabric.entries()].map(([fabric, g]) => {
    const c = fitCollectiveCurve(g.rows.map((r) => ({ bytes: r.bytes, fraction: r.busGBps / r.peakGBps })));
    const ring = LINK_ROWS.find((r) => r.kind === "ring" && g.accs.has(r.acc));
    return {
      fabric,
      acc: [...g.accs].join("+"),
      plateau: round(c.plateau, 4),
      halfBytes: round(c.halfBytes, 4),
      exponent: round(c.exponent, 4),
      ...(ring !== undefined ? { ringPlateau: round(ring.busGBps / ring.peakGBps, 4) } : {}),
      rows: g.rows.length,
    };
  });
}

export function fitPartCurves(catalog: Catalog): PartCurves {
  const memory = fitMemoryFractions();
  const gemmKnee = fitGemmKnee(catalog, memory);
  return {
    gemm: fitGemmCurves(catalog, memory, gemmKnee),
    gemmKnee,
    attention: fitAttentionCurves(catalog),
    memory,
    collectives: fitCollectiveCurves(catalog),
  };
}

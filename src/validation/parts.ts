import {
  ATTENTION_ROWS,
  COLLECTIVE_ROWS,
  ENGINE_STEP_ROWS,
  EXPERT_ALL_TO_ALL_ROWS,
  GEMM_ROWS,
  LINK_ROWS,
  MEMORY_ROWS,
} from "../catalog/data/microbench.js";
import { type Catalog, resolveAccelerator } from "../catalog/index.js";
import { type EngineStepRow, type ExpertAllToAllRow, gemmFitRows, type LinkRow } from "../catalog/parts.js";
import { CALIBRATION } from "../perf/calibration.js";
import { acceleratorNetwork, expertAllToAllCopies, expertAllToAllTime, linkAt } from "../perf/collectives.js";
import { attentionEfficiency, busBandwidthFraction, GEMM_LARGE_M, gemmSeconds } from "../perf/parts.js";
import { GEMM_INPUT_BYTES } from "../perf/parts-fit.js";
import { gemmCurveOf } from "../perf/roofline.js";
import { enginePreset, simulateServing } from "../perf/serving.js";
import { resolveInferJob } from "../scenario/infer.js";
import { validate } from "../scenario/load.js";
import { inferScenarioSchema } from "../scenario/schema.js";

/**
 * Every measured part row beside the model's value for that part (`stargate validate --parts`): GEMMs by
 * shape and precision, attention kernels by sequence length, HBM bandwidth, all-reduce bus bandwidth by
 * message size, MoE expert all-to-all (DeepEP), serving engines' forward passes. The model's value comes from the accelerator as resolved (its own curve, or its family's).
 */
export interface PartRow {
  readonly part:
    | "gemm"
    | "attention"
    | "memory"
    | "collective"
    | "link"
    | "expert-a2a-bandwidth"
    | "expert-a2a-latency"
    | "engine-throughput"
    | "first-token";
  readonly accelerator: string;
  /** What was measured, in words (shape, kernel, size). */
  readonly what: string;
  readonly unit: string;
  readonly measured: number;
  readonly model: number;
  /** (model − measured) / measured. */
  readonly error: number;
  /**
   * Counted in the part's acceptance figure (GEMM: M ≥ 256; collectives: ≥ 1 MB; attention: the kernel
   * the model uses; engine throughput: one accelerator).
   */
  readonly scored: boolean;
  readonly provenance: string;
}

export interface PartsSummary {
  readonly part: PartRow["part"];
  readonly scope: string;
  readonly rows: number;
  readonly meanAbsError: number;
  readonly maxAbsError: number;
}

export interface PartsReport {
  readonly rows: readonly PartRow[];
  readonly summary: readonly PartsSummary[];
}

const MB = 1 << 20;

export function partsReport(catalog: Catalog): PartsReport {
  const acc = (id: string) => resolveAccelerator(catalog, id);
  const rows: PartRow[] = [];
  const fitted = new Set(gemmFitRows(GEMM_ROWS));
  for (const r of GEMM_ROWS) {
    const a = acc(r.acc);
    const peak = a.peakFlops[r.p] ?? 0;
    const curve = gemmCurveOf(a, r.p, r.cls === "blockwise");
    const t = gemmSeconds(
      curve,
      peak,
      a.hbmBandwidthBytesPerS * a.parts.memoryFraction.value,
      r.m,
      r.n,
      r.k,
      GEMM_INPUT_BYTES[r.p],
    );
    const model = (2 * r.m * r.n * r.k) / t / 1e12;
    const prov =
      (r.cls === "blockwise" ? a.parts.gemmBlockwise[r.p] : a.parts.gemm[r.p])?.provenance ?? "default";
    rows.push({
      part: "gemm",
      accelerator: r.acc,
      what: `${r.p} ${r.m}x${r.n}x${r.k} ${r.kernel}`,
      unit: "TFLOP/s",
      measured: r.tflops,
      model,
      error: (model - r.tflops) / r.tflops,
      scored: r.m >= GEMM_LARGE_M && fitted.has(r),
      provenance: prov,
    });
  }
  for (const r of ATTENTION_ROWS) {
    const a = acc(r.acc);
    const peak = a.peakFlops[r.p] ?? 0;
    const kernel = a.parts.attention.kernel;
    const uses = kernel !== null && r.kernel.startsWith(kernel);
    // Decode attention's math runs at the fused kernel's forward rate (perf/serving.ts iterationModel).
    const eff = attentionEfficiency(a.parts.attention.value, r.seq ?? 1e9, r.dir === "bwd");
    const model = (eff * peak) / 1e12;
    rows.push({
      part: "attention",
      accelerator: r.acc,
      what: `${r.p} ${r.kernel} ${r.dir}${r.causal === true ? " causal" : ""} d${r.headDim ?? "?"} s${r.seq ?? "long"}`,
      unit: "TFLOP/s",
      measured: r.tflops,
      model,
      error: (model - r.tflops) / r.tflops,
      scored: uses && r.p === "bf16" && r.causal !== false && (r.headDim === 128 || r.headDim === null),
      provenance: a.parts.attention.provenance,
    });
  }
  for (const r of MEMORY_ROWS) {
    const a = acc(r.acc);
    const model = (a.hbmBandwidthBytesPerS * a.parts.memoryFraction.value) / 1e12;
    rows.push({
      part: "memory",
      accelerator: r.acc,
      what: r.stream ? `STREAM ${r.test}` : r.test,
      unit: "TB/s",
      measured: r.tbps,
      model,
      error: (model - r.tbps) / r.tbps,
      // A kernel's own achieved rate is shown beside the STREAM fraction, not scored against it.
      scored: r.stream && r.test !== "Dot",
      provenance: a.parts.memoryFraction.provenance,
    });
  }
  for (const r of COLLECTIVE_ROWS) {
    const a = acc(r.acc);
    const c = a.parts.scaleUpCurve;
    if (c === null) continue;
    const model = busBandwidthFraction(c.value, r.bytes) * r.peakGBps;
    rows.push({
      part: "collective",
      accelerator: r.acc,
      what: `all-reduce ${r.bytes} B, ${r.system.split(" (")[0]}`,
      unit: "GB/s",
      measured: r.busGBps,
      model,
      error: (model - r.busGBps) / r.busGBps,
      scored: r.bytes >= MB,
      provenance: c.provenance,
    });
  }
  for (const r of LINK_ROWS) rows.push(linkRow(r, catalog));
  for (const r of EXPERT_ALL_TO_ALL_ROWS) rows.push(expertAllToAllRow(r, catalog));
  for (const r of ENGINE_STEP_ROWS) rows.push(engineStepRow(r, catalog));
  const summarise = (part: PartRow["part"], scope: string, pick: (r: PartRow) => boolean): PartsSummary => {
    const xs = rows.filter((r) => r.part === part && pick(r)).map((r) => Math.abs(r.error));
    return {
      part,
      scope,
      rows: xs.length,
      meanAbsError: xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length),
      maxAbsError: Math.max(0, ...xs),
    };
  };
  return {
    rows,
    summary: [
      summarise("gemm", "M ≥ 256", (r) => r.scored),
      summarise("gemm", "all rows", () => true),
      summarise("attention", "the kernel each part uses (bf16, causal, d128)", (r) => r.scored),
      summarise("memory", "Copy, Scale, Add, Triad", (r) => r.scored),
      summarise("collective", "≥ 1 MB", (r) => r.scored),
      summarise("collective", "all sizes", () => true),
      summarise("link", "one-way rates (not a pair's copy test nor a calibration)", (r) => r.scored),
      summarise("expert-a2a-bandwidth", "all rows", () => true),
      summarise("expert-a2a-latency", "all rows", () => true),
      summarise("engine-throughput", "one accelerator", (r) => r.scored),
      summarise("engine-throughput", "all rows", () => true),
      summarise("first-token", "all rows", () => true),
    ],
  };
}

/** The message size a sizeless large-message figure is read at: nccl-tests sweeps end at 8 GiB. */
const LARGE_MESSAGE = 8 * 1024 ** 3;

/**
 * A link figure with no message size beside the model's rate for it at a large message: all-reduce on
 * the scale-up curve, ring-protocol collectives at the curve's ring share, a NIC at the scale-out
 * efficiency, a GPU pair's copy at the point-to-point rate. nvbandwidth's pair read counts more than one
 * direction's traffic (it exceeds the line rate by 41–70%), so those rows are shown, not scored; nor is a
 * part's own all-reduce figure that set its curve's plateau (catalog/resolve-parts.ts scaleUpCurveFor).
 */
function linkRow(r: LinkRow, catalog: Catalog): PartRow {
  const a = resolveAccelerator(catalog, r.acc);
  const net = acceleratorNetwork(a);
  const rate =
    r.kind === "nic-all-reduce"
      ? net.scaleOut.bandwidthBytesPerS
      : linkAt(
          net.scaleUp,
          LARGE_MESSAGE,
          r.kind === "all-reduce" ? "all-reduce" : r.kind === "ring" ? "all-gather" : "p2p",
        ).bandwidthBytesPerS;
  const model = rate / 1e9;
  return {
    part: "link",
    accelerator: r.acc,
    what: `${r.kind} ${r.system}`,
    unit: "GB/s",
    measured: r.busGBps,
    model,
    error: (model - r.busGBps) / r.busGBps,
    // A figure that set its part's plateau is the calibration, not a check of it.
    scored:
      r.kind !== "p2p-read" && !(r.kind === "all-reduce" && a.parts.scaleUpCurve?.ownFigure === r.system),
    provenance: a.parts.scaleUpCurve?.provenance ?? `scale-up × ${CALIBRATION.scaleUpEfficiency}`,
  };
}

/** DeepEP's token layouts: FP8 dispatch (a byte per element and an fp32 scale per 128), BF16 combine. */
const DEEPEP_HIDDEN = 7168;
const DEEPEP_TOP_K = 8;
const DEEPEP_BYTES_PER_TOKEN = {
  dispatch: DEEPEP_HIDDEN + (DEEPEP_HIDDEN / 128) * 4,
  combine: 2 * DEEPEP_HIDDEN,
};

/**
 * A measured expert all-to-all beside `expertAllToAllTime` on the accelerator's own links (eight to a
 * node). DeepEP's normal kernels send a token once per destination node and forward it over NVLink (its
 * tests route each token to at most four nodes, as DeepSeek-V3 does); the low-latency and V2 kernels send
 * every routed copy. The model's value is in the row's own metric: the time, or the bytes the row counts
 * over the time.
 */
function expertAllToAllRow(r: ExpertAllToAllRow, catalog: Catalog): PartRow {
  const a = resolveAccelerator(catalog, r.acc);
  const net = acceleratorNetwork(a);
  const moe = {
    experts: 256,
    topK: DEEPEP_TOP_K,
    sharedExperts: 0,
    expertFfnHidden: 2048,
    denseLayers: 0,
    ...(r.kernel === "V1 normal" ? { maxNodesPerToken: 4 } : {}),
  };
  const tokenBytes = r.tokens * DEEPEP_BYTES_PER_TOKEN[r.phase];
  const seconds = expertAllToAllTime(net, moe, tokenBytes, r.ep, 1);
  const copies = expertAllToAllCopies(net, moe, r.ep, 1);
  const counted =
    r.metric === "logical-bandwidth"
      ? DEEPEP_TOP_K
      : r.link === "scale-out"
        ? copies.remoteCopies
        : copies.localCopies;
  const model = r.metric === "latency" ? seconds * 1e6 : (tokenBytes * counted) / seconds / 1e9;
  return {
    part: r.metric === "latency" ? "expert-a2a-latency" : "expert-a2a-bandwidth",
    accelerator: r.acc,
    what: `DeepEP ${r.kernel} ${r.phase} EP${r.ep}, ${r.tokens} tokens${r.note === null ? "" : `, ${r.note}`} (${r.metric})`,
    unit: r.metric === "latency" ? "µs" : "GB/s",
    measured: r.value,
    model,
    error: (model - r.value) / r.value,
    scored: true,
    provenance: `links of ${r.acc} (scale-up × ${CALIBRATION.scaleUpEfficiency}, NIC × ${CALIBRATION.scaleOutEfficiency}); no curve fitted to these rows`,
  };
}

/**
 * A serving engine's measured forward passes beside the serving simulation on the same deployment (the
 * `trtllm` preset): a static batch (every request at once, the batch limit and the context phase's token
 * budget set to the whole batch, KV reserved for `osl` tokens) gives output tokens/s per accelerator; one
 * prompt alone gives the first-token latency. These check the iteration model the MLPerf Inference cases
 * run on, one level below them: whole passes of one engine, with no scheduling or arrival process.
 */
function engineStepRow(r: EngineStepRow, catalog: Catalog): PartRow {
  const s = validate(
    inferScenarioSchema,
    {
      kind: "infer",
      model: r.model,
      system: { accelerator: r.acc, count: r.tp, nodeSize: 8 },
      inference: { precision: r.p, parallelism: { tp: r.tp } },
    },
    `microbench decode ${r.model}`,
  );
  const { job } = resolveInferJob(s, catalog);
  const shape = { tp: r.tp, pp: 1, ep: 1 };
  const base = enginePreset("trtllm");
  const what = `${r.model} ${r.p} tp${r.tp}`;
  const provenance = `the serving simulation (trtllm preset) on the accelerator's parts; measured with ${r.framework}`;
  if (r.metric === "first-token" || r.osl === null) {
    const one = simulateServing(
      job,
      shape,
      { arrival: new Float64Array(1), input: Int32Array.of(r.isl), output: Int32Array.of(1) },
      null,
      base,
    );
    const model = one.ttftS.mean * 1e3;
    return {
      part: "first-token",
      accelerator: r.acc,
      what: `${what} prompt ${r.isl}, batch 1`,
      unit: "ms",
      measured: r.value,
      model,
      error: (model - r.value) / r.value,
      scored: true,
      provenance,
    };
  }
  const engine = {
    ...base,
    maxNumSeqs: r.batch,
    maxBatchedTokens: Math.max(base.maxBatchedTokens, r.batch * r.isl),
    maxOutputTokens: r.osl,
  };
  const served = simulateServing(
    job,
    shape,
    {
      arrival: new Float64Array(r.batch),
      input: new Int32Array(r.batch).fill(r.isl),
      output: new Int32Array(r.batch).fill(r.osl),
    },
    null,
    engine,
  );
  const model = served.outputTokensPerS / r.tp;
  return {
    part: "engine-throughput",
    accelerator: r.acc,
    what: `${what} batch ${r.batch} ${r.isl}/${r.osl}`,
    unit: "tok/s per GPU",
    measured: r.value,
    model,
    error: (model - r.value) / r.value,
    scored: r.tp === 1,
    provenance,
  };
}

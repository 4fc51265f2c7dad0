#!/usr/bin/env node
// Copies the measured rows of ../shared/reference/microbench.json that the model is calibrated from into
// src/catalog/data/microbench.ts (accelerator and precision names mapped to catalog ids, each row keeping
// its source). Run again when the reference changes: node scripts/import-microbench.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ref = JSON.parse(readFileSync(join(root, "..", "shared", "reference", "microbench.json"), "utf8"));
const ACC = {
  A100: "a100-sxm-80gb",
  "H100 SXM": "h100-sxm",
  "H800 SXM": "h800",
  H200: "h200",
  B200: "b200",
  GB200: "gb200",
  MI300X: "mi300x",
  MI325X: "mi325x",
};
const PREC = { BF16: "bf16", FP16: "fp16", FP8: "fp8", NVFP4: "fp4", MXFP4: "fp4" };
const sources = [];
const src = (s) => {
  let i = sources.indexOf(s);
  if (i < 0) i = sources.push(s) - 1;
  return i;
};
/** Kernel class: dense (per-tensor or per-channel scaled), blockwise (fine-grained block scales), quant (with activation quantisation). */
function gemmClass(kernel) {
  if (/DeepGEMM|fp8-block/.test(kernel)) return "blockwise";
  if (/incl\. activation quan/.test(kernel)) return "quant";
  return "dense";
}
const gemm = [];
for (const r of ref.gemm) {
  const acc = ACC[r.accelerator];
  const p = PREC[r.precision];
  if (!acc || !p) continue;
  const grouped = /grouped/.test(r.kernel);
  gemm.push({
    acc,
    p,
    m: r.M,
    n: r.N,
    k: r.K,
    tflops: r.tflops,
    kernel: r.kernel,
    cls: gemmClass(r.kernel),
    grouped,
    conf: r.confidence,
    s: src(r.source),
  });
}
// The H100 BF16 large-GEMM figure the model was first calibrated with (no such row in microbench.json).
gemm.push({
  acc: "h100-sxm",
  p: "bf16",
  m: 8192,
  n: 8192,
  k: 8192,
  tflops: 800,
  kernel: "cuBLAS (random data)",
  cls: "dense",
  grouped: false,
  conf: "medium",
  s: src(
    "../shared/design/MODELING.md: a random-data 8192^3 bf16 GEMM measured about 800 TFLOP/s on a single H100 SXM",
  ),
});
const attention = [];
for (const r of ref.attention) {
  const acc = ACC[r.accelerator];
  const p = PREC[r.precision];
  if (!acc || !p) continue;
  const dir = r.direction.startsWith("bwd")
    ? "bwd"
    : r.direction.startsWith("fwd")
      ? "fwd"
      : r.direction.startsWith("decode")
        ? "decode"
        : null;
  if (dir === null) continue;
  attention.push({
    acc,
    p,
    kernel: r.kernel,
    dir,
    causal: r.causal,
    headDim: typeof r.headDim === "number" ? r.headDim : null,
    seq: r.seqlen ?? null,
    batch: r.batch,
    tflops: r.tflops,
    conf: r.confidence,
    s: src(r.source),
  });
}
const memory = [];
for (const r of ref.memoryBandwidth) {
  const acc = ACC[r.accelerator];
  if (!acc) continue;
  // STREAM tests, and kernels' own achieved HBM rates (a memory-bound decode kernel, a weight-streaming GEMM).
  const stream = /STREAM/.test(r.test);
  memory.push({
    acc,
    test: stream ? r.test.replace("GPU STREAM ", "") : r.test,
    stream,
    tbps: r.achievedTBps,
    peakTbps: r.peakTBps,
    conf: r.confidence,
    s: src(r.source),
  });
}
const collectives = [];
for (const r of ref.collectives) {
  const acc = ACC[r.accelerator];
  if (!acc || r.collective !== "all_reduce" || typeof r.sizeBytes !== "number") continue;
  collectives.push({
    acc,
    system: r.system,
    bytes: r.sizeBytes,
    busGBps: r.busbwGBps,
    peakGBps: r.peakUnidirGBps,
    algo: r.algo,
    conf: r.confidence,
    s: src(r.source),
  });
}
// Link rows without a message size: a GPU pair's copy rate, large-message all-reduce peaks, the ring
// protocol's effective NVLink rate, a NIC's ring all-reduce.
const links = [];
for (const r of ref.collectives) {
  const acc = ACC[r.accelerator];
  if (!acc || typeof r.sizeBytes === "number" || /^DeepEP/.test(r.collective)) continue;
  const kind = /nvbandwidth/.test(r.collective)
    ? "p2p-read"
    : /non-allreduce|ring all_reduce effective/.test(r.collective)
      ? "ring"
      : /per-NIC/.test(r.collective)
        ? "nic-all-reduce"
        : "all-reduce";
  links.push({
    acc,
    system: r.system,
    kind,
    busGBps: r.busbwGBps,
    peakGBps: r.peakUnidirGBps,
    conf: r.confidence,
    s: src(r.source),
  });
}
// MoE expert all-to-all (DeepEP dispatch and combine): hidden 7168, top-8, FP8 dispatch, BF16 combine.
const A2A_ACC = { "H800 SXM": "h800", "H800/H100 (SM90)": "h800", "B200 (SM100)": "b200" };
const expertAllToAll = [];
for (const r of ref.collectives) {
  const acc = A2A_ACC[r.accelerator];
  if (!acc || !/^DeepEP/.test(r.collective)) continue;
  const lowLatency = /\bLL\b/.test(r.collective);
  const v2 = /V2/.test(r.collective);
  const grid = /EP (\d+)x(\d+)/.exec(r.system);
  const ep = grid ? Number(grid[1]) * Number(grid[2]) : Number(/EP ?(\d+)/.exec(r.system)?.[1]);
  const tokens = lowLatency ? 128 : v2 ? 8192 : 4096;
  expertAllToAll.push({
    acc,
    kernel: lowLatency ? "V1 low-latency" : v2 ? "V2" : "V1 normal",
    phase: /dispatch/.test(r.collective) ? "dispatch" : "combine",
    ep,
    tokens,
    link: /NVLink|intranode/.test(r.system) ? "scale-up" : "scale-out",
    metric: lowLatency ? "latency" : v2 ? "logical-bandwidth" : "bottleneck-bandwidth",
    value: lowLatency ? r.latencyUs : r.busbwGBps,
    note: r.note && /SMs/.test(r.note) ? r.note.split(";")[0] : null,
    conf: r.confidence,
    s: src(r.source),
  });
}
// Engine forward passes (TensorRT-LLM's performance tables) on models the catalog holds.
const MODEL = {
  "GPT-J 6B": "gpt-j-6b",
  "LLaMA 7B": "llama-7b",
  "LLaMA 70B": "llama2-70b",
  "Falcon 180B": "falcon-180b",
};
const engineSteps = [];
for (const r of ref.decode) {
  const acc = ACC[r.accelerator];
  const p = PREC[r.precision];
  const model = MODEL[r.model];
  if (!acc || !p || !model) continue;
  const metric = /first-token latency/.test(r.metric)
    ? "first-token"
    : /output tokens\/s/.test(r.metric)
      ? "throughput"
      : null;
  if (metric === null) continue;
  engineSteps.push({
    acc,
    p,
    model,
    batch: r.batch,
    tp: r.tp,
    isl: r.isl,
    osl: r.osl ?? null,
    framework: r.framework,
    metric,
    value: r.value,
    conf: r.confidence,
    s: src(`${r.source}; metric: ${r.metric}`),
  });
}
const lines = [
  "// Generated by scripts/import-microbench.mjs from ../shared/reference/microbench.json: do not edit by hand.",
  "// Published microbenchmarks of accelerator parts, each row with the index of its source in MICROBENCH_SOURCES.",
  'import type {\n  AttentionRow,\n  CollectiveRow,\n  EngineStepRow,\n  ExpertAllToAllRow,\n  GemmRow,\n  LinkRow,\n  MemoryRow,\n} from "../parts.js";',
  "",
  `export const MICROBENCH_SOURCES: readonly string[] = ${JSON.stringify(sources, null, 1)};`,
  "",
  "export const GEMM_ROWS: readonly GemmRow[] = [",
  ...gemm.map((r) => `  ${JSON.stringify(r)},`),
  "];",
  "",
  "export const ATTENTION_ROWS: readonly AttentionRow[] = [",
  ...attention.map((r) => `  ${JSON.stringify(r)},`),
  "];",
  "",
  "export const MEMORY_ROWS: readonly MemoryRow[] = [",
  ...memory.map((r) => `  ${JSON.stringify(r)},`),
  "];",
  "",
  "export const COLLECTIVE_ROWS: readonly CollectiveRow[] = [",
  ...collectives.map((r) => `  ${JSON.stringify(r)},`),
  "];",
  "",
  "export const LINK_ROWS: readonly LinkRow[] = [",
  ...links.map((r) => `  ${JSON.stringify(r)},`),
  "];",
  "",
  "export const EXPERT_ALL_TO_ALL_ROWS: readonly ExpertAllToAllRow[] = [",
  ...expertAllToAll.map((r) => `  ${JSON.stringify(r)},`),
  "];",
  "",
  "export const ENGINE_STEP_ROWS: readonly EngineStepRow[] = [",
  ...engineSteps.map((r) => `  ${JSON.stringify(r)},`),
  "];",
  "",
];
writeFileSync(join(root, "src", "catalog", "data", "microbench.ts"), lines.join("\n"));
console.log(
  `gemm ${gemm.length}, attention ${attention.length}, memory ${memory.length}, collectives ${collectives.length}, links ${links.length}, expert all-to-all ${expertAllToAll.length}, engine steps ${engineSteps.length}, sources ${sources.length}`,
);

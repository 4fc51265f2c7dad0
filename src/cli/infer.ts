import { paramCount } from "../perf/accounting.js";
import { type InferCause, type InferResult, type PhaseTime, searchReplica } from "../perf/infer.js";
import type { ResolvedInferScenario } from "../scenario/infer.js";
import { GiB } from "../units.js";
import { duration, fixed, pct, si, table } from "./format.js";

export interface InferOutcome {
  readonly scenario: ResolvedInferScenario;
  readonly result: InferResult;
  readonly searched: number;
  readonly searching: boolean;
}

export function runInferBatch(scenario: ResolvedInferScenario): InferOutcome {
  const b = scenario.batch;
  if (b === null) throw new Error("batch mode needs a batch");
  const searching = scenario.fixed.tp === undefined || scenario.fixed.pp === undefined;
  const r = searchReplica(scenario.job, scenario.fixed, b.batch, b.inputLen, b.outputLen);
  return { scenario, result: r.best, searched: r.searched, searching };
}

const round = (x: number, digits = 6) => Number(x.toPrecision(digits));

function phaseJson(p: PhaseTime): Record<string, unknown> {
  const breakdown: Record<string, number> = {};
  for (const [k, v] of Object.entries(p.breakdown)) breakdown[k] = round(v);
  return { timeS: round(p.timeS), breakdown, bottleneck: p.bottleneck };
}

export function inferJson(o: InferOutcome): Record<string, unknown> {
  const r = o.result;
  const job = o.scenario.job;
  return {
    kind: "infer",
    name: o.scenario.name,
    model: job.model.id,
    accelerator: job.accelerator.id,
    gpus: job.gpus,
    precision: job.precision,
    kvPrecision: job.kvPrecision,
    fits: r.fits,
    ...(r.fits ? {} : { reason: r.reason }),
    ttftMs: round(r.ttftS * 1e3),
    tpotMs: round(r.tpotS * 1e3),
    outputTokensPerS: round(r.outputTokensPerS),
    outputTokensPerSAllReplicas: round(r.outputTokensPerS * r.replicas),
    kvCacheGiB: round(r.kvCacheBytes / GiB, 5),
    maxBatch: r.maxBatch,
    memoryPerGpuGiB: round(r.memoryPerGpuGiB, 5),
    memoryGiB: {
      weights: round(r.memory.weightsBytes / GiB, 5),
      kvCache: round(r.memory.kvCacheBytes / GiB, 5),
      activations: round(r.memory.activationsBytes / GiB, 5),
      buffers: round(r.memory.buffersBytes / GiB, 5),
    },
    bottleneck: r.bottleneck,
    parallelism: { ...r.shape, replicas: r.replicas },
    batch: r.batch,
    inputLen: r.inputLen,
    outputLen: r.outputLen,
    prefill: phaseJson(r.prefill),
    decode: phaseJson(r.decode),
    ...(o.searching ? { searched: o.searched } : {}),
  };
}

const LABEL: Record<InferCause, string> = {
  compute: "compute (math-bound kernels)",
  "hbm-bandwidth": "HBM bandwidth (memory-bound kernels)",
  "tensor-parallel": "tensor-parallel all-reduce",
  "expert-parallel": "expert-parallel all-to-all",
  "pipeline-p2p": "pipeline point-to-point",
};

function phaseRows(p: PhaseTime): string[][] {
  return (Object.entries(p.breakdown) as [InferCause, number][])
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => [LABEL[k], duration(v), pct(v / p.timeS)]);
}

export function inferReport(o: InferOutcome): string {
  const r = o.result;
  const job = o.scenario.job;
  const params = paramCount(job.model);
  const lines: string[] = [];
  lines.push(`${o.scenario.name}: ${job.model.name} on ${job.gpus} × ${job.accelerator.name}`);
  lines.push(
    `  ${si(params.total)} parameters (${si(params.active)} active), weights ${job.precision}, KV cache ${job.kvPrecision}; batch ${r.batch} × (${r.inputLen} in + ${r.outputLen} out) tokens`,
  );
  if (o.searching) lines.push(`  searched ${o.searched} replica shapes; best throughput per accelerator:`);
  lines.push(
    `  tp ${r.shape.tp} · pp ${r.shape.pp} · ep ${r.shape.ep} per replica, ${r.replicas} replica(s)`,
  );
  lines.push("");
  if (!r.fits) lines.push(`DOES NOT FIT: ${r.reason}\n`);
  lines.push(
    table(
      ["metric", "value"],
      [
        ["time to first token (prefill of the batch)", duration(r.ttftS)],
        ["time per output token (decode step)", duration(r.tpotS)],
        ["output tokens/s, one replica", si(r.outputTokensPerS)],
        ["output tokens/s, all replicas", si(r.outputTokensPerS * r.replicas)],
        ["KV cache of the batch (replica)", `${fixed(r.kvCacheBytes / GiB, 2)} GiB`],
        ["largest batch that fits", String(r.maxBatch)],
        [
          "memory per GPU",
          `${fixed(r.memoryPerGpuGiB, 1)} GiB of ${fixed(job.accelerator.hbmBytes / GiB, 1)} GiB`,
        ],
      ],
      [false, true],
    ),
  );
  lines.push("");
  lines.push(table([`prefill (${r.prefill.bottleneck})`, "time", "share"], phaseRows(r.prefill)));
  lines.push("");
  lines.push(table([`decode step (${r.decode.bottleneck})`, "time", "share"], phaseRows(r.decode)));
  lines.push("");
  lines.push(
    table(
      ["memory per GPU", "GiB"],
      [
        ["weights", fixed(r.memory.weightsBytes / GiB, 1)],
        ["KV cache", fixed(r.memory.kvCacheBytes / GiB, 1)],
        ["activations", fixed(r.memory.activationsBytes / GiB, 1)],
        ["runtime", fixed(r.memory.buffersBytes / GiB, 1)],
      ],
    ),
  );
  lines.push("");
  lines.push(`bottleneck: ${r.bottleneck}`);
  return `${lines.join("\n")}\n`;
}

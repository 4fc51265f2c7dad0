import { paramCount } from "../perf/accounting.js";
import { searchTraining } from "../perf/search.js";
import type { Cause, Parallelism, TrainResult } from "../perf/types.js";
import { type ResolvedTrainScenario, searchOptionsOf } from "../scenario/train.js";
import { GiB } from "../units.js";
import { checkedJson, checkedText } from "../validation/checked.js";
import { duration, fixed, pct, si, table } from "./format.js";

const PARALLEL_FIELDS = [
  "tp",
  "pp",
  "dp",
  "ep",
  "cp",
  "interleave",
  "microBatch",
  "sequenceParallel",
  "zero",
  "recompute",
] as const;

export interface TrainOutcome {
  readonly scenario: ResolvedTrainScenario;
  readonly result: TrainResult;
  readonly top: readonly TrainResult[];
  readonly searched: number;
  /** True when some parallelism field was searched rather than given. */
  readonly searching: boolean;
}

export function runTrain(scenario: ResolvedTrainScenario): TrainOutcome {
  const searching = PARALLEL_FIELDS.some((k) => scenario.fixed[k] === undefined);
  const r = searchTraining(scenario.job, scenario.fixed, { top: scenario.top, ...searchOptionsOf(scenario) });
  return { scenario, result: r.best, top: r.top, searched: r.searched, searching };
}

function round(x: number, digits = 6): number {
  return Number(x.toPrecision(digits));
}

function resultJson(r: TrainResult): Record<string, unknown> {
  const breakdown: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.breakdown)) breakdown[k] = round(v);
  return {
    fits: r.fits,
    ...(r.fits ? {} : { reason: r.reason }),
    stepTimeS: round(r.stepTimeS),
    tokensPerS: round(r.tokensPerS),
    mfu: round(r.mfu, 4),
    hfu: round(r.hfu, 4),
    modelTflopsPerGpu: round(r.modelTflopsPerGpu, 5),
    memoryPerGpuGiB: round(r.memoryPerGpuGiB, 4),
    memoryGiB: {
      weights: round(r.memory.weightsBytes / GiB, 4),
      gradients: round(r.memory.gradientsBytes / GiB, 4),
      optimizer: round(r.memory.optimizerBytes / GiB, 4),
      activations: round(r.memory.activationsBytes / GiB, 4),
      buffers: round(r.memory.buffersBytes / GiB, 4),
    },
    parallelism: { ...r.parallelism, microBatches: r.microBatches },
    breakdown,
    bottleneck: r.bottleneck,
    explanation: explain(r),
    ...(r.timeToTrainDays !== null ? { timeToTrainDays: round(r.timeToTrainDays, 5) } : {}),
  };
}

export function trainJson(o: TrainOutcome): Record<string, unknown> {
  const job = o.scenario.job;
  const params = paramCount(job.model);
  return {
    kind: "train",
    name: o.scenario.name,
    model: job.model.id,
    accelerator: job.accelerator.id,
    gpus: job.gpus,
    precision: job.precision,
    parameters: { total: params.total, active: params.active },
    ...resultJson(o.result),
    ...(o.searching ? { searched: o.searched } : {}),
    ...(o.top.length > 1 ? { top: o.top.map(resultJson) } : {}),
    validation: checkedJson("training", job.accelerator.id, job.precision),
  };
}

function parallelismText(p: Parallelism): string {
  return `tp ${p.tp} · pp ${p.pp} · dp ${p.dp} · cp ${p.cp} · ep ${p.ep} · interleave ${p.interleave} · micro-batch ${p.microBatch} · SP ${p.sequenceParallel ? "on" : "off"} · ZeRO-${p.zero} · recompute ${p.recompute}`;
}

export const CAUSE_LABEL: Record<Cause, string> = {
  compute: "compute (math-bound kernels)",
  "hbm-bandwidth": "HBM bandwidth (memory-bound kernels)",
  recompute: "activation recompute",
  "tensor-parallel": "tensor-parallel communication",
  "context-parallel": "context-parallel communication",
  "expert-parallel": "expert-parallel all-to-all",
  "pipeline-p2p": "pipeline point-to-point",
  "pipeline-bubble": "pipeline bubble",
  "data-parallel": "data-parallel communication (exposed)",
  optimizer: "optimizer step",
};

const ADVICE: Record<Cause, string> = {
  compute: "a faster chip or a lower precision helps most",
  "hbm-bandwidth": "more HBM bandwidth or larger micro-batches help",
  recompute: "more HBM, or sharding states with a higher ZeRO stage, would let it go",
  "tensor-parallel":
    "a faster scale-up link, a smaller tp, or overlapping TP communication with GEMMs would help",
  "context-parallel": "fewer cp ranks or faster links would help",
  "expert-parallel":
    "overlapping it with compute (DualPipe-style), keeping experts inside the scale-up domain, or routing to fewer nodes would help",
  "pipeline-p2p": "fewer virtual stages or a faster link between stages would help",
  "pipeline-bubble":
    "more micro-batches per step (a bigger batch or fewer dp ranks) or more interleaving would shrink it",
  "data-parallel":
    "a faster scale-out network, fewer dp ranks, or more compute per step to hide it would help",
  optimizer: "a higher ZeRO stage would shard it further",
};

/** A sentence on what limits the step and what would help, from the two largest causes. */
export function explain(r: TrainResult): string {
  if (!r.fits) return `It does not fit: ${r.reason}.`;
  const causes = (Object.entries(r.breakdown) as [Cause, number][]).sort((a, b) => b[1] - a[1]);
  const [first, second] = causes;
  if (first === undefined) return "";
  let text = `${pct(first[1] / r.stepTimeS, 0)} of the step is ${CAUSE_LABEL[first[0]]}; ${ADVICE[first[0]]}.`;
  if (second !== undefined && second[1] / r.stepTimeS >= 0.1) {
    text += ` Next comes ${CAUSE_LABEL[second[0]]} at ${pct(second[1] / r.stepTimeS, 0)}; ${ADVICE[second[0]]}.`;
  }
  return text;
}

export function trainReport(o: TrainOutcome): string {
  const job = o.scenario.job;
  const r = o.result;
  const params = paramCount(job.model);
  const lines: string[] = [];
  lines.push(
    `${o.scenario.name}: ${job.model.name} on ${job.gpus} × ${job.accelerator.name}, ${job.precision}`,
  );
  lines.push(
    `  ${si(params.total)} parameters (${si(params.active)} active), sequence ${job.seqLen}, global batch ${job.globalBatch} sequences (${si(job.globalBatch * job.seqLen)} tokens)`,
  );
  if (o.searching) lines.push(`  searched ${o.searched} configurations; best:`);
  lines.push(`  ${parallelismText(r.parallelism)}  (${r.microBatches} micro-batches per step)`);
  lines.push("");
  if (!r.fits) {
    lines.push(`DOES NOT FIT: ${r.reason}`);
    lines.push("");
  }
  lines.push(
    table(
      ["metric", "value"],
      [
        ["step time", duration(r.stepTimeS)],
        ["tokens/s (system)", si(r.tokensPerS)],
        ["MFU", pct(r.mfu)],
        ["HFU (with recompute)", pct(r.hfu)],
        ["model TFLOP/s per GPU", fixed(r.modelTflopsPerGpu, 1)],
        [
          "memory per GPU",
          `${fixed(r.memoryPerGpuGiB, 1)} GiB of ${fixed(job.accelerator.hbmBytes / GiB, 1)} GiB`,
        ],
        ...(r.timeToTrainDays !== null ? [["time to train", `${fixed(r.timeToTrainDays, 1)} days`]] : []),
      ],
      [false, true],
    ),
  );
  lines.push("");
  const rows = (Object.entries(r.breakdown) as [Cause, number][])
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => [CAUSE_LABEL[k], duration(v), pct(v / r.stepTimeS)]);
  lines.push(table(["step time by cause", "time", "share"], rows));
  lines.push("");
  lines.push(
    table(
      ["memory per GPU", "GiB"],
      [
        ["weights", fixed(r.memory.weightsBytes / GiB, 1)],
        ["gradients", fixed(r.memory.gradientsBytes / GiB, 1)],
        ["optimizer states", fixed(r.memory.optimizerBytes / GiB, 1)],
        ["activations", fixed(r.memory.activationsBytes / GiB, 1)],
        ["buffers and runtime", fixed(r.memory.buffersBytes / GiB, 1)],
      ],
    ),
  );
  lines.push("");
  lines.push(`bottleneck: ${r.bottleneck}`);
  lines.push(explain(r));
  lines.push(checkedText("training", job.accelerator.id, job.precision));
  if (o.top.length > 1) {
    lines.push("");
    lines.push(
      table(
        ["#", "tp", "pp", "dp", "cp", "ep", "v", "mb", "ZeRO", "recompute", "step", "MFU", "GiB"],
        o.top.map((t, i) => [
          String(i + 1),
          String(t.parallelism.tp),
          String(t.parallelism.pp),
          String(t.parallelism.dp),
          String(t.parallelism.cp),
          String(t.parallelism.ep),
          String(t.parallelism.interleave),
          String(t.parallelism.microBatch),
          String(t.parallelism.zero),
          t.parallelism.recompute,
          duration(t.stepTimeS),
          pct(t.mfu),
          fixed(t.memoryPerGpuGiB, 1),
        ]),
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}

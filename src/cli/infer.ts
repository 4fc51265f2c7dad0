import { InputError } from "../errors.js";
import { paramCount } from "../perf/accounting.js";
import {
  DEPLOY_TRIALS,
  type DeployCandidate,
  type DeployResult,
  deploymentWork,
  searchDeployment,
} from "../perf/deploy.js";
import {
  type InferCause,
  type InferResult,
  type PhaseTime,
  type ReplicaShape,
  searchReplica,
} from "../perf/infer.js";
import {
  type EngineOptions,
  type LengthSpec,
  type RequestSet,
  type ServingResult,
  type Slo,
  simulateServing,
  type Workload,
} from "../perf/serving.js";
import type { ResolvedInferScenario } from "../scenario/infer.js";
import { strip } from "../scenario/system.js";
import { GiB } from "../units.js";
import { checkedJson, checkedText } from "../validation/checked.js";
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

/** $/M output tokens = accelerators × price per hour ÷ (output tokens per hour) × 10⁶; null without a price. */
function usdPerMillion(s: ResolvedInferScenario, gpus: number, tokensPerS: number): number | null {
  return s.usdPerGpuHour !== null && tokensPerS > 0
    ? ((gpus * s.usdPerGpuHour) / (tokensPerS * 3600)) * 1e6
    : null;
}

/** The fields every `infer` JSON result starts with. */
function costRow(usd: number | null): string[][] {
  return usd !== null ? [["$ per million output tokens", `$${fixed(usd, 3)}`]] : [];
}

function costJson(usd: number | null): Record<string, number> {
  return usd !== null ? { usdPerMillionOutputTokens: round(usd, 5) } : {};
}

function header(s: ResolvedInferScenario): Record<string, unknown> {
  return {
    kind: "infer",
    name: s.name,
    model: s.job.model.id,
    accelerator: s.job.accelerator.id,
    gpus: s.job.gpus,
    precision: s.job.precision,
    kvPrecision: s.job.kvPrecision,
    validation: checkedJson("serving", s.job.accelerator.id, s.job.precision),
  };
}

export function inferJson(o: InferOutcome): Record<string, unknown> {
  const r = o.result;
  return {
    ...header(o.scenario),
    fits: r.fits,
    ...(r.fits ? {} : { reason: r.reason }),
    ttftMs: round(r.ttftS * 1e3),
    tpotMs: round(r.tpotS * 1e3),
    outputTokensPerS: round(r.outputTokensPerS),
    outputTokensPerSAllReplicas: round(r.outputTokensPerS * r.replicas),
    ...costJson(usdPerMillion(o.scenario, r.shape.tp * r.shape.pp, r.outputTokensPerS)),
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

export const INFER_CAUSE_LABEL: Record<InferCause, string> = {
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
    .map(([k, v]) => [INFER_CAUSE_LABEL[k], duration(v), pct(v / p.timeS)]);
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
        ...costRow(usdPerMillion(o.scenario, r.shape.tp * r.shape.pp, r.outputTokensPerS)),
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
  lines.push(checkedText("serving", job.accelerator.id, job.precision));
  return `${lines.join("\n")}\n`;
}

export interface ServeOutcome {
  readonly scenario: ResolvedInferScenario;
  readonly shape: ReplicaShape;
  /** The batch evaluation at the engine's largest batch: whether the replica fits at all. */
  readonly check: InferResult;
  readonly result: ServingResult | null;
}

function typicalLength(spec: LengthSpec): number {
  if (typeof spec === "number") return spec;
  return spec.dist === "uniform" ? (spec.min + spec.max) / 2 : spec.mean;
}

/**
 * Simulate the scenario's workload: generated from its distributions, or `trace` (the requests of a
 * trace file the caller has read).
 */
export function runServe(scenario: ResolvedInferScenario, trace: RequestSet | null = null): ServeOutcome {
  const w = scenario.workload;
  if (w === null || w === undefined) throw new Error("serving needs a workload");
  let workload: Workload | RequestSet;
  let inLen: number;
  let outLen: number;
  if ("trace" in w) {
    if (trace === null) throw new Error("a trace workload needs the trace's requests");
    workload = trace;
    const mean = (a: Int32Array) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
    inLen = Math.max(1, Math.round(mean(trace.input)));
    outLen = Math.max(1, Math.round(mean(trace.output)));
  } else {
    const g = strip(w) as Workload;
    workload = g;
    inLen = Math.max(1, Math.round(typicalLength(g.inputLen)));
    outLen = Math.max(1, Math.round(typicalLength(g.outputLen)));
  }
  // A replica that cannot hold one sequence cannot serve; otherwise the engine sizes its KV cache.
  const { best } = searchReplica(scenario.job, scenario.fixed, 1, inLen, outLen);
  const shape = best.shape;
  const slo = scenario.slo !== null ? (strip(scenario.slo) as Slo) : null;
  const result = best.fits ? simulateServing(scenario.job, shape, workload, slo, scenario.engine) : null;
  return { scenario, shape, check: best, result };
}

const ms = (s: number) => round(s * 1e3, 5);

export function serveJson(o: ServeOutcome): Record<string, unknown> {
  const job = o.scenario.job;
  const r = o.result;
  const base = {
    ...header(o.scenario),
    parallelism: { ...o.shape, replicas: job.gpus / (o.shape.tp * o.shape.pp) },
    engine: o.scenario.engine,
    memoryPerGpuGiB: round(o.check.memoryPerGpuGiB, 5),
  };
  if (r === null || !o.check.fits) {
    return {
      ...base,
      fits: false,
      reason: o.check.fits ? "no KV cache room" : o.check.reason,
      bottleneck: "hbm-capacity",
      requests: 0,
    };
  }
  return {
    ...base,
    fits: true,
    requests: r.requests,
    rejected: r.rejected,
    makespanS: round(r.makespanS),
    outputTokensPerS: round(r.outputTokensPerS),
    inputTokensPerS: round(r.inputTokensPerS),
    ...costJson(usdPerMillion(o.scenario, job.gpus, r.outputTokensPerS)),
    ttftP50Ms: ms(r.ttftS.p50),
    ttftP90Ms: ms(r.ttftS.p90),
    ttftP99Ms: ms(r.ttftS.p99),
    ttftMeanMs: ms(r.ttftS.mean),
    tpotP50Ms: ms(r.tpotS.p50),
    tpotP90Ms: ms(r.tpotS.p90),
    tpotP99Ms: ms(r.tpotS.p99),
    tpotMeanMs: ms(r.tpotS.mean),
    e2eP50S: round(r.e2eS.p50),
    e2eP99S: round(r.e2eS.p99),
    ...(r.sloAttainment !== null
      ? { sloAttainment: round(r.sloAttainment, 5), goodputTokensPerS: round(r.goodputTokensPerS ?? 0) }
      : {}),
    kvUtilization: round(r.kvUtilization, 4),
    kvCapacityTokens: r.kvCapacityTokens,
    preemptions: r.preemptions,
    iterations: r.iterations,
  };
}

export function serveReport(o: ServeOutcome): string {
  const job = o.scenario.job;
  const r = o.result;
  const w = o.scenario.workload;
  const lines: string[] = [];
  lines.push(`${o.scenario.name}: serving ${job.model.name} on ${job.gpus} × ${job.accelerator.name}`);
  lines.push(
    `  weights ${job.precision}, KV cache ${job.kvPrecision}; tp ${o.shape.tp} · pp ${o.shape.pp} · ep ${o.shape.ep} per replica, ${job.gpus / (o.shape.tp * o.shape.pp)} replica(s); continuous batching (≤ ${o.scenario.engine.maxNumSeqs} sequences, ≤ ${o.scenario.engine.maxBatchedTokens} tokens per iteration${o.scenario.engine.chunkedPrefill ? ", chunked prefill" : ""}), paged KV (${o.scenario.engine.blockSize}-token blocks)${(o.scenario.engine.prefillReplicas ?? 0) > 0 ? `; disaggregated: ${o.scenario.engine.prefillReplicas} prefill + ${job.gpus / (o.shape.tp * o.shape.pp) - (o.scenario.engine.prefillReplicas ?? 0)} decode replicas` : ""}`,
  );
  lines.push(`  engine: ${engineText(o.scenario.engine)}`);
  if (w !== null && w !== undefined) {
    lines.push(
      "trace" in w
        ? `  requests from the trace ${w.trace}`
        : `  ${w.requests} requests, arrival ${w.arrival === "offline" ? "all at t = 0 (offline)" : `Poisson ${w.arrival}/s`}, seed ${w.seed}`,
    );
  }
  lines.push("");
  if (r === null || !o.check.fits) {
    lines.push(`DOES NOT FIT: ${o.check.fits ? "no KV cache room" : o.check.reason}`);
    return `${lines.join("\n")}\n`;
  }
  lines.push(
    table(
      ["metric", "value"],
      [
        [
          "requests completed",
          `${r.requests}${r.rejected > 0 ? ` (${r.rejected} too long for the KV cache)` : ""}`,
        ],
        ["makespan", duration(r.makespanS)],
        ["output tokens/s (deployment)", si(r.outputTokensPerS)],
        ["input tokens/s (deployment)", si(r.inputTokensPerS)],
        ...costRow(usdPerMillion(o.scenario, job.gpus, r.outputTokensPerS)),
        ["KV cache capacity per replica", `${si(r.kvCapacityTokens)} tokens`],
        ["KV cache utilisation (mean)", pct(r.kvUtilization)],
        ["preemptions", String(r.preemptions)],
        ...(r.sloAttainment !== null
          ? [
              ["SLO attainment", pct(r.sloAttainment)],
              ["goodput (output tokens/s within SLO)", si(r.goodputTokensPerS ?? 0)],
            ]
          : []),
      ],
      [false, true],
    ),
  );
  lines.push("");
  lines.push(
    table(
      ["latency", "mean", "p50", "p90", "p99"],
      [
        [
          "time to first token",
          duration(r.ttftS.mean),
          duration(r.ttftS.p50),
          duration(r.ttftS.p90),
          duration(r.ttftS.p99),
        ],
        [
          "time per output token",
          duration(r.tpotS.mean),
          duration(r.tpotS.p50),
          duration(r.tpotS.p90),
          duration(r.tpotS.p99),
        ],
        [
          "end to end",
          duration(r.e2eS.mean),
          duration(r.e2eS.p50),
          duration(r.e2eS.p90),
          duration(r.e2eS.p99),
        ],
      ],
    ),
  );
  lines.push("");
  lines.push(checkedText("serving", job.accelerator.id, job.precision));
  return `${lines.join("\n")}\n`;
}

export function runDeploy(scenario: ResolvedInferScenario): DeployResult {
  const d = scenario.deploy;
  const w = scenario.workload;
  const slo = scenario.slo;
  if (
    d === null ||
    d === undefined ||
    w === null ||
    w === undefined ||
    "trace" in w ||
    slo === null ||
    slo === undefined
  ) {
    throw new Error("deployment search needs deploy, a generated workload and slo");
  }
  const workload = strip(w) as Workload;
  const target = {
    rate: d.rate,
    inputLen: workload.inputLen,
    outputLen: workload.outputLen,
    slo: strip(slo) as Slo,
    precisions: d.precisions,
    batchLimits: d.batchLimits,
    requests: d.requests,
    seed: workload.seed,
  };
  const work = deploymentWork(scenario.deployOptions, target);
  if (work.requests > MAX_DEPLOY_REQUESTS) {
    const n = (x: number) => x.toLocaleString("en-US");
    throw new InputError(
      "inference.deploy.requests",
      d.requests,
      `a search of at most ${n(MAX_DEPLOY_REQUESTS)} simulated requests; this one would simulate ${n(work.requests)} (${work.shapes} replica shapes × ${d.batchLimits.length} batch limits × ${DEPLOY_TRIALS} trials × ${n(d.requests)} requests): fewer requests, accelerators, precisions or batch limits`,
    );
  }
  return searchDeployment(scenario.deployOptions, target);
}

/** The most requests one deployment search may simulate: about a minute at the measured ~170,000 requests/s. */
export const MAX_DEPLOY_REQUESTS = 10_000_000;

function candidateJson(c: DeployCandidate): Record<string, unknown> {
  return {
    accelerator: c.accelerator,
    precision: c.precision,
    parallelism: c.shape,
    maxNumSeqs: c.maxNumSeqs,
    ratePerReplica: round(c.ratePerReplica, 5),
    replicas: c.replicas,
    gpus: c.gpus,
    outputTokensPerSPerGpu: round(c.tokensPerSPerGpu, 5),
    ttftP99Ms: ms(c.ttftP99S),
    tpotP99Ms: ms(c.tpotP99S),
    tpotP50Ms: ms(c.tpotP50S),
    ...(c.usdPerMillionTokens !== null ? { usdPerMillionTokens: round(c.usdPerMillionTokens, 5) } : {}),
  };
}

export function deployJson(s: ResolvedInferScenario, r: DeployResult): Record<string, unknown> {
  return {
    kind: "deploy",
    name: s.name,
    model: s.job.model.id,
    accelerator: s.job.accelerator.id,
    rate: s.deploy?.rate ?? 0,
    slo: s.slo,
    feasible: r.best !== null,
    ...(r.best !== null
      ? {
          best: candidateJson(r.best),
          gpus: r.best.gpus,
          withinSystem: r.best.gpus <= s.job.gpus,
          validation: checkedJson("serving", r.best.accelerator, r.best.precision),
        }
      : {}),
    pareto: r.pareto.map(candidateJson),
    candidates: r.candidates.length,
    trials: r.trials,
  };
}

export function deployReport(s: ResolvedInferScenario, r: DeployResult): string {
  const lines: string[] = [];
  lines.push(
    `${s.name}: deploying ${s.job.model.name} on ${s.deployOptions.map((o) => o.job.accelerator.id).join(", ")} for ${s.deploy?.rate ?? 0} requests/s`,
  );
  lines.push(
    `  SLO: p99 TTFT ≤ ${s.slo?.ttftMs ?? "∞"} ms, p99 TPOT ≤ ${s.slo?.tpotMs ?? "∞"} ms; ${r.candidates.length} configurations, ${r.trials} simulations`,
  );
  lines.push("");
  if (r.best === null) {
    lines.push("No configuration meets the SLO at any rate.");
    return `${lines.join("\n")}\n`;
  }
  const b = r.best;
  lines.push(
    `best: ${b.gpus} × ${b.accelerator} = ${b.replicas} replicas × (tp ${b.shape.tp} · pp ${b.shape.pp}), ${b.precision}, ≤ ${b.maxNumSeqs} sequences per iteration, ${fixed(b.ratePerReplica, 2)} requests/s per replica${b.usdPerMillionTokens !== null ? `, $${fixed(b.usdPerMillionTokens, 3)} per million output tokens` : ""}${b.gpus > s.job.gpus ? ` (more than the ${s.job.gpus} in the system)` : ""}`,
  );
  lines.push(checkedText("serving", b.accelerator, b.precision));
  lines.push("");
  lines.push(
    table(
      ["Pareto front", "gpus", "tok/s/GPU", "TPOT p50", "TPOT p99", "TTFT p99", "req/s/replica", "$/M tok"],
      r.pareto.map((c) => [
        `${c.accelerator} ${c.precision} tp${c.shape.tp} pp${c.shape.pp} ≤${c.maxNumSeqs}`,
        String(c.gpus),
        fixed(c.tokensPerSPerGpu, 0),
        duration(c.tpotP50S),
        duration(c.tpotP99S),
        duration(c.ttftP99S),
        fixed(c.ratePerReplica, 2),
        c.usdPerMillionTokens !== null ? fixed(c.usdPerMillionTokens, 3) : "-",
      ]),
    ),
  );
  return `${lines.join("\n")}\n`;
}

/** How the engine admits and runs, in words. */
function engineText(e: EngineOptions): string {
  const prompts = e.chunkedPrefill
    ? "prompts chunked beside decoding"
    : e.mixedPrefill
      ? "whole prompts beside decoding"
      : "prompts in prefill-only iterations";
  const admission =
    e.admission === "reserve"
      ? `KV reserved for the whole output${e.maxOutputTokens !== undefined ? ` (${e.maxOutputTokens} tokens)` : ""} at admission`
      : "optimistic admission with preemption";
  return `${admission}; ${prompts}; ${e.cudaGraphs ? "CUDA graphs" : "kernels launched one by one"}${e.fusedEpilogues ? ", fused epilogues" : ""}; ${Math.round(e.memoryUtilization * 100)}% of HBM`;
}

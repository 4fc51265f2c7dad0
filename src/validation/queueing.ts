import type { Catalog } from "../catalog/index.js";
import { resolveAccelerator, resolveModel } from "../catalog/index.js";
import type { InferenceJob } from "../perf/infer.js";
import { DEFAULT_ENGINE, iterationModel, simulateServing } from "../perf/serving.js";

/**
 * Waiting-time CDF of an M/D/1 queue (Erlang 1909; Kleinrock, Queueing Systems I, §5.6):
 * P(W ≤ t) = (1 − ρ) Σ_{k=0}^{⌊t/S⌋} (λ(kS − t))^k / k! · e^{−λ(kS − t)}.
 */
export function md1WaitCdf(t: number, lambda: number, service: number): number {
  const rho = lambda * service;
  let sum = 0;
  let fact = 1;
  for (let k = 0; k <= Math.floor(t / service); k++) {
    if (k > 0) fact *= k;
    const x = lambda * (k * service - t);
    sum += (x ** k / fact) * Math.exp(-x);
  }
  return (1 - rho) * sum;
}

/** The q-quantile of the M/D/1 waiting time, by bisection on the CDF. */
export function md1WaitQuantile(q: number, lambda: number, service: number): number {
  if (md1WaitCdf(0, lambda, service) >= q) return 0;
  let lo = 0;
  let hi = service;
  while (md1WaitCdf(hi, lambda, service) < q) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (md1WaitCdf(mid, lambda, service) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface QueueingRow {
  readonly metric: string;
  readonly expectedS: number;
  readonly simulatedS: number;
  readonly error: number;
}

/**
 * The serving simulation against queueing theory on a case simple enough to compute by hand: one
 * request at a time (max_num_seqs 1), a fixed 512-token prompt and one output token, so every request
 * is one prefill iteration of deterministic length S, with Poisson arrivals at ρ = 0.7: an M/D/1 queue,
 * whose TTFT = S + W has known percentiles and mean (Pollaczek–Khinchine: W̄ = ρS / 2(1 − ρ)).
 */
export function queueingCheck(catalog: Catalog, requests = 200_000): QueueingRow[] {
  const accelerator = resolveAccelerator(catalog, "h100-sxm");
  const job: InferenceJob = {
    model: resolveModel(catalog, "llama3-8b"),
    accelerator,
    gpus: 1,
    domainSize: accelerator.scaleUp.domainSize,
    precision: "fp8",
    kvPrecision: "fp8",
  };
  const shape = { tp: 1, pp: 1, ep: 1 };
  const service = iterationModel(job, shape).time(512, 0, 512 * 256, 1, false, true);
  const rho = 0.7;
  const lambda = rho / service;
  const r = simulateServing(
    job,
    shape,
    { requests, arrival: lambda, inputLen: 512, outputLen: 1, seed: 3 },
    null,
    { ...DEFAULT_ENGINE, maxNumSeqs: 1, chunkedPrefill: false, mixedPrefill: false },
  );
  const row = (metric: string, expectedS: number, simulatedS: number): QueueingRow => ({
    metric,
    expectedS,
    simulatedS,
    error: (simulatedS - expectedS) / expectedS,
  });
  return [
    row("TTFT mean (Pollaczek–Khinchine)", service + (rho * service) / (2 * (1 - rho)), r.ttftS.mean),
    row("TTFT p50 (M/D/1)", service + md1WaitQuantile(0.5, lambda, service), r.ttftS.p50),
    row("TTFT p90 (M/D/1)", service + md1WaitQuantile(0.9, lambda, service), r.ttftS.p90),
    row("TTFT p99 (M/D/1)", service + md1WaitQuantile(0.99, lambda, service), r.ttftS.p99),
  ];
}

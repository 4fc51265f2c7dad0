import {
  evaluateInference,
  type InferenceJob,
  type InferencePrecision,
  type ReplicaShape,
  replicaShapes,
} from "./infer.js";
import { DEFAULT_ENGINE, type EngineOptions, type LengthSpec, type Slo, simulateServing } from "./serving.js";

/** What to deploy: a request rate with an SLO on the p99 latencies, for a model on one accelerator type. */
export interface DeployTarget {
  /** Requests per second the deployment must sustain. */
  readonly rate: number;
  readonly inputLen: LengthSpec;
  readonly outputLen: LengthSpec;
  /** Limits on p99 time to first token and p99 time per output token (MLPerf Server's criterion). */
  readonly slo: Slo;
  readonly precisions: readonly InferencePrecision[];
  /** Engine batch limits (max sequences per iteration) to try. */
  readonly batchLimits: readonly number[];
  /** Requests simulated per trial. */
  readonly requests: number;
  readonly seed: number;
}

/** One accelerator to consider, with its price per accelerator-hour when known. */
export interface DeployOption {
  readonly job: Omit<InferenceJob, "precision">;
  readonly usdPerGpuHour: number | null;
}

export interface DeployCandidate {
  readonly accelerator: string;
  readonly precision: InferencePrecision;
  readonly shape: ReplicaShape;
  readonly maxNumSeqs: number;
  /** Highest Poisson rate one replica sustains within the SLO, requests/s. */
  readonly ratePerReplica: number;
  readonly replicas: number;
  readonly gpus: number;
  /** Output tokens/s per accelerator at that rate. */
  readonly tokensPerSPerGpu: number;
  readonly ttftP99S: number;
  readonly tpotP99S: number;
  readonly tpotP50S: number;
  /** Cost of the deployment per million output tokens at the target rate; null without a price. */
  readonly usdPerMillionTokens: number | null;
}

export interface DeployResult {
  /**
   * The cheapest deployment per million tokens when every option has a price, else the fewest
   * accelerators (ties: most tokens/s per accelerator); null if none meets the SLO.
   */
  readonly best: DeployCandidate | null;
  readonly candidates: readonly DeployCandidate[];
  /** Candidates no other beats on both tokens/s per accelerator and p50 time per output token. */
  readonly pareto: readonly DeployCandidate[];
  readonly trials: number;
}

function meets(r: ReturnType<typeof simulateServing>, slo: Slo): boolean {
  return (
    (slo.ttftMs === undefined || r.ttftS.p99 * 1e3 <= slo.ttftMs) &&
    (slo.tpotMs === undefined || r.tpotS.p99 * 1e3 <= slo.tpotMs)
  );
}

/** Serving simulations per candidate: the offline throughput, then 8 bisection steps of the rate. */
export const DEPLOY_TRIALS = 9;

const meanLength = (l: LengthSpec) =>
  typeof l === "number" ? l : l.dist === "uniform" ? (l.min + l.max) / 2 : l.mean;

/** A replica the search will size: an accelerator, a precision and a shape whose weights and KV fit. */
interface DeployShape {
  readonly job: InferenceJob;
  readonly usdPerGpuHour: number | null;
  readonly shape: ReplicaShape;
}

/** Every accelerator × precision × replica shape that fits one sequence of the workload's mean lengths. */
function deployShapes(options: readonly DeployOption[], target: DeployTarget): DeployShape[] {
  const out: DeployShape[] = [];
  for (const { job: base, usdPerGpuHour } of options)
    for (const precision of target.precisions) {
      const job: InferenceJob = { ...base, precision };
      for (const shape of replicaShapes({ ...job, gpus: 1 << 20 }, {}))
        if (
          evaluateInference(
            { ...job, gpus: shape.tp * shape.pp },
            shape,
            1,
            Math.round(meanLength(target.inputLen)),
            Math.round(meanLength(target.outputLen)),
          ).fits
        )
          out.push({ job, usdPerGpuHour, shape });
    }
  return out;
}

/**
 * The search's work before it runs: candidates (fitting shapes × batch limits), serving simulations
 * (candidates × DEPLOY_TRIALS) and requests simulated (simulations × requests per trial).
 */
export function deploymentWork(
  options: readonly DeployOption[],
  target: DeployTarget,
): { readonly shapes: number; readonly candidates: number; readonly requests: number } {
  const shapes = deployShapes(options, target).length;
  const candidates = shapes * target.batchLimits.length;
  return { shapes, candidates, requests: candidates * DEPLOY_TRIALS * target.requests };
}

/**
 * Search precisions × replica shapes × engine batch limits. For each, bisect the highest Poisson rate one
 * replica sustains within the SLO (serving simulation at each trial rate), then size the deployment:
 * replicas = ⌈target rate / that rate⌉.
 */
export function searchDeployment(options: readonly DeployOption[], target: DeployTarget): DeployResult {
  const candidates: DeployCandidate[] = [];
  let trials = 0;
  // $/M output tokens = accelerators × price per hour / (output tokens per hour at the target rate) × 10⁶.
  const tokensPerHour = target.rate * meanLength(target.outputLen) * 3600;
  for (const { job, usdPerGpuHour, shape } of deployShapes(options, target)) {
    for (const maxNumSeqs of target.batchLimits) {
      const engine: EngineOptions = { ...DEFAULT_ENGINE, maxNumSeqs };
      const one = { ...job, gpus: shape.tp * shape.pp };
      const trial = (arrival: "offline" | number) => {
        trials++;
        return simulateServing(
          one,
          shape,
          {
            requests: target.requests,
            arrival,
            inputLen: target.inputLen,
            outputLen: target.outputLen,
            seed: target.seed,
          },
          null,
          engine,
        );
      };
      // No rate beyond the offline request throughput is sustainable.
      const offline = trial("offline");
      let hi = offline.requests / offline.makespanS;
      let lo = 0;
      let atLo: ReturnType<typeof simulateServing> | null = null;
      for (let k = 0; k < DEPLOY_TRIALS - 1; k++) {
        const mid = (lo + hi) / 2;
        const r = trial(mid);
        if (meets(r, target.slo)) {
          lo = mid;
          atLo = r;
        } else hi = mid;
      }
      if (atLo === null || lo <= 0) continue;
      const replicas = Math.ceil(target.rate / lo);
      const gpus = replicas * shape.tp * shape.pp;
      candidates.push({
        accelerator: job.accelerator.id,
        precision: job.precision,
        shape,
        maxNumSeqs,
        ratePerReplica: lo,
        replicas,
        gpus,
        tokensPerSPerGpu: atLo.outputTokensPerS / (shape.tp * shape.pp),
        ttftP99S: atLo.ttftS.p99,
        tpotP99S: atLo.tpotS.p99,
        tpotP50S: atLo.tpotS.p50,
        usdPerMillionTokens: usdPerGpuHour !== null ? ((gpus * usdPerGpuHour) / tokensPerHour) * 1e6 : null,
      });
    }
  }
  const priced = candidates.length > 0 && candidates.every((c) => c.usdPerMillionTokens !== null);
  const better = (c: DeployCandidate, b: DeployCandidate) =>
    priced
      ? (c.usdPerMillionTokens ?? 0) < (b.usdPerMillionTokens ?? 0)
      : c.gpus < b.gpus || (c.gpus === b.gpus && c.tokensPerSPerGpu > b.tokensPerSPerGpu);
  let best: DeployCandidate | null = null;
  for (const c of candidates) if (best === null || better(c, best)) best = c;
  const pareto = candidates
    .filter(
      (c) =>
        !candidates.some(
          (o) =>
            o !== c &&
            o.tokensPerSPerGpu >= c.tokensPerSPerGpu &&
            o.tpotP50S <= c.tpotP50S &&
            (o.tokensPerSPerGpu > c.tokensPerSPerGpu || o.tpotP50S < c.tpotP50S),
        ),
    )
    .sort((a, b) => a.tpotP50S - b.tpotP50S);
  return { best, candidates, pareto, trials };
}

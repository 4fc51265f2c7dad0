import { z } from "zod";
import { type Catalog, DEFAULT_ENGINE_PRESET } from "../catalog/index.js";
import { InputError } from "../errors.js";
import { replicaProblem } from "../perf/infer.js";
import { simulateServing } from "../perf/serving.js";
import { exponential, seededRandom } from "../random.js";
import { fixedShape, resolveEngine, resolveInferJob } from "../scenario/infer.js";
import { validate } from "../scenario/load.js";
import { inferScenarioSchema } from "../scenario/schema.js";

/**
 * MLPerf Inference results and how to reproduce them: the submitted deployment (accelerators,
 * precision, replica shape, engine and its batch limit) serves the benchmark's dataset, each sample's
 * real input and output length taken from the dataset (validation/mlperf-lengths). Offline: every
 * sample queued at once, throughput over the whole set. Server and Interactive: Poisson arrivals at the
 * highest rate whose p99 time to first token and p99 time per output token stay within the benchmark's
 * limits (loadgen's latency constraints), throughput = that rate × mean output length.
 */
export const inferenceCaseSchema = z
  .strictObject({
    id: z.string().min(1),
    group: z.string().min(1),
    source: z.string().min(1),
    /** The submission's configuration as published (precision, engines, batch size). */
    config: z.string().min(1),
    note: z.string().optional(),
    heldOut: z.boolean().default(false),
    mlperfScenario: z.enum(["offline", "server", "interactive"]),
    /** A file of validation/mlperf-lengths without `.csv`. */
    dataset: z.string().min(1),
    /**
     * Scale each sample's output length so the dataset's mean is this: for datasets whose output column
     * is a reference answer rather than the benchmarked model's generation (llama2-70b).
     */
    outputMean: z.number().positive().optional(),
    /**
     * Every sample generates this many tokens: for datasets whose output column is not a token count of
     * any generation (llama3.1-8b: the reference summary's characters / 4) where the benchmark caps the
     * generation and most samples reach the cap.
     */
    outputFixed: z.number().int().positive().optional(),
    /** The benchmark's p99 limits (mlperf.conf), for Server and Interactive. */
    latency: z.strictObject({ ttftMs: z.number().positive(), tpotMs: z.number().positive() }).optional(),
    measured: z.strictObject({ outputTokensPerS: z.number().positive() }),
    scenario: inferScenarioSchema.omit({ kind: true }),
  })
  .refine((c) => c.mlperfScenario === "offline" || c.latency !== undefined, {
    message: "latency limits (ttftMs, tpotMs) for a Server or Interactive case",
    path: ["latency"],
  })
  .refine((c) => c.outputMean === undefined || c.outputFixed === undefined, {
    message: "at most one of outputMean and outputFixed",
    path: ["outputFixed"],
  });

export const inferenceCasesSchema = z.strictObject({ cases: z.array(inferenceCaseSchema).min(1) });

export type InferenceCase = z.output<typeof inferenceCaseSchema>;

/** Per-sample lengths of a dataset. */
export interface Lengths {
  readonly input: Int32Array;
  readonly output: Int32Array;
}

/** Parse `input_length,output_length` rows (with that header). */
export function parseLengths(text: string, file: string): Lengths {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if ((lines[0] ?? "").trim() !== "input_length,output_length") {
    throw new InputError(`${file}:1`, lines[0] ?? "", "the header input_length,output_length");
  }
  const n = lines.length - 1;
  const input = new Int32Array(n);
  const output = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const [a = "", b = ""] = (lines[k + 1] ?? "").split(",");
    const i = Number(a);
    const o = Number(b);
    if (!Number.isInteger(i) || i < 1 || !Number.isInteger(o) || o < 1) {
      throw new InputError(`${file}:${k + 2}`, lines[k + 1] ?? "", "two positive integer token counts");
    }
    input[k] = i;
    output[k] = o;
  }
  return { input, output };
}

export function parseInferenceCases(data: unknown, file = "validation/inference.yaml"): InferenceCase[] {
  return validate(inferenceCasesSchema, data, file).cases;
}

export interface InferenceCaseResult {
  readonly id: string;
  readonly group: string;
  readonly mlperfScenario: InferenceCase["mlperfScenario"];
  readonly accelerator: string;
  readonly precision: string;
  readonly engine: string;
  readonly heldOut: boolean;
  readonly measuredTokensPerS: number;
  readonly predictedTokensPerS: number;
  /** (predicted − measured) / measured. */
  readonly error: number;
  /** Server/Interactive: the request rate found (requests/s); offline: null. */
  readonly rateRps: number | null;
  readonly p99TtftS: number;
  readonly p99TpotS: number;
  readonly preemptions: number;
  /**
   * Server/Interactive: the model's p99 latencies when offered the rate the submission sustained
   * (measured tokens/s ÷ mean output length), beside the limits: how much room the model sees where the
   * real deployment stopped. Offline: null.
   */
  readonly atMeasuredRate: { readonly p99TtftS: number; readonly p99TpotS: number } | null;
  readonly source: string;
}

export interface InferenceValidationReport {
  readonly cases: readonly InferenceCaseResult[];
  readonly meanAbsError: number;
  readonly maxAbsError: number;
  readonly worst: string;
}

/**
 * loadgen's minimum run: every datacenter scenario runs at least 600 s (MLPerf Inference rules,
 * mlcommons/inference_policies, "min_duration" in mlperf.conf). Offline sizes its one query to the
 * expected rate × this, so the drain at the end is a small part of the run; Server holds its rate this
 * long, so a rate a few per cent over what the deployment sustains builds a queue that breaks the p99
 * limits. Simulating only the dataset once (24,576 samples, under a minute on 8 B200) gives Offline a
 * drain tail of 4-9% and lets Server pass overloaded rates.
 */
const LOADGEN_MIN_DURATION_S = 600;
/** Server/Interactive: never fewer requests than this many times the concurrent sequences, nor than the floor. */
const SERVER_SLOTS_MULTIPLE = 6;
const SERVER_REQUESTS_MIN = 4000;
/** Bisection steps on the request rate: 2⁻⁹ of the bracket, well under the comparison's resolution. */
const RATE_STEPS = 9;

/** The dataset's samples with outputs scaled to `outputMean`, or all set to `outputFixed`, when the case says so. */
function caseLengths(c: InferenceCase, lengths: Lengths): Lengths {
  if (c.outputFixed !== undefined) {
    return { input: lengths.input, output: new Int32Array(lengths.output.length).fill(c.outputFixed) };
  }
  if (c.outputMean === undefined) return lengths;
  let sum = 0;
  for (const o of lengths.output) sum += o;
  const f = c.outputMean / (sum / Math.max(1, lengths.output.length));
  return { input: lengths.input, output: lengths.output.map((o) => Math.max(1, Math.round(o * f))) };
}

/** A seeded sample of `count` samples (a shuffled pass through the dataset, repeated) with unit-rate Poisson gaps. */
function serverSample(lengths: Lengths, count: number, seed: number) {
  const r = seededRandom(seed);
  const n = lengths.input.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    const t = order[i] ?? 0;
    order[i] = order[j] ?? 0;
    order[j] = t;
  }
  const k = count;
  const unitArrival = new Float64Array(k);
  let t = 0;
  for (let i = 0; i < k; i++) {
    t += exponential(r, 1);
    unitArrival[i] = t;
  }
  const pick = (j: number) => order[j % n] ?? 0;
  return {
    unitArrival,
    input: Int32Array.from({ length: k }, (_, j) => lengths.input[pick(j)] ?? 1),
    output: Int32Array.from({ length: k }, (_, j) => lengths.output[pick(j)] ?? 1),
  };
}

/** Predict one case. */
export function runInferenceCase(c: InferenceCase, lengths: Lengths, catalog: Catalog): InferenceCaseResult {
  const s = validate(inferScenarioSchema, { kind: "infer", ...c.scenario }, c.id);
  const { job } = resolveInferJob(s, catalog);
  const f = fixedShape(s);
  const shape = { tp: f.tp ?? 1, pp: f.pp ?? 1, ep: f.ep ?? 1 };
  const problem = replicaProblem(job, shape);
  if (problem !== null) {
    throw new InputError(`${c.id}.scenario.inference.parallelism.${problem.field}`, shape, problem.expected);
  }
  const engine = resolveEngine(s.inference.engine);
  const data = caseLengths(c, lengths);
  const base = {
    id: c.id,
    group: c.group,
    mlperfScenario: c.mlperfScenario,
    accelerator: job.accelerator.id,
    precision: job.precision,
    engine:
      typeof s.inference.engine === "string"
        ? s.inference.engine
        : (s.inference.engine?.preset ?? DEFAULT_ENGINE_PRESET),
    heldOut: c.heldOut,
    measuredTokensPerS: c.measured.outputTokensPerS,
    source: c.source,
  };
  const off = offlineRun(job, shape, engine, data);
  if (c.mlperfScenario === "offline" || c.latency === undefined) {
    return {
      ...base,
      predictedTokensPerS: off.outputTokensPerS,
      error: (off.outputTokensPerS - c.measured.outputTokensPerS) / c.measured.outputTokensPerS,
      rateRps: null,
      p99TtftS: off.ttftS.p99,
      p99TpotS: off.tpotS.p99,
      preemptions: off.preemptions,
      atMeasuredRate: null,
    };
  }
  const found = serverRate(job, shape, engine, data, off, c.latency, c.measured.outputTokensPerS);
  return {
    ...base,
    predictedTokensPerS: found.tokensPerS,
    error: (found.tokensPerS - c.measured.outputTokensPerS) / c.measured.outputTokensPerS,
    rateRps: found.rateRps,
    p99TtftS: found.best?.ttftS.p99 ?? 0,
    p99TpotS: found.best?.tpotS.p99 ?? 0,
    preemptions: found.best?.preemptions ?? 0,
    atMeasuredRate: { p99TtftS: found.atMeasured.ttftS.p99, p99TpotS: found.atMeasured.tpotS.p99 },
  };
}

type Job = ReturnType<typeof resolveInferJob>["job"];
type Shape = { readonly tp: number; readonly pp: number; readonly ep: number };
type Engine = ReturnType<typeof resolveEngine>;
type Served = ReturnType<typeof simulateServing>;

/**
 * Offline as loadgen runs it: every sample queued at once, the dataset repeated (in a seeded shuffled
 * order) until the query lasts loadgen's minimum duration at the rate the dataset alone is served at.
 */
function offlineRun(job: Job, shape: Shape, engine: Engine, data: Lengths): Served {
  const once = simulateServing(
    job,
    shape,
    { arrival: new Float64Array(data.input.length), input: data.input, output: data.output },
    null,
    engine,
  );
  if (once.makespanS >= LOADGEN_MIN_DURATION_S || once.makespanS <= 0) return once;
  const count = Math.ceil((LOADGEN_MIN_DURATION_S * once.requests) / once.makespanS);
  const sample = serverSample(data, count, 1);
  return simulateServing(
    job,
    shape,
    { arrival: new Float64Array(count), input: sample.input, output: sample.output },
    null,
    engine,
  );
}

/**
 * Server and Interactive: the highest Poisson rate whose p99 time to first token and time per output
 * token stay within the limits over loadgen's minimum duration (bisected; bracketed by 1.5× the
 * Offline rate); and the same trial at the rate the submission sustained (`measuredTokensPerS`).
 */
function serverRate(
  job: Job,
  shape: Shape,
  engine: Engine,
  data: Lengths,
  off: Served,
  limits: { readonly ttftMs: number; readonly tpotMs: number },
  measuredTokensPerS: number,
): { tokensPerS: number; rateRps: number; best: Served | null; atMeasured: Served } {
  // Concurrent sequences the deployment holds: per replica, the batch limit or what the KV cache holds
  // at the dataset's mean length, whichever is smaller.
  let meanLen = 0;
  for (let i = 0; i < data.input.length; i++)
    meanLen += ((data.input[i] ?? 0) + (data.output[i] ?? 0)) / data.input.length;
  const replicas = job.gpus / (shape.tp * shape.pp);
  const slots = replicas * Math.min(engine.maxNumSeqs, off.kvCapacityTokens / meanLen);
  const floor = Math.max(SERVER_REQUESTS_MIN, Math.ceil(SERVER_SLOTS_MULTIPLE * slots));
  let meanOut = 0;
  for (const o of data.output) meanOut += o / data.output.length;
  let lo = 0;
  let hi = (1.5 * off.outputTokensPerS) / meanOut;
  const measuredRate = measuredTokensPerS / meanOut;
  // One arrival sequence for every trial, long enough for the bracket's top rate (or the measured rate,
  // if higher) to last the minimum duration; a trial at a lower rate takes its first
  // LOADGEN_MIN_DURATION_S × rate requests.
  const longest = Math.max(hi, measuredRate);
  const sample = serverSample(data, Math.max(floor, Math.ceil(LOADGEN_MIN_DURATION_S * longest)), 1);
  const trial = (rate: number) => {
    const n = Math.min(sample.input.length, Math.max(floor, Math.ceil(LOADGEN_MIN_DURATION_S * rate)));
    return simulateServing(
      job,
      shape,
      {
        arrival: sample.unitArrival.subarray(0, n).map((a) => a / rate),
        input: sample.input.subarray(0, n),
        output: sample.output.subarray(0, n),
      },
      null,
      engine,
    );
  };
  const meets = (r: Served) =>
    r.rejected === 0 && r.ttftS.p99 * 1e3 <= limits.ttftMs && r.tpotS.p99 * 1e3 <= limits.tpotMs;
  let best: Served | null = null;
  for (let k = 0; k < RATE_STEPS; k++) {
    const mid = (lo + hi) / 2;
    const r = trial(mid);
    if (meets(r)) {
      lo = mid;
      best = r;
    } else hi = mid;
  }
  return { tokensPerS: lo * meanOut, rateRps: lo, best, atMeasured: trial(measuredRate) };
}

/** Predict every case with the same model constants and compare. */
export function runInferenceValidation(
  cases: readonly InferenceCase[],
  datasets: ReadonlyMap<string, Lengths>,
  catalog: Catalog,
): InferenceValidationReport {
  const results = cases.map((c) => {
    const lengths = datasets.get(c.dataset);
    if (lengths === undefined) {
      throw new InputError(`${c.id}.dataset`, c.dataset, `one of ${[...datasets.keys()].join(", ")}`);
    }
    return runInferenceCase(c, lengths, catalog);
  });
  const abs = results.map((r) => Math.abs(r.error));
  let worst = results[0];
  for (const r of results) if (worst === undefined || Math.abs(r.error) > Math.abs(worst.error)) worst = r;
  return {
    cases: results,
    meanAbsError: abs.reduce((a, b) => a + b, 0) / Math.max(1, abs.length),
    maxAbsError: Math.max(0, ...abs),
    worst: worst?.id ?? "",
  };
}

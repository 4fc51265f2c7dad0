import { z } from "zod";
import { INFERENCE_ENGINES, TRAINING_FRAMEWORKS } from "../catalog/data/presets.js";
import { RECOMPUTE_MODULES } from "../perf/types.js";

/**
 * The scenario schema: the single source of truth for what a user may write. Types of the user's input
 * are inferred from it; `resolve.ts` turns input into the resolved model inputs with defaults filled.
 * Objects are strict, so a misspelt field is an error rather than silently ignored.
 */

export const positive = z.number().positive();
export const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const fraction = z.number().gt(0).lte(1);

/**
 * Domains: the largest value each kind of figure may take. Each is far beyond any system built or
 * announced, so that no real input meets it, yet small enough that the models stay finite and fast.
 */
export const DOMAIN = {
  /** Transformer layers: the deepest published dense models have ~126-160. */
  layers: 10_000,
  /** Hidden, FFN and expert widths: the widest published are ~53,000 (GPT-4-class FFNs). */
  width: 2 ** 22,
  /** Attention heads, head dimensions, low-rank widths. */
  heads: 2 ** 16,
  /** Vocabulary: the largest published are ~256,000. */
  vocab: 2 ** 24,
  /** Routed experts (DeepSeek-V3: 256) and experts per token. */
  experts: 2 ** 16,
  /** Tokens in one sequence: 16 M, beyond the longest announced context (10 M). */
  sequence: 2 ** 24,
  /** Sequences in a batch. */
  batch: 2 ** 24,
  /** Accelerators in one system or parallel dimension: 16 M, beyond every fleet on Earth together. */
  accelerators: 2 ** 24,
  /** Peak TFLOP/s of one accelerator (B200 FP4: 9,000). */
  tflops: 1e6,
  /** GB/s of one memory or link (B200 HBM3e: 8,000). */
  bandwidthGBps: 1e7,
  /** GB of memory on one accelerator (B300: 288). */
  memoryGB: 1e6,
} as const;
const width = positiveInt.max(DOMAIN.width);
const headCount = positiveInt.max(DOMAIN.heads);
const tokensInSequence = positiveInt.max(DOMAIN.sequence);
const acceleratorCount = positiveInt.max(DOMAIN.accelerators);
export const precisionSchema = z.enum(["fp32", "fp16", "bf16", "fp8", "fp4"]);

export const hbmGenerationSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  interfaceBits: positiveInt.max(2 ** 16),
  pinSpeedGbps: positive.max(1000),
  capacityPerStackGB: positive.max(DOMAIN.memoryGB),
  stackHeight: positiveInt.max(256).optional(),
  energyPjPerBit: positive.max(1000).optional(),
  vendors: z.array(z.string()).default([]),
  source: z.string().min(1),
});

export const interconnectSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  kind: z.enum(["scale-up", "scale-out"]),
  bandwidthGBps: positive.max(DOMAIN.bandwidthGBps),
  /** One-way latency: at most a second. */
  latencyUs: positive.max(1e6),
  curveOf: z.string().min(1).optional(),
  source: z.string().min(1),
});

export const acceleratorSchema = z.strictObject({
  id: z.string().min(1).optional(),
  name: z.string().min(1),
  vendor: z.string().optional(),
  peakTflops: z
    .strictObject({
      fp32: positive.max(DOMAIN.tflops).optional(),
      fp16: positive.max(DOMAIN.tflops).optional(),
      bf16: positive.max(DOMAIN.tflops).optional(),
      fp8: positive.max(DOMAIN.tflops).optional(),
      fp4: positive.max(DOMAIN.tflops).optional(),
    })
    .refine((v) => Object.keys(v).length > 0, { message: "at least one precision's peak TFLOP/s" }),
  hbm: z.strictObject({
    generation: z.string().min(1).optional(),
    stacks: positiveInt.max(1024).optional(),
    capacityGB: positive.max(DOMAIN.memoryGB).optional(),
    /** Capacity in GiB (2^30 bytes): what the device reports; vendors' "GB" of HBM are GiB. */
    capacityGiB: positive.max(DOMAIN.memoryGB).optional(),
    bandwidthGBps: positive.max(DOMAIN.bandwidthGBps).optional(),
  }),
  scaleUp: z.strictObject({
    fabric: z.string().min(1).optional(),
    bandwidthGBps: positive.max(DOMAIN.bandwidthGBps).optional(),
    domainSize: acceleratorCount,
  }),
  scaleOut: z.strictObject({
    fabric: z.string().min(1).optional(),
    bandwidthGBps: positive.max(DOMAIN.bandwidthGBps).optional(),
  }),
  /** Board power, W: at most 100 kW for one accelerator. */
  tdpW: positive.max(1e5).optional(),
  family: z.string().min(1).optional(),
  matmulEfficiency: z
    .union([
      fraction,
      z.strictObject({
        fp32: fraction.optional(),
        fp16: fraction.optional(),
        bf16: fraction.optional(),
        fp8: fraction.optional(),
        fp4: fraction.optional(),
      }),
    ])
    .optional(),
  memoryEfficiency: fraction.optional(),
  source: z.string().optional(),
});

export const modelSchema = z.strictObject({
  id: z.string().min(1).optional(),
  name: z.string().min(1),
  layers: positiveInt.max(DOMAIN.layers),
  hidden: width,
  ffnHidden: width,
  heads: headCount,
  kvHeads: headCount.optional(),
  headDim: headCount.optional(),
  vocab: positiveInt.max(DOMAIN.vocab),
  gatedMlp: z.boolean().optional(),
  tiedEmbeddings: z.boolean().optional(),
  bias: z.boolean().optional(),
  positionEmbeddings: nonNegativeInt.max(DOMAIN.sequence).optional(),
  moe: z
    .strictObject({
      experts: positiveInt.max(DOMAIN.experts),
      topK: positiveInt.max(DOMAIN.experts),
      sharedExperts: nonNegativeInt.max(DOMAIN.experts).default(0),
      expertFfnHidden: width,
      denseLayers: nonNegativeInt.max(DOMAIN.layers).default(0),
      maxNodesPerToken: positiveInt.max(DOMAIN.accelerators).optional(),
    })
    .optional(),
  mla: z
    .strictObject({
      qLoraRank: nonNegativeInt.max(DOMAIN.width),
      kvLoraRank: width,
      qkNopeHeadDim: headCount,
      qkRopeHeadDim: headCount,
      vHeadDim: headCount,
    })
    .optional(),
  /** Multi-token-prediction modules trained beside the model (DeepSeek-V3: 1). */
  mtpDepth: nonNegativeInt.max(64).optional(),
  /** At most 10^16 parameters. */
  publishedParams: positive.max(1e16).optional(),
  source: z.string().optional(),
});

const rangeSchema = z
  .tuple([z.number(), z.number()])
  .refine(([lo, hi]) => lo <= hi, { message: "a range [low, high] with low ≤ high" });
const siteFigureShape = <T extends z.ZodTypeAny>(v: T) => ({
  climate: v.optional(),
  humidity: v.optional(),
  gridCarbon: v.optional(),
  electricity: v.optional(),
  construction: v.optional(),
});

export const siteSchema = z
  .strictObject({
    id: z.string().min(1),
    name: z.string().min(1),
    country: z.string().min(1),
    monthlyMeanC: z.array(z.number().gt(-60).lt(60)).length(12),
    diurnalRangeC: z.number().nonnegative().max(40),
    wetBulbDepressionC: z.number().nonnegative().max(40).optional(),
    relativeHumidityPct: z.number().min(5).max(100).optional(),
    /** At most 2,000 g/kWh (lignite is ~1,100), $10/kWh and $10^9 per MW. */
    gridCarbonGPerKWh: z.number().nonnegative().max(2000),
    electricityUsdPerKWh: z.number().nonnegative().max(10),
    constructionUsdPerMw: positive.max(1e9).optional(),
    sources: z.strictObject(siteFigureShape(z.string().min(1))).optional(),
    ranges: z.strictObject(siteFigureShape(rangeSchema)).optional(),
    source: z.string().min(1),
  })
  .refine((s) => s.wetBulbDepressionC !== undefined || s.relativeHumidityPct !== undefined, {
    message: "a humidity figure: relativeHumidityPct (warmest month, %) or wetBulbDepressionC (K)",
    path: ["relativeHumidityPct"],
  });

/** A catalog overlay: at most 1,000 entries of each kind. */
export const catalogOverlaySchema = z.strictObject({
  accelerators: z
    .array(acceleratorSchema.extend({ id: z.string().min(1) }))
    .max(1000)
    .optional(),
  memory: z.array(hbmGenerationSchema).max(1000).optional(),
  networks: z.array(interconnectSchema).max(1000).optional(),
  models: z
    .array(modelSchema.extend({ id: z.string().min(1) }))
    .max(1000)
    .optional(),
  sites: z.array(siteSchema).max(1000).optional(),
});

const scaleOutOverride = z.union([
  z.string().min(1),
  z.strictObject({
    fabric: z.string().min(1).optional(),
    bandwidthGBps: positive.max(DOMAIN.bandwidthGBps).optional(),
  }),
]);

export const systemSchema = z.strictObject({
  accelerator: z.union([z.string().min(1), acceleratorSchema]),
  count: acceleratorCount,
  /** Accelerators per scale-up domain; defaults to the accelerator's. */
  nodeSize: acceleratorCount.optional(),
  /** Replace the accelerator's scale-out network: a fabric id or `{bandwidthGBps}`. */
  scaleOut: scaleOutOverride.optional(),
});

export const recomputeSchema = z.enum(["none", "selective", "full"]);

export const parallelismSchema = z.strictObject({
  tp: acceleratorCount.optional(),
  pp: acceleratorCount.optional(),
  dp: acceleratorCount.optional(),
  ep: acceleratorCount.optional(),
  cp: acceleratorCount.optional(),
  interleave: positiveInt.max(DOMAIN.layers).optional(),
  microBatch: positiveInt.max(DOMAIN.batch).optional(),
  sequenceParallel: z.boolean().optional(),
  zero: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).optional(),
  recompute: recomputeSchema.optional(),
});

export const trainingSchema = z.strictObject({
  seqLen: tokensInSequence,
  globalBatch: positiveInt.max(DOMAIN.batch),
  microBatch: positiveInt.max(DOMAIN.batch).optional(),
  precision: precisionSchema.default("bf16"),
  recompute: recomputeSchema.optional(),
  /**
   * The framework the run uses (`stargate catalog presets`): it fills the fields below that are left out
   * (attention kernel, dropout, communication overlap, ZeRO stage). Absent: flash attention, no dropout,
   * data-parallel and pipeline overlap on, tensor- and expert-parallel communication exposed.
   */
  framework: z.enum(TRAINING_FRAMEWORKS).optional(),
  /** `flash` (fused) or `standard` (unfused softmax, as in Megatron-LM before 2022). */
  attention: z.enum(["flash", "standard"]).optional(),
  dropout: z.boolean().optional(),
  tpCommOverlap: z.boolean().optional(),
  /** Overlap the data-parallel gradient reduction with backward (false for Megatron-LM before 2022). */
  dpOverlap: z.boolean().optional(),
  /** Overlap the expert-parallel all-to-all with another micro-batch's compute (DualPipe-style). */
  epCommOverlap: z.boolean().optional(),
  /** Overlap pipeline sends with compute in the interleaved schedule (false for Megatron-LM before 2022). */
  ppCommOverlap: z.boolean().optional(),
  /** 8-bit GEMM scaling: `tensor` (Transformer Engine, default) or `blockwise` (DeepSeek-V3's 1×128/128×128 tiles). */
  fp8Scaling: z.enum(["tensor", "blockwise"]).optional(),
  /**
   * Pipeline schedule: `1f1b` (interleaved when `interleave` > 1; the default) or `dualpipe`
   * (DeepSeek-V3 §3.2.1: micro-batches fed from both ends, each rank holding two stages).
   */
  pipelineSchedule: z.enum(["1f1b", "dualpipe"]).optional(),
  /** Adam moments in fp32 (default) or bf16 (DeepSeek-V3 §3.3.3); master weights stay fp32. */
  optimizerStates: z.enum(["fp32", "bf16"]).optional(),
  /** Parts of each layer recomputed in backward (Megatron-Core --recompute-modules; DeepSeek-V3 §3.3.2). */
  recomputeModules: z.array(z.enum(RECOMPUTE_MODULES)).optional(),
  /** Cache the MLP activation's input in 8 bits for backward (DeepSeek-V3 §3.3.3). */
  fp8ActivationCache: z.boolean().optional(),
  /** Share of SMs held by overlapped communication kernels (DeepSeek-V3: 20 of 132). */
  commSmShare: z.number().min(0).max(0.9).optional(),
  /** At most 10^17 tokens (~6,000× Llama 3's 15.6 T). */
  tokens: positive.max(1e17).optional(),
  /** LoRA fine-tuning: frozen base weights, rank-r adapters on attention (or all) projections. */
  lora: z
    .strictObject({
      rank: positiveInt.max(DOMAIN.width),
      targets: z.enum(["attention", "all"]).default("all"),
    })
    .optional(),
  parallelism: parallelismSchema.optional(),
  /** Configurations to report when searching. */
  top: positiveInt.max(1000).optional(),
});

export const trainScenarioSchema = z.strictObject({
  kind: z.literal("train"),
  name: z.string().optional(),
  model: z.union([z.string().min(1), modelSchema]),
  system: systemSchema,
  training: trainingSchema,
  catalog: catalogOverlaySchema.optional(),
});

export const inferencePrecisionSchema = z.enum(["fp32", "fp16", "bf16", "fp8", "fp4", "int4"]);

/** A length: a number of tokens, or a distribution of them (used by serving workloads). */
export const lengthSchema = z.union([
  tokensInSequence,
  z
    .strictObject({ dist: z.literal("uniform"), min: tokensInSequence, max: tokensInSequence })
    .refine((u) => u.max >= u.min, { message: "max no smaller than min" }),
  z.strictObject({
    dist: z.literal("normal"),
    mean: positive.max(DOMAIN.sequence),
    sd: z.number().nonnegative().max(DOMAIN.sequence),
    min: tokensInSequence.optional(),
    max: tokensInSequence.optional(),
  }),
  z.strictObject({
    dist: z.literal("lognormal"),
    mean: positive.max(DOMAIN.sequence),
    sd: z.number().nonnegative().max(DOMAIN.sequence),
    min: tokensInSequence.optional(),
    max: tokensInSequence.optional(),
  }),
  z.strictObject({
    dist: z.literal("exponential"),
    mean: positive.max(DOMAIN.sequence),
    min: tokensInSequence.optional(),
    max: tokensInSequence.optional(),
  }),
]);

/** The most requests one serving simulation runs: ~10 s at the simulator's ~1 M requests/s. */
export const MAX_SIMULATED_REQUESTS = 10_000_000;

export const generatedWorkloadSchema = z.strictObject({
  requests: positiveInt.max(MAX_SIMULATED_REQUESTS),
  /** `offline`: every request queued at t = 0; a number: Poisson arrivals at that many requests/s. */
  arrival: z.union([z.literal("offline"), positive.max(1e6)]),
  inputLen: lengthSchema,
  outputLen: lengthSchema,
  seed: z
    .number()
    .int()
    .min(-(2 ** 31))
    .max(2 ** 31 - 1)
    .default(1),
});

/** A generated workload, or a request trace: a CSV file (path relative to the scenario file). */
export const workloadSchema = z.union([
  generatedWorkloadSchema,
  z.strictObject({ trace: z.string().min(1) }),
]);

export const inferenceSchema = z.strictObject({
  precision: inferencePrecisionSchema.default("bf16"),
  /** KV-cache element format; defaults to fp8 with fp8/fp4 weights, else 16-bit. */
  kvPrecision: z.enum(["fp16", "bf16", "fp8"]).optional(),
  parallelism: z
    .strictObject({
      tp: acceleratorCount.optional(),
      pp: acceleratorCount.optional(),
      ep: acceleratorCount.optional(),
    })
    .optional(),
  batch: positiveInt.max(DOMAIN.batch).optional(),
  inputLen: tokensInSequence.optional(),
  outputLen: tokensInSequence.optional(),
  workload: workloadSchema.optional(),
  /**
   * The serving engine: a preset (`trtllm`, `vllm`, `sglang`: `stargate catalog presets`) or settings,
   * with an optional `preset` they start from (default vLLM's).
   */
  engine: z
    .union([
      z.enum(INFERENCE_ENGINES),
      z.strictObject({
        preset: z.enum(INFERENCE_ENGINES).optional(),
        maxNumSeqs: positiveInt.max(DOMAIN.batch).optional(),
        maxBatchedTokens: positiveInt.max(2 ** 30).optional(),
        blockSize: positiveInt.max(DOMAIN.sequence).optional(),
        memoryUtilization: fraction.optional(),
        chunkedPrefill: z.boolean().optional(),
        /** Without chunking, run whole prompts beside decoding (true) or in their own iterations (false). */
        mixedPrefill: z.boolean().optional(),
        /** `reserve`: KV for the whole output at admission (no eviction); `optimistic`: admit and preempt. */
        admission: z.enum(["reserve", "optimistic"]).optional(),
        cudaGraphs: z.boolean().optional(),
        fusedEpilogues: z.boolean().optional(),
        /** The most output tokens a request may ask for (its max_tokens): what `reserve` holds KV for. */
        maxOutputTokens: tokensInSequence.optional(),
        /** Disaggregated serving: replicas that only prefill (the rest only decode); 0 = colocated. */
        prefillReplicas: z.number().int().nonnegative().max(DOMAIN.accelerators).optional(),
      }),
    ])
    .optional(),
  /** At most an hour to the first token and a minute between tokens. */
  slo: z
    .strictObject({ ttftMs: positive.max(3.6e6).optional(), tpotMs: positive.max(6e4).optional() })
    .optional(),
  /** Price of one accelerator-hour, USD (yours to state, at most $10,000): adds $/M output tokens. */
  costPerGpuHourUsd: positive.max(1e4).optional(),
  /**
   * Deployment search: the fewest accelerators (of the system's type) that serve `rate` requests/s of the
   * workload's lengths within the SLO, over precisions, replica shapes and engine batch limits.
   */
  deploy: z
    .strictObject({
      /** Requests per second: at most 10^6 (a million a second is several times the largest public services). */
      rate: positive.max(1e6),
      // Repeated candidates are searched once.
      precisions: z
        .array(inferencePrecisionSchema)
        .min(1)
        .max(8)
        .default(["bf16", "fp8"])
        .transform((a) => [...new Set(a)]),
      batchLimits: z
        .array(positiveInt.max(65_536))
        .min(1)
        .max(16)
        .default([32, 64, 128, 256])
        .transform((a) => [...new Set(a)]),
      requests: positiveInt.max(100_000).default(1000),
      /**
       * Accelerators to compare (catalog ids); default: the system's. A repeated id is compared once; the
       * search's work is estimated (and refused past its limit) before it runs.
       */
      accelerators: z.array(z.string().min(1)).min(1).max(1000).optional(),
      /** Price of one accelerator-hour, USD, per accelerator id: enables $/M tokens and cheapest-first. */
      costPerGpuHourUsd: z.record(z.string(), positive.max(1e4)).optional(),
    })
    .optional(),
});

export const inferScenarioSchema = z.strictObject({
  kind: z.literal("infer"),
  name: z.string().optional(),
  model: z.union([z.string().min(1), modelSchema]),
  system: systemSchema,
  inference: inferenceSchema,
  catalog: catalogOverlaySchema.optional(),
});

export type InferScenario = z.output<typeof inferScenarioSchema>;
export type TrainScenarioInput = z.input<typeof trainScenarioSchema>;
export type TrainScenario = z.output<typeof trainScenarioSchema>;
export type CatalogOverlayInput = z.output<typeof catalogOverlaySchema>;

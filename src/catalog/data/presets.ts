/**
 * Presets: how a training framework or a serving engine runs by default. A preset fills the fields a
 * scenario leaves out; fields the scenario states win. Each names where its settings are taken from.
 */

export const TRAINING_FRAMEWORKS = [
  "megatron-2022",
  "megatron-core",
  "nemo",
  "torchtitan",
  "deepspeed",
] as const;
export type TrainingFramework = (typeof TRAINING_FRAMEWORKS)[number];

/** The training settings a framework fixes (see the fields of `training` in the scenario schema). */
export interface TrainingFrameworkSettings {
  readonly attention: "flash" | "standard";
  readonly dropout: boolean;
  readonly tpCommOverlap: boolean;
  readonly dpOverlap: boolean;
  readonly ppCommOverlap: boolean;
  readonly epCommOverlap: boolean;
  /** ZeRO stages its data parallelism offers (ascending); absent: the search picks among 1–3. */
  readonly zeroStages?: readonly (0 | 1 | 2 | 3)[];
  /** Largest interleaving (virtual pipeline stages) its pipeline schedule supports; absent: any. */
  readonly maxInterleave?: number;
}

export interface TrainingFrameworkPreset {
  readonly id: TrainingFramework;
  readonly name: string;
  readonly settings: TrainingFrameworkSettings;
  readonly source: string;
}

/** What a training scenario runs on when it names no framework: current practice without TP overlap. */
export const DEFAULT_TRAINING_SETTINGS: TrainingFrameworkSettings = {
  attention: "flash",
  dropout: false,
  tpCommOverlap: false,
  dpOverlap: true,
  ppCommOverlap: true,
  epCommOverlap: false,
};

/** Megatron-Core's overlapped stack; NeMo runs on it with the same defaults. */
const MEGATRON_CORE_SETTINGS: TrainingFrameworkSettings = {
  attention: "flash",
  dropout: false,
  tpCommOverlap: true,
  dpOverlap: true,
  ppCommOverlap: true,
  epCommOverlap: false,
  zeroStages: [1],
};

export const TRAINING_FRAMEWORK_PRESETS: readonly TrainingFrameworkPreset[] = [
  {
    id: "megatron-2022",
    name: "Megatron-LM as in the 2021–2022 papers",
    settings: {
      attention: "standard",
      dropout: true,
      tpCommOverlap: false,
      dpOverlap: false,
      ppCommOverlap: false,
      epCommOverlap: false,
      zeroStages: [0],
    },
    source:
      "Narayanan et al. 2021 (SC21, arXiv 2104.04473) §3–5: unfused softmax attention with dropout, data-parallel all-reduce after the last micro-batch, blocking pipeline sends in the interleaved schedule, no distributed optimizer; Korthikanti et al. 2022 (arXiv 2205.05198) for sequence parallelism and selective recompute",
  },
  {
    id: "megatron-core",
    name: "Megatron-Core (Megatron-LM core_r0.x)",
    settings: MEGATRON_CORE_SETTINGS,
    source:
      "NVIDIA Megatron-LM README and megatron/training/arguments.py: --use-flash-attn / Transformer Engine fused attention, --overlap-grad-reduce, --overlap-param-gather, --use-distributed-optimizer (optimizer state sharded over data parallelism: ZeRO-1), --tp-comm-overlap (Transformer Engine userbuffers)",
  },
  {
    id: "nemo",
    name: "NeMo as NVIDIA's MLPerf Training submissions configure it",
    settings: MEGATRON_CORE_SETTINGS,
    source:
      "MLCommons MLPerf Training v4.0–v5.1 NVIDIA submissions, llama31_405b and gpt3 implementations (NeMo + Megatron-Core): config_*.sh set TP_COMM_OVERLAP=True, distributed optimizer with overlapped grad reduce and param gather, cuDNN fused attention, interleaved pipeline",
  },
  {
    id: "torchtitan",
    name: "TorchTitan (PyTorch-native 4D parallelism, FSDP2)",
    settings: {
      attention: "flash",
      dropout: false,
      tpCommOverlap: false,
      dpOverlap: true,
      ppCommOverlap: true,
      epCommOverlap: false,
      zeroStages: [2, 3],
    },
    source:
      "Liang et al. 2024, 'TorchTitan' (arXiv 2410.06511) §2–3 and pytorch/torchtitan docs: FSDP2 (parameters, gradients and optimizer state sharded, prefetched all-gathers: ZeRO-3; reshard_after_forward=False keeps parameters gathered into backward: ZeRO-2's traffic), SDPA flash attention, tensor parallelism with async-TP off by default, interleaved 1F1B pipeline",
  },
  {
    id: "deepspeed",
    name: "DeepSpeed (ZeRO with its pipeline engine)",
    settings: {
      attention: "flash",
      dropout: false,
      tpCommOverlap: false,
      dpOverlap: true,
      ppCommOverlap: false,
      epCommOverlap: false,
      maxInterleave: 1,
    },
    source:
      "DeepSpeed docs, config-json 'zero_optimization' (stage 1–3 chosen by the user: searched here; overlap_comm reduces gradients during backward) and 'Pipeline Parallelism' tutorial (non-interleaved 1F1B schedule with blocking sends); tensor parallelism without communication overlap",
  },
];

export const INFERENCE_ENGINES = ["trtllm", "vllm", "sglang"] as const;
export type InferenceEngine = (typeof INFERENCE_ENGINES)[number];

/** How an engine admits a request into the running batch. */
export type AdmissionPolicy = "reserve" | "optimistic";

/** Engine settings the serving simulation uses. */
export interface EngineSettings {
  /** Most sequences in one iteration (vLLM max_num_seqs, TensorRT-LLM max_batch_size). */
  readonly maxNumSeqs: number;
  /** Most tokens in one iteration (max_num_batched_tokens / max_num_tokens / chunked_prefill_size). */
  readonly maxBatchedTokens: number;
  /** Tokens per KV-cache block (page). */
  readonly blockSize: number;
  /** Fraction of HBM the engine may use for weights, workspace and KV cache. */
  readonly memoryUtilization: number;
  /** Split prompts into chunks that fill each iteration's token budget beside the decoding sequences. */
  readonly chunkedPrefill: boolean;
  /**
   * Without chunking: whole prompts join the decoding sequences' iteration (TensorRT-LLM's in-flight
   * batching) rather than running in prefill-only iterations that pause decoding (vLLM's V0 engine).
   */
  readonly mixedPrefill: boolean;
  /**
   * `reserve`: admit a request only when KV blocks for its prompt and its whole output are free, so it
   * is never evicted (TensorRT-LLM's GUARANTEED_NO_EVICT); `optimistic`: admit when the prompt fits and
   * preempt the newest sequence when decoding runs out of blocks (vLLM, SGLang).
   */
  readonly admission: AdmissionPolicy;
  /** Decode iterations replay captured CUDA graphs: no per-kernel launch cost, only the kernels' own. */
  readonly cudaGraphs: boolean;
  /** Quantisation, norms, SwiGLU, RoPE and KV writes fused into the neighbouring GEMM or attention kernels. */
  readonly fusedEpilogues: boolean;
}

export interface InferenceEnginePreset {
  readonly id: InferenceEngine;
  readonly name: string;
  readonly settings: EngineSettings;
  readonly source: string;
}

export const INFERENCE_ENGINE_PRESETS: readonly InferenceEnginePreset[] = [
  {
    id: "trtllm",
    name: "TensorRT-LLM",
    settings: {
      maxNumSeqs: 2048,
      maxBatchedTokens: 8192,
      blockSize: 32,
      memoryUtilization: 0.9,
      chunkedPrefill: false,
      mixedPrefill: true,
      admission: "reserve",
      cudaGraphs: true,
      fusedEpilogues: true,
    },
    source:
      "NVIDIA TensorRT-LLM docs: trtllm-build defaults max_batch_size 2048, max_num_tokens 8192, tokens_per_block 32; KvCacheConfig free_gpu_memory_fraction 0.9; CapacitySchedulerPolicy GUARANTEED_NO_EVICT (the default); enable_chunked_context off by default (in-flight batching still runs whole prompts beside generation); CUDA graphs for generation; fused GEMM epilogues and fused RoPE/KV-write attention plugins",
  },
  {
    id: "vllm",
    name: "vLLM (V1 engine)",
    settings: {
      maxNumSeqs: 256,
      maxBatchedTokens: 8192,
      blockSize: 16,
      memoryUtilization: 0.9,
      chunkedPrefill: true,
      mixedPrefill: true,
      admission: "optimistic",
      cudaGraphs: true,
      fusedEpilogues: true,
    },
    source:
      "vLLM docs, Engine Arguments: max_num_seqs 256, max_num_batched_tokens 8192 (chunked prefill on in V1), block_size 16, gpu_memory_utilization 0.9; preemption by recompute when KV blocks run out; CUDA graphs captured for decode (torch.compile piecewise graphs, fused RMSNorm/SiLU-mul/quant custom ops)",
  },
  {
    id: "sglang",
    name: "SGLang",
    settings: {
      maxNumSeqs: 1024,
      maxBatchedTokens: 8192,
      blockSize: 1,
      memoryUtilization: 0.88,
      chunkedPrefill: true,
      mixedPrefill: true,
      admission: "optimistic",
      cudaGraphs: true,
      fusedEpilogues: true,
    },
    source:
      "SGLang docs, Server Arguments: chunked_prefill_size 8192 on large-memory GPUs, page_size 1, mem_fraction_static ≈ 0.88, max_running_requests sized from the KV pool (1,024 here as a stated assumption); optimistic admission with retraction (new_token_ratio) when decoding runs out of memory; CUDA graphs for decode",
  },
];

/** What `inference.engine` means when the scenario names no preset: vLLM's defaults. */
export const DEFAULT_ENGINE_PRESET: InferenceEngine = "vllm";

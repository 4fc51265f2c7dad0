/**
 * The model's constants. Each comes from a physical measurement or argument, is named here, and applies
 * to every accelerator and every case alike (a catalog entry may carry its own measured matmul/memory
 * efficiency, which then replaces the default for that part only).
 */
export const CALIBRATION = {
  /**
   * Fraction of dense peak a large bf16 GEMM sustains. A random-data 8192³ bf16 GEMM measures about
   * 800 TFLOP/s on an H100 SXM against 989 peak (power-limited clocks): 0.81 (../shared/design/MODELING.md).
   */
  matmulEfficiency: 0.81,
  /**
   * Fraction of peak HBM bandwidth a streaming kernel sustains: an HBM3 device-to-device copy reaches
   * about 3.0 of 3.35 TB/s on an H100 (../shared/design/MODELING.md): 0.90.
   */
  memoryEfficiency: 0.9,
  /**
   * Fused (flash) attention runs at this fraction of the GEMM rate: the online softmax and rescaling
   * between the two products cost about a fifth (FlashAttention-2, Dao 2023: 73% of A100 peak forward
   * against ~90% for cuBLAS GEMM of similar size: 0.8).
   */
  flashAttentionFraction: 0.8,
  /**
   * Flash attention backward does 2.5× the forward FLOPs (it recomputes Q·Kᵀ and runs five products to
   * the forward's two: Dao 2023 §3.2); model FLOPs count 2×.
   */
  flashBackwardFlopsRatio: 2.5,
  /**
   * Whether an operator's HBM traffic overlaps its math (time = max) or not (time = sum). Calculon
   * (Isaev et al., SC23) validated A100 training with no overlap; a GEMM's operand loads and epilogue
   * stores are only partly hidden by the main loop, so no overlap is the default for every part.
   */
  overlapComputeMemory: false,
  /**
   * Communication hidden behind compute still slows it: the collective kernels take SMs and memory
   * bandwidth. Calculon (Isaev et al., SC23) charges 15% of the overlapped time for NVLink-class traffic
   * and 2% for NIC traffic (../shared/design/MODELING.md).
   */
  overlapSlowdownScaleUp: 0.15,
  overlapSlowdownScaleOut: 0.02,
  /**
   * Share of layers the NVFP4 training recipe keeps in BF16: about 15% of the linear layers, the first
   * and last blocks (NVIDIA, "Pretraining Large Language Models with NVFP4", arXiv 2509.25149, 2025).
   * An assumption for runs that do not state theirs (range 0–0.16).
   */
  fp4HighPrecisionLayerShare: 0.15,
  /**
   * Tensor-parallel overlap as Transformer Engine's userbuffers run it (Megatron-Core/NeMo
   * --tp-comm-overlap): a reduce-scatter is pipelined with the GEMM that produces its input, its kernels
   * holding SMs the GEMM gives up (`set_sm_margin`): TE's initialize_ub default num_sm = 16 of the H100's
   * 132 SMs (0.12). An assumption for runs that do not state theirs: NeMo's userbuffers configurations
   * use 2–8 SMs for bulk overlaps and 16–32 for pipelined ones (range 0.015–0.24).
   */
  tpOverlapSmShare: 16 / 132,
  /** Chunks a pipelined reduce-scatter splits its GEMM into (TE initialize_ub default num_splits = 4). */
  tpOverlapRsSplits: 4,
  /** Fixed cost per kernel launch and tail (≈ 4 µs: CUDA launch plus the last wave's drain). */
  kernelOverheadS: 4e-6,
  /**
   * The same when kernels replay from a captured CUDA graph (serving engines' decode): the host launch
   * leaves, the tail of the last wave and the dependency hand-off stay. An assumption: 1.5 µs (range
   * 1–2.5 µs, the gap between graph-replayed kernels in Nsight traces of decode steps).
   */
  graphKernelOverheadS: 1.5e-6,
  /**
   * Fraction of a link's per-direction bandwidth a large collective achieves: nccl-tests all-reduce bus
   * bandwidth on an 8-GPU NVSwitch node reaches ~360 of 450 GB/s (0.8); Calculon used 0.65–0.9 per level.
   */
  scaleUpEfficiency: 0.8,
  /**
   * Same for a NIC-class link (400G, 50 GB/s a direction). The measured scale-out rows span 0.74–0.96:
   * nccl-tests ring all-reduce 46–48 GB/s per NDR NIC (0.92–0.96); DeepEP's all-to-all over CX7, V2
   * kernels 0.81–0.92 of the NIC, V1 normal kernels 0.86 at 16 ranks, the 128-token low-latency kernels
   * 0.74–0.79 where bandwidth binds (128–256 ranks); `validate --parts` shows each. 0.85, the middle of
   * the range, for every collective over the NIC.
   */
  scaleOutEfficiency: 0.85,
  /**
   * Memory the runtime holds besides the model: CUDA context (~0.5 GiB), NCCL buffers and cuBLAS
   * workspaces (~1 GiB), and caching-allocator fragmentation slack (~0.5 GiB): 2 GiB.
   */
  runtimeReserveBytes: 2 * 1024 ** 3,
  /**
   * Caching-allocator fragmentation, as a fraction of activation memory (allocated and freed every
   * micro-batch, unlike the long-lived weight, gradient and optimizer buffers). GMLake (Guo et al.,
   * ASPLOS 2024) measured 15% average fragmentation (up to 33%) training eight LLMs on A100-80GB.
   */
  allocatorFragmentation: 0.15,
  /**
   * HBM traffic per parameter of an Adam step on the local shard: read fp32 master, m, v, fp32 grad
   * (16 B), write master, m, v (12 B) and the bf16 weight copy (2 B): 30 bytes.
   */
  optimizerBytesPerParam: 30,
} as const;

export type Calibration = typeof CALIBRATION;

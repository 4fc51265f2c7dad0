import type { AcceleratorInput } from "../types.js";

const MiB_PER_GiB = 1024;

/**
 * Accelerators. Dense peaks (no sparsity). Figures from ../shared/reference/reference.json (accelerators),
 * whose sources are repeated here. Where the shipping part enables less memory than its stacks could hold
 * (A100: 5 active of 6; H100: 80 GB of 5 x 16 GB), capacity and bandwidth are stated, not derived.
 * Capacity is in GiB (`capacityGiB`): a vendor's "80 GB" of HBM is 5 stacks of 16 GiB, since DRAM dies
 * hold a power of two of bits; where an MLPerf system description reports the memory the runtime sees
 * (GB200 189,471 MiB, GB300 284,208 MiB: reference.json), that figure is used.
 */
export const ACCELERATORS: readonly AcceleratorInput[] = [
  {
    id: "a100-sxm-80gb",
    family: "ampere",
    name: "NVIDIA A100 SXM4 80GB",
    vendor: "NVIDIA",
    peakTflops: { fp32: 19.5, fp16: 312, bf16: 312 },
    hbm: { generation: "hbm2e", stacks: 5, capacityGiB: 80, bandwidthGBps: 2039 },
    scaleUp: { fabric: "nvlink3", domainSize: 8 },
    scaleOut: { fabric: "ib-hdr" },
    tdpW: 400,
    source:
      "glennklockwood.com/garden/processors/A100 (citing NVIDIA A100 datasheet & Ampere whitepaper): 312 TFLOPS bf16 dense, 5 active HBM2e stacks, 80 GB, 2,039 GB/s, 400 W, NVLink 3 600 GB/s; DGX A100: 8 x 200 Gb/s HDR per node",
  },
  {
    id: "h100-sxm",
    family: "hopper",
    name: "NVIDIA H100 SXM5 80GB",
    vendor: "NVIDIA",
    peakTflops: { fp32: 66.9, fp16: 989.4, bf16: 989.4, fp8: 1978.9 },
    hbm: { generation: "hbm3", stacks: 5, capacityGiB: 80, bandwidthGBps: 3350 },
    scaleUp: { fabric: "nvlink4", domainSize: 8 },
    scaleOut: { fabric: "ib-ndr" },
    tdpW: 700,
    source:
      "glennklockwood.com/garden/processors/h100 (citing NVIDIA H100 datasheet): 80GB HBM3 (5 stacks), 3.35TB/s, 900GB/s NVLink, 700W, BF16 989.4 / FP8 1978.9 dense TFLOPS; MLPerf Training v4.0 Eos: 8x ConnectX-7 NDR 400 Gb/s per node",
  },
  {
    id: "h800",
    family: "hopper",
    name: "NVIDIA H800 SXM5 80GB",
    vendor: "NVIDIA",
    peakTflops: { fp32: 66.9, fp16: 989.4, bf16: 989.4, fp8: 1978.9 },
    hbm: { generation: "hbm3", stacks: 5, capacityGiB: 80, bandwidthGBps: 3350 },
    scaleUp: { fabric: "nvlink-h800", domainSize: 8 },
    scaleOut: { fabric: "ib-ndr" },
    tdpW: 700,
    source:
      "philisun.com 'NVIDIA H800 vs H100' (same GH100 silicon, 80 GB, 3.35 TB/s); tumgag/philisun (400 GB/s NVLink); huggingface.co/hardware/h800 (700 W); DeepSeek-V3 report §3.2.2 (IB 50 GB/s per GPU)",
  },
  {
    id: "h200",
    family: "hopper",
    name: "NVIDIA H200 SXM 141GB",
    vendor: "NVIDIA",
    peakTflops: { fp32: 66.9, fp16: 989.5, bf16: 989.5, fp8: 1979 },
    hbm: { generation: "hbm3e-8hi", stacks: 6, capacityGiB: 141, bandwidthGBps: 4800 },
    scaleUp: { fabric: "nvlink4", domainSize: 8 },
    scaleOut: { fabric: "ib-ndr" },
    tdpW: 700,
    source:
      "NVIDIA H200 figures as reproduced in MLPerf Inference v4.1 system JSON (H200-SXM-141GBx8: 18x NVLink 4 900GB/s, 700W TGP, 141 GB HBM3e, 4.8 TB/s); geektopia.es (six HBM3e stacks); dense = published sparse / 2",
  },
  {
    id: "b200",
    family: "blackwell",
    name: "NVIDIA B200 (HGX, 1000 W)",
    vendor: "NVIDIA",
    peakTflops: { fp32: 75, fp16: 2250, bf16: 2250, fp8: 4500, fp4: 9000 },
    hbm: { generation: "hbm3e-8hi", stacks: 8, capacityGiB: 180, bandwidthGBps: 7700 },
    scaleUp: { fabric: "nvlink5", domainSize: 8 },
    scaleOut: { fabric: "ib-ndr" },
    tdpW: 1000,
    source:
      "glennklockwood.com/garden/processors/B200 (HGX B200 @1000W, citing NVIDIA Blackwell datasheet): 2.25 PF bf16, 4.5 PF fp8, 9 PF fp4 dense, 8 HBM3e stacks, NVLink 5 1.8 TB/s; MLPerf Inference v4.1 'B200-SXM-180GB'",
  },
  {
    id: "gb200",
    family: "blackwell",
    name: "NVIDIA GB200 NVL72 (per Blackwell GPU, 1200 W)",
    vendor: "NVIDIA",
    peakTflops: { fp32: 80, fp16: 2500, bf16: 2500, fp8: 5000, fp4: 10000 },
    hbm: { generation: "hbm3e-8hi", stacks: 8, capacityGiB: 189471 / MiB_PER_GiB, bandwidthGBps: 8000 },
    scaleUp: { fabric: "nvlink5", domainSize: 72 },
    scaleOut: { fabric: "ib-ndr" },
    tdpW: 1200,
    source:
      "glennklockwood.com/garden/processors/B200 (GB200 @1200W per GPU); MLPerf Inference v5.1 'GB200-186GB'; NVL72 rack 576 TB/s / 72; MLPerf Training v5.1 GB200 systems '4x ConnectX-7 IB NDR 400 Gb/s' per 4-GPU node",
  },
  {
    id: "b300",
    family: "blackwell",
    name: "NVIDIA B300 (HGX Blackwell Ultra)",
    vendor: "NVIDIA",
    peakTflops: { fp16: 2250, bf16: 2250, fp8: 4500, fp4: 13125 },
    hbm: { generation: "hbm3e-12hi", stacks: 8, capacityGiB: 270, bandwidthGBps: 7700 },
    scaleUp: { fabric: "nvlink5", domainSize: 8 },
    scaleOut: { fabric: "ib-xdr" },
    tdpW: 1100,
    source:
      "Verda (ex-DataCrunch) 'NVIDIA GB300 NVL72' per-GPU table; glennklockwood.com/garden/processors/B300 (HGX B300: 270 GB HBM3e 12-Hi, 7.7 TB/s); fp4 dense 13.1 PF (sources conflict 13.1-14 PF); TDP 1,100 W (sources conflict 1,100-1,400 W)",
  },
  {
    id: "gb300",
    family: "blackwell",
    name: "NVIDIA GB300 NVL72 (per Blackwell Ultra GPU)",
    vendor: "NVIDIA",
    peakTflops: { fp16: 2500, bf16: 2500, fp8: 5000, fp4: 15000 },
    hbm: { generation: "hbm3e-12hi", stacks: 8, capacityGiB: 284208 / MiB_PER_GiB, bandwidthGBps: 8000 },
    scaleUp: { fabric: "nvlink5", domainSize: 72 },
    scaleOut: { fabric: "ib-xdr" },
    tdpW: 1400,
    source:
      "Verda (ex-DataCrunch) 'NVIDIA GB300 NVL72' per-GPU spec table; glennklockwood.com/garden/processors/B300 (GB300 NVL72: 20 TB HBM @576 TB/s); MLPerf Training v5.1 theia: 4x ConnectX-8 IB XDR 800 Gb/s",
  },
  {
    id: "mi300x",
    family: "cdna",
    name: "AMD Instinct MI300X",
    vendor: "AMD",
    peakTflops: { fp32: 163.4, fp16: 1307.4, bf16: 1307.4, fp8: 2614.9 },
    hbm: { generation: "hbm3", stacks: 8, capacityGiB: 192, bandwidthGBps: 5300 },
    scaleUp: { fabric: "infinity-fabric-mi300", domainSize: 8 },
    scaleOut: { fabric: "roce-400g" },
    tdpW: 750,
    source:
      "AMD MI300X datasheet figures via awesomeagents/aiwiki (1,307.4 bf16 / 2,614.9 fp8 dense TFLOPS, 8 HBM3 stacks, 192 GB, 5.3 TB/s, 750 W); Infinity Fabric 896 GB/s",
  },
  {
    id: "mi325x",
    family: "cdna",
    name: "AMD Instinct MI325X",
    vendor: "AMD",
    peakTflops: { fp16: 1307.4, bf16: 1307.4, fp8: 2614.9 },
    hbm: { generation: "hbm3e-8hi", stacks: 8, capacityGiB: 256, bandwidthGBps: 6000 },
    scaleUp: { fabric: "infinity-fabric-mi300", domainSize: 8 },
    scaleOut: { fabric: "roce-400g" },
    tdpW: 1000,
    source:
      "awesomeagents.ai MI325X spec table (FP16/BF16 1,307.4; FP8 2,614.9); AMD MI325X (256 GB HBM3E, 6 TB/s, 1000 W); Infinity Fabric 896 GB/s",
  },
  {
    id: "mi355x",
    family: "cdna",
    name: "AMD Instinct MI355X",
    vendor: "AMD",
    peakTflops: { fp16: 2517, bf16: 2517, fp8: 5033, fp4: 10066 },
    hbm: { generation: "hbm3e-12hi", stacks: 8, capacityGiB: 288, bandwidthGBps: 8000 },
    scaleUp: { fabric: "infinity-fabric-mi355", domainSize: 8 },
    scaleOut: { fabric: "roce-400g" },
    tdpW: 1400,
    source:
      "Tom's Hardware ISC 2025 (288 GB HBM3E, 8 TB/s; 20.1 PF FP4 headline, dense = /2, low confidence); MLPerf Inference v5.1 AMD system JSON ('MI355X TGP 1400W'); MLPerf v6.1 Crusoe MI355X ('8x AMD Pollara 400G RoCE per node')",
  },
  {
    id: "tpu-v5e",
    name: "Google TPU v5e",
    vendor: "Google",
    peakTflops: { bf16: 197 },
    hbm: { capacityGB: 16, bandwidthGBps: 819 },
    scaleUp: { fabric: "tpu-ici-v5e", domainSize: 256 },
    scaleOut: { fabric: "tpu-dcn" },
    source:
      "Google Cloud TPU docs, 'TPU v5e' system architecture table (197 TFLOPS bf16, 16 GB HBM2, 819 GB/s, 256-chip pod)",
  },
  {
    id: "tpu-v5p",
    name: "Google TPU v5p",
    vendor: "Google",
    peakTflops: { bf16: 459, fp8: 459 },
    hbm: { generation: "hbm2e", capacityGB: 95, bandwidthGBps: 2765 },
    scaleUp: { fabric: "tpu-ici-v5p", domainSize: 8960 },
    scaleOut: { fabric: "tpu-dcn" },
    source:
      "Google Cloud TPU docs, 'TPU v5p' key specifications (459 TFLOPS bf16, no fp8 speed-up, 95 GB HBM2e, 2,765 GB/s, ICI 1,200 GB/s, 8,960-chip pod, DCN 50 Gb/s per chip)",
  },
  {
    id: "tpu-v6e",
    name: "Google TPU v6e (Trillium)",
    vendor: "Google",
    peakTflops: { bf16: 918, fp8: 918 },
    hbm: { capacityGB: 32, bandwidthGBps: 1638 },
    scaleUp: { fabric: "tpu-ici-v6e", domainSize: 256 },
    scaleOut: { fabric: "tpu-dcn" },
    source:
      "Google Cloud TPU docs, 'TPU v6e' system architecture table (918 TFLOPS bf16, 32 GB, 1,638 GB/s, 256-chip pod)",
  },
  {
    id: "tpu-v7",
    name: "Google TPU7x (Ironwood)",
    vendor: "Google",
    peakTflops: { bf16: 2307, fp8: 4614 },
    hbm: { generation: "hbm3e-8hi", stacks: 8, capacityGiB: 192, bandwidthGBps: 7370 },
    scaleUp: { fabric: "tpu-ici-v7", domainSize: 9216 },
    scaleOut: { fabric: "tpu-dcn" },
    source:
      "Google Cloud TPU docs, 'TPU7x (Ironwood)' comparison table (2,307 bf16 / 4,614 fp8 TFLOPS, 192 GiB); Hot Chips 2025 via TechRadar (8 HBM3e stacks, 7.3-7.4 TB/s, 9,216 chips/pod)",
  },
  {
    id: "trainium2",
    name: "AWS Trainium2",
    vendor: "AWS",
    peakTflops: { bf16: 667, fp8: 1299 },
    hbm: { stacks: 4, capacityGiB: 96, bandwidthGBps: 2900 },
    scaleUp: { fabric: "neuronlink-v3", domainSize: 64 },
    scaleOut: { fabric: "efa-v3" },
    source:
      "AWS Neuron docs, 'Trainium2 Architecture' (667 bf16 / 1,299 fp8 TFLOPS, 4 HBM stacks, 96 GiB, 2.9 TB/s); Trn2 UltraServer = 64 chips",
  },
  {
    id: "trainium3",
    name: "AWS Trainium3",
    vendor: "AWS",
    peakTflops: { bf16: 671, fp8: 2517 },
    hbm: { capacityGiB: 144, bandwidthGBps: 4900 },
    scaleUp: { fabric: "neuronlink-v4", domainSize: 64 },
    scaleOut: { fabric: "efa-v3" },
    source:
      "AWS Neuron docs, 'Trainium3 Architecture' (671 bf16 / 2,517 MXFP8 TFLOPS, 144 GiB, 4.9 TB/s, NeuronLink-v4)",
  },
  {
    id: "gaudi3",
    name: "Intel Gaudi 3 (OAM)",
    vendor: "Intel",
    peakTflops: { bf16: 1835, fp8: 1835 },
    hbm: { generation: "hbm2e", stacks: 8, capacityGiB: 128, bandwidthGBps: 3700 },
    scaleUp: { fabric: "gaudi3-roce-scaleup", domainSize: 8 },
    scaleOut: { fabric: "gaudi3-roce-scaleout" },
    tdpW: 900,
    source:
      "Intel Gaudi 3 launch (The Register Apr 2024: 1,835 bf16/fp8 matrix TFLOPS, eight HBM2e stacks, 128 GB, 3.7 TB/s, 24 x 200 GbE); pcguia.pt / yobitel (900 W OAM)",
  },
];

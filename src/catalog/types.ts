import type { Precision } from "../units.js";
import type { AcceleratorParts } from "./resolve-parts.js";

/**
 * Catalog data types. Two shapes for each family: the *input* shape users write in YAML (and the built-in
 * data is written in), with figures in the units of datasheets (GB, GB/s, TFLOP/s), and the *resolved*
 * shape the models use, in SI base units (bytes, bytes/s, FLOP/s) with every derivation done.
 */

/** An HBM generation: per-stack figures. */
export interface HbmGenerationInput {
  readonly id: string;
  readonly name: string;
  /** Interface width per stack, bits. */
  readonly interfaceBits: number;
  /** Per-pin data rate, Gb/s. */
  readonly pinSpeedGbps: number;
  /** Capacity per stack, GB (10^9 bytes). */
  readonly capacityPerStackGB: number;
  /** Stack height (dies per stack). */
  readonly stackHeight?: number;
  /** Access energy, pJ/bit, where a primary figure exists. */
  readonly energyPjPerBit?: number;
  readonly vendors: readonly string[];
  readonly source: string;
}

export interface HbmGeneration {
  readonly id: string;
  readonly name: string;
  readonly interfaceBits: number;
  readonly pinSpeedGbps: number;
  /** interfaceBits × pinSpeed / 8, bytes/s. */
  readonly bandwidthPerStackBytesPerS: number;
  readonly capacityPerStackBytes: number;
  readonly stackHeight: number | null;
  readonly energyPjPerBit: number | null;
  readonly vendors: readonly string[];
  readonly source: string;
}

/** A network fabric: a scale-up (NVLink-class) or scale-out (NIC-class) link technology. */
export interface InterconnectInput {
  readonly id: string;
  readonly name: string;
  readonly kind: "scale-up" | "scale-out";
  /** Per-accelerator aggregate bandwidth, both directions together, GB/s. */
  readonly bandwidthGBps: number;
  /** Per-message latency of one collective step over this fabric, µs. */
  readonly latencyUs: number;
  /**
   * A fabric of the same link generation whose measured collective curve this one takes the shape of
   * (fewer links of the same kind): the plateau comes from a part's own large-message figure, the
   * small-message regime keeps the same absolute bandwidth.
   */
  readonly curveOf?: string;
  readonly source: string;
}

export interface Interconnect {
  readonly id: string;
  readonly name: string;
  readonly kind: "scale-up" | "scale-out";
  /** Per-accelerator bandwidth in one direction, bytes/s (half of the bidirectional datasheet figure). */
  readonly bandwidthBytesPerS: number;
  readonly latencyS: number;
  readonly source: string;
}

export type PeakTflops = Partial<Record<Precision, number>>;

/** Accelerator as written in YAML or in the built-in catalog. */
export interface AcceleratorInput {
  readonly id?: string;
  readonly name: string;
  readonly vendor?: string;
  /** Dense peak, TFLOP/s, per precision. */
  readonly peakTflops: PeakTflops;
  /**
   * Memory. Give `generation` and `stacks` to derive capacity and bandwidth from the HBM catalog; give
   * `capacityGB` / `capacityGiB` / `bandwidthGBps` to state them (they take precedence: shipping parts often
   * enable less). Vendors' "80 GB" HBM is 80 GiB: DRAM dies hold 2^n bits, so a stack holds whole GiB
   * (5 stacks × 16 GiB on the H100); `capacityGiB` says so, and the runtime sees that many bytes.
   */
  readonly hbm: {
    readonly generation?: string;
    readonly stacks?: number;
    readonly capacityGB?: number;
    readonly capacityGiB?: number;
    readonly bandwidthGBps?: number;
  };
  readonly scaleUp: {
    readonly fabric?: string;
    /** Per-accelerator bidirectional GB/s; defaults to the fabric's. */
    readonly bandwidthGBps?: number;
    /** Accelerators in one scale-up domain. */
    readonly domainSize: number;
  };
  readonly scaleOut: {
    readonly fabric?: string;
    /** Per-accelerator bidirectional GB/s; defaults to the fabric's. */
    readonly bandwidthGBps?: number;
  };
  readonly tdpW?: number;
  /**
   * Silicon family (e.g. `hopper`, `blackwell`, `cdna`): a part without its own microbenchmarks inherits
   * the curves of a family member (perf/parts.ts), and the report says so.
   */
  readonly family?: string;
  /**
   * Fraction of dense peak that large matrix multiplications reach on this part, from a measurement:
   * one figure, or one per precision. Absent: the model's default (see perf/calibration.ts).
   */
  readonly matmulEfficiency?: number | PeakTflops;
  /** Fraction of peak HBM bandwidth that streaming kernels reach, from a measurement. */
  readonly memoryEfficiency?: number;
  readonly source?: string;
}

export interface Link {
  /** One direction, bytes/s. */
  readonly bandwidthBytesPerS: number;
  readonly latencyS: number;
}

export interface Accelerator {
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  /** Dense peak FLOP/s per precision (only those the part supports). */
  readonly peakFlops: Readonly<Partial<Record<Precision, number>>>;
  readonly hbmBytes: number;
  readonly hbmBandwidthBytesPerS: number;
  readonly hbm: { readonly generation: string; readonly stacks: number } | null;
  readonly scaleUp: Link & { readonly domainSize: number };
  readonly scaleOut: Link;
  readonly tdpW: number | null;
  readonly family: string | null;
  /** GEMM, attention, HBM and scale-up collective curves from microbenchmarks, each with its provenance. */
  readonly parts: AcceleratorParts;
  readonly source: string;
}

/** Mixture-of-experts structure of a model's feed-forward layers. */
export interface MoeSpec {
  /** Routed experts per MoE layer. */
  readonly experts: number;
  /** Routed experts each token visits. */
  readonly topK: number;
  /** Always-active shared experts per MoE layer. */
  readonly sharedExperts: number;
  /** Hidden size of one expert's FFN. */
  readonly expertFfnHidden: number;
  /** The first `denseLayers` layers use a dense FFN of `ffnHidden` instead (DeepSeek-V3: 3). */
  readonly denseLayers: number;
  /** Node-limited routing: a token's experts lie on at most this many nodes (DeepSeek-V3: 4). */
  readonly maxNodesPerToken?: number;
}

/** DeepSeek-style multi-head latent attention. */
export interface MlaSpec {
  /** Query down-projection rank; 0 for a direct query projection. */
  readonly qLoraRank: number;
  readonly kvLoraRank: number;
  readonly qkNopeHeadDim: number;
  readonly qkRopeHeadDim: number;
  readonly vHeadDim: number;
}

export interface ModelInput {
  readonly id?: string;
  readonly name: string;
  readonly layers: number;
  readonly hidden: number;
  /** FFN hidden size (dense layers). */
  readonly ffnHidden: number;
  readonly heads: number;
  /** Key/value heads (GQA); equal to heads for MHA, 1 for MQA. */
  readonly kvHeads?: number;
  readonly headDim?: number;
  readonly vocab: number;
  /** Gated MLP (SwiGLU, three matrices) rather than two-matrix GeLU. */
  readonly gatedMlp?: boolean;
  /** Input embedding and LM head share one matrix. */
  readonly tiedEmbeddings?: boolean;
  /** Linear layers carry biases (GPT-2/3 style). */
  readonly bias?: boolean;
  /** Learned absolute position embeddings of this many positions (GPT-3); 0 for rotary. */
  readonly positionEmbeddings?: number;
  readonly moe?: MoeSpec;
  readonly mla?: MlaSpec;
  /** Multi-token-prediction modules trained beside the model (DeepSeek-V3: 1), each one more block. */
  readonly mtpDepth?: number;
  /** Published parameter count, for reference and tests. */
  readonly publishedParams?: number;
  readonly source?: string;
}

/** A model with every default filled in. */
export interface Model {
  readonly id: string;
  readonly name: string;
  readonly layers: number;
  readonly hidden: number;
  readonly ffnHidden: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocab: number;
  readonly gatedMlp: boolean;
  readonly tiedEmbeddings: boolean;
  readonly bias: boolean;
  readonly positionEmbeddings: number;
  readonly moe: MoeSpec | null;
  readonly mla: MlaSpec | null;
  /** Multi-token-prediction modules: a block, a 2h→h projection and the shared output head each. */
  readonly mtpDepth: number;
  readonly publishedParams: number | null;
  readonly source: string;
}

/** The figures of a site that may carry their own source and an uncertainty range. */
export type SiteFigure = "climate" | "humidity" | "gridCarbon" | "electricity" | "construction";

/**
 * A site: climate, humidity, grid, tariff and the construction cost of its market. Temperatures drive
 * the PUE and water models month by month.
 */
export interface SiteInput {
  readonly id?: string;
  readonly name: string;
  readonly country: string;
  /** Mean dry-bulb temperature per month, January first, °C (12 values). */
  readonly monthlyMeanC: readonly number[];
  /** Mean daily range (max − min), °C; hours are synthesised as a sinusoid around the monthly mean. */
  readonly diurnalRangeC: number;
  /** Dry-bulb minus wet-bulb temperature, K, at the site's typical humidity (derived from `relativeHumidityPct` when absent). */
  readonly wetBulbDepressionC?: number;
  /** Mean relative humidity of the warmest month, %: the humidity figure the wet-bulb depression is derived from. */
  readonly relativeHumidityPct?: number;
  /** Grid carbon intensity, gCO2e per kWh drawn. */
  readonly gridCarbonGPerKWh: number;
  /** Electricity energy charge, USD per kWh. */
  readonly electricityUsdPerKWh: number;
  /** Construction cost of a data hall in the site's market, USD per MW of IT (absent: the facilityUsdPerMw assumption). */
  readonly constructionUsdPerMw?: number;
  /** Where each figure comes from (a publication, or "assumption: ..."). */
  readonly sources?: Readonly<Partial<Record<SiteFigure, string>>>;
  /**
   * Ranges of the figures that are assumptions or low-confidence: Monte Carlo samples them. `climate` is
   * an offset added to every month, K; the others are the figure's own range: [low, high].
   */
  readonly ranges?: Readonly<Partial<Record<SiteFigure, readonly number[]>>>;
  readonly source: string;
}

export interface Site
  extends Required<Omit<SiteInput, "relativeHumidityPct" | "constructionUsdPerMw" | "sources" | "ranges">> {
  readonly relativeHumidityPct: number | null;
  readonly constructionUsdPerMw: number | null;
  readonly sources: Readonly<Partial<Record<SiteFigure, string>>>;
  readonly ranges: Readonly<Partial<Record<SiteFigure, readonly number[]>>>;
}

/**
 * A model parameter with its provenance: a value, its unit, where it comes from (a publication, a
 * named derivation, or "assumption: ..." with the reasoning) and, where stated, the range a Monte-Carlo
 * run samples.
 */
export interface Sourced {
  readonly value: number;
  readonly unit: string;
  readonly source: string;
  readonly range?: readonly [number, number];
}

/** A packaged system (server or rack) of a given accelerator, with its datasheet power. */
export interface SystemInput {
  readonly id: string;
  readonly name: string;
  readonly accelerator: string;
  readonly accelerators: number;
  /** Maximum system power from the datasheet, kW. */
  readonly maxPowerKw: number;
  /** Cooling the system requires: liquid systems cannot go in an air hall. */
  readonly cooling: "air" | "liquid";
  /** Systems per rack; a rack-scale system is 1. */
  readonly perRack: number;
  /** Accelerators per node (server or compute tray): the unit that fails and is swapped. */
  readonly acceleratorsPerNode: number;
  readonly source: string;
}

/** A price: per accelerator, or per system when `perSystem` names one. */
export interface PriceInput {
  readonly accelerator: string;
  readonly usd: number;
  /** The price covers the whole system (CPUs, memory, NICs, chassis) rather than the accelerator alone. */
  readonly perSystem?: string;
  readonly source: string;
}

/**
 * Job streams of published GPU clusters, fitted to what their trace papers and summary files state
 * (../shared/reference/workloads.json, clusterTraces). The raw job tables are not in the reference, so
 * each preset is fitted to stated aggregates only: `stated` lists them with their source, `assumptions`
 * what the fit had to choose where nothing is stated (each with a range), and the per-class figures are
 * what `scripts/fit-job-presets.mjs` solves from the two. A fleet scenario names one under a partner
 * (`jobs: acme-seren`); test/fleet/presets.test.ts samples each preset and checks it reproduces its
 * statements.
 *
 * The generator (fleet/workload.ts): a job's class by its share; its size from the class's mix; its run
 * time to completion lognormal (median, sigma) capped at the cluster's longest job; its outcome by the
 * class's shares. A failed job stops after `failAt` × its run time and a cancelled one after `cancelAt` ×
 * (the trace's run times are those observed, so these multipliers carry the papers' "failures come
 * early" into GPU time).
 */

export type PresetOutcome = "completed" | "failed" | "cancelled";

export interface JobClassPreset {
  /** debug/evaluation jobs run as `eval`, fine-tunes as `finetune`, pretraining jobs as `pretrain`. */
  readonly kind: "eval" | "finetune" | "pretrain";
  /** Share of the preset's jobs. */
  readonly share: number;
  readonly sizes: readonly { readonly accelerators: number; readonly weight: number }[];
  /** Run time to completion: lognormal median (hours) and sigma of its logarithm. */
  readonly medianHours: number;
  readonly sigma: number;
  /** Scheduling priority (0-3; the fleet's streams default to 1). */
  readonly priority: number;
  /** Shares of jobs that fail and that are cancelled (the rest complete). */
  readonly fail: number;
  readonly cancel: number;
}

export interface JobPresetStatement {
  readonly what: string;
  readonly value: number;
  readonly unit: string;
  /** How the figure enters: fitted to (`fit`), or only checked against (`check`). */
  readonly use: "fit" | "check";
  readonly source: string;
}

export interface JobPreset {
  readonly id: string;
  readonly name: string;
  /** The cluster the statistics describe: its accelerators (arrival rates scale from it). */
  readonly cluster: { readonly accelerators: number; readonly gpu: string };
  /** GPU jobs submitted a day on that cluster. */
  readonly perDay: number;
  readonly classes: readonly JobClassPreset[];
  /** Observed run time of a failed / cancelled job over its run time to completion. */
  readonly failAt: number;
  readonly cancelAt: number;
  /** Longest run time, hours (the cluster's limit or its longest job). */
  readonly maxHours: number;
  readonly stated: readonly JobPresetStatement[];
  readonly assumptions: readonly { readonly what: string; readonly range: string; readonly why: string }[];
  readonly source: string;
}

const ACME =
  "Hu et al., 'Characterization of Large Language Model Development in the Datacenter', NSDI 2024; InternLM/AcmeTrace data/cluster_summary.csv (via ../shared/reference/workloads.json clusterTraces.acme_seren)";
const RSC =
  "Kokolis et al., 'Revisiting Reliability in Large-Scale Machine Learning Research Clusters', HPCA 2025, arXiv:2410.21680 (via ../shared/reference/workloads.json clusterTraces.meta_rsc)";
const PHILLY =
  "Jeon et al., 'Analysis of Large-Scale Multi-Tenant GPU Clusters for DNN Training Workloads', ATC 2019; summary in AcmeTrace data/cluster_summary.csv (via ../shared/reference/workloads.json clusterTraces.philly)";

const acmeSeren: JobPreset = {
  id: "acme-seren",
  name: "Shanghai AI Lab Acme, Seren cluster (LLM development, A100, Mar-Aug 2023)",
  cluster: { accelerators: 2288, gpu: "A100 (8 per node)" },
  // 663,813 GPU jobs over the 184 days of March-August 2023.
  perDay: 3608,
  classes: [
    {
      kind: "eval",
      share: 0.9574,
      sizes: [
        { accelerators: 1, weight: 0.65 },
        { accelerators: 2, weight: 0.1 },
        { accelerators: 4, weight: 0.15 },
        { accelerators: 8, weight: 0.1 },
      ],
      medianHours: 0.0496,
      sigma: 2.022,
      priority: 0,
      fail: 0.4309,
      cancel: 0.06855,
    },
    {
      kind: "finetune",
      share: 0.03364,
      sizes: [
        { accelerators: 8, weight: 0.5 },
        { accelerators: 16, weight: 0.25 },
        { accelerators: 32, weight: 0.15 },
        { accelerators: 64, weight: 0.1 },
      ],
      medianHours: 0.6486,
      sigma: 2.022,
      priority: 1,
      fail: 0.4309,
      cancel: 0.06855,
    },
    {
      kind: "pretrain",
      share: 0.009,
      sizes: [
        { accelerators: 64, weight: 0.2 },
        { accelerators: 128, weight: 0.2 },
        { accelerators: 256, weight: 0.3 },
        { accelerators: 512, weight: 0.2 },
        { accelerators: 1024, weight: 0.1 },
      ],
      medianHours: 0.3412,
      sigma: 2.022,
      priority: 1,
      fail: 0.2146,
      cancel: 0.7854,
    },
  ],
  failAt: 0.3359,
  cancelAt: 1,
  // The longest GPU job: 1,209,604 s.
  maxHours: 336,
  stated: [
    {
      what: "GPU jobs a day",
      value: 3608,
      unit: "jobs",
      use: "fit",
      source: `${ACME}: 663,813 GPU jobs / 184 days`,
    },
    { what: "median run time", value: 122, unit: "s", use: "fit", source: ACME },
    { what: "mean run time", value: 1414, unit: "s", use: "fit", source: ACME },
    {
      what: "mean GPU time per job",
      value: 32_405,
      unit: "GPU-s",
      use: "fit",
      source: `${ACME}: complete+cancel+fail GPU time / GPU jobs`,
    },
    { what: "mean GPUs per job", value: 5.68, unit: "GPUs", use: "fit", source: ACME },
    { what: "median GPUs per job", value: 1, unit: "GPUs", use: "check", source: ACME },
    {
      what: "pretraining share of jobs",
      value: 0.009,
      unit: "fraction",
      use: "fit",
      source: `${ACME}, §3.2 (Figure 4)`,
    },
    {
      what: "pretraining share of GPU time",
      value: 0.695,
      unit: "fraction",
      use: "fit",
      source: `${ACME}, §3.2 (Figure 4)`,
    },
    { what: "failed share of jobs", value: 0.429, unit: "fraction", use: "fit", source: ACME },
    { what: "cancelled share of jobs", value: 0.075, unit: "fraction", use: "fit", source: ACME },
    { what: "failed share of GPU time", value: 0.124, unit: "fraction", use: "fit", source: ACME },
    { what: "cancelled share of GPU time", value: 0.664, unit: "fraction", use: "fit", source: ACME },
    {
      what: "single-GPU jobs' share of GPU time (under)",
      value: 0.02,
      unit: "fraction",
      use: "fit",
      source: `${ACME}, §3.1 (Figure 3)`,
    },
    {
      what: "jobs over 8 GPUs (under)",
      value: 0.07,
      unit: "fraction",
      use: "check",
      source: `${ACME}, §3.1 (Figure 3)`,
    },
    {
      what: "jobs over one day (under)",
      value: 0.05,
      unit: "fraction",
      use: "check",
      source: `${ACME}, §3.2 (Figure 6)`,
    },
  ],
  assumptions: [
    {
      what: "size mixes: debug/eval 1/2/4/8 GPUs 65/10/15/10%; fine-tune 8-64; pretraining 64-1,024 (mean 320)",
      range: "pretraining mean 200-500 GPUs",
      why: "the paper states only the aggregates (median 1, mean 5.68, max 1,024, <7% over 8 GPUs, single-GPU <2% of GPU time); the class shares follow from the mean",
    },
    {
      what: "one sigma for every class",
      range: "1.6-2.5",
      why: "only the pooled median and mean are stated",
    },
    {
      what: "pretraining jobs end failed or cancelled, none 'completed'",
      range: "completed 0-20%",
      why: "long runs are stopped by their owners (cancelled: 66% of GPU time, as pretraining takes 69.5%)",
    },
    {
      what: "priorities: debug/eval 0, fine-tune and pretraining 1",
      range: "-",
      why: "stated: evaluation jobs are low priority and wait longest despite their small size (§3.2)",
    },
    {
      what: "Seren's size: 2,288 A100 (286 nodes)",
      range: "2,000-2,600",
      why: "the reference holds Seren + Kalos = 4,704 A100 (secondary); the split is NSDI'24 Table 1 as recalled, not in ../shared/reference",
    },
  ],
  source: ACME,
};

const metaRsc: JobPreset = {
  id: "meta-rsc",
  name: "Meta Research SuperCluster RSC-1 (general ML research incl. LLMs, 16k A100)",
  cluster: { accelerators: 16_000, gpu: "A100 80GB (DGX, 8 per node)" },
  perDay: 7200,
  classes: [
    {
      kind: "eval",
      share: 0.92,
      sizes: [
        { accelerators: 1, weight: 0.5 },
        { accelerators: 2, weight: 0.25 },
        { accelerators: 4, weight: 0.25 },
      ],
      medianHours: 0.09558,
      sigma: 2.022,
      priority: 1,
      fail: 0.248,
      cancel: 0.032,
    },
    {
      kind: "finetune",
      share: 0.06915,
      sizes: [
        { accelerators: 8, weight: 0.4 },
        { accelerators: 16, weight: 0.25 },
        { accelerators: 32, weight: 0.15 },
        { accelerators: 64, weight: 0.1 },
        { accelerators: 128, weight: 0.1 },
      ],
      medianHours: 1.25,
      sigma: 2.022,
      priority: 1,
      fail: 0.248,
      cancel: 0.032,
    },
    {
      kind: "pretrain",
      share: 0.01085,
      sizes: [
        { accelerators: 256, weight: 0.4 },
        { accelerators: 512, weight: 0.3 },
        { accelerators: 1024, weight: 0.2 },
        { accelerators: 2048, weight: 0.07 },
        { accelerators: 4096, weight: 0.03 },
      ],
      medianHours: 0.6575,
      sigma: 2.022,
      priority: 1,
      fail: 0.248,
      cancel: 0.032,
    },
  ],
  failAt: 0.3359,
  cancelAt: 1,
  // Slurm's maximum job lifetime on RSC: 7 days.
  maxHours: 168,
  stated: [
    { what: "jobs a day", value: 7200, unit: "jobs", use: "fit", source: `${RSC}, §3.1` },
    {
      what: "utilisation",
      value: 0.83,
      unit: "fraction",
      use: "fit",
      source: `${RSC}, §3.1 (sets the run-time scale: no run time is published)`,
    },
    {
      what: "single-GPU share of jobs (over)",
      value: 0.4,
      unit: "fraction",
      use: "fit",
      source: `${RSC}, §4 (Figure 6)`,
    },
    {
      what: "jobs under 8 GPUs (over)",
      value: 0.9,
      unit: "fraction",
      use: "fit",
      source: `${RSC}, §4 (Figure 6)`,
    },
    {
      what: "256+ GPU jobs' share of GPU time",
      value: 0.66,
      unit: "fraction",
      use: "fit",
      source: `${RSC}, §4 (Figure 6)`,
    },
    {
      what: "jobs under 8 GPUs' share of GPU time (under)",
      value: 0.1,
      unit: "fraction",
      use: "check",
      source: `${RSC}, §4 (Figure 6)`,
    },
    {
      what: "failed share of jobs (failed, timeout, OOM, node fail)",
      value: 0.248,
      unit: "fraction",
      use: "fit",
      source: `${RSC}, §4 (Figure 3)`,
    },
  ],
  assumptions: [
    {
      what: "run-time shape from Acme Seren (class medians in Seren's ratios, its sigma and failAt), scaled ×1.93 to the stated 83% utilisation",
      range: "scale 1.5-3",
      why: "no run-time statistic of RSC is published; Seren is the nearest published LLM-era A100 cluster",
    },
    {
      what: "jobs under 8 GPUs: 92% (1/2/4 GPUs 50/25/25%); 8-128 GPUs 6.9%; 256-4,096 GPUs 1.09% (solved from 66% of GPU time)",
      range: "under 8 GPUs 90-95%",
      why: "stated: over 90% of jobs under one node, over 40% single-GPU, jobs of ~4k GPUs exist",
    },
    {
      what: "cancelled 3.2% (the states not listed); preempted and requeued jobs (12%) are the scheduler's, not drawn",
      range: "0-5%",
      why: "the paper lists completed 60%, failed 24%, preempted 10%, requeued 2%, timeout 0.6%, OOM and node fail 0.1% each",
    },
  ],
  source: RSC,
};

const philly: JobPreset = {
  id: "philly",
  name: "Microsoft Philly (DNN training, multi-tenant, Aug-Dec 2017)",
  cluster: { accelerators: 2490, gpu: "P100 and P40 (12-24 GB)" },
  perDay: 850,
  classes: [
    {
      kind: "eval",
      share: 0.8585,
      sizes: [{ accelerators: 1, weight: 1 }],
      medianHours: 0.1257,
      sigma: 2.333,
      priority: 1,
      fail: 0.305,
      cancel: 0.09,
    },
    {
      kind: "finetune",
      share: 0.1415,
      sizes: [
        { accelerators: 2, weight: 0.3 },
        { accelerators: 4, weight: 0.3 },
        { accelerators: 8, weight: 0.3 },
        { accelerators: 16, weight: 0.05 },
        { accelerators: 32, weight: 0.03 },
        { accelerators: 64, weight: 0.015 },
        { accelerators: 128, weight: 0.005 },
      ],
      medianHours: 0.4999,
      sigma: 2.333,
      priority: 1,
      fail: 0.305,
      cancel: 0.09,
    },
  ],
  failAt: 2.605,
  cancelAt: 7.947,
  // The longest GPU job: 4,240,676 s.
  maxHours: 1178,
  stated: [
    {
      what: "jobs a day",
      value: 850,
      unit: "jobs",
      use: "fit",
      source: `${PHILLY}: 117,325 jobs over 138 days`,
    },
    { what: "median run time", value: 874, unit: "s", use: "fit", source: PHILLY },
    { what: "mean run time", value: 18_006, unit: "s", use: "fit", source: PHILLY },
    {
      what: "mean GPU time per job",
      value: 61_021,
      unit: "GPU-s",
      use: "fit",
      source: `${PHILLY}: complete+cancel+fail GPU time / GPU jobs`,
    },
    { what: "mean GPUs per job", value: 1.928, unit: "GPUs", use: "fit", source: PHILLY },
    { what: "failed share of jobs", value: 0.305, unit: "fraction", use: "fit", source: PHILLY },
    { what: "cancelled share of jobs", value: 0.09, unit: "fraction", use: "fit", source: PHILLY },
    { what: "failed share of GPU time", value: 0.386, unit: "fraction", use: "fit", source: PHILLY },
    { what: "cancelled share of GPU time", value: 0.294, unit: "fraction", use: "fit", source: PHILLY },
    {
      what: "run time 25th percentile",
      value: 131,
      unit: "s",
      use: "check",
      source:
        "alibaba/clusterdata cluster-trace-gpu-v2020/analysis/philly_runtime.csv (83,154 runtimes; other filtering than the summary)",
    },
    {
      what: "run time 90th percentile",
      value: 12_859,
      unit: "s",
      use: "check",
      source:
        "alibaba/clusterdata cluster-trace-gpu-v2020/analysis/philly_runtime.csv (83,154 runtimes; other filtering than the summary)",
    },
  ],
  assumptions: [
    {
      what: "two classes: single-GPU jobs (85.9%) and multi-GPU jobs of 2-128 GPUs (2/4/8 GPUs 30% each, then 16-128)",
      range: "multi-GPU mean 5-10 GPUs",
      why: "the summary states median 1, mean 1.928 and max 128 GPUs; the paper's bins (1, 2-4, 5-8, >8) have no published shares in the reference",
    },
    {
      what: "failed and cancelled jobs run 2.6× and 7.9× a completed job's time (solved)",
      range: "from the GPU-time shares",
      why: "Philly's failed jobs take more GPU time than their count (38.6% vs 30.5%): larger jobs fail more (Jeon et al. §4)",
    },
    {
      what: "Philly's size: 2,490 GPUs",
      range: "2,000-3,000",
      why: "not in ../shared/reference; only used to scale arrivals to another fleet",
    },
  ],
  source: PHILLY,
};

export const JOB_PRESETS: readonly JobPreset[] = [acmeSeren, metaRsc, philly];
export const JOB_PRESET_IDS = JOB_PRESETS.map((p) => p.id) as [string, ...string[]];

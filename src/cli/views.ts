import type { DeployResult } from "../perf/deploy.js";
import type { InferCause, PhaseTime } from "../perf/infer.js";
import type { Percentiles } from "../perf/serving.js";
import type { Cause } from "../perf/types.js";
import type { CampusResult } from "../plan/campus.js";
import type { ResolvedInferScenario } from "../scenario/infer.js";
import { GiB } from "../units.js";
import { checkedText } from "../validation/checked.js";
import type { ChartSpec, PageView } from "./chart-spec.js";
import { fixed, pct } from "./format.js";
import {
  deployReport,
  INFER_CAUSE_LABEL,
  type InferOutcome,
  inferReport,
  type ServeOutcome,
  serveReport,
} from "./infer.js";
import { SAMPLE_AXIS } from "./point.js";
import { sitesReport } from "./sites.js";
import { type SweepOutput, sweepMetrics, sweepReport } from "./sweep.js";
import { CAUSE_LABEL, explain, type TrainOutcome, trainReport } from "./train.js";

/**
 * What a page shows of each kind of result (PageView: title, bullets, charts, text report): the workbench
 * draws the charts, and a run's HTML download is the page. Plan and fleet pages are their `--html`
 * reports' (cli/plan-html.ts, cli/fleet.ts); these are the others'.
 */

/** Horizontal bars of the causes that take time, largest first. */
function causeChart<C extends string>(
  id: string,
  caption: string,
  breakdown: Readonly<Record<C, number>>,
  label: Readonly<Record<C, string>>,
): ChartSpec {
  const rows = (Object.entries(breakdown) as [C, number][])
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1]);
  return {
    id,
    caption,
    kind: "hbar",
    unit: "s",
    data: { labels: rows.map(([k]) => label[k]), series: [{ name: "time", values: rows.map(([, v]) => v) }] },
  };
}

/** One stacked column of what an accelerator's HBM holds, against its capacity. */
function memoryChart(parts: Readonly<Record<string, number>>, capacityBytes: number): ChartSpec {
  const entries = Object.entries(parts).filter(([, v]) => v > 0);
  return {
    id: "chart-memory",
    caption: `Memory per accelerator (GiB, of ${fixed(capacityBytes / GiB, 1)} GiB)`,
    kind: "stack",
    unit: "GiB",
    data: {
      labels: ["per accelerator"],
      series: entries.map(([name, bytes]) => ({ name, values: [bytes / GiB] })),
    },
  };
}

export function trainView(o: TrainOutcome): PageView {
  const r = o.result;
  const job = o.scenario.job;
  const title = `${o.scenario.name}: ${job.model.id} on ${job.gpus.toLocaleString("en-US")} × ${job.accelerator.id}`;
  if (!r.fits) return { title, bullets: [explain(r)], charts: [], report: trainReport(o) };
  const top: ChartSpec[] =
    o.top.length > 1
      ? [
          {
            id: "chart-top",
            caption: "The best configurations searched: step time (s)",
            kind: "hbar",
            unit: "s",
            data: {
              labels: o.top.map(
                (t, i) =>
                  `${i + 1}. tp${t.parallelism.tp} pp${t.parallelism.pp} dp${t.parallelism.dp} cp${t.parallelism.cp} ep${t.parallelism.ep} mb${t.parallelism.microBatch}`,
              ),
              series: [{ name: "step time", values: o.top.map((t) => t.stepTimeS) }],
            },
          },
        ]
      : [];
  return {
    title,
    bullets: [
      `Step ${fixed(r.stepTimeS, 3)} s, MFU ${pct(r.mfu)}, ${Math.round(r.tokensPerS).toLocaleString("en-US")} tokens/s`,
      explain(r),
      checkedText("training", job.accelerator.id, job.precision),
    ],
    charts: [
      causeChart<Cause>("chart-step", "Where a training step's time goes (s)", r.breakdown, CAUSE_LABEL),
      memoryChart(
        {
          weights: r.memory.weightsBytes,
          gradients: r.memory.gradientsBytes,
          optimizer: r.memory.optimizerBytes,
          activations: r.memory.activationsBytes,
          buffers: r.memory.buffersBytes,
        },
        job.accelerator.hbmBytes,
      ),
      ...top,
    ],
    report: trainReport(o),
  };
}

export function inferView(o: InferOutcome): PageView {
  const r = o.result;
  const job = o.scenario.job;
  const title = `${o.scenario.name}: ${job.model.id} on ${job.gpus} × ${job.accelerator.id}`;
  if (!r.fits)
    return { title, bullets: [`It does not fit: ${r.reason}.`], charts: [], report: inferReport(o) };
  const phase = (id: string, caption: string, p: PhaseTime) =>
    causeChart<InferCause>(id, caption, p.breakdown, INFER_CAUSE_LABEL);
  return {
    title,
    bullets: [
      `Time to first token ${fixed(r.ttftS * 1e3, 1)} ms, ${fixed(r.tpotS * 1e3, 2)} ms per output token at batch ${r.batch}`,
      `${Math.round(r.outputTokensPerS).toLocaleString("en-US")} output tokens/s per replica; bound by ${r.bottleneck}`,
      checkedText("serving", job.accelerator.id, job.precision),
    ],
    charts: [
      phase("chart-prefill", "Prefill: where the time goes (s)", r.prefill),
      phase("chart-decode", "One decode step: where the time goes (s)", r.decode),
      memoryChart(
        {
          weights: r.memory.weightsBytes,
          "KV cache": r.memory.kvCacheBytes,
          activations: r.memory.activationsBytes,
          buffers: r.memory.buffersBytes,
        },
        job.accelerator.hbmBytes,
      ),
    ],
    report: inferReport(o),
  };
}

function percentileChart(id: string, caption: string, p: Percentiles): ChartSpec {
  return {
    id,
    caption,
    kind: "bar",
    unit: "ms",
    data: {
      labels: ["mean", "p50", "p90", "p99"],
      series: [{ name: caption, values: [p.mean, p.p50, p.p90, p.p99].map((s) => s * 1e3) }],
    },
  };
}

export function serveView(o: ServeOutcome): PageView {
  const job = o.scenario.job;
  const title = `${o.scenario.name}: ${job.model.id} served on ${job.gpus} × ${job.accelerator.id}`;
  const r = o.result;
  if (r === null || !o.check.fits)
    return { title, bullets: ["The replica does not fit."], charts: [], report: serveReport(o) };
  return {
    title,
    bullets: [
      `${Math.round(r.outputTokensPerS).toLocaleString("en-US")} output tokens/s for ${r.requests.toLocaleString("en-US")} requests`,
      `p99 time to first token ${fixed(r.ttftS.p99 * 1e3, 1)} ms, p99 time per output token ${fixed(r.tpotS.p99 * 1e3, 2)} ms`,
      checkedText("serving", job.accelerator.id, job.precision),
    ],
    charts: [
      percentileChart("chart-ttft", "Time to first token (ms)", r.ttftS),
      percentileChart("chart-tpot", "Time per output token (ms)", r.tpotS),
    ],
    report: serveReport(o),
  };
}

export function deployView(s: ResolvedInferScenario, r: DeployResult): PageView {
  const label = (c: DeployResult["pareto"][number]) =>
    `${c.accelerator} ${c.precision} tp${c.shape.tp} pp${c.shape.pp} ≤${c.maxNumSeqs}`;
  return {
    title: `${s.name}: where to serve ${s.job.model.id}`,
    bullets: [
      r.best !== null
        ? `Best: ${r.best.gpus} × ${r.best.accelerator} (${r.best.replicas} replicas of tp ${r.best.shape.tp} · pp ${r.best.shape.pp})`
        : "No candidate meets the SLO.",
      `${r.candidates.length} candidates, ${r.pareto.length} on the Pareto front`,
    ],
    charts:
      r.pareto.length > 0
        ? [
            {
              id: "chart-pareto",
              caption: "Pareto front: output tokens/s per accelerator, and p50 time per output token",
              kind: "bar",
              data: {
                labels: r.pareto.map(label),
                series: [
                  { name: "tokens/s per accelerator", values: r.pareto.map((c) => c.tokensPerSPerGpu) },
                  { name: "p50 TPOT (ms)", values: r.pareto.map((c) => c.tpotP50S * 1e3) },
                ],
              },
            },
          ]
        : [],
    report: deployReport(s, r),
  };
}

export function sitesView(r: CampusResult): PageView {
  const labels = r.sites.map((x) => x.name);
  const bar = (id: string, caption: string, unit: string, values: number[]): ChartSpec => ({
    id,
    caption,
    kind: "bar",
    ...(unit !== "" ? { unit } : {}),
    data: { labels, series: [{ name: caption, values }] },
  });
  const best = r.sites[0];
  return {
    title: `${r.name}: ${r.itMw.toLocaleString("en-US")} MW IT of ${r.accelerator} at ${r.sites.length} sites`,
    bullets:
      best !== undefined
        ? [
            `Best by ${r.rankBy}: ${best.name} (${best.country}), PUE ${fixed(best.annualPue, 3)}, $${fixed(best.usdPerGpuHour, 2)} per accelerator-hour`,
          ]
        : [],
    charts: [
      bar(
        "chart-cost",
        "Cost per accelerator-hour by site ($)",
        "$",
        r.sites.map((x) => x.usdPerGpuHour),
      ),
      bar(
        "chart-pue",
        "Annual PUE by site",
        "",
        r.sites.map((x) => x.annualPue),
      ),
      bar(
        "chart-co2",
        "CO2 per year by site (t)",
        "t",
        r.sites.map((x) => x.co2TonnesPerYear),
      ),
      bar(
        "chart-water",
        "Water per year by site (m³)",
        "m³",
        r.sites.map((x) => x.waterM3PerYear),
      ),
    ],
    report: sitesReport(r),
  };
}

/** Counts of `values` in `bins` equal bins over their range, labelled by each bin's middle. */
function histogram(values: readonly number[], bins: number): { labels: string[]; counts: number[] } {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(hi > lo ? bins : 1).fill(0);
  for (const v of values) {
    const i = Math.min(counts.length - 1, Math.floor((v - lo) / width));
    counts[i] = (counts[i] ?? 0) + 1;
  }
  const label = (i: number) => Number((lo + (i + 0.5) * width).toPrecision(3)).toString();
  return { labels: counts.map((_, i) => label(i)), counts };
}

/**
 * A sweep's page: per numeric figure of its report, a line over the points (a sweep of fields) or a
 * histogram over the samples (a Monte Carlo), and the text report.
 */
export function sweepView(o: SweepOutput): PageView {
  const ok = o.rows.filter((r) => r.result["error"] === undefined);
  const monteCarlo = o.axes.some((a) => a.path === SAMPLE_AXIS);
  const numeric = sweepMetrics(o).filter((m) => ok.some((r) => typeof r.result[m] === "number"));
  const labels = ok.map((r) =>
    Object.entries(r.point)
      .filter(([k]) => k !== SAMPLE_AXIS)
      .map(([k, v]) => `${k.split(".").at(-1)}=${v}`)
      .join(" "),
  );
  const charts = numeric.slice(0, 4).map((m, i): ChartSpec => {
    const values = ok.map((r) => r.result[m]).map((v) => (typeof v === "number" ? v : 0));
    if (monteCarlo) {
      const h = histogram(values, Math.min(20, Math.max(4, Math.ceil(Math.sqrt(values.length)))));
      return {
        id: `chart-${i}`,
        caption: `${m} over ${values.length} samples (count per bin)`,
        kind: "bar",
        data: { labels: h.labels, series: [{ name: m, values: h.counts }] },
      };
    }
    return {
      id: `chart-${i}`,
      caption: `${m} by point`,
      kind: "line",
      data: { labels, series: [{ name: m, values }] },
    };
  });
  const what = monteCarlo ? "Monte Carlo" : `sweep of ${o.axes.map((a) => a.path).join(" × ")}`;
  return {
    title: `${o.command} ${what}: ${o.total.toLocaleString("en-US")} points`,
    bullets: [
      `${ok.length.toLocaleString("en-US")} points ran, ${(o.rows.length - ok.length).toLocaleString("en-US")} were refused (their error is in the row)`,
    ],
    charts,
    report: sweepReport(o),
  };
}

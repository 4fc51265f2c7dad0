import * as Plot from "@observablehq/plot";
import type { ChartSpec } from "../src/cli/chart-spec.js";

/**
 * One drawing of a chart for every place that shows one: the workbench (imported), the `--html` reports
 * and a run's HTML download (web/report.ts, bundled into the page). Observable Plot draws SVG with a hover
 * tip on every line and bar; the drawn chart's <svg> carries `data-chart` (the spec's id) and each line's
 * or bar's elements `data-series` (its series), which the browser tests look for.
 */

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
const WIDTH = 720;

interface Row {
  readonly label: string;
  readonly series: string;
  readonly value: number;
  /** A scatter's horizontal position. */
  readonly x: number;
}

/** Short numbers for axes and tips: 1.2M, 34k, 5.67, 0.012. */
export function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e12) return `${(v / 1e12).toFixed(1)}T`;
  if (a >= 1e9) return `${(v / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  if (a === 0) return "0";
  return a >= 10 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

function rowsOf(spec: ChartSpec): Row[] {
  return spec.data.series.flatMap((s) =>
    s.values.map((value, i) => ({
      label: s.labels?.[i] ?? spec.data.labels[i] ?? String(i),
      series: s.name,
      value,
      x: s.x?.[i] ?? 0,
    })),
  );
}

/** At most about 14 tick labels along a long ordinal axis (a year of days). */
function sparseTicks(labels: readonly string[]): string[] {
  const step = Math.max(1, Math.ceil(labels.length / 14));
  return labels.filter((_, i) => i % step === 0);
}

const tipTitle = (unit: string | undefined) => (d: Row) =>
  `${d.series}\n${d.label}: ${shortNumber(d.value)}${unit !== undefined ? ` ${unit}` : ""}`;

function marksOf(spec: ChartSpec, rows: Row[]): Plot.Markish[] {
  const title = tipTitle(spec.unit);
  const names = spec.data.series.map((s) => s.name);
  if (spec.kind === "line")
    return [
      ...spec.data.series.map((s) =>
        Plot.lineY(
          rows.filter((r) => r.series === s.name),
          {
            x: "label",
            y: "value",
            stroke: () => s.name,
            strokeWidth: 2,
            ...(s.dashed === true ? { strokeDasharray: "5,4" } : {}),
          },
        ),
      ),
      Plot.tip(rows, Plot.pointerX({ x: "label", y: "value", title })),
    ];
  if (spec.kind === "scatter")
    return [
      Plot.dot(rows, {
        x: "x",
        y: "value",
        fill: "series",
        r: 4,
        title: (d: Row) =>
          `${d.label}\n${spec.xLabel ?? "x"}: ${shortNumber(d.x)}\n${spec.unit ?? "y"}: ${shortNumber(d.value)}`,
        tip: true,
      }),
    ];
  if (spec.kind === "hbar")
    return [Plot.barX(rows, { y: "label", x: "value", fill: "series", title, tip: true }), Plot.ruleX([0])];
  if (spec.kind === "stack")
    return [Plot.barY(rows, { x: "label", y: "value", fill: "series", title, tip: true }), Plot.ruleY([0])];
  if (names.length === 1)
    return [Plot.barY(rows, { x: "label", y: "value", fill: "series", title, tip: true }), Plot.ruleY([0])];
  return [
    Plot.barY(rows, { fx: "label", x: "series", y: "value", fill: "series", title, tip: true }),
    Plot.ruleY([0]),
  ];
}

function scalesOf(spec: ChartSpec): Plot.PlotOptions {
  const labels = [...spec.data.labels];
  const names = spec.data.series.map((s) => s.name);
  const color = { domain: names, range: COLORS, legend: true };
  const unit = spec.unit ?? null;
  if (spec.kind === "hbar") {
    const longest = Math.max(0, ...labels.map((l) => l.length));
    return {
      width: WIDTH,
      height: 40 + 22 * labels.length,
      marginLeft: Math.min(280, 16 + 6.5 * longest),
      y: { domain: labels, label: null },
      x: { grid: true, label: unit, tickFormat: shortNumber },
      color,
    };
  }
  if (spec.kind === "scatter")
    return {
      width: WIDTH,
      height: 360,
      marginLeft: 64,
      x: { grid: true, label: spec.xLabel ?? null, tickFormat: shortNumber },
      y: { grid: true, label: unit, tickFormat: shortNumber },
      color,
    };
  const grouped = spec.kind === "bar" && names.length > 1;
  const axis = {
    domain: labels,
    label: null,
    ticks: sparseTicks(labels),
    tickRotate: labels.length > 8 ? -35 : 0,
  };
  return {
    width: WIDTH,
    height: 320,
    marginLeft: 64,
    marginBottom: labels.length > 8 ? 56 : 32,
    ...(grouped
      ? { fx: { ...axis, padding: 0.15 }, x: { axis: null, domain: names, paddingInner: 0.05 } }
      : { x: { ...axis, type: spec.kind === "line" ? "point" : "band" } }),
    y: { grid: true, label: unit, tickFormat: shortNumber, ...(spec.kind === "line" ? {} : { zero: true }) },
    color,
  } as Plot.PlotOptions;
}

/** Mark what the tests look for: the chart's id on its <svg>, each series' name on its lines or bars. */
function annotate(figure: Element, spec: ChartSpec): void {
  const svgs = figure.tagName.toLowerCase() === "svg" ? [figure] : [...figure.querySelectorAll("svg")];
  // With a legend, Plot wraps the legend's swatches and the plot in a <figure>; the plot is the last svg.
  const svg = svgs[svgs.length - 1];
  if (svg === undefined) return;
  svg.setAttribute("data-chart", spec.id);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", spec.caption);
  if (spec.kind === "line") {
    const groups = svg.querySelectorAll('g[aria-label="line"]');
    spec.data.series.forEach((s, k) => {
      for (const p of groups[k]?.querySelectorAll("path") ?? []) p.setAttribute("data-series", s.name);
    });
  } else if (spec.kind === "scatter") {
    const byColor = new Map(spec.data.series.map((s, k) => [COLORS[k % COLORS.length], s.name]));
    for (const dot of svg.querySelectorAll('g[aria-label="dot"] circle')) {
      const name = byColor.get(dot.getAttribute("fill") ?? "");
      if (name !== undefined) dot.setAttribute("data-series", name);
    }
  } else {
    // Each bar is filled with its series' colour (the colour scale's range, in the series' order).
    const byColor = new Map(spec.data.series.map((s, k) => [COLORS[k % COLORS.length], s.name]));
    for (const rect of svg.querySelectorAll('g[aria-label="bar"] rect')) {
      const name = byColor.get(rect.getAttribute("fill") ?? "");
      if (name !== undefined) rect.setAttribute("data-series", name);
    }
  }
}

/** Draw `spec` into `host` (replacing what was there); the drawn element. */
export function drawChart(host: Element, spec: ChartSpec): Element {
  const rows = rowsOf(spec).filter((r) => Number.isFinite(r.value));
  const figure = Plot.plot({ ...scalesOf(spec), marks: marksOf(spec, rows), style: { fontSize: "11px" } });
  annotate(figure, spec);
  host.replaceChildren(figure);
  return figure;
}

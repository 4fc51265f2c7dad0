import { type Catalog, type CatalogOverlay, CHIP_ASSUMPTIONS } from "../catalog/index.js";
import {
  type CostCheck,
  costCheck,
  type DesignInput,
  type DesignPointResult,
  designSize,
  evaluateDesignPoint,
  resolveBase,
} from "../design/design.js";
import { type Front, OBJECTIVES, type ObjectiveKey, paretoFront } from "../design/pareto.js";
import { InputError } from "../errors.js";
import { resolveDesignScenario } from "../scenario/design.js";
import type { ChartSpec, PageView } from "./chart-spec.js";
import { fixed, table } from "./format.js";
import { htmlPage } from "./html.js";
import { DESIGN_POINT_AXIS, type SweepJob } from "./point.js";
import { type SweepPlace, streamSweep } from "./sweep.js";

/**
 * `stargate design FILE`: every point of a chip design space on the sweep pool's worker threads, then the
 * Pareto front, its knee, why each other point loses, and the cost model's cross-check.
 */

export interface DesignOutcome {
  readonly input: DesignInput;
  readonly points: readonly DesignPointResult[];
  readonly front: Front;
  readonly costCheck: readonly CostCheck[];
}

/** The mix's share of serving (its inference workloads' weights over all). */
function serveWeight(d: DesignInput): number {
  const all = d.workloads.reduce((s, w) => s + w.weight, 0);
  return d.workloads.filter((w) => w.kind === "infer").reduce((s, w) => s + w.weight, 0) / all;
}

/** Assemble the outcome from every point's result. */
export function designOutcome(input: DesignInput, points: readonly DesignPointResult[]): DesignOutcome {
  return {
    input,
    points,
    front: paretoFront(points, serveWeight(input)),
    costCheck: costCheck(input.priced, input.c, input.a),
  };
}

/** Evaluate every point in this thread (the server's run worker; tests). */
export function runDesignHere(
  data: unknown,
  catalog: Catalog,
  progress?: (fraction: number) => void,
): DesignOutcome {
  const input = resolveDesignScenario(data, catalog);
  const base = resolveBase(input);
  const n = designSize(input.axes);
  const points: DesignPointResult[] = [];
  for (let i = 0; i < n; i++) {
    points.push(evaluateDesignPoint(input, base, i));
    progress?.((i + 1) / n);
  }
  return designOutcome(input, points);
}

/** Evaluate every point on the sweep pool's worker threads (one per core), in index order. */
export async function runDesign(
  data: unknown,
  catalog: Catalog,
  overlays: readonly CatalogOverlay[],
  progress: ((done: number, total: number) => void) | null,
  /** A Redis queue to run the points on instead of this machine's cores. */
  where?: SweepPlace,
): Promise<DesignOutcome> {
  const input = resolveDesignScenario(data, catalog);
  const n = designSize(input.axes);
  const job: SweepJob = { command: "design", data, overlays, overrides: {} };
  const points: DesignPointResult[] = [];
  await streamSweep(
    job,
    [{ path: DESIGN_POINT_AXIS, from: 0, step: 1, count: n }],
    { index: 1, count: 1 },
    progress,
    (r) => {
      if (r.result["error"] !== undefined) throw new InputError("design", r.index, String(r.result["error"]));
      points.push(r.result as unknown as DesignPointResult);
    },
    where,
  );
  return designOutcome(input, points);
}

const round = (x: number | null, digits = 6) => (x === null ? null : Number(x.toPrecision(digits)));

/** A point as --json prints it: its values, the contract's metrics, the rest of its figures. */
function pointJson(p: DesignPointResult, o: DesignOutcome): Record<string, unknown> {
  const loss = o.front.losses.find((l) => l.index === p.index);
  return {
    index: p.index,
    id: p.id,
    values: p.values,
    usdPerMillionTokens: round(p.usdPerMillionTokens),
    tokensPerJoule: round(p.tokensPerJoule),
    trainDays: round(p.trainDays),
    chipUsd: round(p.chipUsd),
    chipsPerYearFromSupply: round(p.chipsPerYearFromSupply),
    tokensPerDayFromSupply: round(p.tokensPerDayFromSupply),
    trainingRunsPerYearFromSupply: round(p.trainingRunsPerYearFromSupply),
    supplyBinds: p.supplyBinds,
    hbmGB: round(p.hbmGB),
    hbmTBps: round(p.hbmTBps),
    tdpW: round(p.power.tdpW),
    clock: round(p.power.clock, 4),
    cost: Object.fromEntries(Object.entries(p.cost).map(([k, v]) => [k, round(v)])),
    power: Object.fromEntries(Object.entries(p.power).map(([k, v]) => [k, round(v)])),
    workloads: p.workloads.map((w) => ({
      ...w,
      tokensPerS: round(w.tokensPerS),
      usdPerMillionTokens: round(w.usdPerMillionTokens),
      tokensPerJoule: round(w.tokensPerJoule),
      trainDays: round(w.trainDays),
    })),
    onFront: o.front.pareto.includes(p.index),
    ...(loss !== undefined
      ? {
          lostTo: {
            index: loss.to,
            by: Object.fromEntries(Object.entries(loss.by).map(([k, v]) => [k, round(v, 4)])),
          },
        }
      : {}),
    problem: p.problem,
  };
}

export function designJson(o: DesignOutcome): Record<string, unknown> {
  const designs = o.points.map((p) => pointJson(p, o));
  return {
    kind: "design",
    name: o.input.name,
    base: o.input.baseId,
    points: o.points.length,
    space: Object.fromEntries(o.input.axes.map((a) => [a.field, a.values])),
    workloads: o.input.workloads.map((w) => ({
      name: w.name,
      kind: w.kind,
      model: w.model.id,
      weight: w.weight,
    })),
    supply: o.input.supply,
    site: o.input.site.id,
    objectives: o.front.objectives,
    designs,
    pareto: o.front.pareto.map((i) => designs[i]),
    knee: o.front.knee,
    costCheck: o.costCheck.map((c) => ({
      ...c,
      manufacturingUsd: round(c.manufacturingUsd),
      priceOverCost: round(c.priceOverCost, 4),
    })),
    assumptions: Object.fromEntries(
      Object.entries(CHIP_ASSUMPTIONS).map(([k, v]) => [
        k,
        { value: o.input.c[k as keyof typeof CHIP_ASSUMPTIONS], range: v.range, source: v.source },
      ]),
    ),
  };
}

const LABELS: Readonly<Record<ObjectiveKey, string>> = {
  usdPerMillionTokens: "$/M tokens",
  tokensPerJoule: "tokens/J",
  trainDays: "days to train",
  tokensPerDayFromSupply: "tokens/day from supply",
  trainingRunsPerYearFromSupply: "runs/year from supply",
};

const sig = (x: number | null, d = 3) =>
  x === null
    ? "-"
    : Math.abs(x) >= 1e5
      ? x.toExponential(2)
      : Number(x.toPrecision(d)).toLocaleString("en-US");

/** A point's varied values, short: `fp8 4500 · hbm4 ×8 · NVLink 1800 · 1000 W`. */
export function valuesText(p: DesignPointResult): string {
  return Object.entries(p.values)
    .map(([k, v]) => `${k.replace("peakTflops.", "").replace("scaleUp.bandwidthGBps", "scale-up GB/s")}=${v}`)
    .join(" ");
}

function pointRow(p: DesignPointResult, knee: number | null): string[] {
  return [
    `${p.index}${p.index === knee ? "*" : ""}`,
    valuesText(p),
    sig(p.chipUsd, 4),
    sig(p.power.tdpW, 4),
    sig(p.usdPerMillionTokens),
    sig(p.tokensPerJoule),
    sig(p.trainDays),
    sig(p.chipsPerYearFromSupply),
    sig(p.tokensPerDayFromSupply),
    sig(p.trainingRunsPerYearFromSupply),
    p.supplyBinds,
  ];
}

/** Why a dominated point loses: the front point that beats it, and by how much on each objective. */
function lossText(o: DesignOutcome, index: number): string {
  const l = o.front.losses.find((x) => x.index === index);
  if (l === undefined) return "";
  const parts = Object.entries(l.by)
    .filter(([, v]) => Math.abs(v ?? 0) >= 0.0005)
    .map(([k, v]) => `${LABELS[k as ObjectiveKey]} ${(v ?? 0) >= 0 ? "+" : ""}${fixed((v ?? 0) * 100, 1)}%`);
  return `loses to #${l.to}: ${parts.join(", ")}`;
}

export function designReport(o: DesignOutcome): string {
  const d = o.input;
  const head = [
    "#",
    "design",
    "chip $",
    "TDP W",
    "$/M tok",
    "tok/J",
    "train days",
    "chips/yr",
    "tok/day",
    "runs/yr",
    "binds",
  ];
  const front = o.points.filter((p) => o.front.pareto.includes(p.index));
  const infeasible = o.points.filter((p) => p.problem !== null);
  const knee = o.points.find((p) => p.index === o.front.knee);
  const lines = [
    `${d.name}: ${o.points.length} designs around ${d.baseId}, on ${d.workloads.map((w) => `${w.name} (weight ${w.weight})`).join(", ")}; supply ${d.supply.hbmStacksPerYear.toLocaleString("en-US")} HBM stacks a year; at ${d.site.id} (${d.cooling})`,
    `Objectives: ${o.front.objectives.map((k) => `${LABELS[k]} ${OBJECTIVES.find((x) => x.key === k)?.better === "min" ? "(lower)" : "(higher)"}`).join(", ")}`,
    "",
    `Pareto front: ${front.length} of ${o.points.length - infeasible.length} feasible designs (* the knee)`,
    table(
      head,
      front.map((p) => pointRow(p, o.front.knee)),
    ),
    "",
    knee !== undefined
      ? `Knee #${knee.index} (${valuesText(knee)}): the front point nearest the best of every objective at once, serving objectives weighted by the mix's serving share`
      : "No design meets every workload: nothing is on the front.",
    "",
    "Every design, and why each off the front loses",
    table(
      [...head, "why"],
      o.points.map((p) => [
        ...pointRow(p, o.front.knee),
        p.problem ?? (o.front.pareto.includes(p.index) ? "on the front" : lossText(o, p.index)),
      ]),
    ),
    "",
    "Cost model against published prices (each part its own base): price / modelled manufacturing cost",
    table(
      ["part", "logic mm²", "dies", "model cost $", "price $", "price/cost"],
      o.costCheck.map((c) => [
        c.accelerator,
        fixed(c.logicMm2, 0),
        String(c.dies),
        sig(c.manufacturingUsd, 4),
        sig(c.priceUsd, 4),
        fixed(c.priceOverCost, 2),
      ]),
    ),
    "Chip costs and prices rest on stated assumptions with ranges (--json: assumptions); none is a published maker's price.",
  ];
  return `${lines.join("\n")}\n`;
}

/** The metrics a scatter may plot. */
export const SCATTER_METRICS = [
  ...OBJECTIVES.map((o) => o.key),
  "chipUsd",
  "chipsPerYearFromSupply",
] as const;
export type ScatterMetric = (typeof SCATTER_METRICS)[number];

const metric = (p: DesignPointResult, m: ScatterMetric) => p[m] as number | null;

const costParts = ["logic", "packaging", "HBM", "board", "partner markup"] as const;

/** A chip's price by part: logic, packaging and HBM with the assemblies lost to packaging yield, board, markup. */
function costByPart(p: DesignPointResult): Record<(typeof costParts)[number], number> {
  const c = p.cost;
  const packaged = c.manufacturingUsd - c.boardUsd;
  const f = packaged / (c.logicUsd + c.packagingUsd + c.hbmUsd);
  return {
    logic: c.logicUsd * f,
    packaging: c.packagingUsd * f,
    HBM: c.hbmUsd * f,
    board: c.boardUsd,
    "partner markup": c.chipUsd - c.manufacturingUsd,
  };
}

/** The page: the front over two chosen metrics, the cost of the front's chips by part, the report. */
export function designView(
  o: DesignOutcome,
  x: ScatterMetric = "usdPerMillionTokens",
  y: ScatterMetric = "tokensPerDayFromSupply",
): PageView {
  const ok = o.points.filter((p) => p.problem === null && metric(p, x) !== null && metric(p, y) !== null);
  const on = ok.filter((p) => o.front.pareto.includes(p.index));
  const off = ok.filter((p) => !o.front.pareto.includes(p.index));
  const series = (name: string, ps: readonly DesignPointResult[]) => ({
    name,
    values: ps.map((p) => metric(p, y) as number),
    x: ps.map((p) => metric(p, x) as number),
    labels: ps.map((p) => `#${p.index} ${valuesText(p)}`),
  });
  const front = o.points.filter((p) => o.front.pareto.includes(p.index));
  const charts: ChartSpec[] = [
    {
      id: "chart-front",
      caption: `Designs: ${x} against ${y} (the front in colour)`,
      kind: "scatter",
      xLabel: x,
      unit: y,
      data: { labels: [], series: [series("Pareto front", on), series("dominated", off)] },
    },
    {
      id: "chart-cost",
      caption: "The front's chips: cost by part (USD)",
      kind: "stack",
      unit: "USD",
      data: {
        labels: front.map((p) => `#${p.index}`),
        series: costParts.map((part) => ({ name: part, values: front.map((p) => costByPart(p)[part]) })),
      },
    },
  ];
  const knee = o.points.find((p) => p.index === o.front.knee);
  return {
    title: o.input.name,
    bullets: [
      `${o.front.pareto.length} of ${o.points.length} designs on the Pareto front`,
      ...(knee !== undefined
        ? [
            `Knee #${knee.index}: ${valuesText(knee)}: $${sig(knee.chipUsd, 4)} a chip, ${sig(knee.usdPerMillionTokens)} $/M tokens, ${sig(knee.tokensPerDayFromSupply)} tokens a day from a year's supply`,
          ]
        : []),
    ],
    charts,
    report: designReport(o),
  };
}

export function designHtml(o: DesignOutcome, x?: ScatterMetric, y?: ScatterMetric): string {
  return htmlPage({ ...designView(o, x, y), data: designJson(o) });
}

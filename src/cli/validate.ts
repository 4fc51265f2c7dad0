import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Catalog } from "../catalog/index.js";
import type { Parallelism } from "../perf/types.js";
import { parseYaml } from "../scenario/load.js";
import { acceptanceBounds, type BoundRow, llama405bSearchedMfu } from "../validation/bounds.js";
import {
  type CaseError,
  type ClassCheck,
  caseErrors,
  classChecks,
  errorsText,
} from "../validation/checked.js";
import { type FleetValidation, runFleetValidation } from "../validation/fleet.js";
import {
  type InferenceValidationReport,
  type Lengths,
  parseInferenceCases,
  parseLengths,
  runInferenceValidation,
} from "../validation/inference.js";
import { type PartsReport, partsReport } from "../validation/parts.js";
import { type QueueingRow, queueingCheck } from "../validation/queueing.js";
import {
  measuredMfu,
  parseTrainingCases,
  runTrainingValidation,
  type SearchBeside,
  searchBesidePublished,
  type ValidationReport,
} from "../validation/training.js";
import { duration, fixed, pct, si, table } from "./format.js";

/** A file of the project's validation set, shipped beside the code. */
function validationPath(file: string): string {
  // src/cli/validate.ts sits two levels below the package root, dist/src/cli/validate.js three.
  const candidates = [`../../validation/${file}`, `../../../validation/${file}`];
  const found = candidates.map((c) => fileURLToPath(new URL(c, import.meta.url))).find((p) => existsSync(p));
  if (found === undefined) throw new Error(`validation/${file} not found beside the package`);
  return found;
}

/**
 * The training cases of `file` (training.yaml; unseen.yaml, the published measurements never looked at
 * while the model was built).
 */
export function loadTrainingCases(file = "training.yaml") {
  const label = `validation/${file}`;
  return parseTrainingCases(parseYaml(readFileSync(validationPath(file), "utf8"), label), label);
}

/**
 * The MLPerf Inference cases of `file` (inference.yaml; inference-unseen.yaml, the results the model was
 * never developed on) and the datasets they name (validation/mlperf-lengths/*.csv).
 */
export function loadInferenceCases(file = "inference.yaml") {
  const cases = parseInferenceCases(
    parseYaml(readFileSync(validationPath(file), "utf8"), `validation/${file}`),
    `validation/${file}`,
  );
  const datasets = new Map<string, Lengths>();
  for (const c of cases) {
    if (datasets.has(c.dataset)) continue;
    const file = `mlperf-lengths/${c.dataset}.csv`;
    datasets.set(c.dataset, parseLengths(readFileSync(validationPath(file), "utf8"), `validation/${file}`));
  }
  return { cases, datasets };
}

export interface FullReport {
  readonly training: ValidationReport;
  /** Per training case: the search with only hardware, model and batch fixed, beside the published configuration. */
  readonly search: readonly SearchBeside[];
  /** validation/unseen.yaml: measurements the model was never developed on. */
  readonly unseen: ValidationReport;
  readonly inference: InferenceValidationReport;
  /** validation/inference-unseen.yaml: MLPerf Inference results the model was never developed on. */
  readonly inferenceUnseen: InferenceValidationReport;
  readonly queueing: readonly QueueingRow[];
  readonly fleet: FleetValidation;
  /** The bounds the model is accepted against, each beside its current value. */
  readonly bounds: readonly BoundRow[];
}

export function runValidate(catalog: Catalog): FullReport {
  const { cases, datasets } = loadInferenceCases();
  const trainingCases = loadTrainingCases();
  const training = runTrainingValidation(trainingCases, catalog);
  const inference = runInferenceValidation(cases, datasets, catalog);
  return {
    training,
    search: searchBesidePublished(trainingCases, training, catalog),
    unseen: runTrainingValidation(loadTrainingCases("unseen.yaml"), catalog),
    inference,
    inferenceUnseen: runUnseenInference(catalog),
    queueing: queueingCheck(catalog),
    fleet: runFleetValidation(catalog),
    bounds: acceptanceBounds(training, inference, partsReport(catalog), llama405bSearchedMfu(catalog)),
  };
}

/** The serving cases of validation/inference-unseen.yaml. */
export function runUnseenInference(catalog: Catalog): InferenceValidationReport {
  const { cases, datasets } = loadInferenceCases("inference-unseen.yaml");
  return runInferenceValidation(cases, datasets, catalog);
}

export function validateJson(full: FullReport): Record<string, unknown> {
  const r = full.training;
  return {
    kind: "validate",
    servingQueueing: full.queueing.map((q) => ({
      metric: q.metric,
      expectedS: Number(q.expectedS.toPrecision(6)),
      simulatedS: Number(q.simulatedS.toPrecision(6)),
      error: Number(q.error.toFixed(4)),
    })),
    inference: { ...inferenceJson(full.inference), unseen: inferenceJson(full.inferenceUnseen) },
    fleet: fleetJson(full.fleet),
    classes: classChecks(liveCaseErrors(full)),
    bounds: full.bounds.map((b) => ({
      ...b,
      value: Number.isFinite(b.value) ? Number(b.value.toFixed(4)) : null,
    })),
    training: {
      ...trainingCasesJson(r),
      search: full.search.map((b) => ({
        ...b,
        publishedMfu: Number(b.publishedMfu.toFixed(4)),
        atPublishedMfu: Number(b.atPublishedMfu.toFixed(4)),
        searchedMfu: Number(b.searchedMfu.toFixed(4)),
        classBestMfu: Number(b.classBestMfu.toFixed(4)),
        gains: b.gains.map((g) => ({ cause: g.cause, seconds: Number(g.seconds.toPrecision(4)) })),
      })),
      byHardware: byHardware(r).map((g) => ({
        ...g,
        meanAbsError: Number(g.meanAbsError.toFixed(4)),
        maxAbsError: Number(g.maxAbsError.toFixed(4)),
      })),
      unseen: trainingCasesJson(full.unseen),
    },
  };
}

function trainingCasesJson(r: ValidationReport) {
  return {
    cases: r.cases.map((c) => ({
      id: c.id,
      group: c.group,
      framework: c.framework,
      accelerator: c.accelerator,
      precision: c.precision,
      heldOut: c.heldOut,
      measuredStepTimeS: Number(c.measuredStepTimeS.toPrecision(6)),
      predictedStepTimeS: Number(c.predictedStepTimeS.toPrecision(6)),
      error: Number(c.error.toFixed(4)),
      fits: c.fits,
      parallelism: c.result.parallelism,
      bottleneck: c.result.bottleneck,
      measuredMfu: Number(measuredMfu(c).toFixed(4)),
      predictedMfu: Number(c.result.mfu.toFixed(4)),
      source: c.source,
    })),
    meanAbsError: Number(r.meanAbsError.toFixed(4)),
    maxAbsError: Number(r.maxAbsError.toFixed(4)),
    worst: r.worst,
  };
}

export function validateReport(full: FullReport): string {
  const r = full.training;
  const rows = r.cases.map((c) => [
    c.id,
    c.group,
    c.framework ?? "-",
    duration(c.measuredStepTimeS),
    duration(c.predictedStepTimeS),
    `${c.error >= 0 ? "+" : ""}${pct(c.error)}`,
    c.fits ? c.result.bottleneck : "DOES NOT FIT",
    `tp${c.result.parallelism.tp} pp${c.result.parallelism.pp} v${c.result.parallelism.interleave} mb${c.result.parallelism.microBatch} ${c.result.parallelism.recompute}`,
  ]);
  return `Training step time: predicted vs published (same constants for every case)\n${table(
    ["case", "group", "framework", "measured", "predicted", "error", "bottleneck", "config"],
    rows,
    [false, false, false, true, true, true, false, false],
  )}\n\nmean |error| ${pct(r.meanAbsError)}   max |error| ${pct(r.maxAbsError)} (${r.worst})   cases ${r.cases.length}\n\nBy hardware generation and precision\n${hardwareTable(r)}\n\n${searchText(full.search)}\n\n${unseenText(full.unseen)}\n\nServing simulation against queueing theory (M/D/1: one request at a time, fixed prompt, Poisson arrivals, ρ = 0.7)\n${table(
    ["metric", "expected", "simulated", "error"],
    full.queueing.map((q) => [
      q.metric,
      duration(q.expectedS),
      duration(q.simulatedS),
      `${q.error >= 0 ? "+" : ""}${pct(q.error)}`,
    ]),
  )}\n\n${inferenceText(full.inference)}\n${inferenceText(full.inferenceUnseen, UNSEEN_SERVING)}\n${classesText(classChecks(liveCaseErrors(full)))}\n\n${fleetText(full.fleet)}\n${boundsText(full.bounds)}`;
}

/**
 * Every training and serving case of this run, development and unseen, in their stored form (also what
 * scripts/case-errors.mjs writes to validation/case-errors.ts).
 */
export function liveCaseErrors(
  full: Pick<FullReport, "training" | "unseen" | "inference" | "inferenceUnseen">,
): CaseError[] {
  return [
    ...caseErrors("training", "development", full.training.cases),
    ...caseErrors("training", "unseen", full.unseen.cases),
    ...caseErrors("serving", "development", full.inference.cases),
    ...caseErrors("serving", "unseen", full.inferenceUnseen.cases),
  ];
}

/** By accelerator and precision, development and unseen together: what the other commands quote. */
export function classesText(checks: readonly ClassCheck[]): string {
  return `By class, development and unseen together (the line train, infer, plan and sites print beside their figures)\n${table(
    ["kind", "accelerator", "precision", "cases", "the model against the measurements", "mean |error|"],
    checks.map((c) => [
      c.kind,
      c.accelerator,
      c.precision,
      String(c.cases.length),
      errorsText(c),
      pct(c.meanAbsError),
    ]),
    [false, false, false, true, false, true],
  )}`;
}

/** The acceptance bounds as a table: each bound, where the model stands, and whether it is met. */
export function boundsText(bounds: readonly BoundRow[]): string {
  const show = (x: number) => (Number.isFinite(x) ? pct(x) : "-");
  const rows = bounds.map((b) => [
    b.what,
    show(b.unit === "error" ? Math.abs(b.value) : b.value),
    `≤ ${pct(b.limit)}`,
    b.met ? "met" : "not met",
  ]);
  const met = bounds.filter((b) => b.met).length;
  return `Acceptance bounds (the model's truth on today's hardware: development cases, parts, the 405B search)\n${table(
    ["bound", "now", "limit", ""],
    rows,
    [false, true, true, false],
  )}\n${met} of ${bounds.length} met`;
}

function fleetJson(f: FleetValidation) {
  const n = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)) : null);
  return {
    seeds: f.seeds,
    rows: f.rows.map((r) => ({
      ...r,
      published: n(r.published),
      simulated: n(r.simulated),
      min: n(r.min),
      max: n(r.max),
      error: n(r.error),
    })),
  };
}

/** A figure of a fleet row in its unit. */
function fleetValue(x: number, unit: string): string {
  if (!Number.isFinite(x)) return "-";
  if (unit === "fraction") return pct(x);
  if (unit === "s") return x < 1 ? `${fixed(x, 1)} s` : duration(x);
  if (unit === "h") return x >= 48 ? `${fixed(x / 24, 1)} d` : `${fixed(x, 2)} h`;
  return fixed(x, 0);
}

function fleetText(f: FleetValidation): string {
  const rows = f.rows.map((r) => [
    r.case,
    r.metric,
    fleetValue(r.published, r.unit),
    fleetValue(r.simulated, r.unit),
    `${fleetValue(r.min, r.unit)} – ${fleetValue(r.max, r.unit)}`,
    r.unit === "fraction"
      ? `${r.error >= 0 ? "+" : ""}${fixed(r.error * 100, 1)} pts`
      : `${r.error >= 0 ? "+" : ""}${pct(r.error)}`,
    `${r.bound} ${r.within ? "✓" : "✗"}`,
    r.use,
  ]);
  return `Fleet twin against published clusters (seeds ${f.seeds.join(", ")}: mean, and the lowest and highest seed; fit = the preset or rate was fitted to the figure, check = it was not)\n${table(
    ["case", "metric", "published", "simulated", "over seeds", "error", "bound", "use"],
    rows,
    [false, false, true, true, true, true, false, false],
  )}\n${f.rows
    .filter((r) => r.note !== undefined)
    .map((r) => `  ${r.case}, ${r.metric}: ${r.note}`)
    .join("\n")}\n`;
}

export function unseenText(r: ValidationReport): string {
  const rows = r.cases.map((c) => [
    c.id,
    c.framework ?? "-",
    c.accelerator,
    c.precision,
    pct(measuredMfu(c)),
    pct(c.result.mfu),
    `${c.error >= 0 ? "+" : ""}${pct(c.error)}`,
    c.fits ? configText(c.result.parallelism) : "DOES NOT FIT",
  ]);
  return `Unseen: published training measurements the model was never developed on (validation/unseen.yaml; what a source leaves unstated is searched; MFU on the model's FLOP count; error of the step time)\n${table(
    ["case", "framework", "accelerator", "precision", "MFU run", "model", "error", "config"],
    rows,
    [false, false, false, false, true, true, true, false],
  )}\n\nmean |error| ${pct(r.meanAbsError)}   max |error| ${pct(r.maxAbsError)} (${r.worst})   cases ${r.cases.length}`;
}

/** A parallel configuration in one short line. */
function configText(p: Parallelism): string {
  return `tp${p.tp} pp${p.pp} cp${p.cp}${p.ep > 1 ? ` ep${p.ep}` : ""} v${p.interleave} mb${p.microBatch} z${p.zero} ${p.recompute}`;
}

function searchText(rows: readonly SearchBeside[]): string {
  const body = rows.map((b) => [
    b.id,
    configText(b.published),
    pct(b.publishedMfu),
    pct(b.atPublishedMfu),
    configText(b.searched),
    pct(b.searchedMfu),
    pct(b.classBestMfu),
    b.searchedMfu > b.classBestMfu
      ? b.gains
          .slice(0, 2)
          .map((g) => `${g.cause} −${duration(g.seconds)}`)
          .join(", ")
      : "",
  ]);
  return `Search beside the published configuration (only hardware, model, batch, precision and framework fixed; MFU on the model's FLOP count)\n${table(
    [
      "case",
      "published",
      "MFU run",
      "model",
      "searched best",
      "MFU",
      "class best run",
      "where the searched best gains",
    ],
    body,
    [false, false, true, true, false, true, true, false],
  )}`;
}

function inferenceJson(r: InferenceValidationReport) {
  const n = (x: number) => Number(x.toPrecision(6));
  return {
    cases: r.cases.map((c) => ({
      ...c,
      measuredTokensPerS: n(c.measuredTokensPerS),
      predictedTokensPerS: n(c.predictedTokensPerS),
      error: Number(c.error.toFixed(4)),
      rateRps: c.rateRps === null ? null : n(c.rateRps),
      p99TtftS: n(c.p99TtftS),
      p99TpotS: n(c.p99TpotS),
      atMeasuredRate:
        c.atMeasuredRate === null
          ? null
          : { p99TtftS: n(c.atMeasuredRate.p99TtftS), p99TpotS: n(c.atMeasuredRate.p99TpotS) },
    })),
    meanAbsError: Number(r.meanAbsError.toFixed(4)),
    maxAbsError: Number(r.maxAbsError.toFixed(4)),
    worst: r.worst,
    byHardware: byHardware(r).map((g) => ({
      ...g,
      meanAbsError: Number(g.meanAbsError.toFixed(4)),
      maxAbsError: Number(g.maxAbsError.toFixed(4)),
    })),
  };
}

/** The per-(accelerator, precision) table of a set of cases. */
function hardwareTable(r: Parameters<typeof byHardware>[0]): string {
  return table(
    ["accelerator", "precision", "cases", "mean |error|", "max |error|", "worst"],
    byHardware(r).map((g) => [
      g.accelerator,
      g.precision,
      String(g.cases),
      pct(g.meanAbsError),
      pct(g.maxAbsError),
      g.worst,
    ]),
    [false, false, true, true, true, false],
  );
}

const UNSEEN_SERVING =
  "Unseen serving: MLPerf Inference results the model was never developed on (validation/inference-unseen.yaml; deployments the reference does not state are assumptions named in the file)";

export function inferenceText(
  r: InferenceValidationReport,
  title = "Serving throughput against MLPerf Inference (output tokens/s of the submitted deployment on the dataset's real lengths; Server/Interactive: the highest Poisson rate within the p99 limits, and the model's p99 latencies at the rate the submission sustained)",
): string {
  const rows = r.cases.map((c) => [
    c.id,
    c.mlperfScenario,
    c.engine,
    si(c.measuredTokensPerS),
    si(c.predictedTokensPerS),
    `${c.error >= 0 ? "+" : ""}${pct(c.error)}`,
    c.rateRps === null ? "-" : fixed(c.rateRps, 1),
    duration(c.p99TtftS),
    duration(c.p99TpotS),
    c.atMeasuredRate === null ? "-" : duration(c.atMeasuredRate.p99TtftS),
    c.atMeasuredRate === null ? "-" : duration(c.atMeasuredRate.p99TpotS),
  ]);
  return `${title}\n${table(
    [
      "case",
      "scenario",
      "engine",
      "measured",
      "predicted",
      "error",
      "req/s",
      "p99 TTFT",
      "p99 TPOT",
      "at measured: TTFT",
      "TPOT",
    ],
    rows,
    [false, false, false, true, true, true, true, true, true, true, true],
  )}\n\nmean |error| ${pct(r.meanAbsError)}   max |error| ${pct(r.maxAbsError)} (${r.worst})   cases ${r.cases.length}\n\nBy hardware generation and precision\n${hardwareTable(r)}\n`;
}

/** Mean and max |error| per (accelerator, precision) of a set of cases. */
export function byHardware(r: {
  readonly cases: readonly {
    readonly id: string;
    readonly accelerator: string;
    readonly precision: string;
    readonly error: number;
  }[];
}) {
  const groups = new Map<string, (typeof r.cases)[number][]>();
  for (const c of r.cases) {
    const key = `${c.accelerator}|${c.precision}`;
    const group = groups.get(key) ?? [];
    group.push(c);
    groups.set(key, group);
  }
  return [...groups.entries()].map(([key, cs]) => {
    const [accelerator = "", precision = ""] = key.split("|");
    const abs = cs.map((c) => Math.abs(c.error));
    const worst = cs.reduce((w, c) => (Math.abs(c.error) > Math.abs(w.error) ? c : w));
    return {
      accelerator,
      precision,
      cases: cs.length,
      meanAbsError: abs.reduce((a, b) => a + b, 0) / abs.length,
      maxAbsError: Math.max(...abs),
      worst: worst.id,
    };
  });
}

export function partsJson(p: PartsReport): Record<string, unknown> {
  const n = (x: number) => Number(x.toPrecision(4));
  return {
    kind: "validate-parts",
    summary: p.summary.map((s) => ({ ...s, meanAbsError: n(s.meanAbsError), maxAbsError: n(s.maxAbsError) })),
    rows: p.rows.map((r) => ({ ...r, measured: n(r.measured), model: n(r.model), error: n(r.error) })),
  };
}

export function partsText(p: PartsReport): string {
  // One section per part, in the order the report lists them.
  const sections = [...new Set(p.rows.map((r) => r.part))].map((part) => {
    const rows = p.rows.filter((r) => r.part === part);
    const unit = rows[0]?.unit ?? "";
    return `${part} (${unit}; * = counted in the summary)\n${table(
      ["accelerator", "measured row", "measured", "model", "error", ""],
      rows.map((r) => [
        r.accelerator,
        r.what.length > 70 ? `${r.what.slice(0, 69)}…` : r.what,
        r.measured.toPrecision(4),
        r.model.toPrecision(4),
        `${r.error >= 0 ? "+" : ""}${pct(r.error)}`,
        r.scored ? "*" : "",
      ]),
      [false, false, true, true, true, false],
    )}`;
  });
  const provenance = [...new Set(p.rows.map((r) => `${r.accelerator} ${r.part}: ${r.provenance}`))];
  return `Measured parts beside the model's value for each (one curve per part and precision, fitted to these rows)\n\n${sections.join("\n\n")}\n\nSummary\n${table(
    ["part", "scope", "rows", "mean |error|", "max |error|"],
    p.summary.map((s) => [s.part, s.scope, String(s.rows), pct(s.meanAbsError), pct(s.maxAbsError)]),
    [false, false, true, true, true],
  )}\n\nWhere each curve comes from\n${provenance.map((l) => `  ${l}`).join("\n")}\n`;
}

import { ASSUMPTIONS, type AssumptionKey } from "../catalog/data/assumptions.js";
import { JOB_PRESETS } from "../catalog/data/job-presets.js";
import { INTERRUPTIONS_PER_ACC_HOUR, LLAMA3_INTERRUPTIONS } from "../catalog/data/reliability.js";
import { BACKFILL_MAX_JOB_TEST, STARVATION_GUARD_S } from "../fleet/scheduler.js";
import type { FleetScenario } from "./fleet-schema.js";

/** One parameter a fleet run used: its value, unit and where it comes from. */
export interface FleetAssumption {
  readonly parameter: string;
  readonly value: string;
  readonly unit: string;
  readonly source: string;
}

/** The assumptions (catalog/data/assumptions.ts) a fleet simulation reads. */
const FLEET_KEYS: readonly AssumptionKey[] = [
  "repairHours",
  "restartMinutes",
  "checkpointCostMinutes",
  "autoscaleMinutes",
  "idlePowerFraction",
  "trainingLoadFactor",
  "sustainedComputeFraction",
];

const g = (x: number) => String(Number(x.toPrecision(4)));

/**
 * Every default a fleet scenario ran on, with its source, and what the scenario set instead: the
 * assumptions, the failure model, the schedulers' constants, the streams' defaults and each job preset
 * a partner names (its fitted classes, the statements and the assumptions behind them).
 */
export function fleetAssumptions(
  s: FleetScenario,
  values: Readonly<Record<AssumptionKey, number>>,
): FleetAssumption[] {
  const set = new Set(Object.keys(s.assumptions ?? {}));
  const rows: FleetAssumption[] = FLEET_KEYS.map((k) => ({
    parameter: k,
    value: g(values[k]),
    unit: ASSUMPTIONS[k].unit,
    source: set.has(k) ? "set by the scenario" : ASSUMPTIONS[k].source,
  }));
  const f = typeof s.failures === "object" ? s.failures : {};
  const hw = LLAMA3_INTERRUPTIONS.causes.filter((c) => c.hardware).reduce((a, c) => a + c.count, 0);
  rows.push(
    {
      parameter: "failures.ratePerAccHour",
      value: g(f.ratePerAccHour ?? INTERRUPTIONS_PER_ACC_HOUR),
      unit: "interruptions per accelerator-hour",
      source:
        f.ratePerAccHour !== undefined
          ? "set by the scenario"
          : `derived: ${LLAMA3_INTERRUPTIONS.unexpected} / (${LLAMA3_INTERRUPTIONS.accelerators} × ${LLAMA3_INTERRUPTIONS.days} d × 24 h); ${LLAMA3_INTERRUPTIONS.source}`,
    },
    {
      parameter: "failures.hardwareShare",
      value: g(f.hardwareShare ?? hw / LLAMA3_INTERRUPTIONS.unexpected),
      unit: "of interruptions",
      source:
        f.hardwareShare !== undefined
          ? "set by the scenario"
          : `derived: ${hw} of ${LLAMA3_INTERRUPTIONS.unexpected} causes are hardware; ${LLAMA3_INTERRUPTIONS.source}`,
    },
    {
      parameter: "failures.checkpointMinutes",
      value: f.checkpointMinutes !== undefined ? g(f.checkpointMinutes) : "Young/Daly",
      unit: "minutes",
      source:
        f.checkpointMinutes !== undefined
          ? "set by the scenario"
          : "derived: √(2 · checkpoint cost · MTBF of the largest job) (Young 1974; Daly 2006), at most a day",
    },
    {
      parameter: "starvationHours (fair-share)",
      value: s.starvationHours === null ? "never" : g(s.starvationHours),
      unit: "hours",
      source:
        s.starvationHours !== STARVATION_GUARD_S / 3600
          ? "set by the scenario"
          : "assumption: a gang job passed over this long drains its type (range 1-24 h; Kueue's BestEffortFIFO never drains, Slurm reserves at once)",
    },
    {
      parameter: "backfill depth",
      value: String(BACKFILL_MAX_JOB_TEST),
      unit: "jobs per pass",
      source: "Slurm slurm.conf SchedulerParameters bf_max_job_test default (backfill scheduler only)",
    },
  );
  for (const kind of ["eval", "finetune"] as const) {
    const k = JOB_PRESETS.find((p) => p.id === "acme-seren")?.classes.find((c) => c.kind === kind);
    if (k === undefined) continue;
    rows.push({
      parameter: `${kind} stream defaults`,
      value: `sizes ${k.sizes.map((z) => `${z.accelerators}:${z.weight}`).join(" ")}; median ${g(k.medianHours)} h; sigma ${g(k.sigma)}`,
      unit: "",
      source: `the acme-seren preset's ${kind} class (used where a stream leaves them out)`,
    });
  }
  for (const [i, p] of s.partners.entries()) {
    if (p.jobs === undefined) continue;
    const id = typeof p.jobs === "string" ? p.jobs : p.jobs.preset;
    const preset = JOB_PRESETS.find((x) => x.id === id);
    if (preset === undefined) continue;
    rows.push({
      parameter: `partners[${i}].jobs ${preset.id}`,
      value: preset.classes
        .map(
          (k) =>
            `${k.kind} ${g(k.share * 100)}%: median ${g(k.medianHours)} h, sigma ${g(k.sigma)}, fail ${g(k.fail)}, cancel ${g(k.cancel)}`,
        )
        .join("; "),
      unit: "",
      source: `${preset.name}: ${preset.source}; failed jobs run ${g(preset.failAt)}× and cancelled ${g(preset.cancelAt)}× their time; longest run ${g(preset.maxHours)} h`,
    });
    for (const st of preset.stated)
      rows.push({
        parameter: `  ${st.use === "fit" ? "fitted to" : "checked against"}: ${st.what}`,
        value: g(st.value),
        unit: st.unit,
        source: st.source,
      });
    for (const a of preset.assumptions)
      rows.push({ parameter: `  assumption: ${a.what}`, value: a.range, unit: "range", source: a.why });
  }
  return rows;
}

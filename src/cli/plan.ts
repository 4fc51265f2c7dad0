import { ASSUMPTIONS, type AssumptionKey, type Catalog } from "../catalog/index.js";
import { evaluatePlan, type PerfCache, type PlanResult } from "../plan/plan.js";
import { type ResolvedPlan, resolvePlanScenario } from "../scenario/plan.js";
import { type CheckedKind, checkedJson, checkedText } from "../validation/checked.js";
import { fixed, pct, table } from "./format.js";

export interface CandidateSummary {
  readonly accelerator: string;
  readonly error?: string;
  readonly demandMet?: boolean;
  readonly peakAccelerators?: number;
  readonly firstShortfall?: string | null;
  readonly usdPerGpuHour?: number;
  readonly capexUsd?: number;
  readonly itMwAtEnd?: number;
  readonly trainingGpus?: readonly number[];
}

export interface PlanOutcome {
  readonly resolved: ResolvedPlan;
  readonly result: PlanResult;
  readonly candidates: readonly CandidateSummary[];
}

function summarise(r: PlanResult): CandidateSummary {
  return {
    accelerator: r.accelerator,
    demandMet: r.demandMet,
    peakAccelerators: Math.max(0, ...r.quarters.map((q) => q.installed)),
    firstShortfall:
      r.shortfalls[0] !== undefined ? `${r.shortfalls[0].quarter} (${r.shortfalls[0].constraint})` : null,
    usdPerGpuHour: r.costPerGpuHour.total,
    capexUsd: r.years.reduce((s, y) => s + y.capexUsd, 0),
    itMwAtEnd: r.quarters[r.quarters.length - 1]?.itMw ?? 0,
    trainingGpus: r.training.map((t) => t.gpus),
  };
}

export function runPlan(
  data: unknown,
  catalog: Catalog,
  accelerator?: string,
  cache?: PerfCache,
): PlanOutcome {
  const resolved = resolvePlanScenario(data, catalog, accelerator);
  const result = evaluatePlan(resolved.main, cache);
  const candidates = resolved.candidates.map((c) =>
    "error" in c ? { accelerator: c.accelerator, error: c.error } : summarise(evaluatePlan(c, cache)),
  );
  return { resolved, result, candidates: candidates.length > 0 ? [summarise(result), ...candidates] : [] };
}

/** Every assumption with its value in this plan, unit, source and whether the scenario set it. */
export function assumptionsUsed(
  o: PlanOutcome,
): Record<string, { value: number; unit: string; source: string; overridden: boolean }> {
  const out: Record<string, { value: number; unit: string; source: string; overridden: boolean }> = {};
  for (const k of Object.keys(ASSUMPTIONS) as AssumptionKey[]) {
    const overridden = o.resolved.overridden.includes(k);
    out[k] = {
      value: o.resolved.main.a[k],
      unit: ASSUMPTIONS[k].unit,
      source: overridden ? "scenario" : ASSUMPTIONS[k].source,
      overridden,
    };
  }
  return out;
}

/** Per-plan sources of the catalog figures it used (sites, system power, price, supply). */
export function sourcesUsed(o: PlanOutcome): Record<string, string> {
  const m = o.resolved.main;
  const out: Record<string, string> = {
    [`accelerator ${m.accelerator.id}`]: m.accelerator.source,
    [`HBM ${m.generation.id}`]: m.generation.source,
    [`IT power ${o.result.power.system}`]: o.result.power.source,
    [`price ${m.accelerator.id}`]: m.price?.source ?? "none",
  };
  for (const s of m.sites) out[`site ${s.design.site.id}`] = s.design.site.source;
  for (const t of m.training) out[`model ${t.model.id}`] = t.model.source;
  for (const t of m.inference) out[`model ${t.model.id}`] = t.model.source;
  return out;
}

export function planJson(o: PlanOutcome): Record<string, unknown> {
  const r = o.result;
  return {
    ...r,
    candidates: o.candidates,
    assumptions: assumptionsUsed(o),
    sources: sourcesUsed(o),
    validation: checkedClasses(o).map(([kind, precision]) => ({
      kind,
      precision,
      checked: checkedJson(kind, r.accelerator, precision),
    })),
  };
}

/** The (kind, precision) pairs the plan's demand runs the performance model at, in order of first use. */
function checkedClasses(o: PlanOutcome): [CheckedKind, string][] {
  const m = o.resolved.main;
  const pairs: [CheckedKind, string][] = [
    ...m.training.map((t): [CheckedKind, string] => ["training", t.precision]),
    ...m.inference.map((d): [CheckedKind, string] => ["serving", d.precision]),
  ];
  return pairs.filter(([k, p], i) => pairs.findIndex(([k2, p2]) => k2 === k && p2 === p) === i);
}

/** What validation says of the performance model where the plan's demand uses it. */
function checkedSection(o: PlanOutcome): string[] {
  const pairs = checkedClasses(o);
  if (pairs.length === 0) return [];
  return [
    `The performance model on ${o.result.accelerator}, beside the published runs (assumptions.sustainedComputeFraction carries the gap into --samples)`,
    ...pairs.map(([kind, precision]) => `  - ${checkedText(kind, o.result.accelerator, precision)}`),
    "",
  ];
}

const n0 = (x: number) => Math.round(x).toLocaleString("en-US");
const usd = (x: number) =>
  Math.abs(x) >= 1e9
    ? `$${(x / 1e9).toFixed(2)}B`
    : Math.abs(x) >= 1e6
      ? `$${(x / 1e6).toFixed(1)}M`
      : `$${n0(x)}`;
const NAME: Record<string, string> = {
  hbm: "HBM",
  packaging: "CoWoS",
  grid: "grid",
  construction: "halls",
  budget: "budget",
};

/** The training runs the plan sized. */
function trainingSection(r: PlanResult): string[] {
  const out: string[] = [];
  if (r.training.length > 0) {
    out.push(
      "Training demand (accelerators sized by the performance model to finish in time)",
      table(
        [
          "run",
          "start",
          "accelerators",
          "days",
          "target",
          "MFU",
          "tp·pp·dp·cp",
          "bottleneck",
          "cost/run",
          "energy",
        ],
        r.training.map((t) => [
          t.name,
          t.earliestStart !== null ? `${t.start} → ${t.earliestStart}` : t.start,
          n0(t.gpus),
          t.fits ? fixed(t.days, 1) : "does not fit",
          String(t.targetDays),
          pct(t.mfu),
          `${t.parallelism["tp"]}·${t.parallelism["pp"]}·${t.parallelism["dp"]}·${t.parallelism["cp"]}`,
          t.bottleneck,
          usd(t.usdPerRun),
          `${n0(t.energyMWh)} MWh`,
        ]),
      ),
      "",
    );
  }
  return out;
}

/** The services and their capacity at the SLO. */
function inferenceSection(r: PlanResult): string[] {
  const out: string[] = [];
  if (r.inference.length > 0) {
    out.push(
      "Inference demand (continuous batching at the SLO; sized for the daily peak)",
      table(
        [
          "service",
          "model",
          "tok/s/GPU",
          "tp·pp·ep",
          "batch",
          "TTFT ms",
          "TPOT ms",
          "bottleneck",
          "GPUs at end",
          "$/M tokens",
        ],
        r.inference.map((x) => [
          x.name,
          x.model,
          x.meetsSlo ? fixed(x.tokensPerSPerGpu, 1) : "SLO unmet",
          `${x.shape.tp}·${x.shape.pp}·${x.shape.ep}`,
          String(x.batch),
          fixed(x.ttftMs, 0),
          fixed(x.tpotMs, 1),
          x.bottleneck,
          n0(x.gpusAtEnd),
          x.usdPerMillionTokens === null ? "-" : fixed(x.usdPerMillionTokens, 2),
        ]),
      ),
      "",
    );
  }
  return out;
}

/** The fleet quarter by quarter: what each input allows and what binds. */
function fleetSection(r: PlanResult): string[] {
  const out: string[] = [];
  out.push(
    "Fleet by quarter (accelerators each input allows, cumulative; the tightest is marked, * when it binds;\n peak MW: facility power at full IT load in the hottest hour, against the grid connection; mean MW: drawn)",
    table(
      [
        "quarter",
        "demand",
        "installed",
        "HBM",
        "CoWoS",
        "grid",
        "halls",
        "tightest",
        "short",
        "racks",
        "IT MW",
        "peak MW",
        "grid MW",
        "mean MW",
        "GWh",
        "kt CO2",
        "ML water",
        "capex",
        "opex",
      ],
      r.quarters.map((q) => [
        q.quarter,
        n0(q.demand),
        n0(q.installed),
        n0(q.allows.hbm),
        n0(q.allows.packaging),
        n0(q.allows.grid),
        n0(q.allows.construction),
        `${NAME[q.tightest]}${q.binding !== null ? "*" : ""}`,
        q.shortfall > 0 ? n0(q.shortfall) : "",
        n0(q.racks),
        fixed(q.itMw, 0),
        fixed(q.peakFacilityMw, 0),
        fixed(q.gridMw, 0),
        fixed(q.facilityMw, 0),
        fixed(q.energyMWh / 1000, 1),
        fixed(q.co2Tonnes / 1000, 1),
        fixed(q.waterM3 / 1000, 1),
        usd(q.capexUsd),
        usd(q.opexUsd),
      ]),
    ),
    "",
  );
  return out;
}

/** The quarters whose demand is not met. */
function shortfallSection(r: PlanResult): string[] {
  const out: string[] = [];
  if (r.shortfalls.length > 0) {
    out.push(
      "Unmet demand",
      table(
        ["quarter", "needed", "available", "binds", "missing"],
        r.shortfalls.map((s) => [s.quarter, n0(s.needed), n0(s.available), s.constraint, s.missing]),
      ),
      "",
    );
  }
  return out;
}

/** Each site, then each calendar year. */
function sitesAndYearsSection(r: PlanResult): string[] {
  const out: string[] = [];
  out.push(
    "Sites",
    table(
      [
        "site",
        "cooling",
        "heat rejection",
        "PUE",
        "design PUE",
        "WUE L/kWh",
        "gCO2/kWh",
        "$/kWh",
        "IT MW at end",
      ],
      r.sites.map((s) => [
        s.site,
        s.cooling,
        s.heatRejection,
        fixed(s.annualPue, 3),
        fixed(s.designPue, 3),
        fixed(s.wueLPerKwh, 2),
        fixed(s.gridCarbonGPerKWh, 0),
        fixed(s.electricityUsdPerKWh, 3),
        fixed(s.itMwAtEnd, 0),
      ]),
    ),
    "",
    "Years",
    table(
      ["year", "accelerators", "energy GWh", "CO2 kt", "water ML", "capex", "depreciation", "opex"],
      r.years.map((y) => [
        String(y.year),
        n0(y.installedAtEnd),
        fixed(y.energyGWh, 1),
        fixed(y.co2Tonnes / 1000, 1),
        fixed(y.waterM3 / 1000, 1),
        usd(y.capexUsd),
        usd(y.depreciationUsd),
        usd(y.opexUsd),
      ]),
    ),
    "",
  );
  return out;
}

/** Cost per accelerator-hour, capex, the supply yields and what one more unit of each input buys. */
function costSection(r: PlanResult): string[] {
  const out: string[] = [];
  const c = r.costPerGpuHour;
  const k = r.capex;
  out.push(
    `Cost per accelerator-hour: $${fixed(c.total, 2)} = hardware ${fixed(c.hardware, 3)} + facility ${fixed(c.facility, 3)} + energy ${fixed(c.energy, 3)} + maintenance ${fixed(c.maintenance, 3)} + staff ${fixed(c.staff, 3)} + network ${fixed(c.network, 3)}`,
    `Capex per accelerator: ${usd(k.total)} = system ${usd(k.system)} + network ${usd(k.network)} + storage ${usd(k.storage)} + facility ${usd(k.facility)}  (price: ${k.priceSource})`,
    `Supply: ${fixed(r.supply.stacksPerWafer, 1)} good HBM stacks per DRAM wafer (die ${fixed(r.supply.hbmDieAreaMm2, 0)} mm²); ${fixed(r.supply.packagesPerWafer, 1)} packages per CoWoS wafer (interposer ${fixed(r.supply.interposerMm2, 0)} mm²)`,
    "",
    "What one more unit of each input buys",
    table(
      ["input", "capacity (accelerator-quarters)", "installed (accelerator-quarters)", "shortfall removed"],
      r.sensitivity.map((s) => [
        s.input,
        n0(s.capacityQuarters),
        n0(s.acceleratorQuarters),
        n0(s.shortfallRemoved),
      ]),
    ),
    "",
  );
  return out;
}

/** How concentrated the HBM contracts are, and what losing each supplier would cost. */
function concentrationSection(r: PlanResult): string[] {
  const c = r.concentration;
  const shares = (x: Readonly<Record<string, number>>) =>
    Object.entries(x)
      .map(([k, v]) => `${k} ${pct(v)}`)
      .join(", ");
  return [
    `Supply concentration: HBM by vendor HHI ${n0(c.hbmVendorHhi)} (${shares(c.hbmByVendor)}); by the vendors' home countries HHI ${n0(c.countryHhi)} (${shares(c.byCountry)})`,
    "",
    "If one supplier delivered nothing from the first quarter",
    table(
      ["supplier", "added shortfall (accelerator-quarters)", "delay to the plan's final fleet"],
      r.supplierLoss.map((x) => [
        x.supplier,
        n0(x.shortfallAcceleratorQuarters),
        x.delayQuarters === null ? "not reached in the plan" : `${x.delayQuarters} quarter(s)`,
      ]),
      [false, true, false],
    ),
    "",
  ];
}

/** The scenario's events and the shortfall each causes (the plan with it against the plan without it). */
function eventsSection(r: PlanResult): string[] {
  if (r.events.length === 0) return [];
  return [
    "Events",
    table(
      [
        "quarter",
        "event",
        "added shortfall (accelerator-quarters)",
        "fleet lost (accelerator-quarters)",
        "delay to the final fleet",
      ],
      r.events.map((e) => [
        e.quarter,
        e.kind,
        n0(e.shortfallAcceleratorQuarters),
        n0(e.lostAcceleratorQuarters),
        e.delayQuarters === null ? "not reached in the plan" : `${e.delayQuarters} quarter(s)`,
      ]),
      [false, false, true, true, false],
    ),
    "",
  ];
}

/** Energy per training run and per million tokens by part, the HBM share, and the HBM what-if. */
function energySection(r: PlanResult): string[] {
  const e = r.energy;
  const sh = (x: PlanResult["energy"]["shares"]) =>
    `compute ${pct(x.compute)}, HBM ${pct(x.hbm)}, network ${pct(x.network)}, static and rest of server ${pct(x.other)}, facility ${pct(x.facility)}`;
  const kwh = (x: number | null) => (x === null ? "-" : fixed(x, 3));
  const mwh = (x: number | null) => (x === null ? "-" : n0(x));
  return [
    `Energy by part (bottom-up: FLOPs × pJ/FLOP, HBM bytes × ${fixed(e.hbmPjPerBit, 2)} pJ/bit, link bytes × pJ/bit, static and server power × time, PUE)`,
    ...e.runs.map(
      (x) =>
        `  training ${x.name}: ${n0(x.mwh)} MWh (top-down ${n0(x.topDownMwh)} MWh) — ${sh(x.shares)}${x.withinTdp ? "" : " — exceeds TDP × time"}`,
    ),
    ...e.services.map(
      (x) =>
        `  serving ${x.name}: ${fixed(x.kwhPerMillionTokens, 3)} kWh per million output tokens — ${sh(x.shares)}${x.withinTdp ? "" : " — exceeds TDP × time"}`,
    ),
    `  the plan (its runs and a year of serving at the final rate): ${sh(e.shares)}`,
    `  with HBM at ${fixed(e.hbmWhatIf.pjPerBit, 2)} pJ/bit: ${kwh(e.hbmWhatIf.kwhPerMillionTokens)} kWh per million tokens (now ${kwh(e.kwhPerMillionTokens)}), ${mwh(e.hbmWhatIf.mwhPerTrainingRun)} MWh for the first run (now ${mwh(e.mwhPerTrainingRun)})`,
    "",
  ];
}

/** Each region's share of the demand and its own shortfall, and the rule's cost against no rule. */
function regionsSection(r: PlanResult): string[] {
  const g = r.regions;
  if (g === null) return [];
  const added = g.shortfallWithRule - g.shortfallWithoutRule;
  return [
    "Regions (demand that may use only sites in its country)",
    table(
      ["region", "sites", "share of demand", "IT MW at end", "regional shortfall (accelerator-quarters)"],
      g.regions.map((x) => [
        x.region,
        x.sites.join(", ") || "none",
        pct(x.demandShare),
        fixed(x.itMwAtEnd, 0),
        n0(x.shortfallAcceleratorQuarters),
      ]),
      [false, false, true, true, true],
    ),
    `  the rule costs ${n0(added)} accelerator-quarters of shortfall (${n0(g.shortfallWithRule)} with it, ${n0(g.shortfallWithoutRule)} if every demand could use any site)`,
    "",
  ];
}

/** What the budget bought, by when, what held it, and its capex per GW beside the published figures. */
function budgetSection(r: PlanResult): string[] {
  const b = r.budget;
  if (b === null) return [];
  const g = b.costPerGw;
  return [
    `Budget: ${usd(b.capexUsd)} from ${b.from}${b.perQuarterUsd !== null ? `, at most ${usd(b.perQuarterUsd)} a quarter` : ""} (${usd(b.unitCapexUsd)} an accelerator with its share of the facility)`,
    `  bought ${n0(b.accelerators)} accelerators, ${fixed(b.itMw, 0)} MW IT, for ${usd(b.spentUsd)}; first shortfall against the stated demand: ${b.firstShortfallQuarter ?? "none"}`,
    `  what held the fleet: ${b.limits.map((l) => `${l.from === l.to ? l.from : `${l.from}–${l.to}`} ${NAME[l.constraint] ?? l.constraint}`).join("; ")}`,
    `  the stated demand needs ${usd(b.neededCapexUsd)} (its peak accelerators × ${usd(b.unitCapexUsd)})`,
    ...b.servingTokensPerDay.map(
      (x) =>
        `  serving ${x.name} on the whole fleet: ${(x.tokensPerDay / 1e9).toFixed(1)} billion output tokens a day`,
    ),
    ...b.trainingRuns.map(
      (t) =>
        `  training run ${t.name} (${n0(t.gpus)} accelerators): ${t.firstQuarter ?? "not within the plan"}`,
    ),
    `  capex per GW: ${usd(g.itUsdPerGw)} per GW of IT, ${usd(g.facilityUsdPerGw)} per GW of facility power at the design PUE — ${g.position} the published ${usd(g.bracket[0])}–${usd(g.bracket[1])}:`,
    ...g.published.map(
      (p) =>
        `    ${p.lowUsdPerGw === p.highUsdPerGw ? usd(p.lowUsdPerGw) : `${usd(p.lowUsdPerGw)}–${usd(p.highUsdPerGw)}`} ${p.what} (${p.year}, ${p.confidence}; ${p.source})`,
    ),
    "",
  ];
}

/** The candidate accelerators under the same demand, sites and contracts. */
function candidatesSection(o: PlanOutcome): string[] {
  const out: string[] = [];
  if (o.candidates.length > 0) {
    out.push(
      "Candidates (same demand, sites and contracts)",
      table(
        [
          "accelerator",
          "demand met",
          "peak fleet",
          "first shortfall",
          "$/GPU-h",
          "capex",
          "IT MW at end",
          "training accelerators",
        ],
        o.candidates.map((x) =>
          x.error !== undefined
            ? [x.accelerator, x.error, "", "", "", "", "", ""]
            : [
                x.accelerator,
                x.demandMet ? "yes" : "no",
                n0(x.peakAccelerators ?? 0),
                x.firstShortfall ?? "-",
                fixed(x.usdPerGpuHour ?? 0, 2),
                usd(x.capexUsd ?? 0),
                fixed(x.itMwAtEnd ?? 0, 0),
                (x.trainingGpus ?? []).map(n0).join(", "),
              ],
        ),
      ),
      "",
    );
  }
  return out;
}

/** Every assumption and catalog figure used, or a pointer to --assumptions. */
function assumptionsSection(o: PlanOutcome, withAssumptions: boolean): string[] {
  const out: string[] = [];
  if (withAssumptions) {
    const used = assumptionsUsed(o);
    out.push(
      "Assumptions",
      table(
        ["parameter", "value", "unit", "source"],
        Object.entries(used).map(([key, v]) => [
          key,
          String(Number(v.value.toPrecision(6))),
          v.unit,
          v.overridden ? "set by the scenario" : v.source,
        ]),
        [false, true, false, false],
      ),
      "",
      "Catalog figures used",
      ...Object.entries(sourcesUsed(o)).map(([key, s]) => `  ${key}: ${s}`),
      "",
    );
  } else out.push("(--assumptions lists every parameter with its source)", "");
  return out;
}

export function planReport(o: PlanOutcome, withAssumptions = false): string {
  const r = o.result;
  const first = r.quarters[0]?.quarter ?? "";
  const last = r.quarters[r.quarters.length - 1]?.quarter ?? "";
  const out: string[] = [];
  out.push(
    `${r.name}: plan ${first}–${last} on ${r.accelerator} (${r.power.system}: ${fixed(r.power.kwPerAccelerator, 2)} kW IT per accelerator with fabric; ${fixed(r.power.rackKw, 0)} kW racks, ${r.power.cooling}-cooled)`,
    "",
    "Bottlenecks",
    ...r.narrative.map((l) => `  - ${l}`),
    "",
  );
  out.push(
    ...trainingSection(r),
    ...inferenceSection(r),
    ...checkedSection(o),
    ...fleetSection(r),
    ...shortfallSection(r),
    ...sitesAndYearsSection(r),
    ...costSection(r),
    ...energySection(r),
    ...concentrationSection(r),
    ...eventsSection(r),
    ...regionsSection(r),
    ...budgetSection(r),
    ...candidatesSection(o),
    ...assumptionsSection(o, withAssumptions),
  );
  return out.join("\n");
}

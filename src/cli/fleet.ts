import { stringify } from "yaml";
import type { Catalog } from "../catalog/index.js";
import type { TraceFit } from "../fleet/fit.js";
import { type FleetResult, simulateFleet } from "../fleet/sim.js";
import { type ResolvedFleet, resolveFleetScenario, type TraceJob } from "../scenario/fleet.js";
import { fixed, pct, table } from "./format.js";
import { type ChartSpec, htmlPage, type PageView } from "./html.js";

export interface FleetOutcome {
  readonly resolved: ResolvedFleet;
  readonly result: FleetResult;
  /** Wall-clock seconds the simulation took (measured by the interface, not the model). */
  readonly wallS: number;
}

export function runFleet(
  data: unknown,
  catalog: Catalog,
  trace: readonly TraceJob[],
  clock: () => number,
  progress?: (fraction: number) => void,
  perfCache?: Map<string, unknown>,
): FleetOutcome {
  const resolved = resolveFleetScenario(data, catalog, trace, perfCache);
  const t0 = clock();
  const result = simulateFleet(resolved.input, progress);
  return { resolved, result, wallS: clock() - t0 };
}

export function fleetJson(o: FleetOutcome): Record<string, unknown> {
  const i = o.resolved.input;
  return {
    name: o.resolved.name,
    accelerator: o.resolved.accelerator,
    pools: o.resolved.pools,
    domains: i.domains,
    domainSize: i.domainSize,
    podDomains: i.podDomains ?? null,
    scheduler: i.scheduler.id,
    placement: i.placement,
    borrowing: i.borrowing,
    defragment: i.defragment != null,
    checkpointIntervalMinutes: i.failures !== null ? i.failures.checkpointIntervalS / 60 : null,
    notes: o.resolved.notes,
    assumptions: o.resolved.assumptions,
    ...o.result,
    eventsPerS: o.wallS > 0 ? o.result.events / o.wallS : null,
    transitionsPerS: o.wallS > 0 ? o.result.transitions / o.wallS : null,
  };
}

const n0 = (x: number) => Math.round(x).toLocaleString("en-US");
const p3 = (p: { p50: number; p90: number; p99: number }) =>
  `${fixed(p.p50, 2)} / ${fixed(p.p90, 2)} / ${fixed(p.p99, 2)}`;

/** The findings in a few sentences. */
export function fleetSummary(o: FleetOutcome): string[] {
  const r = o.result;
  const out = [
    `Utilisation ${pct(r.utilisation.busy)} of ${n0(r.accelerators)} accelerators (${pct(r.utilisation.up)} up); goodput ${pct(r.goodput.goodput)} after ${n0(r.goodput.interruptions)} interruptions from ${n0(r.goodput.failures)} failures.`,
  ];
  const over = r.partners.filter((p) => p.share > p.quotaShare * 1.05);
  if (over.length > 0)
    out.push(
      `Borrowing: ${over.map((p) => `${p.name} used ${pct(p.share)} against a ${pct(p.quotaShare)} quota`).join("; ")}.`,
    );
  const slow = r.kinds.filter((k) => k.waitH.p90 > 1);
  for (const k of slow)
    out.push(`${k.kind} jobs wait: p90 ${fixed(k.waitH.p90, 1)} h, p99 ${fixed(k.waitH.p99, 1)} h.`);
  for (const s of r.services)
    if (s.servedFraction < 0.99) out.push(`Service ${s.name} served ${pct(s.servedFraction)} of its demand.`);
  if (r.pendingAtEnd > 0) out.push(`${n0(r.pendingAtEnd)} jobs still queued at the end.`);
  return out;
}

/** Every default the run used with its source, or a pointer to --assumptions. */
function fleetAssumptionsText(o: FleetOutcome, withAssumptions: boolean): string[] {
  if (!withAssumptions) return ["(--assumptions lists every default with its source)"];
  return [
    "Assumptions (every default the run used, with its source)",
    ...o.resolved.assumptions.flatMap((x) => [
      `  ${x.parameter.trimStart().startsWith("assumption:") || x.parameter.startsWith("  ") ? "  " : ""}${x.parameter.trim()} = ${x.value}${x.unit !== "" ? ` ${x.unit}` : ""}`,
      `      ${x.source}`,
    ]),
  ];
}

export function fleetReport(o: FleetOutcome, withAssumptions = false): string {
  const r = o.result;
  const i = o.resolved.input;
  const pod = o.resolved.scenario.fleet.pod;
  const lines = [
    `${o.resolved.name}: ${
      o.resolved.pools.length > 1
        ? o.resolved.pools.map((p) => `${n0(p.count)} × ${p.accelerator}`).join(" + ")
        : `${n0(r.accelerators)} × ${o.resolved.accelerator}`
    } (${i.domains} domains${o.resolved.pools.length > 1 ? "" : ` of ${i.domainSize}`}${pod !== undefined ? `, pods of ${n0(pod.accelerators)} accelerators at ${pod.oversubscription}:1 between pods` : ""}), ${fixed(r.horizonDays, 0)} days; scheduler ${i.scheduler.id}, ${i.placement} placement, borrowing ${i.borrowing ? "on" : "off"}, defragmentation ${i.defragment != null ? "on" : "off"}, failures ${i.failures !== null ? "on" : "off"}`,
    ...o.resolved.notes.map((n) => `  note: ${n}`),
    "",
    ...fleetSummary(o).map((l) => `  - ${l}`),
    "",
    "Partners (share of accelerator-hours used, against quota and weight shares; queue waits of jobs other than replicas)",
    table(
      [
        "partner",
        "quota",
        "weight",
        "accelerator-hours",
        "share",
        "quota share",
        "weight share",
        "wait h p50/p90/p99",
      ],
      r.partners.map((p) => [
        p.name,
        n0(p.quota),
        fixed(p.weight, 1),
        n0(p.acceleratorHours),
        pct(p.share),
        pct(p.quotaShare),
        pct(p.weightShare),
        p3(p.waitH),
      ]),
    ),
    "",
    "Jobs (hours: p50 / p90 / p99)",
    table(
      ["kind", "submitted", "completed", "queue wait h", "completion time h"],
      r.kinds.map((k) => [
        k.kind,
        n0(k.submitted),
        n0(k.completed),
        p3(k.waitH),
        k.completed > 0 ? p3(k.jctH) : "-",
      ]),
    ),
    "",
  ];
  if (r.services.length > 0)
    lines.push(
      "Inference services",
      table(
        ["service", "served", "time within SLO", "mean replicas", "peak replicas"],
        r.services.map((s) => [
          s.name,
          pct(s.servedFraction, 2),
          pct(s.sloTimeFraction, 1),
          fixed(s.meanReplicas, 0),
          n0(s.peakReplicas),
        ]),
      ),
      "",
    );
  if (r.sites.length > 1)
    lines.push(
      "Sites (a job runs inside one site)",
      table(
        ["site", "accelerators", "busy", "up", "PUE", "facility MWh", "t CO2"],
        r.sites.map((x) => [
          x.name,
          o.resolved.pools.length > 1
            ? `${n0(x.accelerators)} × ${x.accelerator ?? "?"}`
            : n0(x.accelerators),
          pct(x.busy),
          pct(x.up),
          fixed(x.pue, 3),
          n0(x.facilityMWh),
          n0(x.co2Tonnes),
        ]),
      ),
      "",
    );
  const g = r.goodput;
  const causes = Object.entries(g.byCause)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([c, n]) => `${c} ${n0(n)}`)
    .join(", ");
  lines.push(
    `Goodput ${pct(g.goodput)}: ${n0(g.usefulAccH)} useful of ${n0(g.allocatedAccH)} allocated accelerator-hours; ${n0(g.lostAccH)} lost to interruptions; ${n0(g.preemptions)} preemptions; ${n0(g.migrations)} jobs moved to defragment`,
    `Failures ${n0(g.failures)}, job interruptions ${n0(g.interruptions)}, inference replica restarts ${n0(g.replicaRestarts)}${causes !== "" ? ` (top causes: ${causes})` : ""}${i.failures !== null ? `; checkpoint every ${fixed(i.failures.checkpointIntervalS / 60, 1)} min` : ""}`,
    `Energy: ${n0(r.energy.itMWh)} MWh IT, ${n0(r.energy.facilityMWh)} MWh facility (PUE ${fixed(r.energy.facilityMWh / Math.max(1e-9, r.energy.itMWh), 3)}), ${n0(r.energy.co2Tonnes)} t CO2, mean IT ${fixed(r.energy.meanItMw, 1)} MW, peak IT ${fixed(r.energy.peakItMw, 1)} MW (facility ${fixed(r.energy.peakFacilityMw, 1)} MW)`,
    `Simulated ${n0(r.events)} events and ${n0(r.transitions)} job starts/stops in ${fixed(o.wallS, 2)} s (${n0(r.events / Math.max(1e-9, o.wallS))} events/s, ${n0(r.transitions / Math.max(1e-9, o.wallS))} starts+stops/s)`,
    ...outcomesText(r),
    "",
    ...fleetAssumptionsText(o, withAssumptions),
    "",
  );
  return lines.join("\n");
}

/** Jobs that ended by outcome, when some fail or are cancelled (a trace preset). */
function outcomesText(r: FleetResult): string[] {
  const o = r.outcomes;
  if (o === undefined) return [];
  const jobs = o.completed.jobs + o.failed.jobs + o.cancelled.jobs;
  const accH = o.completed.accH + o.failed.accH + o.cancelled.accH;
  const part = (name: string, x: { jobs: number; accH: number }) =>
    `${name} ${n0(x.jobs)} (${pct(x.jobs / Math.max(1, jobs))} of jobs, ${pct(x.accH / Math.max(1e-9, accH))} of their accelerator-hours)`;
  return [
    `Ended: ${part("completed", o.completed)}, ${part("failed", o.failed)}, ${part("cancelled", o.cancelled)}`,
  ];
}

function charts(o: FleetOutcome): ChartSpec[] {
  const r = o.result;
  const sites: ChartSpec[] =
    r.sites.length > 1
      ? [
          {
            id: "chart-sites",
            caption: "Sites: share of accelerators busy and up",
            kind: "bar",
            data: {
              labels: r.sites.map((x) =>
                x.accelerator !== undefined ? `${x.name} (${x.accelerator})` : x.name,
              ),
              series: [
                { name: "busy", values: r.sites.map((x) => x.busy) },
                { name: "up", values: r.sites.map((x) => x.up) },
              ],
            },
          },
        ]
      : [];
  return [
    {
      id: "chart-utilisation",
      caption: "Utilisation over time (share of the fleet)",
      kind: "line",
      data: {
        labels: r.utilisation.samples.map((s) => `d${Math.round(s.day)}`),
        series: [
          { name: "busy", values: r.utilisation.samples.map((s) => s.busy) },
          { name: "up", values: r.utilisation.samples.map((s) => s.up), dashed: true },
        ],
      },
    },
    {
      id: "chart-power",
      caption: "IT power at each snapshot (MW)",
      kind: "line",
      data: {
        labels: r.utilisation.samples.map((s) => `d${Math.round(s.day)}`),
        series: [{ name: "IT MW", values: r.utilisation.samples.map((s) => s.itMw) }],
      },
    },
    ...sites,
    {
      id: "chart-partners",
      caption: "Partners: share used against quota and weight",
      kind: "bar",
      data: {
        labels: r.partners.map((p) => p.name),
        series: [
          { name: "share used", values: r.partners.map((p) => p.share) },
          { name: "quota share", values: r.partners.map((p) => p.quotaShare) },
          { name: "weight share", values: r.partners.map((p) => p.weightShare) },
        ],
      },
    },
    {
      id: "chart-waits",
      caption: "Queue wait by job kind (hours)",
      kind: "bar",
      data: {
        labels: r.kinds.map((k) => k.kind),
        series: [
          { name: "p50", values: r.kinds.map((k) => k.waitH.p50) },
          { name: "p90", values: r.kinds.map((k) => k.waitH.p90) },
          { name: "p99", values: r.kinds.map((k) => k.waitH.p99) },
        ],
      },
    },
    {
      id: "chart-causes",
      caption: "Job interruptions by cause",
      kind: "bar",
      data: {
        labels: Object.keys(r.goodput.byCause),
        series: [{ name: "interruptions", values: Object.values(r.goodput.byCause) }],
      },
    },
  ];
}

/** The fleet's page: its summary, charts and text report. */
export function fleetView(o: FleetOutcome): PageView {
  return { title: o.resolved.name, bullets: fleetSummary(o), charts: charts(o), report: fleetReport(o) };
}

export function fleetHtml(o: FleetOutcome): string {
  return htmlPage({ ...fleetView(o), data: fleetJson(o) });
}

const sig = (x: number) => Number(x.toPrecision(3));

/** A trace fit: per tenant and size class, the fitted streams against the trace; then a partners: block. */
export function fitReport(fit: TraceFit, file: string): string {
  const jobs = fit.tenants.reduce((s, t) => s + t.jobs, 0);
  const lines = [
    `${file}: ${n0(jobs)} jobs of ${fit.tenants.length} tenants over ${fixed(fit.days, 1)} days, fitted per tenant and size class (Poisson arrivals with a daily cycle, lognormal run times by maximum likelihood)`,
    "",
    table(
      [
        "tenant",
        "sizes",
        "jobs",
        "per day",
        "daily swing",
        "peak hour",
        "median h",
        "sigma",
        "mean h trace/fit",
        "p90 h trace/fit",
      ],
      fit.tenants.flatMap((t) =>
        t.streams.map((st) => [
          t.name,
          st.sizes.map((z) => z.accelerators).join(","),
          n0(st.jobs),
          fixed(st.perDay, 2),
          fixed(st.amplitude, 2),
          fixed(st.peakHour, 1),
          fixed(st.medianHours, 3),
          fixed(st.sigma, 2),
          `${fixed(st.traceMeanHours, 2)} / ${fixed(st.fitMeanHours, 2)}`,
          `${fixed(st.traceP90Hours, 2)} / ${fixed(st.fitP90Hours, 2)}`,
        ]),
      ),
    ),
    "",
    "# For a fleet scenario (add quotas and weights; kind: eval for jobs that do not checkpoint):",
    stringify(
      {
        partners: fit.tenants.map((t) => ({
          name: t.name,
          workloads: t.streams.map((st) => ({
            kind: "finetune",
            perDay: sig(st.perDay),
            amplitude: Number(st.amplitude.toFixed(2)),
            peakHour: Number(st.peakHour.toFixed(1)),
            sizes: st.sizes,
            medianHours: sig(st.medianHours),
            sigma: sig(st.sigma),
          })),
        })),
      },
      { lineWidth: 110 },
    ).trimEnd(),
    "",
  ];
  return lines.join("\n");
}

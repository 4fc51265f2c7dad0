import type { PlanResult } from "../plan/plan.js";
import { type ChartSpec, htmlPage, type PageView } from "./html.js";
import { type PlanOutcome, planJson, planReport } from "./plan.js";

/** Fleet against its inputs, power, monthly PUE by site, cost per accelerator-hour, energy by part. */
function fleetAndSiteCharts(r: PlanResult, labels: readonly string[]): ChartSpec[] {
  return [
    {
      id: "chart-fleet",
      caption: "Fleet: demand, installed, and what each input allows",
      kind: "line",
      data: {
        labels,
        series: [
          { name: "demand", values: r.quarters.map((q) => q.demand) },
          { name: "installed", values: r.quarters.map((q) => q.installed) },
          { name: "HBM allows", values: r.quarters.map((q) => q.allows.hbm), dashed: true },
          { name: "CoWoS allows", values: r.quarters.map((q) => q.allows.packaging), dashed: true },
          { name: "power allows", values: r.quarters.map((q) => q.power), dashed: true },
        ],
      },
    },
    {
      id: "chart-power",
      caption: "Power by quarter (MW)",
      kind: "bar",
      data: {
        labels,
        series: [
          { name: "IT MW provisioned", values: r.quarters.map((q) => q.itMw) },
          { name: "facility MW (mean draw)", values: r.quarters.map((q) => q.facilityMw) },
          { name: "IT MW available", values: r.quarters.map((q) => q.itMwAvailable) },
        ],
      },
    },
    {
      id: "chart-pue",
      caption: "Monthly PUE by site",
      kind: "line",
      data: {
        labels: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        series: r.sites.map((s) => ({
          name: `${s.site} (${s.cooling}, ${s.heatRejection})`,
          values: s.monthlyPue,
        })),
      },
    },
    {
      id: "chart-cost",
      caption: "Cost per accelerator-hour by cause ($)",
      kind: "bar",
      data: {
        labels: ["hardware", "facility", "energy", "maintenance", "staff", "network"],
        series: [
          {
            name: "$ per accelerator-hour",
            values: [
              r.costPerGpuHour.hardware,
              r.costPerGpuHour.facility,
              r.costPerGpuHour.energy,
              r.costPerGpuHour.maintenance,
              r.costPerGpuHour.staff,
              r.costPerGpuHour.network,
            ],
          },
        ],
      },
    },
    {
      id: "chart-energy",
      caption: "Energy by part: each training run and a million served tokens (share)",
      kind: "bar",
      data: {
        labels: ["compute", "HBM", "network", "static and rest of server", "facility"],
        series: [
          ...r.energy.runs.map((x) => ({
            name: `training ${x.name}`,
            values: [x.shares.compute, x.shares.hbm, x.shares.network, x.shares.other, x.shares.facility],
          })),
          ...r.energy.services.map((x) => ({
            name: `serving ${x.name}`,
            values: [x.shares.compute, x.shares.hbm, x.shares.network, x.shares.other, x.shares.facility],
          })),
        ],
      },
    },
  ];
}

/** Capex/opex by year, HBM concentration, supplier loss, and events, regions and the budget where present. */
function moneyAndSupplyCharts(r: PlanResult, labels: readonly string[]): ChartSpec[] {
  return [
    {
      id: "chart-years",
      caption: "Capex and opex by year ($M)",
      kind: "bar",
      data: {
        labels: r.years.map((y) => String(y.year)),
        series: [
          { name: "capex $M", values: r.years.map((y) => y.capexUsd / 1e6) },
          { name: "opex $M", values: r.years.map((y) => y.opexUsd / 1e6) },
        ],
      },
    },
    {
      id: "chart-concentration",
      caption: `Contracted HBM by vendor (share; HHI ${Math.round(r.concentration.hbmVendorHhi)})`,
      kind: "bar",
      data: {
        labels: Object.keys(r.concentration.hbmByVendor),
        series: [
          { name: "share of contracted HBM wafers", values: Object.values(r.concentration.hbmByVendor) },
        ],
      },
    },
    {
      id: "chart-supplier-loss",
      caption: "If one supplier delivered nothing: added shortfall (accelerator-quarters)",
      kind: "bar",
      data: {
        labels: r.supplierLoss.map((x) => x.supplier),
        series: [
          { name: "added shortfall", values: r.supplierLoss.map((x) => x.shortfallAcceleratorQuarters) },
        ],
      },
    },
    ...(r.events.length > 0
      ? [
          {
            id: "chart-events",
            caption: "Events: the shortfall each adds (accelerator-quarters)",
            kind: "bar" as const,
            data: {
              labels: r.events.map((e) => `${e.quarter} ${e.kind}`),
              series: [
                { name: "added shortfall", values: r.events.map((e) => e.shortfallAcceleratorQuarters) },
              ],
            },
          },
        ]
      : []),
    ...(r.regions !== null
      ? [
          {
            id: "chart-regions",
            caption:
              "Regions: share of the demand, and the shortfall of the region's own sites (accelerator-quarters)",
            kind: "bar" as const,
            data: {
              labels: r.regions.regions.map((x) => x.region),
              series: [
                { name: "share of demand %", values: r.regions.regions.map((x) => 100 * x.demandShare) },
                {
                  name: "regional shortfall (thousand accelerator-quarters)",
                  values: r.regions.regions.map((x) => x.shortfallAcceleratorQuarters / 1000),
                },
              ],
            },
          },
        ]
      : []),
    ...(r.budget !== null
      ? [
          {
            id: "chart-budget",
            caption: "Budget: money available and the capex of the fleet bought ($B)",
            kind: "line" as const,
            data: {
              labels,
              series: [
                {
                  name: "available $B",
                  values: r.budget.byQuarter.map((q) => q.availableUsd / 1e9),
                  dashed: true,
                },
                { name: "spent $B", values: r.budget.byQuarter.map((q) => q.spentUsd / 1e9) },
              ],
            },
          },
        ]
      : []),
  ];
}

/**
 * The plan's charts: fleet against its inputs, power, monthly PUE, cost per hour, energy by part,
 * capex/opex, HBM concentration, single-supplier loss, the events' shortfalls when there are events, the
 * regions' shares and shortfalls when a demand states one, and the budget's spending when there is one.
 */
function charts(o: PlanOutcome): ChartSpec[] {
  const labels = o.result.quarters.map((q) => q.quarter);
  return [...fleetAndSiteCharts(o.result, labels), ...moneyAndSupplyCharts(o.result, labels)];
}

/** The plan's page: its narrative, charts and text report (with the assumptions it used). */
export function planView(o: PlanOutcome): PageView {
  return {
    title: o.result.name,
    bullets: o.result.narrative,
    charts: charts(o),
    report: planReport(o, true),
  };
}

/** A self-contained HTML report: the text report, and its charts drawn by the inline charts script. */
export function planHtml(o: PlanOutcome): string {
  return htmlPage({ ...planView(o), data: planJson(o) });
}

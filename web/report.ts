import type { ChartSpec } from "../src/cli/chart-spec.js";
import { drawChart } from "./charts.js";

/**
 * The script a self-contained HTML page carries (an `--html` report, a run's HTML download): it draws the
 * page's charts from the JSON in #report-data with the workbench's drawing code, then says how many it drew
 * (body[data-charts-drawn]).
 */
const data = JSON.parse(document.getElementById("report-data")?.textContent ?? "{}") as {
  charts?: ChartSpec[];
};
for (const spec of data.charts ?? []) {
  const host = document.getElementById(spec.id);
  if (host !== null) drawChart(host, spec);
}
document.body.dataset["chartsDrawn"] = String(document.querySelectorAll("svg[data-chart]").length);

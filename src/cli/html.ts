/** Self-contained HTML reports: charts drawn as SVG by an inline script from embedded data. */

export interface ChartSpec {
  readonly id: string;
  readonly caption: string;
  readonly kind: "line" | "bar";
  readonly data: {
    readonly labels: readonly string[];
    readonly series: readonly {
      readonly name: string;
      readonly values: readonly number[];
      readonly dashed?: boolean;
    }[];
  };
}

export const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const SCRIPT = `
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];
const NS = "http://www.w3.org/2000/svg";
function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}
function fmt(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
  if (a >= 1e3) return (v / 1e3).toFixed(a >= 1e4 ? 0 : 1) + "k";
  return a >= 10 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}
function frame(id, data, kind) {
  const host = document.getElementById(id);
  const W = 720, H = 300, L = 64, R = 16, T = 16, B = 64;
  const svg = el("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img", "data-chart": id }, host);
  const all = data.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  let lo = kind === "line" ? Math.min(...all) : 0;
  let hi = Math.max(...all, 0);
  if (kind === "line" && lo > 0 && lo / (hi || 1) > 0.5) lo = lo * 0.98; else lo = Math.min(lo, 0);
  if (hi === lo) hi = lo + 1;
  const x = (i) => L + ((W - L - R) * (kind === "line" ? i / Math.max(1, data.labels.length - 1) : (i + 0.5) / data.labels.length));
  const y = (v) => T + (H - T - B) * (1 - (v - lo) / (hi - lo));
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#ddd" }, svg);
    el("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 11 }, svg).textContent = fmt(v);
  }
  data.labels.forEach((lab, i) => {
    const t = el("text", { x: x(i), y: H - B + 16, "text-anchor": "middle", "font-size": 10 }, svg);
    t.textContent = lab;
  });
  return { svg, x, y, W, H, L, B };
}
function legend(f, data) {
  data.series.forEach((s, k) => {
    const lx = f.L + (k % 3) * 220, ly = f.H - 24 + Math.floor(k / 3) * 14;
    el("rect", { x: lx, y: ly - 9, width: 10, height: 10, fill: COLORS[k % COLORS.length] }, f.svg);
    el("text", { x: lx + 14, y: ly, "font-size": 11 }, f.svg).textContent = s.name;
  });
}
function lineChart(id, data) {
  const f = frame(id, data, "line");
  data.series.forEach((s, k) => {
    const d = s.values.map((v, i) => (i === 0 ? "M" : "L") + f.x(i).toFixed(1) + "," + f.y(v).toFixed(1)).join(" ");
    el("path", { d, fill: "none", stroke: COLORS[k % COLORS.length], "stroke-width": 2, "stroke-dasharray": s.dashed ? "5,4" : "none", "data-series": s.name }, f.svg);
  });
  legend(f, data);
}
function barChart(id, data) {
  const f = frame(id, data, "bar");
  const n = data.series.length, slot = (f.W - 80) / data.labels.length, w = (slot * 0.8) / n;
  data.series.forEach((s, k) => {
    s.values.forEach((v, i) => {
      const x0 = f.x(i) - (slot * 0.8) / 2 + k * w;
      el("rect", { x: x0, y: Math.min(f.y(v), f.y(0)), width: Math.max(1, w - 1), height: Math.abs(f.y(0) - f.y(v)), fill: COLORS[k % COLORS.length], "data-series": s.name }, f.svg);
    });
  });
  legend(f, data);
}
const DATA = JSON.parse(document.getElementById("report-data").textContent);
for (const c of DATA.charts) (c.kind === "line" ? lineChart : barChart)(c.id, c.data);
document.body.dataset.chartsDrawn = String(document.querySelectorAll("svg[data-chart]").length);
`;

/** A page: title, bullet points, charts, the text report, and the data (JSON) the charts came from. */
export function htmlPage(p: {
  readonly title: string;
  readonly bullets: readonly string[];
  readonly charts: readonly ChartSpec[];
  readonly report: string;
  readonly data: unknown;
}): string {
  const json = JSON.stringify({ charts: p.charts, data: p.data }).replace(/</g, "\\u003c");
  const title = esc(p.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title} — Stargate</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(720px, 1fr)); gap: 1rem; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .25rem; }
pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; font-size: 12px; }
</style>
</head>
<body>
<h1>${title}</h1>
<ul>${p.bullets.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>
<div class="charts">
${p.charts.map((c) => `<figure><figcaption>${esc(c.caption)}</figcaption><div id="${c.id}"></div></figure>`).join("\n")}
</div>
<h2>Report</h2>
<pre>${esc(p.report)}</pre>
<script type="application/json" id="report-data">${json}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

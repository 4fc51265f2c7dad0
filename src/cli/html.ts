import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ChartSpec, PageView } from "./chart-spec.js";

/**
 * Self-contained HTML pages (`--html` reports, a run's HTML download): the text report, and charts drawn
 * from the data embedded in the page by the charts script inlined beside it (the workbench's drawing
 * code), so a page needs nothing from the network.
 */
export type { ChartSpec, PageView };

export const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The charts script (web/report.ts bundled with Observable Plot by `npm run build`): beside this file's dist folder or under the package root. */
const CHARTS_JS = [
  fileURLToPath(new URL("../../report/charts.js", import.meta.url)),
  fileURLToPath(new URL("../../dist/report/charts.js", import.meta.url)),
].find((f) => existsSync(f));

let chartsScript: string | null = null;
/** The charts script, read once; `</script` written so that it cannot end the inline element early. */
export function chartsScriptText(): string {
  if (chartsScript === null) {
    if (CHARTS_JS === undefined)
      throw new Error("the charts script dist/report/charts.js is missing: run npm run build");
    chartsScript = readFileSync(CHARTS_JS, "utf8").replace(/<\/script/gi, "<\\/script");
  }
  return chartsScript;
}

/** The page's policy, computed once (the charts script does not change while the process runs). */
let csp: string | null = null;

/**
 * The page's content security policy: nothing from the network, no script but the charts script (by its
 * hash), inline styles (Plot styles its SVG inline). In the page itself, so a downloaded file keeps it.
 */
export function pageCsp(): string {
  if (csp === null) {
    const hash = createHash("sha256").update(chartsScriptText()).digest("base64");
    csp = `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:`;
  }
  return csp;
}

/** A page: title, bullet points, charts, the text report, and the data (JSON) the charts came from. */
export function htmlPage(p: PageView & { readonly data: unknown }): string {
  const json = JSON.stringify({ charts: p.charts, data: p.data }).replace(/</g, "\\u003c");
  const title = esc(p.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${pageCsp()}">
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
<script>${chartsScriptText()}</script>
</body>
</html>
`;
}

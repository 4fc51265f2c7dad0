import type { ChartSpec, PageView } from "../src/cli/chart-spec.js";
import { drawChart } from "./charts.js";
import { createEditor, type Problem } from "./editor.js";
import { createForm, type Kind, type ScenarioForm, type Schema } from "./form.js";

/**
 * The workbench page: pick or edit a scenario, run it through the API, watch its progress, see its charts
 * (the same the `--html` reports draw) and the whole result, download it, and come back to any run by its
 * URL (#RUN-ID).
 */

interface Example {
  readonly name: string;
  readonly kind: Kind;
  readonly yaml: string;
}
interface Run {
  readonly id: string;
  readonly kind: Kind;
  readonly status: string;
  readonly scenario: unknown;
  readonly result: Record<string, unknown> | null;
  readonly view: PageView | null;
  readonly error: { path: string; message: string } | null;
  readonly createdAt: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const examples = $<HTMLSelectElement>("examples");
const kind = $<HTMLSelectElement>("kind");
const problems = $<HTMLDivElement>("problems");
const progress = $<HTMLProgressElement>("progress");

/** The bearer token a server beyond loopback asks for (kept for this tab only). */
let token = sessionStorage.getItem("stargate-token") ?? "";

async function api<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const headers = {
    ...(init?.headers as Record<string, string> | undefined),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const r = await fetch(path, { ...init, headers });
  if (r.status === 401) {
    $("server").textContent = "this server is reachable beyond this machine: it asks for its token";
    $("token-form").hidden = false;
  }
  return { status: r.status, body: (r.status === 204 ? null : await r.json()) as T };
}

/** Leaves of a JSON value by dotted path (arrays of more than 24 items left out: series, not settings). */
function leaves(v: unknown, at = "", out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(v)) {
    if (v.length <= 24) for (const [i, c] of v.entries()) leaves(c, `${at}[${i}]`, out);
  } else if (v !== null && typeof v === "object") {
    for (const [k, c] of Object.entries(v)) leaves(c, at === "" ? k : `${at}.${k}`, out);
  } else out.set(at, v);
  return out;
}

const ticked = new Set<string>();

/** Two runs side by side: the inputs that differ, and every numeric output with its change. */
async function compare(): Promise<void> {
  const [a, b] = await Promise.all(
    [...ticked].slice(0, 2).map(async (id) => (await api<Run>(`/v1/runs/${id}`)).body),
  );
  if (a === undefined || b === undefined) return;
  const rows: HTMLTableRowElement[] = [];
  const row = (cls: string, cells: readonly string[]) => {
    const tr = document.createElement("tr");
    tr.className = cls;
    for (const c of cells) {
      const td = document.createElement("td");
      td.textContent = c;
      tr.append(td);
    }
    rows.push(tr);
  };
  const cell = (x: unknown) =>
    x === undefined ? "—" : typeof x === "number" ? String(Number(x.toPrecision(5))) : String(x);
  const inA = leaves(a.scenario);
  const inB = leaves(b.scenario);
  for (const path of new Set([...inA.keys(), ...inB.keys()]))
    if (inA.get(path) !== inB.get(path)) row("input", [path, cell(inA.get(path)), cell(inB.get(path)), ""]);
  const outA = leaves(a.result);
  const outB = leaves(b.result);
  for (const [path, x] of outA) {
    const y = outB.get(path);
    if (typeof x !== "number" || typeof y !== "number") continue;
    const change = x === 0 ? "" : ` (${(((y - x) / Math.abs(x)) * 100).toFixed(1)}%)`;
    row("output", [path, cell(x), cell(y), `${cell(y - x)}${change}`]);
  }
  $("compare-title").textContent =
    `Comparison: A = ${a.kind} ${a.id.slice(0, 8)}, B = ${b.kind} ${b.id.slice(0, 8)}`;
  $("compare-table")
    .querySelector("tbody")
    ?.replaceChildren(...rows);
  $("comparison").hidden = false;
}

async function listRuns(): Promise<void> {
  const filter = $<HTMLSelectElement>("filter").value;
  const { body } = await api<{ runs: Run[] }>(`/v1/runs${filter ? `?kind=${filter}` : ""}`);
  const list = $<HTMLUListElement>("runs");
  list.replaceChildren(
    ...body.runs.map((r) => {
      const li = document.createElement("li");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = ticked.has(r.id);
      box.setAttribute("aria-label", `compare ${r.id}`);
      box.addEventListener("change", () => {
        if (box.checked) ticked.add(r.id);
        else ticked.delete(r.id);
        $<HTMLButtonElement>("compare").disabled = ticked.size !== 2;
      });
      li.append(box);
      const a = document.createElement("a");
      a.href = `#${r.id}`;
      a.textContent = `${r.kind} · ${r.status} · ${r.createdAt.slice(11, 19)}`;
      li.append(a);
      return li;
    }),
  );
}

async function show(id: string): Promise<void> {
  const { status, body: run } = await api<Run>(`/v1/runs/${id}`);
  if (status !== 200) return;
  $("title").textContent = `${run.kind} run ${run.id.slice(0, 8)}: ${run.status}`;
  const chart = $("chart");
  const json = $("json");
  const download = $<HTMLAnchorElement>("download");
  if (run.status === "done" && run.result !== null) {
    chart.replaceChildren(...(run.view?.charts ?? []).map(figure));
    $("bullets").replaceChildren(
      ...(run.view?.bullets ?? []).map((b) => {
        const li = document.createElement("li");
        li.textContent = b;
        return li;
      }),
    );
    $<HTMLButtonElement>("download-html").hidden = run.view === null;
    $<HTMLButtonElement>("download-html").dataset["run"] = run.id;
    json.textContent = JSON.stringify(run.result, null, 2);
    download.href = URL.createObjectURL(
      new Blob([JSON.stringify(run.result, null, 2)], { type: "application/json" }),
    );
    download.download = `${run.kind}-${run.id}.json`;
    download.hidden = false;
    // Every leaf of the result as field,value rows (series of more than 24 points left to the JSON).
    const csv = [...leaves(run.result)].map(([k, v]) => `${k},${JSON.stringify(v ?? "")}`).join("\n");
    const csvLink = $<HTMLAnchorElement>("download-csv");
    csvLink.href = URL.createObjectURL(new Blob([`field,value\n${csv}\n`], { type: "text/csv" }));
    csvLink.download = `${run.kind}-${run.id}.csv`;
    csvLink.hidden = false;
  } else {
    chart.replaceChildren();
    $("bullets").replaceChildren();
    $("download-html").hidden = true;
    json.textContent = run.error !== null ? run.error.message : "";
    download.hidden = true;
    $("download-csv").hidden = true;
  }
}

/** A chart in its own figure, with its caption. */
function figure(spec: ChartSpec): HTMLElement {
  const f = document.createElement("figure");
  const caption = document.createElement("figcaption");
  caption.textContent = spec.caption;
  const host = document.createElement("div");
  f.append(caption, host);
  drawChart(host, spec);
  return f;
}

/** Save `blob` as `name` (a download the browser offers). */
function save(blob: Blob, name: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** The shown run as one self-contained HTML page (the server renders it; the token goes as a header). */
async function downloadHtml(): Promise<void> {
  const id = $("download-html").dataset["run"] ?? "";
  const r = await fetch(`/v1/runs/${id}/report.html`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (r.ok) save(await r.blob(), `run-${id}.html`);
}

/** Follow a run's events to its end, then show it. */
function follow(id: string): void {
  progress.hidden = false;
  progress.value = 0;
  const events = new EventSource(
    `/v1/runs/${id}/events${token ? `?access_token=${encodeURIComponent(token)}` : ""}`,
  );
  events.addEventListener("progress", (e) => {
    progress.value = (JSON.parse((e as MessageEvent<string>).data) as { fraction: number }).fraction;
  });
  events.addEventListener("status", () => {
    events.close();
    progress.hidden = true;
    location.hash = id;
    void show(id);
    void listRuns();
  });
}

/** The problems of the scenario as typed (the server's check), listed under the editor with their lines. */
async function check(text: string): Promise<readonly Problem[]> {
  const { body } = await api<{ problems?: Problem[] }>("/v1/check", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind: kind.value, scenarioYaml: text }),
  });
  const found = body.problems ?? [];
  problems.textContent = found
    .map((p) => (p.line !== null ? `line ${p.line}: ${p.message}` : p.message))
    .join("\n");
  return found;
}

let form: ScenarioForm | null = null;
const editor = createEditor($("editor"), check, (text) => form?.show(kind.value as Kind, text));

/** The sweep asked for beside the scenario (the CLI's --sweep, one axis per `;`, and --samples), if any. */
function sweepOf(): { sweep?: string[]; samples?: number } {
  const axes = $<HTMLInputElement>("sweep")
    .value.split(";")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  const samples = $<HTMLInputElement>("samples").value.trim();
  return {
    ...(axes.length > 0 ? { sweep: axes } : {}),
    ...(samples !== "" ? { samples: Number(samples) } : {}),
  };
}

async function run(): Promise<void> {
  problems.textContent = "";
  $("title").textContent = `${kind.value} run: submitting`;
  $("chart").replaceChildren();
  const { status, body } = await api<{ id: string; error?: { path: string; message: string } }>("/v1/runs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind: kind.value, scenarioYaml: editor.text(), ...sweepOf() }),
  });
  if (status !== 201 || body.error !== undefined) {
    problems.textContent = body.error?.message ?? `the server answered ${status}`;
    return;
  }
  $("title").textContent = `${kind.value} run ${body.id.slice(0, 8)}: queued`;
  follow(body.id);
}

let shown: Example[] = [];

/** The examples, the run shown by the URL and the run list (again once a token is given). */
async function load(): Promise<void> {
  const { status, body } = await api<{ examples: Example[] }>("/v1/examples");
  if (status !== 200) return;
  shown = body.examples;
  if (form === null) {
    const [doc, ids] = await Promise.all([
      api<{ components: { schemas: Record<string, Schema> } }>("/v1/openapi.json"),
      api<Record<"accelerators" | "models" | "sites", { id: string }[]>>("/v1/catalog"),
    ]);
    const schemaOf = (k: Kind) => doc.body.components.schemas[`${k[0]?.toUpperCase()}${k.slice(1)}Scenario`];
    form = createForm(
      $("form"),
      {
        train: schemaOf("train"),
        infer: schemaOf("infer"),
        plan: schemaOf("plan"),
        sites: schemaOf("sites"),
        fleet: schemaOf("fleet"),
        design: schemaOf("design"),
      },
      {
        accelerators: ids.body.accelerators.map((x) => x.id),
        models: ids.body.models.map((x) => x.id),
        sites: ids.body.sites.map((x) => x.id),
      },
      (text) => editor.set(text),
    );
  }
  examples.replaceChildren(
    ...shown.map((x, i) => {
      const o = document.createElement("option");
      o.value = String(i);
      o.textContent = `${x.name} (${x.kind})`;
      return o;
    }),
  );
  pick();
  if (location.hash.length > 1) await show(location.hash.slice(1));
  await listRuns();
  $("server").textContent = token ? "connected (with the server's token)" : "connected (this machine only)";
}

function pick(): void {
  const x = shown[Number(examples.value)];
  if (x === undefined) return;
  kind.value = x.kind;
  editor.set(x.yaml);
}

function start(): void {
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    token = $<HTMLInputElement>("token").value;
    sessionStorage.setItem("stargate-token", token);
    $("token-form").hidden = true;
    void load();
  });
  examples.addEventListener("change", pick);
  $("run").addEventListener("click", () => void run());
  kind.addEventListener("change", () => {
    editor.recheck();
    form?.show(kind.value as Kind, editor.text());
  });
  $("filter").addEventListener("change", () => void listRuns());
  $("compare").addEventListener("click", () => void compare());
  $("download-html").addEventListener("click", () => void downloadHtml());
  window.addEventListener("hashchange", () => void show(location.hash.slice(1)));
  void load();
}

start();

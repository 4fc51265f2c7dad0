/// <reference lib="dom" />
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/server/serve.js";
import { ROOT } from "../cli/run.js";

/**
 * The workbench in Debian's chromium, driven by playwright-core (no browser download), against a real
 * `stargate serve` on loopback: load examples, run them, see their charts, follow a run's URL, download.
 */
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const TMP = mkdtempSync(join(tmpdir(), "stargate-web-"));
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  expect(CHROMIUM, "Debian's chromium is needed for this test (.ci/run installs it)").toBeDefined();
  server = await startServer({ port: 0, host: "127.0.0.1", dataDir: join(TMP, "data"), overlays: [] });
  browser = await chromium.launch({
    executablePath: CHROMIUM as string,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(TMP, { recursive: true, force: true });
});

/** Pick an example, run it, wait for its charts; the number of lines and bars drawn, each of a series. */
async function runExample(page: Page, name: string): Promise<number> {
  const value = await page.locator("#examples option", { hasText: `${name} (` }).getAttribute("value");
  await page.selectOption("#examples", value ?? "");
  await page.click("#run");
  await page.waitForFunction(
    () => /: (done|failed)$/.test(document.getElementById("title")?.textContent ?? ""),
    null,
    {
      timeout: 60_000,
    },
  );
  expect(await page.textContent("#title")).toMatch(/: done$/);
  return page.locator("#chart svg[data-chart] [data-series]").count();
}

/** Replace the editor's text as a user would: select all, then type (insert) the new text. */
async function typeScenario(page: Page, text: string): Promise<void> {
  await page.click("#editor .cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
}

/** An example's YAML as the server offers it. */
async function exampleYaml(name: string): Promise<string> {
  const { examples } = (await (await fetch(`${server.url}/v1/examples`)).json()) as {
    examples: { name: string; yaml: string }[];
  };
  return examples.find((x) => x.name === name)?.yaml ?? "";
}

describe("workbench", () => {
  it("runs every contract example and one of every other kind, drawing non-empty charts for each; a run has its own URL", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector("#examples option", { state: "attached" });
    // The contract's examples (../shared/contract, the same files as examples/), then sites, plan, fleet.
    for (const name of [
      "train-explicit",
      "train-search",
      "infer-batch",
      "custom-chip",
      "serve-online",
      "serve-offline",
      "design",
      "campus-1gw",
      "plan-global",
      "fleet-small",
    ])
      expect(await runExample(page, name), name).toBeGreaterThan(0);
    // The run list shows them, newest first; a run's URL opens it.
    await page.waitForFunction(() => document.querySelectorAll("#runs li").length >= 10);
    const url = page.url();
    expect(url).toMatch(/#[0-9a-f-]{36}$/);
    const again = await browser.newPage();
    await again.goto(url);
    await again.waitForFunction(() =>
      (document.getElementById("title")?.textContent ?? "").includes("fleet run"),
    );
    expect(await again.locator("#chart svg[data-chart] [data-series]").count()).toBeGreaterThan(0);
    // The README's picture: STARGATE_UPDATE_SCREENSHOT=1 writes docs/workbench.png.
    const shot =
      process.env["STARGATE_UPDATE_SCREENSHOT"] === "1"
        ? join(ROOT, "docs/workbench.png")
        : join(TMP, "shot.png");
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.screenshot({ path: shot });
    expect(errors).toEqual([]);
  }, 120_000);

  it("shows the field a bad scenario gets wrong, as the CLI names it, with its line as it is typed", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector("#examples option", { state: "attached" });
    await page.selectOption("#kind", "train");
    await typeScenario(
      page,
      "kind: train\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, count: -1 }\ntraining: { seqLen: 2048, globalBatch: 8 }\n",
    );
    // As it is typed: the problem and its line.
    await page.waitForFunction(() =>
      (document.getElementById("problems")?.textContent ?? "").startsWith("line "),
    );
    expect(await page.textContent("#problems")).toBe(
      "line 3: system.count: expected a positive number, got -1",
    );
    // In the editor: the line marked, a marker in the lint gutter beside it.
    await page.waitForSelector("#editor .cm-lintRange-error");
    expect(await page.textContent("#editor .cm-lintRange-error")).toContain("count: -1");
    expect(await page.locator("#editor .cm-gutter-lint .cm-lint-marker-error").count()).toBe(1);
    await page.click("#run");
    await page.waitForFunction(() => (document.getElementById("problems")?.textContent ?? "") !== "");
    expect(await page.textContent("#problems")).toBe("system.count: expected a positive number, got -1");
  });

  it("runs a sweep beside the scenario and draws each figure over its points", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector("#examples option", { state: "attached" });
    await page.fill("#sweep", "training.globalBatch=768,1536");
    expect(await runExample(page, "train-explicit")).toBeGreaterThan(0);
    expect(await page.textContent("#result ul")).toMatch(/2 points ran/);
    expect(await page.locator('#chart svg[data-chart="chart-0"] path[data-series]').count()).toBe(1);
  });

  it("forms for the common fields show the scenario's values and write changes into its text", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector("#examples option", { state: "attached" });
    const value = await page
      .locator("#examples option", { hasText: "train-explicit (" })
      .getAttribute("value");
    await page.selectOption("#examples", value ?? "");
    await page.waitForFunction(
      () =>
        (document.querySelector('#form [name="system.count"]') as HTMLInputElement | null)?.value === "1024",
    );
    // A precision from the schema's list, an accelerator from the catalog's ids.
    const precisions = await page.locator('#form [name="training.precision"] option').allTextContents();
    expect(precisions).toEqual(expect.arrayContaining(["bf16", "fp8", "fp4"]));
    expect(await page.locator("#ids-accelerators option[value=h100-sxm]").count()).toBe(1);
    await page.fill('#form [name="system.count"]', "512");
    await page.press('#form [name="system.count"]', "Enter");
    await page.selectOption('#form [name="training.precision"]', "fp8");
    await page.waitForFunction(() =>
      (document.querySelector("#editor .cm-content")?.textContent ?? "").includes("count: 512"),
    );
    const text = (await page.textContent("#editor .cm-content")) ?? "";
    expect(text).toContain("precision: fp8");
    // The rest of the text, comments included, as it was.
    expect(text).toContain((await exampleYaml("train-explicit")).split("\n")[0]);
  });

  it("compares two runs: the inputs that differ, and each output with its change", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector("#examples option", { state: "attached" });
    await runExample(page, "train-explicit");
    await page.waitForFunction(() => location.hash.length > 1);
    const first = new URL(page.url()).hash.slice(1);
    // The same configuration on half the accelerators.
    const yaml = (await exampleYaml("train-explicit"))
      .replace("count: 1024", "count: 512")
      .replace("dp: 16", "dp: 8");
    await typeScenario(page, yaml);
    await page.click("#run");
    await page.waitForFunction(() =>
      /train run \w+: done$/.test(document.getElementById("title")?.textContent ?? ""),
    );
    await page.waitForFunction((id) => location.hash.length > 1 && location.hash !== `#${id}`, first);
    const second = new URL(page.url()).hash.slice(1);
    // Ticked in this order, compared as A = the 1,024-accelerator run, B = the 512.
    await page.waitForSelector(`[aria-label="compare ${second}"]`);
    await page.check(`[aria-label="compare ${first}"]`);
    await page.check(`[aria-label="compare ${second}"]`);
    await page.click("#compare");
    const rows = page.locator("#compare-table tbody tr");
    await page.waitForFunction(() => document.querySelectorAll("#compare-table tbody tr").length > 0);
    const text = await rows.allTextContents();
    expect(text).toContain("system.count1024512");
    expect(text.find((t) => t.startsWith("gpus"))).toMatch(/^gpus1024512-512 \(-50\.0%\)$/);
    expect(text.some((t) => t.startsWith("tokensPerS"))).toBe(true);
  });

  it("beyond loopback the page says so, asks for the token, and then works", async () => {
    const guarded = await startServer({
      port: 0,
      host: "127.0.0.1",
      dataDir: join(TMP, "guarded"),
      token: "s3cret",
      overlays: [],
    });
    try {
      const page = await browser.newPage();
      await page.goto(guarded.url);
      await page.waitForSelector("#token-form:not([hidden])");
      expect(await page.textContent("#server")).toMatch(/asks for its token/);
      await page.fill("#token", "s3cret");
      await page.click("#token-form button");
      await page.waitForSelector("#examples option", { state: "attached" });
      expect(await runExample(page, "train-explicit")).toBeGreaterThan(0);
      expect(await page.textContent("#server")).toMatch(/with the server's token/);
    } finally {
      await guarded.close();
    }
  });

  it("downloads a result as JSON, CSV and a self-contained HTML page", async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    await page.goto(server.url);
    await page.waitForSelector("#examples option", { state: "attached" });
    await runExample(page, "train-explicit");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const path = join(TMP, "result.json");
    await download.saveAs(path);
    const result = JSON.parse(readFileSync(path, "utf8")) as { kind: string; mfu: number };
    expect(result.kind).toBe("train");
    expect(result.mfu).toBeGreaterThan(0);
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#download-csv")]);
    const csvPath = join(TMP, "result.csv");
    await csv.saveAs(csvPath);
    const lines = readFileSync(csvPath, "utf8").trim().split("\n");
    expect(lines[0]).toBe("field,value");
    expect(lines).toContain(`mfu,${result.mfu}`);
    expect(lines).toContain("parallelism.tp,8");
    // The page, opened from disk with the network cut: its charts draw from what it carries.
    const [html] = await Promise.all([page.waitForEvent("download"), page.click("#download-html")]);
    const htmlPath = join(TMP, "result.html");
    await html.saveAs(htmlPath);
    const offline = await browser.newPage();
    await offline.route("**/*", (route) =>
      route.request().url().startsWith("file:") ? route.continue() : route.abort(),
    );
    await offline.goto(`file://${htmlPath}`);
    await offline.waitForSelector("body[data-charts-drawn]");
    expect(Number(await offline.getAttribute("body", "data-charts-drawn"))).toBeGreaterThanOrEqual(2);
    expect(await offline.locator('svg[data-chart="chart-step"] [data-series]').count()).toBeGreaterThan(0);
  });
});

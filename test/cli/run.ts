import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import { main } from "../../src/cli/main.js";

/** The repository root: CLI tests run from it. */
export const ROOT = resolve(import.meta.dirname, "../..");

/**
 * Run the CLI in-process from the repository root; what it printed and its exit code. Each run first
 * yields to the event loop: a property test's thousands of runs would otherwise chain microtasks for
 * minutes, and vitest's worker could not answer its own RPC in that time ("Timeout calling onTaskUpdate").
 */
export async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  await new Promise<void>((done) => setImmediate(done));
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: ROOT });
  return { code, stdout, stderr };
}

/** Write `dir/name`: the file `from` with `edit` applied; returns its path. */
export function editedCopy(from: string, dir: string, name: string, edit: (text: string) => string): string {
  const f = join(dir, name);
  writeFileSync(f, edit(readFileSync(from, "utf8")));
  return f;
}

/**
 * The DOM of an HTML file after Debian's headless chromium has run its scripts (the report tests check
 * that the charts drew); fails the test when chromium is missing or exits with an error.
 */
export function renderedDom(htmlPath: string): string {
  const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
  expect(chromium, "Debian's chromium is needed for this test (.ci/run installs it)").toBeDefined();
  const dom = spawnSync(
    chromium ?? "chromium",
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--virtual-time-budget=5000",
      "--dump-dom",
      `file://${htmlPath}`,
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  expect(dom.status).toBe(0);
  return dom.stdout;
}

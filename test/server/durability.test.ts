import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { RunStore } from "../../src/server/store.js";
import { ROOT } from "../cli/run.js";

const TMP = mkdtempSync(join(tmpdir(), "stargate-durable-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/**
 * A writer process saving runs as fast as it can (each: create, start, finish with a result that names
 * its run and carries 4 KB), printing each id once its save returned. Uses the built store (npm test
 * builds first).
 */
const WRITER = `
import { RunStore } from ${JSON.stringify(pathToFileURL(join(ROOT, "dist/src/server/store.js")).href)};
const store = new RunStore(process.argv[1], "test");
for (let i = 0; i < 1000; i++) {
  const run = store.create("train", { i });
  store.start(run.id);
  store.finish(run.id, JSON.stringify({ id: run.id, i, pad: "x".repeat(4096) }), "{}", 0.001);
  process.stdout.write(run.id + "\\n");
}
`;

describe("run store durability", () => {
  it("SIGKILL during 1,000 run saves: every run saved is intact after restart, none is half-written", async () => {
    const dir = join(TMP, "store");
    const child = spawn(process.execPath, ["--input-type=module", "-e", WRITER, dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const saved: string[] = [];
    let buffer = "";
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    const killed = new Promise<void>((done) => {
      child.stdout.on("data", (b: Buffer) => {
        buffer += b.toString();
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        saved.push(...lines);
        // Kill it mid-stream, between or during saves.
        if (saved.length >= 300 && child.exitCode === null) child.kill("SIGKILL");
      });
      child.on("exit", () => done());
    });
    await killed;
    expect(stderr).toBe("");
    expect(saved.length).toBeGreaterThanOrEqual(300);
    expect(saved.length).toBeLessThan(1000);

    const store = new RunStore(dir, "test");
    try {
      for (const id of saved) {
        const run = store.get(id);
        expect(run?.status, id).toBe("done");
        expect((run?.result as { id: string } | null | undefined)?.id).toBe(id);
      }
      // Every row is whole: a finished run has its result; any other was marked interrupted on opening.
      const all = store.list(undefined, 2000);
      expect(all.length).toBeGreaterThanOrEqual(saved.length);
      for (const r of all) {
        const full = store.get(r.id);
        if (full?.status === "done") expect((full.result as { id: string }).id).toBe(r.id);
        else expect(full).toMatchObject({ status: "failed", error: { path: "run" } });
      }
    } finally {
      store.close();
    }
  });
});

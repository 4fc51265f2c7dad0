import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ROOT } from "./run.js";

const built = (f: string) => JSON.stringify(pathToFileURL(join(ROOT, "dist/src", f)).href);

/**
 * Several local sweeps in one process, as `stargate serve` and the workbench run them, on the built
 * code (the pool's threads run the compiled worker; npm test builds first). Prints one JSON line per
 * sweep: its rows, or the error it ended with.
 */
const SCRIPT = `
import { readFileSync } from "node:fs";
import { runSweep, streamSweep } from ${built("cli/sweep.js")};
import { SweepPool } from ${built("cli/sweep-pool.js")};
import { parseYaml } from ${built("scenario/load.js")};
import { sweepPoint } from ${built("scenario/sweep.js")};
import { catalogFor, evaluatePoint } from ${built("cli/point.js")};
const read = (f) => parseYaml(readFileSync(${JSON.stringify(ROOT)} + "/examples/" + f, "utf8"), f);
const plan = { command: "plan", data: read("stargate-korea.yaml"), overlays: [], overrides: {}, seed: 1 };
const train = { command: "train", data: read("train-search.yaml"), overlays: [], overrides: {}, seed: 1 };
const samples = [{ path: "@sample", values: Array.from({ length: 24 }, (_, i) => i) }];
const batches = [{ path: "training.globalBatch", values: [256, 512, 1024, 2048, 4096, 8192] }];
const shard = { index: 1, count: 1 };
const rows = async (job, axes) => JSON.stringify((await runSweep(job, axes, shard, null)).rows);
const out = [];
out.push(await rows(plan, samples));
out.push(await rows(train, batches));
// A caller that gives up part-way: the sweep fails with its error, and the pool serves the next one.
let taken = 0;
try {
  await streamSweep(plan, samples, shard, null, () => { if (++taken === 5) throw new Error("reader gave up"); });
  out.push("finished");
} catch (e) {
  out.push("failed: " + e.message);
}
out.push(await rows(plan, samples));
out.push(await rows(train, batches));
out.push(String(SweepPool.shared() === SweepPool.shared()));
// The same points evaluated here, on this thread, without the pool.
const inline = (job, axes) =>
  JSON.stringify(
    Array.from({ length: axes[0].values.length }, (_, i) => {
      const point = sweepPoint(axes, i);
      return { index: i, point, result: evaluatePoint(job, catalogFor([]), point) };
    }),
  );
out.push(inline(plan, samples), inline(train, batches));
console.log(JSON.stringify(out));
`;

describe("the local sweep pool, kept across sweeps in one process", () => {
  it("gives each sweep its own results (no thread keeps the last sweep's job), survives a caller that gives up, and lets the process end", () => {
    // A file, not --input-type with -e: worker threads inherit the process's flags.
    const dir = mkdtempSync(join(tmpdir(), "stargate-pool-"));
    const file = join(dir, "sweeps.mjs");
    writeFileSync(file, SCRIPT);
    const r = spawnSync(process.execPath, [file], {
      encoding: "utf8",
      timeout: 120_000,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0); // ended by itself: idle threads do not hold the process
    const [plan1, train1, gaveUp, plan2, train2, same, planHere, trainHere] = JSON.parse(
      r.stdout,
    ) as string[];
    expect(JSON.parse(plan1 ?? "[]")).toHaveLength(24);
    expect(JSON.parse(train1 ?? "[]")).toHaveLength(6);
    expect(plan1).toBe(planHere);
    expect(train1).toBe(trainHere);
    expect(gaveUp).toBe("failed: reader gave up");
    expect(plan2).toBe(plan1);
    expect(train2).toBe(train1);
    expect(same).toBe("true");
  }, 130_000);
});

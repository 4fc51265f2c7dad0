import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "./run.js";

const TMP = mkdtempSync(join(tmpdir(), "stargate-hard-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const f = join(TMP, name);
  writeFileSync(f, text);
  return f;
};

/** Exit 2, one line on stderr (or one per problem with `several`), none of JavaScript's own wording. */
async function refused(args: string[], message: RegExp, several = false) {
  const r = await run(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trim().split("\n");
  if (!several) expect(lines).toHaveLength(1);
  for (const l of lines) expect(l).toMatch(/^stargate: /);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/Error:|at .*\.js:\d+|Maximum call stack|internal error|undefined is not/);
}

describe("input limits at the door", () => {
  it("a YAML alias bomb is refused, not expanded", async () => {
    const rows = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const [k, prev] of [
      ["b", "a"],
      ["c", "b"],
      ["d", "c"],
      ["e", "d"],
      ["f", "e"],
    ])
      rows.push(`${k}: &${k} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    await refused(["train", file("bomb.yaml", `${rows.join("\n")}\n`)], /at most 100 alias expansions/);
  });

  it("nesting 1,000 deep, in flow or block style, names the limit", async () => {
    await refused(
      ["train", file("flow.yaml", `kind: train\nmodel: ${"[".repeat(1000)}${"]".repeat(1000)}\n`)],
      /flow\.yaml:2:\d+: expected at most 64 levels of nesting/,
    );
    let block = "kind: train\nmodel:\n";
    for (let i = 1; i <= 1000; i++) block += `${"  ".repeat(i)}-\n`;
    await refused(["train", file("block.yaml", block)], /at most 64 levels of nesting/);
    await refused(
      ["train", file("seventy.yaml", `kind: train\nmodel: ${"[".repeat(70)}${"]".repeat(70)}\n`)],
      /seventy\.yaml: expected at most 64 levels of nesting/,
    );
  });

  it("a device, a directory or a file over 16 MiB is refused before it is read", async () => {
    await refused(["train", "/dev/zero"], /^stargate: FILE: expected a regular file .*"\/dev\/zero"/);
    await refused(["train", TMP], /expected a regular file/);
    const big = file("big.yaml", "");
    truncateSync(big, 17 * 2 ** 20);
    await refused(["plan", big], /expected a file of at most 16 MiB \(this one has 17\.0 MiB\)/);
  });

  it("YAML syntax errors are in our words with file:line:col", async () => {
    await refused(
      ["train", file("tab.yaml", "kind: train\nmodel:\n\tx: 1\n")],
      /tab\.yaml:3:1: expected well-formed YAML: indentation with spaces/,
    );
    await refused(
      ["train", file("dup.yaml", "a: 1\na: 2\n")],
      /dup\.yaml:2:1: expected well-formed YAML: each key once per mapping/,
    );
  });

  it("merge reads only sweep outputs: not JSON, not an object, not a sweep", async () => {
    await refused(
      ["merge", file("a.json", "nope")],
      /a\.json: expected JSON: the --json output of a sweep shard/,
    );
    await refused(["merge", file("b.json", "[1, 2]")], /b\.json: expected an object/);
    await refused(["merge", file("c.json", '{"axes": 5}')], /c\.json\.axes: expected an array, got 5/, true);
  });
});

describe("all errors at once", () => {
  it("every schema problem is listed, a line each; the field given wrong comes before the one missing", async () => {
    const f = file(
      "several.yaml",
      "kind: train\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, cuont: 8 }\ntraining: { seqLen: -1, globalBatch: 8 }\n",
    );
    const r = await run(["train", f]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toMatch(/^stargate: system\.cuont: expected known fields only/);
    expect(r.stderr).toMatch(/^stargate: training\.seqLen: expected a positive number, got -1$/m);
    expect(lines[lines.length - 1]).toMatch(
      /^stargate: system\.count: expected a number \(required field\), got nothing$/,
    );
  });
});

describe("flags", () => {
  it("a flag the command does not use is an error naming it", async () => {
    const scenario = join(import.meta.dirname, "../../examples/train-search.yaml");
    await refused(
      ["train", scenario, "--html", "/nonexistent/x.html"],
      /^stargate: --html: expected an option of "train"/,
    );
    await refused(
      ["train", scenario, "--shard", "3/2"],
      /^stargate: --shard: expected --sweep or --samples beside it/,
    );
    await refused(["plan", "--seed", "x"], /^stargate: --seed: expected --samples beside it/);
    await refused(["catalog", "--days", "3"], /^stargate: --days: expected an option of "catalog"/);
  });

  it("a file that cannot be written or read is named with the reason in our words", async () => {
    await refused(
      ["plan", "--html", "/nonexistent/x.html"],
      /^stargate: --html: expected a writable file path \(it, or its folder, does not exist\), got "\/nonexistent\/x\.html"$/,
    );
    await refused(["plan", TMP, "--json"], /^stargate: FILE: expected a regular file/);
  });

  it("stargate alone prints its usage on stderr and exits 2; --help prints it on stdout and exits 0", async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe("");
    expect(none.stderr).toMatch(/^usage: stargate <command>/);
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: stargate <command>/);
    expect(help.stderr).toBe("");
  });
});

describe("domains and verdicts", () => {
  const ex = (f: string) => join(import.meta.dirname, "../../examples", f);
  const edited = (from: string, name: string, edit: (t: string) => string) =>
    file(name, edit(readFileSync(ex(from), "utf8")));

  it("a training deadline no cluster can meet is a verdict (days over target), not a hang", async () => {
    const f = edited("stargate-korea.yaml", "days.yaml", (t) =>
      t.replace("      days: 90", "      days: 1.0e-9"),
    );
    const r = await run(["plan", f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/takes \d+ days on [\d,]+ accelerators, over its 1e-9-day target/);
    // A tenth of a day was answered by naming training.parallelism.microBatch, a field plans do not have.
    const tenth = await run([
      "plan",
      edited("stargate-korea.yaml", "tenth.yaml", (t) => t.replace("      days: 90", "      days: 0.1")),
      "--json",
    ]);
    expect(tenth.code, tenth.stderr).toBe(0);
    const run0 = JSON.parse(tenth.stdout).training[0];
    expect(run0.days).toBeGreaterThan(0.1);
    expect(run0.targetDays).toBe(0.1);
    expect(tenth.stderr).not.toMatch(/microBatch/);
  });

  it("a serving simulation, a deployment and a fleet service have bounds named in the message", async () => {
    await refused(
      [
        "infer",
        edited("serve-online.yaml", "req.yaml", (t) => t.replace("requests: 20000", "requests: 1000000000")),
      ],
      /inference\.workload\.requests: expected a number ≤ 10000000/,
    );
    await refused(
      ["infer", edited("deploy-70b.yaml", "rate.yaml", (t) => t.replace("    rate: 20", "    rate: 1.0e+9"))],
      /inference\.deploy\.rate: expected a number ≤ 1000000/,
    );
    // The search's work is counted before it runs: 63 fitting shapes × 4 batch limits × 9 trials × requests.
    await refused(
      [
        "infer",
        edited("deploy-70b.yaml", "work.yaml", (t) =>
          t.replace("    rate: 20", "    rate: 20\n    requests: 100000"),
        ),
      ],
      /^stargate: inference\.deploy\.requests: expected a search of at most 10,000,000 simulated requests; this one would simulate 226,800,000 \(63 replica shapes × 4 batch limits × 9 trials × 100,000 requests\)/,
    );
    await refused(
      [
        "fleet",
        edited("fleet-small.yaml", "tok.yaml", (t) =>
          t.replace("tokensPerDay: 20.0e+9", "tokensPerDay: 1.0e+308"),
        ),
      ],
      /tokensPerDay: expected a number ≤ 1000000000000000/,
    );
  });

  it("a fleet's work is estimated before it runs: jobs, failures, samples, each refused past its limit", async () => {
    await refused(
      ["fleet", edited("fleet-small.yaml", "jobs.yaml", (t) => t.replace("perDay: 200", "perDay: 1.0e+6"))],
      /^stargate: partners\[1\]\.workloads\[1\]\.perDay: expected a simulation of at most 1,000,000 jobs; this one would run 14,000,\d{3} jobs over 14 days, got 1000000$/,
    );
    // 0.5 per accelerator-hour over 14 days is 172,032 failures, within the limit; over 3,000 days it is not.
    await refused(
      [
        "fleet",
        edited("fleet-small.yaml", "fail2.yaml", (t) =>
          t.replace("failures: true", "failures: { ratePerAccHour: 0.5 }").replace("days: 14", "days: 3000"),
        ),
      ],
      /failures\.ratePerAccHour: expected a simulation of at most 1,000,000 failures; this one would run 36,864,000 failures \(1,024 accelerators × 3000 days\), got 0\.5/,
    );
    await refused(
      [
        "fleet",
        edited("fleet-small.yaml", "samp.yaml", (t) => t.replace("days: 14", "days: 14\nsampleDays: 0.0001")),
      ],
      /^stargate: sampleDays: expected a simulation of at most 100,000 samples; this one would run 140,000 samples over 14 days, got 0\.0001$/,
    );
    await refused(
      [
        "train",
        edited("train-explicit.yaml", "layers.yaml", (t) => t.replace("layers: 96", "layers: 96000000")),
      ],
      /^stargate: model\.layers: expected a number ≤ 10000, got 96000000$/,
    );
  });

  it("a deployment candidate repeated 50 times is searched once", async () => {
    // 200 requests a trial keep the two searches short; the candidates are what is compared.
    const short = (t: string) => t.replace("    rate: 20", "    rate: 20\n    requests: 200");
    const search = async (name: string, edit: (t: string) => string) =>
      JSON.parse((await run(["infer", edited("deploy-70b.yaml", name, edit), "--json"])).stdout);
    const once = await search("once.yaml", short);
    const fifty = await search("dup.yaml", (t) =>
      short(t).replace(
        "accelerators: [h100-sxm, h200]",
        `accelerators: [${Array(50).fill("h100-sxm, h200").join(", ")}]`,
      ),
    );
    expect(fifty.candidates).toBe(once.candidates);
    expect(fifty.gpus).toBe(once.gpus);
    expect(fifty.trials).toBe(once.trials);
  });

  it("blank CSV cells name their row and column", async () => {
    const csv = file("trace.csv", "job_id,tenant,submit_time,gpus,duration\n1,a,,8,100\n");
    await refused(
      ["fit-trace", csv],
      /trace\.csv:2 column submit_time: expected a submit time \(s\) from 0 to 316,000,000, got "an empty cell"/,
    );
  });

  it("sweeps: object-machinery paths are refused; a sweep whose every point fails exits 2 with the count by error", async () => {
    await refused(
      ["train", ex("train-search.yaml"), "--sweep", "constructor.prototype.x=1,2"],
      /"constructor" is not one/,
    );
    const r = await run(["train", ex("train-search.yaml"), "--sweep", "system.count=-1,-2"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/all 2 failed \(1 × system\.count: expected a positive number, got -1; 1 ×/);
  });
});

describe("bounded memory for big sweeps: --jsonl", () => {
  const plan = join(import.meta.dirname, "../../examples/stargate-korea.yaml");

  it("streams a header and one row per point in index order; shards merge into the unsharded --json", async () => {
    const whole = await run(["plan", plan, "--samples", "12", "--jsonl"]);
    expect(whole.code).toBe(0);
    const lines = whole.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      kind: "sweep",
      total: 12,
      axes: [{ path: "@sample", from: 0, step: 1, count: 12 }],
    });
    expect(lines.slice(1).map((r) => r.index)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const a = file(
      "a.jsonl",
      (await run(["plan", plan, "--samples", "12", "--shard", "1/2", "--jsonl"])).stdout,
    );
    const b = file(
      "b.jsonl",
      (await run(["plan", plan, "--samples", "12", "--shard", "2/2", "--jsonl"])).stdout,
    );
    const merged = await run(["merge", b, a, "--json"]);
    expect(merged.code).toBe(0);
    expect(merged.stdout).toBe((await run(["plan", plan, "--samples", "12", "--json"])).stdout);
    const asJsonl = await run(["merge", a, b, "--jsonl"]);
    expect(asJsonl.stdout).toBe(whole.stdout);
  });

  it("merge refuses a shard missing, a row out of order, or --jsonl without a sweep", async () => {
    const a = file(
      "a2.jsonl",
      (await run(["plan", plan, "--samples", "6", "--shard", "1/3", "--jsonl"])).stdout,
    );
    const c = file(
      "c2.jsonl",
      (await run(["plan", plan, "--samples", "6", "--shard", "3/3", "--jsonl"])).stdout,
    );
    await refused(["merge", a, c], /shards covering every point once \(point 2 is missing or repeated\)/);
    const [head, r0, r1] = (await run(["plan", plan, "--samples", "2", "--jsonl"])).stdout.trim().split("\n");
    await refused(
      ["merge", file("swap.jsonl", `${head}\n${r1}\n${r0}\n`)],
      /swap\.jsonl: expected the rows of its range in order \(row 0 next\), got 1/,
    );
    await refused(["plan", "--jsonl"], /^stargate: --jsonl: expected --sweep or --samples beside it/);
  });
});

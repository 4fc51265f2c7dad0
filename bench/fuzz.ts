/**
 * `npm run fuzz [-- --runs N --seed S]`: the CLI against hostile input as a user meets it: each input a
 * separate `stargate` process with a 30 s limit and a 4 GB heap. Mutated scenarios of every command kind
 * (the property tests' generators, another seed) and mutated job and request traces. Prints the count
 * of each kind of outcome: clean answers (exit 0 keeping the command's invariants, or exit 2 in field
 * lines), and the faults: crashes (a signal), internal errors (exit 1), stack traces, hangs, JavaScript
 * wording and broken invariants, with one example of each. Nothing here asserts: the figures go in notes.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { stringify } from "yaml";
import { parseYaml } from "../src/scenario/load.js";
import { answerProblem, BASES, csvMutation, type Json, mutate, mutateCsv, mutation } from "./fuzz-gen.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin/stargate.js");
const LIMIT_S = 30;

interface Input {
  readonly command: string;
  /** Files to write before the run (path → text). */
  readonly files: readonly (readonly [string, string])[];
  readonly args: readonly string[];
  readonly what: unknown;
}

type Outcome = "answer" | "crash" | "internal" | "stack" | "hang" | "wording" | "invariant";

function runOne(input: Input, dir: string): Promise<{ outcome: Outcome; detail: string }> {
  for (const [f, text] of input.files) writeFileSync(join(dir, f), text);
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--max-old-space-size=4096", BIN, ...input.args], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, LIMIT_S * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (hung) return done({ outcome: "hang", detail: `over ${LIMIT_S} s` });
      if (signal !== null) return done({ outcome: "crash", detail: `${signal}: ${stderr.slice(0, 300)}` });
      if (/\n\s+at .*:\d+:\d+/.test(stderr)) return done({ outcome: "stack", detail: stderr.slice(0, 300) });
      if (code === 1) return done({ outcome: "internal", detail: stderr.slice(0, 300) });
      const problem = answerProblem(input.command, code ?? -1, stdout, stderr);
      if (problem === null) return done({ outcome: "answer", detail: "" });
      done({
        outcome: problem.startsWith("invariant") ? "invariant" : "wording",
        detail: problem.slice(0, 300),
      });
    });
  });
}

/** Mutated scenarios of one command, from its bases. */
function scenarioInputs(command: keyof typeof BASES, runs: number, seed: number): Input[] {
  const scenarios = BASES[command].map((b: { example: string; edit?: (s: Record<string, Json>) => Json }) => {
    const parsed = parseYaml(readFileSync(join(ROOT, b.example), "utf8"), b.example) as Record<string, Json>;
    return b.edit === undefined ? parsed : b.edit(parsed);
  });
  const draws = fc.sample(fc.tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 })), {
    numRuns: runs,
    seed,
  });
  return draws.map(([which, muts], i) => ({
    command,
    files: [[`${command}-${i}.yaml`, stringify(mutate(scenarios[which % scenarios.length] as Json, muts))]],
    args: [command, `${command}-${i}.yaml`, "--json"],
    what: muts,
  }));
}

/** A job trace of two tenants and a request trace, mutated. */
function traceInputs(runs: number, seed: number): Input[] {
  const jobs = ["job_id,tenant,submit_time,accelerators,duration"];
  for (let i = 0; i < 60; i++)
    jobs.push(
      `${i},${i % 3 === 0 ? "lab" : "uni"},${i * 1400},${i % 3 === 0 ? 16 : 8},${900 + ((i * 7919) % 5400)}`,
    );
  const requests = ["arrival_s,input_tokens,output_tokens"];
  for (let i = 0; i < 40; i++)
    requests.push(`${(i * 0.25).toFixed(2)},${256 + ((i * 131) % 2048)},${32 + ((i * 17) % 256)}`);
  const serve = [
    "kind: infer",
    "model: llama3-8b",
    "system: { accelerator: h100-sxm, count: 1 }",
    "inference: { precision: fp8, parallelism: { tp: 1 }, workload: { trace: REQ } }",
    "",
  ].join("\n");
  const draws = fc.sample(fc.array(csvMutation, { minLength: 1, maxLength: 3 }), { numRuns: runs, seed });
  return draws.map((muts, i): Input => {
    if (i % 2 === 0)
      return {
        command: "fit-trace",
        files: [[`jobs-${i}.csv`, mutateCsv(`${jobs.join("\n")}\n`, muts)]],
        args: ["fit-trace", `jobs-${i}.csv`, "--json"],
        what: muts,
      };
    return {
      command: "infer",
      files: [
        [`req-${i}.csv`, mutateCsv(`${requests.join("\n")}\n`, muts)],
        [`serve-${i}.yaml`, serve.replace("REQ", `req-${i}.csv`)],
      ],
      args: ["infer", `serve-${i}.yaml`, "--json"],
      what: muts,
    };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { runs: { type: "string", default: "300" }, seed: { type: "string", default: "7" } },
  });
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  const inputs = [
    ...(Object.keys(BASES) as (keyof typeof BASES)[]).flatMap((c) => scenarioInputs(c, runs, seed)),
    ...traceInputs(runs, seed),
  ];
  const dir = mkdtempSync(join(tmpdir(), "stargate-fuzz-cli-"));
  const counts = new Map<Outcome, number>();
  const examples = new Map<Outcome, string>();
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const input = inputs[next++];
      if (input === undefined) return;
      const { outcome, detail } = await runOne(input, dir);
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      if (outcome !== "answer" && !examples.has(outcome))
        examples.set(outcome, `${input.args.join(" ")} ${JSON.stringify(input.what)}: ${detail}`);
    }
  };
  await Promise.all(Array.from({ length: availableParallelism() }, worker));
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `fuzz (seed ${seed}): ${inputs.length} inputs as processes (${LIMIT_S} s, 4 GB each) in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  for (const o of ["answer", "crash", "internal", "stack", "hang", "wording", "invariant"] as const)
    console.log(`  ${o.padEnd(10)} ${counts.get(o) ?? 0}`);
  for (const [o, e] of examples) console.log(`  first ${o}: ${e}`);
}

await main();

import { describe, it } from "vitest";
import { csvProperty, fuzzFile, RUNS } from "./fuzz.js";

/** Traces are cheap to mutate and each run reads one: a fifth of the scenario runs each. */
const CSV_RUNS = Math.ceil(RUNS / 5);

/** A job trace of two tenants, 60 jobs over a day (seconds). */
function jobTrace(): string {
  const rows = ["job_id,tenant,submit_time,accelerators,duration"];
  for (let i = 0; i < 60; i++)
    rows.push(
      `${i},${i % 3 === 0 ? "lab" : "uni"},${i * 1400},${i % 3 === 0 ? 16 : 8},${900 + ((i * 7919) % 5400)}`,
    );
  return `${rows.join("\n")}\n`;
}

/** A request trace: 40 requests, Azure-style columns. */
function requestTrace(): string {
  const rows = ["arrival_s,input_tokens,output_tokens"];
  for (let i = 0; i < 40; i++)
    rows.push(`${(i * 0.25).toFixed(2)},${256 + ((i * 131) % 2048)},${32 + ((i * 17) % 256)}`);
  return `${rows.join("\n")}\n`;
}

describe(`generated traces (${CSV_RUNS.toLocaleString("en-US")} each)`, () => {
  it(
    "fit-trace: mutated job traces",
    () => csvProperty("fit-trace", "jobs.csv", jobTrace(), (f) => ["fit-trace", f, "--json"], CSV_RUNS),
    600_000,
  );

  it("fleet: a shared fleet replaying a mutated job trace", () => {
    const scenario = fuzzFile(
      "trace-fleet.yaml",
      [
        "days: 1",
        "fleet: { accelerator: h100-sxm, count: 128 }",
        "trace: fleet-jobs.csv",
        "partners: [{ name: lab, quota: 64 }, { name: uni, quota: 64 }]",
        "",
      ].join("\n"),
    );
    return csvProperty("fleet", "fleet-jobs.csv", jobTrace(), () => ["fleet", scenario, "--json"], CSV_RUNS);
  }, 600_000);

  it("infer: serving a mutated request trace", () => {
    const scenario = fuzzFile(
      "trace-infer.yaml",
      [
        "kind: infer",
        "model: llama3-8b",
        "system: { accelerator: h100-sxm, count: 1 }",
        "inference: { precision: fp8, parallelism: { tp: 1 }, workload: { trace: requests.csv } }",
        "",
      ].join("\n"),
    );
    return csvProperty(
      "infer",
      "requests.csv",
      requestTrace(),
      () => ["infer", scenario, "--json"],
      CSV_RUNS,
    );
  }, 600_000);
});

/**
 * `npm run bench`: the speed figures the issues ask for. Times with the monotonic clock over repeated
 * runs after a warm-up and prints median and spread; nothing here asserts.
 */

import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import {
  builtinCatalog,
  INTERRUPTIONS_PER_ACC_HOUR,
  LLAMA3_INTERRUPTIONS,
  resolveAccelerator,
  resolveModel,
} from "../src/catalog/index.js";
import type { ModelInput } from "../src/catalog/types.js";
import { runSweep, type SweepPlace, type SweepRow } from "../src/cli/sweep.js";
import { SweepPool, subChunk } from "../src/cli/sweep-pool.js";
import { EventQueue } from "../src/fleet/events.js";
import { fairShare } from "../src/fleet/scheduler.js";
import { simulateFleet } from "../src/fleet/sim.js";
import { generateJobs } from "../src/fleet/workload.js";
import { trainingJob } from "../src/perf/job.js";
import { searchTraining } from "../src/perf/search.js";
import { simulateServing } from "../src/perf/serving.js";
import { evaluateTraining, newEvalCache } from "../src/perf/train.js";
import type { Parallelism, TrainingJob } from "../src/perf/types.js";
import { seededRandom } from "../src/random.js";
import { resolveFleetScenario } from "../src/scenario/fleet.js";
import { parseYaml } from "../src/scenario/load.js";
import { parseSweep } from "../src/scenario/sweep.js";

const cat = builtinCatalog();

function nowS(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

interface Stats {
  readonly medianS: number;
  readonly minS: number;
  readonly maxS: number;
  readonly runs: number;
}

/** Run `fn` (which does `inner` units of work) until `budgetS` has passed; per-unit statistics. */
function measure(fn: () => void, inner: number, budgetS: number, minRuns = 5): Stats {
  for (let i = 0; i < 2; i++) fn(); // warm-up (JIT)
  const samples: number[] = [];
  const start = nowS();
  while (samples.length < minRuns || nowS() - start < budgetS) {
    const t0 = nowS();
    fn();
    samples.push((nowS() - t0) / inner);
    if (samples.length >= 10_000) break;
  }
  samples.sort((a, b) => a - b);
  return {
    medianS: samples[Math.floor(samples.length / 2)] ?? 0,
    minS: samples[0] ?? 0,
    maxS: samples[samples.length - 1] ?? 0,
    runs: samples.length,
  };
}

function job(
  model: string | ModelInput,
  acc: string,
  gpus: number,
  seqLen: number,
  globalBatch: number,
  precision: TrainingJob["precision"],
): TrainingJob {
  return trainingJob({
    model: resolveModel(cat, model),
    accelerator: resolveAccelerator(cat, acc),
    gpus,
    seqLen,
    globalBatch,
    precision,
  });
}

const fmt = (s: number) =>
  s < 1e-3 ? `${(s * 1e6).toFixed(2)} µs` : s < 1 ? `${(s * 1e3).toFixed(1)} ms` : `${s.toFixed(2)} s`;
const lines: string[] = [];
const report = (name: string, st: Stats, extra = "") => {
  const line = `${name.padEnd(58)} median ${fmt(st.medianS).padStart(10)}  (min ${fmt(st.minS)}, max ${fmt(st.maxS)}, ${st.runs} runs)${extra}`;
  lines.push(line);
  console.log(line);
};

// 1. One evaluation: Llama 3.1 405B on 16,384 H100 (the Llama 3 paper's configuration).
const llama = job("llama3.1-405b", "h100-sxm", 16384, 8192, 2048, "bf16");
const p: Parallelism = {
  tp: 8,
  pp: 16,
  dp: 128,
  ep: 1,
  cp: 1,
  interleave: 4,
  microBatch: 1,
  sequenceParallel: true,
  zero: 1,
  recompute: "selective",
};
const N = 2000;
report(
  "single evaluation, cold (operators rebuilt each call)",
  measure(
    () => {
      for (let i = 0; i < N; i++) evaluateTraining(llama, p);
    },
    N,
    1.5,
  ),
);
const cache = newEvalCache();
report(
  "single evaluation, warm (layer timings cached, as in search)",
  measure(
    () => {
      for (let i = 0; i < N; i++) evaluateTraining(llama, p, undefined, cache);
    },
    N,
    1.5,
  ),
);

/** Time a full search of `j` and report configurations per second. */
function benchSearch(name: string, j: TrainingJob): void {
  let searched = 0;
  let enumerated = 0;
  const st = measure(
    () => {
      const r = searchTraining(j);
      searched = r.searched;
      enumerated = r.enumerated;
    },
    1,
    3,
  );
  report(
    name,
    st,
    `  ${enumerated} configurations, ${searched} timed, ${Math.round(enumerated / st.medianS)} configs/s`,
  );
}

// 2. Full search: Llama 3.1 405B, 16,384 H100, seq 8192, batch 2048 (contract/train-search.yaml).
benchSearch("search: Llama 3.1 405B on 16,384 H100 (full space)", llama);

// 3. Full search: a 530B dense model (Megatron-Turing NLG shape) on 5,120 A100.
const mtnlg: ModelInput = {
  id: "mt-nlg-530b",
  name: "Megatron-Turing NLG 530B",
  layers: 105,
  hidden: 20480,
  ffnHidden: 81920,
  heads: 128,
  vocab: 51200,
  bias: true,
  tiedEmbeddings: true,
  positionEmbeddings: 2048,
  source:
    "Smith et al. 2022, 'Using DeepSpeed and Megatron to Train Megatron-Turing NLG 530B' (105 layers, hidden 20480, 128 heads, seq 2048)",
};
benchSearch(
  "search: 530B dense on 5,120 A100 (full space)",
  job(mtnlg, "a100-sxm-80gb", 5120, 2048, 2560, "bf16"),
);

// 4. Full search: DeepSeek-V3 (MoE, expert parallelism searched) on 2,048 H800.
benchSearch(
  "search: DeepSeek-V3 on 2,048 H800 (with ep)",
  job("deepseek-v3", "h800", 2048, 4096, 15360, "fp8"),
);

// 5. Serving simulation: one million requests through continuous batching on one replica.
const serveJob = {
  model: resolveModel(cat, "llama3-8b"),
  accelerator: resolveAccelerator(cat, "h200"),
  gpus: 1,
  domainSize: 8,
  precision: "fp8" as const,
  kvPrecision: "fp8" as const,
};
const million = {
  requests: 1_000_000,
  arrival: "offline" as const,
  inputLen: { dist: "uniform" as const, min: 100, max: 1000 },
  outputLen: { dist: "uniform" as const, min: 50, max: 500 },
  seed: 7,
};
let simulated = 0;
const sv = measure(
  () => {
    simulated = simulateServing(serveJob, { tp: 1, pp: 1, ep: 1 }, million, null).requests;
  },
  1,
  3,
  3,
);
report(
  "serving simulation: 1,000,000 requests (Llama 3 8B, H200, offline)",
  sv,
  `  ${Math.round(simulated / sv.medianS).toLocaleString("en-US")} requests/s simulated`,
);

// 6. A 10,000-point sweep on the worker-thread pool (every core), as `stargate train --sweep` runs it.
const sweepJob = {
  command: "train" as const,
  data: {
    kind: "train",
    model: "llama3-70b",
    system: { accelerator: "h100-sxm", count: 64 },
    training: {
      seqLen: 4096,
      globalBatch: 128,
      parallelism: {
        tp: 8,
        pp: 2,
        dp: 4,
        cp: 1,
        ep: 1,
        interleave: 1,
        microBatch: 1,
        sequenceParallel: true,
        zero: 1,
        recompute: "selective",
      },
    },
  },
  overlays: [],
  overrides: {},
};
const axes = [parseSweep("training.seqLen=1024:102400:1024"), parseSweep("training.globalBatch=4:400:4")];
await runSweep(sweepJob, axes, { index: 1, count: 1 }, null); // warm-up
const sweepStart = nowS();
const swept = await runSweep(sweepJob, axes, { index: 1, count: 1 }, null);
const sweepS = nowS() - sweepStart;
report(
  `sweep: ${swept.rows.length.toLocaleString("en-US")} train points on ${availableParallelism()} threads`,
  { medianS: sweepS, minS: sweepS, maxS: sweepS, runs: 1 },
  `  ${Math.round(swept.rows.length / sweepS).toLocaleString("en-US")} points/s`,
);

// 7. The main job: `stargate plan` on the built-in Stargate Korea scenario, as a user runs it (a fresh
// process: Node start-up, scenario, performance sizing, supply, facilities, report); the plan across four
// countries with a budget, two events and a regional demand; `stargate sites` (one campus at every
// catalog site); and `stargate design` on the contract's design space.
const cli = fileURLToPath(new URL("../../bin/stargate.js", import.meta.url));
for (const [label, args] of [
  ["plan: `stargate plan` (Stargate Korea), fresh process", ["plan"]],
  [
    "plan: `stargate plan examples/plan-global.yaml` (4 countries, budget, 2 events, a regional demand), fresh process",
    ["plan", fileURLToPath(new URL("../../examples/plan-global.yaml", import.meta.url))],
  ],
  ["sites: `stargate sites` (1 GW campus at 16 sites), fresh process", ["sites"]],
  [
    "design: `stargate design examples/design.yaml` (the contract's 96 points × serve + train), fresh process",
    ["design", fileURLToPath(new URL("../../examples/design.yaml", import.meta.url))],
  ],
] as const) {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = nowS();
    execFileSync("node", [cli, ...args], { stdio: "ignore" });
    runs.push(nowS() - t0);
  }
  runs.sort((x, y) => x - y);
  report(label, { medianS: runs[2] ?? 0, minS: runs[0] ?? 0, maxS: runs[4] ?? 0, runs: 5 });
}

// 8. A 10,000-point plan sweep and a 10,000-sample Monte Carlo on the worker-thread pool.
const korea = parseYaml(
  readFileSync(fileURLToPath(new URL("../../examples/stargate-korea.yaml", import.meta.url)), "utf8"),
  "korea",
);
const planAxes = [
  parseSweep("supply.cowos.allocation=0.0001:0.01:0.0001"),
  parseSweep("assumptions.facilityUsdPerMw=7.7e6:17.6e6:0.1e6"),
];
for (const [label, ax] of [
  ["plan sweep", planAxes],
  ["plan Monte Carlo", [{ path: "@sample", values: Array.from({ length: 10_000 }, (_, i) => i) }]],
] as const) {
  const t0 = nowS();
  const out = await runSweep(
    { command: "plan", data: korea, overlays: [], overrides: {}, seed: 1 },
    ax,
    { index: 1, count: 1 },
    null,
  );
  const took = nowS() - t0;
  report(
    `${label}: ${out.rows.length.toLocaleString("en-US")} points on ${availableParallelism()} threads`,
    { medianS: took, minS: took, maxS: took, runs: 1 },
    `  ${Math.round(out.rows.length / took).toLocaleString("en-US")} points/s`,
  );
}

// 9. The fleet twin: the event kernel alone (a churning heap of 10,000 pending events), and the shared
// Stargate fleet (100,000 GB200, five partners, one year) end to end.
{
  const kq = new EventQueue();
  const kr = seededRandom(7);
  const tick = () => kq.after(kr.next() * 100, tick);
  for (let i = 0; i < 10_000; i++) kq.after(kr.next() * 100, tick);
  const t0 = nowS();
  kq.run(100_000);
  const took = nowS() - t0;
  report(
    `fleet kernel: ${kq.processed.toLocaleString("en-US")} events`,
    { medianS: took, minS: took, maxS: took, runs: 1 },
    `  ${(kq.processed / took / 1e6).toFixed(2)} M events/s`,
  );
}
{
  const data = parseYaml(
    readFileSync(fileURLToPath(new URL("../../examples/fleet-stargate.yaml", import.meta.url)), "utf8"),
    "fleet",
  );
  const t0 = nowS();
  const resolved = resolveFleetScenario(data, builtinCatalog());
  const t1 = nowS();
  const res = simulateFleet(resolved.input);
  const t2 = nowS();
  report(
    `fleet: ${res.accelerators.toLocaleString("en-US")} accelerators, ${resolved.input.partners.length} partners, ${res.horizonDays} days`,
    { medianS: t2 - t0, minS: t2 - t0, maxS: t2 - t0, runs: 1 },
    `  ${res.events.toLocaleString("en-US")} kernel events (${(res.events / (t2 - t1) / 1e6).toFixed(2)} M/s) and ${res.transitions.toLocaleString("en-US")} job starts+stops made inside them (${(res.transitions / (t2 - t1) / 1e6).toFixed(2)} M/s); end to end ${((res.events + res.transitions) / (t2 - t1) / 1e6).toFixed(2)} M simulated state changes/s; ${res.goodput.migrations.toLocaleString("en-US")} defragmentation moves; scenario and jobs ${(t1 - t0).toFixed(1)} s`,
  );
}
{
  // The scale Alibaba's PAI simulator reports (51-110 s for 20,000 jobs on 6,500 GPUs): 20,000 jobs on
  // 6,496 GPUs in 8-GPU servers arriving over 10 days, sizes 1-64, lognormal run times, three partners,
  // failures on, 30 days simulated.
  const r = seededRandom(3);
  const sizes = [1, 2, 4, 8, 16, 32, 64].map((a) => ({ accelerators: a, weight: 1 }));
  const streams = [0, 1, 2].map((p) => ({
    partner: p,
    kind: "finetune" as const,
    perDay: 20_000 / 3 / 10,
    sizes,
    medianHours: 1.5,
    sigma: 1.5,
    priority: 1,
  }));
  const jobs = generateJobs(streams, 10 * 86_400, r);
  const t0 = nowS();
  const res = simulateFleet({
    domains: 812,
    domainSize: 8,
    horizonS: 30 * 86_400,
    seed: 3,
    partners: [0, 1, 2].map((p) => ({ name: `p${p}`, quota: 2165, weight: 1 })),
    jobs,
    services: [],
    scheduler: fairShare,
    placement: "topology",
    borrowing: true,
    failures: {
      ratePerAccHour: INTERRUPTIONS_PER_ACC_HOUR,
      causes: LLAMA3_INTERRUPTIONS.causes.map((c) => ({
        name: c.name,
        share: c.count,
        hardware: c.hardware,
      })),
      repairS: 4 * 3600,
      restartS: 600,
      checkpointIntervalS: 1800,
      checkpointCostS: 30,
    },
    power: { busyKw: 1, idleKw: 0.3, pue: 1.2, carbonGPerKWh: 400 },
    sampleS: 86_400,
    autoscaleS: 300,
  });
  const took = nowS() - t0;
  report(
    `fleet, PAI scale: ${jobs.length.toLocaleString("en-US")} jobs on ${res.accelerators.toLocaleString("en-US")} GPUs`,
    { medianS: took, minS: took, maxS: took, runs: 1 },
    `  ${res.kinds.reduce((x, k) => x + k.completed, 0).toLocaleString("en-US")} completed, utilisation ${(100 * res.utilisation.busy).toFixed(1)}%, ${res.events.toLocaleString("en-US")} events`,
  );
}

// 10. A 10-million-point --jsonl sweep in a fresh process (the rows are counted, not kept): its peak RSS,
// threads included, from the process's own resource usage. STARGATE_BENCH_JSONL_POINTS shortens it.
{
  const points = Number(process.env["STARGATE_BENCH_JSONL_POINTS"] ?? 10_000_000);
  const mainJs = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
  const scenario = fileURLToPath(new URL("../../examples/train-explicit.yaml", import.meta.url));
  const script = `
    const { main } = await import(${JSON.stringify(mainJs)});
    let lines = 0;
    const code = await main(["train", ${JSON.stringify(scenario)}, "--sweep", "training.globalBatch=1:${points}:1", "--jsonl"],
      { stdout: () => { lines++; }, stderr: () => {}, cwd: process.cwd() });
    console.log(JSON.stringify({ code, lines, maxRssKiB: process.resourceUsage().maxRSS }));`;
  const t0 = nowS();
  // A module file, not --input-type (worker threads inherit the parent's flags).
  const file = join(mkdtempSync(join(tmpdir(), "stargate-bench-")), "jsonl.mjs");
  writeFileSync(file, script);
  const r = JSON.parse(execFileSync("node", [file], { encoding: "utf8" })) as {
    code: number;
    lines: number;
    maxRssKiB: number;
  };
  const took = nowS() - t0;
  report(
    `sweep --jsonl: ${points.toLocaleString("en-US")} train points streamed, fresh process`,
    { medianS: took, minS: took, maxS: took, runs: 1 },
    `  peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB, ${r.lines.toLocaleString("en-US")} lines, exit ${r.code}`,
  );
}

// 10b. Sweeps through Redis: a plan Monte Carlo in this process on this machine's threads, then the same
// through a BullMQ queue on a local redis-server with 1, 2 and 3 worker processes (each with a pool of as
// many threads) on this machine: points per second, and the queue's overhead per point against the local
// run. STARGATE_BENCH_QUEUE_POINTS sets the samples (default 4,000).
await benchQueue();

/** The kernel's clock ticks per second (a declared function: it is called before this module's lets run). */
function clockTick(): number {
  clockTick.cached ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return clockTick.cached;
}
clockTick.cached = undefined as number | undefined;

/** CPU seconds (user + system, all threads) the processes `pids` have used: /proc on Linux, else null. */
function cpuSeconds(pids: readonly number[]): number | null {
  try {
    const tick = clockTick();
    return pids.reduce((sum, pid) => {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      return sum + (Number(f[11]) + Number(f[12])) / tick;
    }, 0);
  } catch {
    return null;
  }
}

/** A redis-server on a free-ish loopback port, answering before this returns. */
async function benchRedis(): Promise<{ url: string; pid: number; stop: () => void }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const redis = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const ping = () =>
    spawnSync("redis-cli", ["-p", String(port), "ping"])
      .stdout?.toString()
      .trim();
  for (let i = 0; i < 100 && ping() !== "PONG"; i++) await new Promise((r) => setTimeout(r, 50));
  return { url: `redis://127.0.0.1:${port}`, pid: redis.pid ?? 0, stop: () => redis.kill() };
}

/** Median, least and most of some timings, and the median CPU seconds beside them (in all, and by group). */
interface Timed {
  readonly out: string;
  readonly s: number;
  readonly min: number;
  readonly max: number;
  readonly cpuS: number | null;
  readonly cpuByGroupS: readonly number[] | null;
  readonly runs: number;
}

/** Groups of processes whose CPU seconds are counted apart (this one; Redis; the workers). */
type PidGroups = () => readonly (readonly number[])[];

interface Tally {
  walls: number[];
  cpus: (number[] | null)[];
  out: string;
}

function tally(): Tally {
  return { walls: [], cpus: [], out: "" };
}

/** `run` `runs` times: wall and CPU (of `pids`) per run, the last run's output. */
async function timeRuns(run: () => Promise<string>, pids: PidGroups, runs: number): Promise<Timed> {
  const t = tally();
  for (let r = 0; r < runs; r++) await timeOne(run, pids, t);
  return summarise(t);
}

/** `a` and `b` run in turn, `runs` times each: their timings side by side, drift falling on both alike. */
async function timeAlternating(
  a: () => Promise<string>,
  b: () => Promise<string>,
  pids: PidGroups,
  runs: number,
): Promise<[Timed, Timed]> {
  const [ta, tb] = [tally(), tally()];
  for (let r = 0; r < runs; r++) {
    await timeOne(a, pids, ta);
    await timeOne(b, pids, tb);
  }
  return [summarise(ta), summarise(tb)];
}

async function timeOne(run: () => Promise<string>, pids: PidGroups, into: Tally): Promise<void> {
  const cpu = () => pids().map((g) => cpuSeconds(g));
  const c0 = cpu();
  const t0 = nowS();
  into.out = await run();
  into.walls.push(nowS() - t0);
  const c1 = cpu();
  const used = c0.map((c, i) => (c === null || c1[i] === null ? null : (c1[i] as number) - c));
  into.cpus.push(used.every((c) => c !== null) ? (used as number[]) : null);
}

function summarise(t: Tally): Timed {
  const mid = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
  const sorted = [...t.walls].sort((x, y) => x - y);
  const cpus = t.cpus.filter((c): c is number[] => c !== null);
  const known = cpus.length === t.walls.length && cpus.length > 0 && (cpus[0]?.length ?? 0) > 0;
  return {
    out: t.out,
    s: mid(t.walls),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    cpuS: known ? mid(cpus.map((c) => c.reduce((x, y) => x + y, 0))) : null,
    cpuByGroupS: known ? (cpus[0] as number[]).map((_, g) => mid(cpus.map((c) => c[g] as number))) : null,
    runs: t.walls.length,
  };
}

/** `n` worker processes on `url`, each up before this returns. */
async function benchWorkers(bin: string, url: string, n: number): Promise<ChildProcess[]> {
  const ws = Array.from({ length: n }, () =>
    spawn("node", [bin, "worker", "--queue", url], { stdio: ["ignore", "ignore", "pipe"] }),
  );
  await Promise.all(
    ws.map(
      (w) => new Promise<void>((up) => w.stderr.on("data", (d) => String(d).includes("worker on") && up())),
    ),
  );
  return ws;
}

async function stopWorkers(ws: readonly ChildProcess[]): Promise<void> {
  for (const w of ws) w.kill("SIGTERM");
  await Promise.all(ws.map((w) => new Promise((r) => w.on("exit", r))));
}

async function benchQueue(): Promise<void> {
  const points = Number(process.env["STARGATE_BENCH_QUEUE_POINTS"] ?? 4000);
  const bin = fileURLToPath(new URL("../../bin/stargate.js", import.meta.url));
  if (spawnSync("sh", ["-c", "command -v redis-server"]).status !== 0) {
    console.log("queue: not run: no redis-server here (apt-get install redis-server)");
    return;
  }
  const redis = await benchRedis();
  const job = { command: "plan" as const, data: korea, overlays: [], overrides: {}, seed: 1 };
  const axes = [{ path: "@sample", values: Array.from({ length: points }, (_, i) => i) }];
  const sweep = async (where?: SweepPlace) =>
    JSON.stringify((await runSweep(job, axes, { index: 1, count: 1 }, null, where)).rows);
  const line = (label: string, t: Timed, extra: string) =>
    report(
      label,
      { medianS: t.s / points, minS: t.min / points, maxS: t.max / points, runs: t.runs },
      `  ${(points / t.s).toFixed(0)} points/s${t.cpuS === null ? "" : `, ${((t.cpuS / points) * 1e3).toFixed(2)} CPU ms/point`}${extra}`,
    );
  const pct = (a: number, b: number) => `${a >= b ? "+" : ""}${((a / b - 1) * 100).toFixed(1)}%`;
  // As `stargate plan --samples N` runs it: a fresh process, its pool's threads started for the sweep
  // (wall time only: Node's start-up and the scenario included).
  const fresh = await timeRuns(
    async () => {
      execFileSync(process.execPath, [bin, "plan", "--samples", String(points), "--json"], {
        stdio: ["ignore", "ignore", "ignore"],
        maxBuffer: 1 << 30,
      });
      return "";
    },
    () => [],
    3,
  );
  line(
    `sweep, fresh process: stargate plan --samples ${points.toLocaleString("en-US")}, per point`,
    fresh,
    "",
  );
  // In a process that has swept before (stargate serve, the workbench): the process's pool, kept.
  const local = await timeRuns(
    () => sweep(),
    () => [[process.pid]],
    3,
  );
  line(`sweep, local: plan Monte Carlo of ${points.toLocaleString("en-US")} samples, per point`, local, "");
  // The queue's own cost. A worker's threads stay warm across chunks (compiled, the scenario's runs
  // sized once), so it is set against a pool in this process kept warm the same way. The two run in
  // turn, five times each after a warm-up, and the CPU seconds of every process that takes part
  // (this one, Redis, the worker) are counted for both: on this machine the submitter, Redis and the
  // worker share two cores, and wall time alone mixes them.
  const pool = new SweepPool(availableParallelism());
  let sweeps = 0;
  const onWarmPool = async () => {
    const rows: SweepRow[] = [];
    await pool.run({ id: `warm-${sweeps++}`, job, axes }, 0, points, subChunk(points, pool.threads), (b) => {
      for (const r of b) rows.push(r);
    });
    return JSON.stringify(rows.sort((x, y) => x.index - y.index));
  };
  const one = await benchWorkers(bin, redis.url, 1);
  const where: SweepPlace = { queue: redis.url, signal: new AbortController().signal, done: () => {} };
  const pids = () => [[process.pid], [redis.pid], one.map((w) => w.pid ?? 0)];
  const same = (await onWarmPool()) === local.out && (await sweep(where)) === local.out;
  const [warm, queued] = await timeAlternating(onWarmPool, () => sweep(where), pids, 5);
  await stopWorkers(one);
  await pool.close();
  line("sweep, local on a warm pool (threads kept from an earlier sweep)", warm, "");
  // The submitter and Redis run elsewhere on a cluster: a worker's own cost per point sets throughput.
  const [, redisS, workerS] = queued.cpuByGroupS ?? [];
  const ms = (x: number | undefined) => (x === undefined ? "?" : `${((x / points) * 1e3).toFixed(3)} ms`);
  line(
    `sweep, Redis queue, 1 worker process of ${availableParallelism()} threads on this machine, per point`,
    queued,
    `; against the warm pool run in turn: wall ${pct(queued.s, warm.s)}${queued.cpuS !== null && warm.cpuS !== null ? `, CPU ${pct(queued.cpuS, warm.cpuS)}` : ""}; output ${same ? "identical" : "DIFFERENT"}`,
  );
  if (warm.cpuS !== null && workerS !== undefined)
    console.log(
      `  CPU per point: the worker ${ms(workerS)} (${pct(workerS, warm.cpuS)} against the warm pool's ${ms(warm.cpuS)}), the submitter ${ms(queued.cpuByGroupS?.[0])}, Redis ${ms(redisS)}`,
    );
  for (const n of [2, 3]) {
    const ws = await benchWorkers(bin, redis.url, n);
    await sweep(where);
    const q = await timeRuns(
      () => sweep(where),
      () => [[process.pid], [redis.pid], ws.map((w) => w.pid ?? 0)],
      3,
    );
    await stopWorkers(ws);
    line(
      `sweep, Redis queue, ${n} worker processes of ${availableParallelism()} threads on this machine, per point`,
      q,
      `; wall ${pct(q.s, warm.s)} against the warm pool (${n * availableParallelism()} threads on ${availableParallelism()} cores); output ${q.out === local.out ? "identical" : "DIFFERENT"}`,
    );
  }
  redis.stop();
}

// 11. The HTTP API under load: `stargate serve` in its own process on loopback; 200 clients post the same
// train scenario (answered by its finished run) for STARGATE_BENCH_LOAD_S seconds (default 60); then 200
// fleet runs at once, past the queue's bound: 429s, and the server still answers.
{
  const seconds = Number(process.env["STARGATE_BENCH_LOAD_S"] ?? 60);
  const bin = fileURLToPath(new URL("../../bin/stargate.js", import.meta.url));
  const data = mkdtempSync(join(tmpdir(), "stargate-bench-serve-"));
  const server = spawn(process.execPath, [bin, "serve", "--port", "0", "--data", data], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((found) => {
    let out = "";
    server.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) found(m[1]);
    });
  });
  const example = (f: string) =>
    parseYaml(readFileSync(fileURLToPath(new URL(`../../examples/${f}`, import.meta.url)), "utf8"), f);
  const headers = { "content-type": "application/json" };
  const body = JSON.stringify({ kind: "train", scenario: example("train-explicit.yaml") });
  // The first post runs it; every later one is answered by that run.
  const { id } = (await (await fetch(`${url}/v1/runs`, { method: "POST", headers, body })).json()) as {
    id: string;
  };
  while (((await (await fetch(`${url}/v1/runs/${id}`)).json()) as { status: string }).status !== "done")
    await new Promise((t) => setTimeout(t, 50));
  const load = await autocannon({
    url: `${url}/v1/runs`,
    method: "POST",
    headers,
    body,
    connections: 200,
    duration: seconds,
  });
  report(
    `serve: 200 clients × ${seconds} s posting a finished train run`,
    {
      medianS: load.latency.p50 / 1000,
      minS: load.latency.p50 / 1000,
      maxS: load.latency.p99 / 1000,
      runs: load.requests.total,
    },
    `  p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, ${Math.round(load.requests.average)} req/s, errors ${load.errors}, timeouts ${load.timeouts}, non-2xx ${load.non2xx}`,
  );
  const fleet = JSON.stringify({ kind: "fleet", scenario: example("fleet-small.yaml") });
  const codes = (
    await Promise.all(
      Array.from({ length: 200 }, () => fetch(`${url}/v1/runs`, { method: "POST", headers, body: fleet })),
    )
  ).map((r) => r.status);
  const up = (await fetch(`${url}/healthz`)).status;
  console.log(
    `serve stress: 200 fleet runs posted at once: ${codes.filter((c) => c === 201).length} queued, ${codes.filter((c) => c === 429).length} answered 429, ${codes.filter((c) => c !== 201 && c !== 429).length} other; healthz ${up} after`,
  );
  server.kill("SIGTERM");
}

const mem = process.memoryUsage();
console.log(
  `peak RSS ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`,
);

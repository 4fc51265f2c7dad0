import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { z } from "zod";
import type { Catalog, CatalogOverlay } from "../catalog/index.js";
import { InputError } from "../errors.js";
import { fitTrace } from "../fleet/fit.js";
import { designScenarioSchema } from "../scenario/design.js";
import { parseJobTrace, resolveFleetScenario } from "../scenario/fleet.js";
import { fleetScenarioSchema } from "../scenario/fleet-schema.js";
import { applyInferOverrides, type InferOverrides, resolveInferScenario } from "../scenario/infer.js";
import { parseYaml, validate } from "../scenario/load.js";
import { planScenarioSchema } from "../scenario/plan-schema.js";
import { catalogOverlaySchema, trainScenarioSchema } from "../scenario/schema.js";
import { parseShard } from "../scenario/sweep.js";
import { strip } from "../scenario/system.js";
import { parseTrace } from "../scenario/trace.js";
import { applyTrainOverrides, resolveTrainScenario, type TrainOverrides } from "../scenario/train.js";
import { startServer } from "../server/serve.js";
import { partsReport } from "../validation/parts.js";
import { catalogJson, catalogReport } from "./catalog.js";
import {
  designHtml,
  designJson,
  designReport,
  runDesign,
  SCATTER_METRICS,
  type ScatterMetric,
} from "./design.js";
import { fitReport, fleetHtml, fleetJson, fleetReport, runFleet } from "./fleet.js";
import {
  deployJson,
  deployReport,
  inferJson,
  inferReport,
  runDeploy,
  runInferBatch,
  runServe,
  serveJson,
  serveReport,
} from "./infer.js";
import { planJson, planReport, runPlan } from "./plan.js";
import { planHtml } from "./plan-html.js";
import { bounded, catalogFor, FLEET_RATES, PERF_CACHE, type SweepJob } from "./point.js";
import { parseQueueUrl, runQueueWorker, SweepCancelled } from "./queue.js";
import { finiteOnly } from "./results.js";
import { runSites, sitesJson, sitesReport } from "./sites.js";
import {
  checkSomePointRan,
  mergeSweeps,
  PointTally,
  parseSweepOutput,
  progressBar,
  runSweep,
  type SweepPlace,
  type SweepRow,
  streamSweep,
  sweepAxes,
  sweepHeader,
  sweepReport,
} from "./sweep.js";
import { collected, headerLine, isJsonlSweep, mergeJsonl } from "./sweep-jsonl.js";
import { runTrain, trainJson, trainReport } from "./train.js";
import { partsJson, partsText, runValidate, validateJson, validateReport } from "./validate.js";

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd: string;
}

const USAGE = `usage: stargate <command> [options]

commands:
  train FILE [--json] [--top N] [--gpus N] [--accelerator ID] [--tp N] [--pp N] [--dp N] [--cp N] [--ep N]
             [--micro-batch N] [--global-batch N] [--seq-len N] [--precision P] [--node-size N]
             [--hbm GEN:STACKS] [--scale-up-gbps N] [--scale-out-gbps N]
             training step, memory, MFU and time-to-train; searches parallelism for fields not given;
             --hbm and --scale-*-gbps ask "what if the accelerator had this memory / these links"
  infer FILE [--json] [--gpus N] [--accelerator ID] [--tp N] [--pp N] [--ep N] [--precision P] [--batch N]
             [--hbm GEN:STACKS] [--scale-up-gbps N] [--scale-out-gbps N]
             prefill and decode of one replica at a fixed batch: TTFT, TPOT, throughput, KV cache, the
             largest batch that fits, the bottleneck
  plan [FILE] [--json] [--html OUT.html] [--assumptions] [--accelerator ID]
             the main job: demand (training runs, inference) → accelerators, sites, power, PUE, water,
             carbon, capex/opex, $/GPU-hour, $/M tokens, and the HBM / CoWoS / grid / construction ramp
             with the input that binds each quarter; no FILE: the built-in Stargate Korea plan
  plan [FILE] --sweep PATH=A:B:STEP | --samples N [--seed S] [--shard I/N] [--json]
             sweep any numeric field, or Monte-Carlo over the scenario's uncertainty ranges (default: the
             assumptions' stated ranges), on all cores; shards merge with "merge"
  sites [FILE] [--json]
             one campus design (accelerator, IT MW, cooling, a service) at every catalog site or the ones
             it lists, ranked on PUE, WUE, CO2, capex, $/GPU-hour and $/M tokens; no FILE: a 1 GW GB200
             campus (examples/campus-1gw.yaml)
  fleet FILE [--json] [--html OUT.html] [--seed S] [--assumptions]
  fleet FILE --sweep scheduler=fifo,priority,fair-share [--sweep ...] [--samples N] [--shard I/N] [--json]
             compare schedulers, quotas, fleet sizes ... on all cores (Monte Carlo: sampled assumptions)
             the fleet twin: partners' jobs and services on a shared fleet, event by event (scheduler,
             placement, quotas and borrowing, failures and checkpoints, autoscaling, energy): utilisation,
             shares against quotas, queue waits and completion times, goodput, energy
  fit-trace TRACE.csv [--json] [--days D]
             fit the fleet twin's job streams to a job trace (job_id, tenant, submit_time, accelerators,
             duration): per tenant and size class, arrivals per day and lognormal run times; prints the
             fit against the trace's own mean and p90 and a partners: block for a fleet scenario
  catalog [accelerators|memory|networks|models|sites|systems|prices] [--json]
             what the catalog holds, with sources
  validate [--json] [--parts]
             predictions against the published measurements in validation/ (mean and max error per
             hardware generation and precision); --parts: every measured GEMM, attention, HBM and
             all-reduce row beside the model's value for that part
  train|infer FILE --sweep PATH=A:B:STEP [--sweep PATH=V1,V2 ...] [--shard I/N] [--json]
             evaluate every point of a sweep over scenario fields on all cores (progress on stderr);
             a shard runs a fixed slice, and "merge" joins shard outputs into the whole sweep
  design FILE [--json] [--html OUT.html] [--x METRIC] [--y METRIC]
             a custom accelerator's design space (fields varied around a base part) judged on a workload
             mix and the supply it is built from: per design $/M tokens, tokens/J, days to train, chip
             cost and chips a year; the Pareto front, its knee and why each other design loses; points
             run on all cores; --x/--y: the HTML scatter's axes
  serve [--port N] [--host H] [--data DIR] [--token T]
             the workbench at / and the HTTP API under /v1 on 127.0.0.1:8787 by default (runs of train,
             infer, plan, sites, fleet and design scenarios, sweeps and Monte Carlo, kept in a SQLite
             store under --data, default ./.stargate); beyond loopback --token is required and every
             request carries it as a bearer token
  merge FILE...
             join --json outputs of the shards of one sweep
  train|infer|plan|fleet FILE --sweep ... | --samples N --queue redis://HOST:PORT
  design FILE --queue redis://HOST:PORT
             send the sweep's points to a Redis queue instead of this machine's cores; the output is
             the local sweep's, point for point; Ctrl-C removes the chunks not yet taken
  worker --queue redis://HOST:PORT [--concurrency N]
             take chunks of queued sweeps and run them on this machine's cores (N chunks at a time,
             default 2), until SIGTERM or Ctrl-C; a chunk whose worker dies is retried by another
  schema [train|plan|fleet|design|catalog]
             JSON Schema of scenario files or catalog files, for editors

options for every command:
  --catalog FILE   add accelerators, memory, networks or models from a YAML file (repeatable)
  --json           one JSON object on stdout
`;

const COMMANDS = [
  "train",
  "infer",
  "plan",
  "sites",
  "fleet",
  "fit-trace",
  "catalog",
  "validate",
  "schema",
  "merge",
  "serve",
  "design",
  "worker",
] as const;
const PLANNED: string[] = [];

/**
 * The built-in Stargate Korea scenario, shipped as an example file at the package root (two levels up
 * from src/cli, three from dist/src/cli).
 */
export const BUILTIN_PLAN =
  ["../../examples/stargate-korea.yaml", "../../../examples/stargate-korea.yaml"]
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
    .find((p) => existsSync(p)) ?? "examples/stargate-korea.yaml";

/** The built-in campus design for `stargate sites` (see BUILTIN_PLAN). */
export const BUILTIN_CAMPUS =
  ["../../examples/campus-1gw.yaml", "../../../examples/campus-1gw.yaml"]
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
    .find((p) => existsSync(p)) ?? "examples/campus-1gw.yaml";

/** Write a file whole or not at all: a temporary file renamed over the target. */
function writeAtomic(path: string, text: string, field: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code ?? "";
    throw new InputError(
      field,
      path,
      `a writable file path (${FILE_ERRORS[code] ?? "it could not be written"})`,
    );
  }
}

/** Why a file could not be read or written, in our words. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "it, or its folder, does not exist",
  ENOTDIR: "a part of the path is not a folder",
  EISDIR: "it is a folder",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOSPC: "the disk is full",
  ENAMETOOLONG: "the name is too long",
};

/** The largest input file read: scenarios, catalogs, traces and sweep outputs are far smaller. */
export const MAX_INPUT_BYTES = 16 * 2 ** 20;

/**
 * Read a regular file of at most `maxBytes` (not a device, pipe or directory); with `read` false, only
 * check that it is one (for files streamed line by line).
 */
function readText(path: string, cwd: string, field: string, maxBytes = MAX_INPUT_BYTES, read = true): string {
  const full = resolve(cwd, path);
  try {
    const st = statSync(full);
    if (!st.isFile()) throw new InputError(field, path, "a regular file (not a directory, device or pipe)");
    if (st.size > maxBytes)
      throw new InputError(
        field,
        path,
        `a file of at most 16 MiB (this one has ${(st.size / 2 ** 20).toFixed(1)} MiB)`,
      );
    return read ? readFileSync(full, "utf8") : "";
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "";
    throw new InputError(field, path, `a readable file (${FILE_ERRORS[code] ?? "it could not be read"})`);
  }
}

function intOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--${name}`, v, "a positive integer");
  return n;
}

function numberOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`--${name}`, v, "a positive number");
  return n;
}

function hbmOption(v: string | undefined): { generation: string; stacks: number } | undefined {
  if (v === undefined) return undefined;
  const [generation, stacks] = v.split(":");
  const n = Number(stacks);
  if (generation === undefined || generation === "" || !Number.isInteger(n) || n < 1) {
    throw new InputError("--hbm", v, "GENERATION:STACKS, e.g. hbm3e-12hi:8");
  }
  return { generation, stacks: n };
}

function loadOverlays(files: readonly string[], cwd: string): CatalogOverlay[] {
  return files.map(
    (f) =>
      strip(validate(catalogOverlaySchema, parseYaml(readText(f, cwd, "--catalog"), f), f)) as CatalogOverlay,
  );
}

/** The command line's options (parseArgs, strict). */
const OPTIONS = {
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
  catalog: { type: "string", multiple: true, default: [] },
  top: { type: "string" },
  gpus: { type: "string" },
  accelerator: { type: "string" },
  tp: { type: "string" },
  pp: { type: "string" },
  dp: { type: "string" },
  cp: { type: "string" },
  ep: { type: "string" },
  "micro-batch": { type: "string" },
  "global-batch": { type: "string" },
  "seq-len": { type: "string" },
  precision: { type: "string" },
  "node-size": { type: "string" },
  hbm: { type: "string" },
  "scale-up-gbps": { type: "string" },
  "scale-out-gbps": { type: "string" },
  batch: { type: "string" },
  sweep: { type: "string", multiple: true, default: [] },
  shard: { type: "string" },
  html: { type: "string" },
  assumptions: { type: "boolean", default: false },
  samples: { type: "string" },
  seed: { type: "string" },
  days: { type: "string" },
  parts: { type: "boolean", default: false },
  jsonl: { type: "boolean", default: false },
  port: { type: "string" },
  host: { type: "string" },
  data: { type: "string" },
  token: { type: "string" },
  x: { type: "string" },
  y: { type: "string" },
  queue: { type: "string" },
  concurrency: { type: "string" },
} satisfies NonNullable<ParseArgsConfig["options"]>;

/** The options each command uses beyond --json, --help and --catalog; any other is an error naming it. */
const WHAT_IF = ["hbm", "scale-up-gbps", "scale-out-gbps"] as const;
const COMMAND_OPTIONS: Readonly<Record<string, readonly (keyof typeof OPTIONS)[]>> = {
  train: [
    "top",
    "gpus",
    "accelerator",
    "tp",
    "pp",
    "dp",
    "cp",
    "ep",
    "micro-batch",
    "global-batch",
    "seq-len",
    "precision",
    "node-size",
    ...WHAT_IF,
    "sweep",
    "shard",
    "jsonl",
    "queue",
  ],
  infer: [
    "gpus",
    "accelerator",
    "tp",
    "pp",
    "ep",
    "precision",
    "batch",
    "node-size",
    ...WHAT_IF,
    "sweep",
    "shard",
    "jsonl",
    "queue",
  ],
  plan: ["accelerator", "html", "assumptions", "sweep", "shard", "samples", "seed", "jsonl", "queue"],
  sites: [],
  fleet: ["html", "seed", "sweep", "shard", "samples", "jsonl", "assumptions", "queue"],
  "fit-trace": ["days"],
  catalog: [],
  validate: ["parts"],
  schema: [],
  merge: ["jsonl"],
  serve: ["port", "host", "data", "token"],
  design: ["html", "x", "y", "queue"],
  worker: ["queue", "concurrency"],
};

/**
 * Every option given is one the command uses, and options that only shape a sweep come with one:
 * otherwise exit 2 naming the option (an ignored flag is a silent wrong answer).
 */
function checkOptions(command: string, values: Values): void {
  const allowed = new Set<string>(["json", "help", "catalog", ...(COMMAND_OPTIONS[command] ?? [])]);
  for (const [k, v] of Object.entries(values)) {
    const given = Array.isArray(v) ? v.length > 0 : v !== undefined && v !== false;
    if (given && !allowed.has(k))
      throw new InputError(
        `--${k}`,
        v,
        `an option of "${command}" (it takes ${[...allowed].map((x) => `--${x}`).join(", ")})`,
      );
  }
  const sweeping = values.sweep.length > 0 || values.samples !== undefined;
  if (values.jsonl && !sweeping && command !== "merge")
    throw new InputError("--jsonl", true, "--sweep or --samples beside it (JSONL streams a sweep's rows)");
  if (values.queue !== undefined && !sweeping && command !== "design" && command !== "worker")
    throw new InputError(
      "--queue",
      values.queue,
      "--sweep or --samples beside it (the queue runs a sweep's points on other machines)",
    );
  if (command === "worker" && values.queue === undefined)
    throw new InputError(
      "--queue",
      undefined,
      "a Redis URL such as redis://HOST:PORT (where to take chunks from)",
    );
  if (values.queue !== undefined) parseQueueUrl(values.queue);
  if (values.shard !== undefined && !sweeping)
    throw new InputError(
      "--shard",
      values.shard,
      "--sweep or --samples beside it (a shard is a slice of a sweep)",
    );
  if (command === "plan" && values.seed !== undefined && values.samples === undefined)
    throw new InputError("--seed", values.seed, "--samples beside it (the seed of the Monte Carlo samples)");
}

function parseCli(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
}

/** Node's parseArgs errors as a field line: the flag, what was expected and what was given. */
function argsErrorInOurWords(first: string): InputError {
  const flag = /'(-[\w-]*)/.exec(first)?.[1] ?? "argument";
  // "--days -1": the value looks like an option; say what to write instead.
  if (/argument is ambiguous/.test(first))
    return new InputError(
      flag,
      undefined,
      `a value after it (one starting with "-" is written ${flag}=VALUE)`,
    );
  if (/argument missing/.test(first)) return new InputError(flag, undefined, "a value after it");
  if (/does not take an argument/.test(first))
    return new InputError(flag, "a value", "no value (it is a switch: give it alone)");
  if (/^Unknown option/.test(first))
    return new InputError(flag, flag, "an option stargate has (stargate --help lists them)");
  return new InputError("argument", first, "a command line stargate reads (stargate --help)");
}

type Values = ReturnType<typeof parseCli>["values"];

/** What every command handler shares: the options, the files after the command, the catalog and output. */
interface Ctx {
  readonly values: Values;
  readonly rest: readonly string[];
  readonly io: Io;
  readonly catalog: Catalog;
  readonly overlays: readonly CatalogOverlay[];
  readonly out: (json: unknown, text: string) => void;
  readonly sweepOut: (job: SweepJob, samples?: number) => Promise<void>;
}

/** `train` and `infer`: one configuration, a search, a serving simulation or a deployment; or a sweep. */
async function trainOrInfer(command: "train" | "infer", ctx: Ctx): Promise<number> {
  const { values, rest, io, catalog, overlays, out, sweepOut } = ctx;
  const file = rest[0];
  if (file === undefined) throw new InputError(command, undefined, "a scenario FILE argument");
  const data = parseYaml(readText(file, io.cwd, "FILE"), file);
  const overrides: TrainOverrides & InferOverrides = Object.fromEntries(
    Object.entries({
      gpus: intOption("gpus", values.gpus),
      accelerator: values.accelerator,
      tp: intOption("tp", values.tp),
      pp: intOption("pp", values.pp),
      dp: intOption("dp", values.dp),
      cp: intOption("cp", values.cp),
      ep: intOption("ep", values.ep),
      microBatch: intOption("micro-batch", values["micro-batch"]),
      globalBatch: intOption("global-batch", values["global-batch"]),
      seqLen: intOption("seq-len", values["seq-len"]),
      precision: values.precision,
      top: intOption("top", values.top),
      batch: intOption("batch", values.batch),
      nodeSize: intOption("node-size", values["node-size"]),
      hbm: hbmOption(values.hbm),
      scaleUpGBps: numberOption("scale-up-gbps", values["scale-up-gbps"]),
      scaleOutGBps: numberOption("scale-out-gbps", values["scale-out-gbps"]),
    }).filter(([, v]) => v !== undefined),
  );
  if (values.sweep.length > 0) {
    await sweepOut({ command, data, overlays, overrides });
    return 0;
  }
  if (command === "train") {
    const outcome = runTrain(resolveTrainScenario(applyTrainOverrides(data, overrides), catalog, overrides));
    out(trainJson(outcome), trainReport(outcome));
    return 0;
  }
  const scenario = resolveInferScenario(applyInferOverrides(data, overrides), catalog, overrides);
  if (scenario.deploy !== null) {
    const d = runDeploy(scenario);
    out(deployJson(scenario, d), deployReport(scenario, d));
    return 0;
  }
  if (scenario.workload !== null && scenario.workload !== undefined) {
    const w = scenario.workload;
    const trace =
      "trace" in w
        ? parseTrace(
            readText(resolve(dirname(resolve(io.cwd, file)), w.trace), io.cwd, "inference.workload.trace"),
            w.trace,
          )
        : null;
    const served = runServe(scenario, trace);
    out(serveJson(served), serveReport(served));
    return 0;
  }
  const outcome = runInferBatch(scenario);
  out(inferJson(outcome), inferReport(outcome));
  return 0;
}

/** `plan`: the built-in or a given scenario; a sweep or Monte Carlo; --html. */
async function planCommand(ctx: Ctx): Promise<number> {
  const { values, rest, io, catalog, overlays, out, sweepOut } = ctx;
  const command = "plan" as const;
  const file = rest[0] ?? BUILTIN_PLAN;
  const data = parseYaml(readText(file, io.cwd, "FILE"), file);
  const samples = intOption("samples", values.samples);
  if (values.sweep.length > 0 || samples !== undefined) {
    const seedText = values.seed;
    const seed = seedText === undefined ? 1 : Number(seedText);
    if (!Number.isInteger(seed) || seed < 0)
      throw new InputError("--seed", seedText, "a non-negative integer");
    const overrides = values.accelerator !== undefined ? { accelerator: values.accelerator } : {};
    // Validate the scenario once up front, so bad input is one error rather than an error per point.
    runPlan(data, catalog, values.accelerator, bounded(PERF_CACHE));
    await sweepOut({ command, data, overlays, overrides, seed }, samples);
    return 0;
  }
  const outcome = runPlan(data, catalog, values.accelerator, bounded(PERF_CACHE));
  if (values.html !== undefined) {
    writeAtomic(resolve(io.cwd, values.html), planHtml(outcome), "--html");
    if (!values.json) io.stderr(`wrote ${values.html}\n`);
  }
  out(planJson(outcome), planReport(outcome, values.assumptions));
  return 0;
}

/** `serve`: the HTTP API until SIGINT or SIGTERM; its address on stdout. */
async function serveCommand(ctx: Ctx): Promise<number> {
  const { values, io, overlays } = ctx;
  const port = values.port === undefined ? 8787 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new InputError("--port", values.port, "a port number from 0 to 65535 (0: any free port)");
  const server = await startServer({
    port,
    host: values.host ?? "127.0.0.1",
    dataDir: resolve(io.cwd, values.data ?? ".stargate"),
    ...(values.token !== undefined ? { token: values.token } : {}),
    overlays,
  });
  if (server.store.interrupted > 0)
    io.stderr(
      `stargate: ${server.store.interrupted} run(s) left unfinished by the last server marked failed: interrupted\n`,
    );
  io.stdout(`stargate: serving ${server.url} (API under /v1)\n`);
  await new Promise<void>((stop) => {
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
  return 0;
}

/**
 * Where a sweep runs when `--queue` is given: that Redis queue, cancelled by Ctrl-C (the chunks not yet
 * taken are removed; the command then exits 130). `done()` puts Ctrl-C back as it was.
 */
function onQueue(url: string, io: Io): SweepPlace {
  const ctrl = new AbortController();
  const stop = () => {
    io.stderr("\nstargate: cancelling the sweep: removing its chunks not yet taken\n");
    ctrl.abort();
  };
  process.once("SIGINT", stop);
  return { queue: url, signal: ctrl.signal, done: () => process.removeListener("SIGINT", stop) };
}

/** A whole number from the environment variable `name` (`fallback` when unset), `lo`-`hi`. */
function envWhole(name: string, fallback: number, lo: number, hi: number, unit: string): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < lo || v > hi)
    throw new InputError(
      name,
      raw,
      `a whole number of ${unit}, ${lo.toLocaleString("en-US")}-${hi.toLocaleString("en-US")}`,
    );
  return v;
}

/** `worker`: take queued sweep chunks and run them here until SIGTERM or Ctrl-C. */
async function workerCommand(ctx: Ctx): Promise<number> {
  const { values, io } = ctx;
  const concurrency = values.concurrency === undefined ? 2 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024)
    throw new InputError("--concurrency", values.concurrency, "a whole number of chunks at a time, 1-1,024");
  const ctrl = new AbortController();
  const stop = () => ctrl.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const stallMs = envWhole("STARGATE_QUEUE_STALL_MS", 30_000, 100, 86_400_000, "milliseconds");
  // A container's CPU quota is not what Node sees as the machine's cores: Kubernetes passes the pod's
  // CPU request here (deploy/k8s/worker.yaml).
  const threads = envWhole("STARGATE_THREADS", availableParallelism(), 1, 1024, "worker threads");
  return await runQueueWorker(
    values.queue as string,
    concurrency,
    (l) => io.stderr(`${l}\n`),
    ctrl.signal,
    stallMs,
    threads,
  );
}

/** `design`: a chip design space on the worker pool; the front, the report, --json, --html with the chosen axes. */
async function designCommand(ctx: Ctx): Promise<number> {
  const { values, rest, io, catalog, overlays, out } = ctx;
  const file = rest[0];
  if (file === undefined) throw new InputError("design", undefined, "a design scenario FILE (kind: design)");
  const axis = (flag: "x" | "y", v: string | undefined): ScatterMetric | undefined => {
    if (v !== undefined && !(SCATTER_METRICS as readonly string[]).includes(v))
      throw new InputError(`--${flag}`, v, `one of ${SCATTER_METRICS.join(", ")}`);
    return v as ScatterMetric | undefined;
  };
  const x = axis("x", values.x);
  const y = axis("y", values.y);
  if ((x !== undefined || y !== undefined) && values.html === undefined)
    throw new InputError(
      x !== undefined ? "--x" : "--y",
      x ?? y,
      "--html beside it (the axes of its scatter)",
    );
  const data = parseYaml(readText(file, io.cwd, "FILE"), file);
  const where = values.queue !== undefined ? onQueue(values.queue, io) : undefined;
  const outcome = await runDesign(data, catalog, overlays, progressBar(io.stderr), where);
  where?.done();
  if (values.html !== undefined)
    writeAtomic(resolve(io.cwd, values.html), designHtml(outcome, x, y), "--html");
  out(designJson(outcome), designReport(outcome));
  return 0;
}

/** `fleet`: the twin over a scenario (and its job trace); a sweep or Monte Carlo; --html. */
async function fleetCommand(ctx: Ctx): Promise<number> {
  const { values, rest, io, catalog, overlays, out, sweepOut } = ctx;
  const file = rest[0];
  if (file === undefined) throw new InputError("fleet", undefined, "a scenario FILE argument");
  const parsed = parseYaml(readText(file, io.cwd, "FILE"), file);
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new InputError("input", parsed, "an object (a fleet scenario)");
  let data = parsed as Record<string, unknown>;
  const seed = values.seed;
  if (seed !== undefined) {
    const n = Number(seed);
    if (!Number.isInteger(n) || n < 0) throw new InputError("--seed", seed, "a non-negative integer");
    data = { ...data, seed: n };
  }
  if (values.sweep.length > 0 || values.samples !== undefined) {
    const samples = intOption("samples", values.samples);
    // Validate once up front, so bad input is one error rather than one per point.
    resolveFleetScenario(data, catalog);
    await sweepOut({ command: "fleet", data, overlays, overrides: {}, seed: 1 }, samples);
    return 0;
  }
  const tracePath = data["trace"];
  const trace =
    typeof tracePath === "string"
      ? parseJobTrace(
          readText(resolve(dirname(resolve(io.cwd, file)), tracePath), io.cwd, "trace"),
          tracePath,
        )
      : [];
  const bar = progressBar(io.stderr, "days simulated");
  const days = Math.ceil(Number((data as { days?: unknown }).days) || 0);
  const outcome = runFleet(
    data,
    catalog,
    trace,
    () => performance.now() / 1000,
    (f) => bar(Math.min(days, Math.floor(f * days)), days),
    bounded(FLEET_RATES),
  );
  bar(days, days);
  if (values.html !== undefined) {
    writeAtomic(resolve(io.cwd, values.html), fleetHtml(outcome), "--html");
    if (!values.json) io.stderr(`wrote ${values.html}\n`);
  }
  out(fleetJson(outcome), fleetReport(outcome, values.assumptions));
  return 0;
}

/**
 * `merge`: join the shards of one sweep, --json outputs or --jsonl streams (read line by line); writes
 * --jsonl as a stream, else the whole sweep.
 */
async function mergeCommand(ctx: Ctx): Promise<number> {
  const { values, rest, io, out } = ctx;
  if (rest.length === 0)
    throw new InputError("merge", undefined, "sweep output files (--json or --jsonl) to merge");
  const paths = rest.map((f) => {
    readText(f, io.cwd, "FILE", Number.POSITIVE_INFINITY, false);
    return resolve(io.cwd, f);
  });
  if (paths.every((p) => isJsonlSweep(p))) {
    const rows: SweepRow[] = [];
    const header = await mergeJsonl(
      paths,
      (h) => {
        if (values.jsonl) io.stdout(headerLine(h));
      },
      (r) => {
        if (values.jsonl) io.stdout(`${JSON.stringify(r, finiteOnly)}\n`);
        else rows.push(r);
      },
    );
    if (!values.jsonl) {
      const merged = collected(header, rows);
      out(merged, sweepReport(merged));
    }
    return 0;
  }
  const parts = rest.map((f) => parseSweepOutput(readText(f, io.cwd, "FILE"), f));
  const merged = mergeSweeps(parts, rest);
  if (values.jsonl) {
    const { rows, ...header } = merged;
    io.stdout(headerLine(header));
    for (const r of rows) io.stdout(`${JSON.stringify(r, finiteOnly)}\n`);
  } else out(merged, sweepReport(merged));
  return 0;
}

/** `schema`: the JSON Schema of a scenario or catalog file. */
function schemaCommand(ctx: Ctx): number {
  const { rest, io } = ctx;
  const which = rest[0] ?? "train";
  const schemas = {
    train: trainScenarioSchema,
    plan: planScenarioSchema,
    fleet: fleetScenarioSchema,
    design: designScenarioSchema,
    catalog: catalogOverlaySchema,
  } as const;
  if (!Object.hasOwn(schemas, which))
    throw new InputError("schema", which, 'one of "train", "plan", "fleet", "design", "catalog"');
  const chosen = schemas[which as keyof typeof schemas];
  const schema = z.toJSONSchema(chosen, {
    io: "input",
  });
  io.stdout(`${JSON.stringify(schema, null, 2)}\n`);
  return 0;
}

/** Run the CLI; returns the exit code (0 ok, 1 internal error, 2 bad input). */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const { values, positionals } = parseCli(argv);
    const [command, ...rest] = positionals;
    if (values.help || command === "help") {
      io.stdout(USAGE);
      return 0;
    }
    if (command === undefined) {
      // No command is a usage error: the usage goes to stderr, stdout stays empty.
      io.stderr(USAGE);
      return 2;
    }
    if (!(COMMANDS as readonly string[]).includes(command)) {
      const later = PLANNED.includes(command) ? " (not built yet)" : "";
      throw new InputError("command", command, `one of ${COMMANDS.join(", ")}${later}`);
    }
    checkOptions(command, values);
    const overlays = loadOverlays(values.catalog, io.cwd);
    const catalog = catalogFor(overlays);
    const out = (json: unknown, text: string) =>
      io.stdout(values.json ? `${JSON.stringify(json, finiteOnly, 2)}\n` : text);
    /** Run a sweep (and, where `samples`, Monte-Carlo samples) of the job on the worker pool and print it. */
    const sweepOut = async (job: SweepJob, samples?: number) => {
      const axes = sweepAxes(values.sweep, samples);
      const shard = values.shard !== undefined ? parseShard(values.shard) : { index: 1, count: 1 };
      const where = values.queue !== undefined ? onQueue(values.queue, io) : undefined;
      if (values.jsonl) {
        // One line per point as it completes, in index order: memory stays flat in the point count.
        const tally = new PointTally();
        io.stdout(headerLine(sweepHeader(job, axes, shard)));
        await streamSweep(
          job,
          axes,
          shard,
          progressBar(io.stderr),
          (r) => {
            tally.add(r);
            io.stdout(`${JSON.stringify(r, finiteOnly)}\n`);
          },
          where,
        );
        where?.done();
        tally.check(axes);
        return;
      }
      const sweep = await runSweep(job, axes, shard, progressBar(io.stderr), where);
      where?.done();
      checkSomePointRan(sweep);
      out(sweep, sweepReport(sweep));
    };

    const ctx: Ctx = { values, rest, io, catalog, overlays, out, sweepOut };
    if (command === "train" || command === "infer") return await trainOrInfer(command, ctx);
    if (command === "plan") return await planCommand(ctx);
    if (command === "sites") {
      const file = rest[0] ?? BUILTIN_CAMPUS;
      const r = runSites(parseYaml(readText(file, io.cwd, "FILE"), file), catalog);
      out(sitesJson(r), sitesReport(r));
      return 0;
    }
    if (command === "fleet") return await fleetCommand(ctx);
    if (command === "serve") return await serveCommand(ctx);
    if (command === "worker") return await workerCommand(ctx);
    if (command === "design") return await designCommand(ctx);
    if (command === "fit-trace") {
      const file = rest[0];
      if (file === undefined) throw new InputError("fit-trace", undefined, "a trace CSV argument");
      const rows = parseJobTrace(readText(file, io.cwd, "TRACE"), file);
      if (rows.length === 0) throw new InputError(file, "no rows", "at least one job");
      const days = numberOption("days", values.days);
      const fit = fitTrace(rows, days !== undefined ? { days } : {});
      out(fit, fitReport(fit, file));
      return 0;
    }
    if (command === "merge") return await mergeCommand(ctx);
    if (command === "catalog") {
      const family = rest[0];
      out(catalogJson(catalog, family), catalogReport(catalog, family));
      return 0;
    }
    if (command === "schema") return schemaCommand(ctx);
    if (values.parts) {
      const parts = partsReport(catalog);
      out(partsJson(parts), partsText(parts));
      return 0;
    }
    const report = runValidate(catalog);
    out(validateJson(report), validateReport(report));
    return 0;
  } catch (err) {
    if (err instanceof SweepCancelled) {
      io.stderr(`stargate: ${err.message}\n`);
      return 130;
    }
    if (err instanceof InputError) {
      // One line per problem found, the most specific first.
      io.stderr(
        `${err.message
          .split("\n")
          .map((l) => `stargate: ${l}`)
          .join("\n")}\n`,
      );
      return 2;
    }
    const code = (err as { code?: string }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`stargate: ${argsErrorInOurWords((err as Error).message.split("\n")[0] ?? "").message}\n`);
      return 2;
    }
    io.stderr(`stargate: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

import { availableParallelism } from "node:os";
import { z } from "zod";
import { InputError } from "../errors.js";
import { validate } from "../scenario/load.js";
import {
  listed,
  MAX_SWEEP_POINTS,
  parseSweep,
  type SweepAxis,
  shardRange,
  sweepPoint,
  sweepSize,
} from "../scenario/sweep.js";
import { fixed, table } from "./format.js";
import { catalogFor, evaluatePoint, SAMPLE_AXIS, type SweepJob } from "./point.js";
import { queueSweep } from "./queue.js";
import { SweepPool, subChunk } from "./sweep-pool.js";

export interface SweepRow {
  readonly index: number;
  readonly point: Record<string, number | string | boolean>;
  readonly result: Record<string, unknown>;
}

/** A sweep's output: deterministic for the scenario and axes, whatever the shard or thread count. */
export interface SweepOutput {
  readonly kind: "sweep";
  readonly command: SweepJob["command"];
  readonly axes: readonly SweepAxis[];
  readonly total: number;
  readonly shard: string;
  readonly range: readonly [number, number];
  readonly rows: readonly SweepRow[];
}

/** A sweep's header: what a JSONL stream's first line carries (its rows follow, one per line). */
export type SweepHeader = Omit<SweepOutput, "rows">;

/** Where a sweep's points run instead of this machine's cores: a Redis queue (cli/queue.ts). */
export interface SweepPlace {
  readonly queue: string;
  /** Ctrl-C: the chunks not yet taken are removed. */
  readonly signal: AbortSignal;
  readonly done: () => void;
}

/** Local sweeps this process has run (each gets its own id on the shared pool). */
let localSweeps = 0;

/** The most rows a streaming sweep holds waiting for an earlier one: memory stays flat in the point count. */
const MAX_BUFFERED_ROWS = 8192;

/**
 * The axes of a sweep: each `PATH=A:B:STEP` or `PATH=V1,V2` spec, then `samples` Monte-Carlo sample
 * indices (the @sample axis) when given; at most `limit` points in all. `where` names the input in errors
 * (the CLI's `--sweep`; the API's `sweep`), `why` says where the limit comes from.
 */
export function sweepAxes(
  specs: readonly string[],
  samples: number | undefined,
  where = "--sweep",
  limit = MAX_SWEEP_POINTS,
  why = "",
): SweepAxis[] {
  const axes: SweepAxis[] = specs.map((spec, i) => {
    try {
      return parseSweep(spec);
    } catch (err) {
      if (!(err instanceof InputError) || where === "--sweep") throw err;
      throw new InputError(`${where}[${i}]`, err.value, err.expected);
    }
  });
  if (samples !== undefined) axes.push({ path: SAMPLE_AXIS, from: 0, step: 1, count: samples });
  const size = sweepSize(axes);
  if (size > limit)
    throw new InputError(
      where,
      size,
      `at most ${limit.toLocaleString("en-US")} points in all (the product of the axes)${why}`,
    );
  return axes;
}

/** The header of shard `shard` of a sweep over `axes`. */
export function sweepHeader(
  job: SweepJob,
  axes: readonly SweepAxis[],
  shard: { readonly index: number; readonly count: number },
): SweepHeader {
  const total = sweepSize(axes);
  return {
    kind: "sweep",
    command: job.command,
    axes,
    total,
    shard: `${shard.index}/${shard.count}`,
    range: shardRange(total, shard),
  };
}

/**
 * Evaluate the points of one shard on a pool of worker threads (one per core), handing out small chunks
 * of indices so the cores stay busy, with a progress bar on stderr. `onRow` receives the rows in index
 * order as they complete; a worker waits for more work while MAX_BUFFERED_ROWS later rows wait for an
 * earlier one, so memory does not grow with the number of points.
 */
export async function streamSweep(
  job: SweepJob,
  axes: readonly SweepAxis[],
  shard: { readonly index: number; readonly count: number },
  progress: ((done: number, total: number) => void) | null,
  onRow: (row: SweepRow) => void,
  where?: SweepPlace,
): Promise<SweepHeader> {
  if (where !== undefined)
    return await queueSweep(
      where.queue,
      job,
      axes,
      shard,
      progress,
      onRow,
      sweepHeader(job, axes, shard),
      where.signal,
    );
  const total = sweepSize(axes);
  const [start, end] = shardRange(total, shard);
  const n = end - start;
  const threads = Math.min(availableParallelism(), Math.max(1, Math.ceil(n / 4)));
  let done = 0;
  if (threads <= 1 || !SweepPool.available()) {
    const catalog = catalogFor(job.overlays);
    for (let i = start; i < end; i++) {
      const point = sweepPoint(axes, i);
      onRow({ index: i, point, result: evaluatePoint(job, catalog, point) });
      progress?.(++done, n);
    }
  } else {
    const pool = SweepPool.shared();
    const emit = ordered(
      start,
      onRow,
      (k) => {
        done += k;
        progress?.(done, n);
      },
      pool,
    );
    // A fresh id per sweep: the pool's threads keep the last sweep they were sent.
    const id = `local-${++localSweeps}`;
    await pool.run({ id, job, axes }, start, end, subChunk(n, pool.threads), emit, emit.held);
  }
  return sweepHeader(job, axes, shard);
}

/**
 * Rows handed over in index order from batches that complete in any order, starting at `start`: a
 * later batch waits for an earlier one (at most MAX_BUFFERED_ROWS rows wait; the pool holds new work
 * meanwhile through `hold`, below).
 */
function ordered(
  start: number,
  onRow: (row: SweepRow) => void,
  counted: (rows: number) => void,
  pool: SweepPool,
): ((rows: SweepRow[]) => void) & { held: () => boolean } {
  let emitted = start;
  const waiting = new Map<number, SweepRow>();
  const emit = (rows: SweepRow[]) => {
    for (const r of rows) waiting.set(r.index, r);
    for (let r = waiting.get(emitted); r !== undefined; r = waiting.get(emitted)) {
      waiting.delete(emitted);
      onRow(r);
      emitted++;
    }
    counted(rows.length);
    if (waiting.size < MAX_BUFFERED_ROWS) pool.resume();
  };
  return Object.assign(emit, { held: () => waiting.size >= MAX_BUFFERED_ROWS });
}

/** The whole sweep in memory, its axes listed: the --json output. */
export async function runSweep(
  job: SweepJob,
  axes: readonly SweepAxis[],
  shard: { readonly index: number; readonly count: number },
  progress: ((done: number, total: number) => void) | null,
  where?: SweepPlace,
): Promise<SweepOutput> {
  const rows: SweepRow[] = [];
  const header = await streamSweep(job, axes, shard, progress, (r) => rows.push(r), where);
  return { ...header, axes: axes.map(listed), rows };
}

/** A progress bar on a stream, redrawn at most every 100 ms and once at the end. */
export function progressBar(
  write: (s: string) => void,
  unit = "points",
): (done: number, total: number) => void {
  let last = 0;
  let finished = false;
  return (done, total) => {
    const now = Date.now();
    if (finished || (done < total && now - last < 100)) return;
    finished = done >= total;
    last = now;
    const width = 30;
    const filled = Math.round((width * done) / Math.max(1, total));
    write(
      `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${unit}${done === total ? "\n" : ""}`,
    );
  };
}

/** Join shard outputs of the same sweep into the output of the whole sweep. */
const scalar = z.union([z.number(), z.string(), z.boolean()]);
/** A sweep's --json output, as merge reads it back. */
const sweepOutputSchema = z.object({
  kind: z.literal("sweep"),
  command: z.enum(["train", "infer", "plan", "fleet"]),
  axes: z.array(z.object({ path: z.string(), values: z.array(scalar) })),
  total: z.number().int().nonnegative(),
  shard: z.string(),
  range: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  rows: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      point: z.record(z.string(), scalar),
      result: z.record(z.string(), z.unknown()),
    }),
  ),
});

/** Read one shard's --json output: JSON, and the shape a sweep writes, or an error naming the file and field. */
export function parseSweepOutput(text: string, file: string): SweepOutput {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new InputError(file, text.slice(0, 40), "JSON: the --json output of a sweep shard");
  }
  return validate(sweepOutputSchema, data, file) as SweepOutput;
}

/** Counts a sweep's rows and their errors as they pass, to tell a sweep none of whose points ran. */
export class PointTally {
  private rows = 0;
  private ran = 0;
  private readonly errors = new Map<string, number>();

  add(r: SweepRow): void {
    this.rows++;
    const e = r.result["error"];
    if (typeof e !== "string") this.ran++;
    else if (this.ran === 0) this.errors.set(e, (this.errors.get(e) ?? 0) + 1);
  }

  /**
   * A sweep all of whose points failed is bad input, not a result: one line with the count by error (the
   * three commonest).
   */
  check(axes: readonly SweepAxis[]): void {
    if (this.rows === 0 || this.ran > 0) return;
    const top = [...this.errors.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
    throw new InputError(
      "--sweep",
      axes.map((a) => a.path).join(", ") || "@sample",
      `points that run: all ${this.rows} failed (${top.map(([e, n]) => `${n} × ${e}`).join("; ")})`,
    );
  }
}

export function checkSomePointRan(o: SweepOutput): void {
  const t = new PointTally();
  for (const r of o.rows) t.add(r);
  t.check(o.axes);
}

export function mergeSweeps(parts: readonly SweepOutput[], files: readonly string[]): SweepOutput {
  const first = parts[0];
  if (first === undefined) throw new InputError("merge", files, "at least one sweep output file");
  const key = JSON.stringify([first.command, first.axes, first.total]);
  parts.forEach((p, i) => {
    if (p.kind !== "sweep" || JSON.stringify([p.command, p.axes, p.total]) !== key) {
      throw new InputError(
        files[i] ?? "merge",
        p.shard,
        "an output of the same sweep (command, axes and size)",
      );
    }
  });
  const rows = parts.flatMap((p) => p.rows).sort((a, b) => a.index - b.index);
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]?.index !== i)
      throw new InputError(
        "merge",
        files,
        `shards covering every point once (point ${i} is missing or repeated)`,
      );
  }
  if (rows.length !== first.total)
    throw new InputError("merge", files, `all ${first.total} points of the sweep`);
  return { ...first, shard: "1/1", range: [0, first.total], rows };
}

/** The figures a sweep's report shows per point, by command (a serving sweep's, or a batch run's). */
export function sweepMetrics(o: SweepOutput): string[] {
  const serving = o.rows.some((r) => r.result["ttftP50Ms"] !== undefined);
  return o.command === "plan"
    ? ["demandMet", "binding", "acceleratorsAtEnd", "usdPerGpuHour", "capexUsd", "energyGWhLastYear", "pue"]
    : o.command === "fleet"
      ? [
          "busy",
          "goodput",
          "pretrainWaitP90H",
          "finetuneWaitP90H",
          "evalWaitP90H",
          "servedMin",
          "pendingAtEnd",
          "migrations",
        ]
      : o.command === "train"
        ? ["stepTimeS", "mfu", "memoryPerGpuGiB", "bottleneck"]
        : serving
          ? ["ttftP50Ms", "ttftP99Ms", "tpotP50Ms", "tpotP99Ms", "outputTokensPerS", "sloAttainment"]
          : ["ttftMs", "tpotMs", "outputTokensPerS", "bottleneck"];
}

export function sweepReport(o: SweepOutput): string {
  const paths = o.axes.map((a) => a.path);
  const metrics = sweepMetrics(o);
  const show = (v: unknown) =>
    typeof v === "number"
      ? Math.abs(v) >= 100
        ? fixed(v, 0)
        : Number(v.toPrecision(4)).toString()
      : String(v ?? "-");
  const rows = o.rows.map((r) => [
    ...paths.map((p) => String(r.point[p])),
    ...(r.result["error"] !== undefined
      ? [String(r.result["error"]), ...metrics.slice(1).map(() => "")]
      : metrics.map((m) =>
          show(m === "bottleneck" && r.result["fits"] === false ? "does not fit" : r.result[m]),
        )),
  ]);
  const head = `sweep of ${o.total} points (shard ${o.shard}: points ${o.range[0]}–${o.range[1] - 1})`;
  const shown = rows.length > 200 ? [...rows.slice(0, 100), ...rows.slice(-100)] : rows;
  const note = rows.length > 200 ? `\n(${rows.length - 200} rows not shown; --json has every row)` : "";
  return `${head}\n${table([...paths, ...metrics], shown)}${note}\n${distribution(o, metrics)}`;
}

/** Percentiles of each numeric metric over the points (for Monte-Carlo runs and large sweeps). */
function distribution(o: SweepOutput, metrics: readonly string[]): string {
  if (o.rows.length < 10) return "";
  const lines: string[][] = [];
  for (const m of metrics) {
    const v = o.rows
      .map((r) => r.result[m])
      .filter((x): x is number => typeof x === "number")
      .sort((a, b) => a - b);
    if (v.length === 0) continue;
    const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * v.length))] ?? 0;
    const show = (x: number) => (Math.abs(x) >= 100 ? fixed(x, 0) : Number(x.toPrecision(4)).toString());
    lines.push([m, show(q(0.1)), show(q(0.5)), show(q(0.9))]);
  }
  const met = o.rows.filter((r) => r.result["demandMet"] === true).length;
  const extra = o.command === "plan" ? `demand met in ${met} of ${o.rows.length} points\n` : "";
  return lines.length === 0 ? extra : `\n${extra}${table(["metric", "p10", "p50", "p90"], lines)}\n`;
}

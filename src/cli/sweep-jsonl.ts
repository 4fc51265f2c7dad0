import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { createInterface } from "node:readline";
import { z } from "zod";
import { InputError } from "../errors.js";
import { validate } from "../scenario/load.js";
import { listed, type SweepAxis } from "../scenario/sweep.js";
import type { SweepHeader, SweepOutput, SweepRow } from "./sweep.js";

/**
 * JSON Lines sweeps: a header line (the sweep without its rows) and one line per point in index order.
 * Written as points complete (`--jsonl`), read back line by line by `merge`, so neither side holds the
 * sweep in memory.
 */

const scalar = z.union([z.number(), z.string(), z.boolean()]);
const axisSchema = z.union([
  z.object({ path: z.string(), values: z.array(scalar) }),
  z.object({
    path: z.string(),
    from: z.number(),
    step: z.number().positive(),
    count: z.number().int().positive(),
  }),
]);
const headerSchema = z.object({
  kind: z.literal("sweep"),
  command: z.enum(["train", "infer", "plan", "fleet"]),
  axes: z.array(axisSchema),
  total: z.number().int().nonnegative(),
  shard: z.string(),
  range: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});
const rowSchema = z.object({
  index: z.number().int().nonnegative(),
  point: z.record(z.string(), scalar),
  result: z.record(z.string(), z.unknown()),
});

/** Whether a file starts with a JSONL sweep header (a first line that is a sweep without rows). */
export function isJsonlSweep(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(65_536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const first = buf.subarray(0, n).toString("utf8").split("\n")[0] ?? "";
    const v = JSON.parse(first) as Record<string, unknown>;
    return v !== null && typeof v === "object" && v["kind"] === "sweep" && !("rows" in v);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** The lines of a file, one at a time. */
async function* lines(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) if (line.trim() !== "") yield line;
}

function parseLine<T>(schema: z.ZodType<T>, line: string, where: string): T {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new InputError(where, line.slice(0, 40), "a JSON line of a --jsonl sweep");
  }
  return validate(schema, v, where) as T;
}

/** A shard's header, and its rows read lazily. */
interface JsonlShard {
  readonly file: string;
  readonly header: SweepHeader;
  readonly rows: AsyncGenerator<SweepRow>;
}

async function openShard(file: string): Promise<JsonlShard> {
  const it = lines(file);
  const first = await it.next();
  if (first.done === true) throw new InputError(file, "", "a --jsonl sweep (a header line, then rows)");
  const header = parseLine(headerSchema, first.value, `${file}:1`) as SweepHeader;
  async function* rows(): AsyncGenerator<SweepRow> {
    let n = 1;
    for await (const line of it) yield parseLine(rowSchema, line, `${file}:${++n}`) as SweepRow;
  }
  return { file, header, rows: rows() };
}

/** A cheap identity of an axis that does not list a range's values. */
function axisKey(a: SweepAxis): string {
  return "values" in a ? JSON.stringify(a) : JSON.stringify([a.path, a.from, a.step, a.count]);
}

/**
 * Merge JSONL shards of one sweep: same command, axes and size, ranges that tile the sweep; rows are
 * streamed to `onRow` in index order (each shard is in order and the shards are contiguous).
 */
export async function mergeJsonl(
  files: readonly string[],
  onHeader: (h: SweepHeader) => void,
  onRow: (r: SweepRow) => void,
): Promise<SweepHeader> {
  const shards = await Promise.all(files.map(openShard));
  const first = shards[0];
  if (first === undefined) throw new InputError("merge", files, "at least one sweep output file");
  const key = JSON.stringify([first.header.command, first.header.axes.map(axisKey), first.header.total]);
  for (const s of shards)
    if (JSON.stringify([s.header.command, s.header.axes.map(axisKey), s.header.total]) !== key)
      throw new InputError(s.file, s.header.shard, "an output of the same sweep (command, axes and size)");
  shards.sort((a, b) => a.header.range[0] - b.header.range[0]);
  const header: SweepHeader = { ...first.header, shard: "1/1", range: [0, first.header.total] };
  onHeader(header);
  let expected = 0;
  for (const s of shards) {
    if (s.header.range[0] !== expected)
      throw new InputError(
        "merge",
        files,
        `shards covering every point once (point ${expected} is missing or repeated)`,
      );
    for await (const r of s.rows) {
      if (r.index !== expected)
        throw new InputError(s.file, r.index, `the rows of its range in order (row ${expected} next)`);
      onRow(r);
      expected++;
    }
    if (expected !== s.header.range[1])
      throw new InputError(
        s.file,
        expected,
        `all the rows of its range ${s.header.range[0]}-${s.header.range[1]}`,
      );
  }
  if (expected !== first.header.total)
    throw new InputError("merge", files, `all ${first.header.total} points of the sweep`);
  return header;
}

/** A JSONL header line: ranges stay compact. */
export function headerLine(h: SweepHeader): string {
  return `${JSON.stringify(h)}\n`;
}

/** The in-memory form of a merged JSONL sweep (for --json or the table). */
export function collected(h: SweepHeader, rows: readonly SweepRow[]): SweepOutput {
  return { ...h, axes: h.axes.map(listed), rows };
}

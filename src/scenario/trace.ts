import { InputError } from "../errors.js";
import type { RequestSet } from "../perf/serving.js";

const ARRIVAL = ["arrival_s", "arrival", "timestamp", "time"];
const INPUT = ["input_tokens", "input", "inputlen", "prompt_tokens", "context_tokens", "contexttokens"];
const OUTPUT = [
  "output_tokens",
  "output",
  "outputlen",
  "completion_tokens",
  "generated_tokens",
  "generatedtokens",
];

/**
 * A CSV cell as a number: a blank cell is an error (not 0), named by file, row and column header.
 */
export function csvNumber(
  cells: readonly string[],
  header: readonly string[],
  col: number,
  where: string,
  what: string,
): number {
  const raw = (cells[col] ?? "").trim();
  if (raw === "") throw new InputError(`${where} column ${header[col] ?? col + 1}`, "an empty cell", what);
  return Number(raw);
}

/**
 * Parse a request trace: CSV with a header naming an arrival column (seconds), an input-length column
 * and an output-length column (tokens), e.g. `arrival_s,input_tokens,output_tokens` (Azure LLM inference
 * traces use `TIMESTAMP,ContextTokens,GeneratedTokens`; give seconds). Rows are sorted by arrival and
 * shifted so the first arrives at t = 0.
 */
export function parseTrace(text: string, file: string): RequestSet {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = (lines[0] ?? "").split(",").map((h) => h.trim().toLowerCase());
  const col = (names: readonly string[], what: string) => {
    const i = header.findIndex((h) => names.includes(h));
    if (i < 0)
      throw new InputError(
        `${file}:1`,
        lines[0] ?? "",
        `a CSV header with ${what} (one of ${names.join(", ")})`,
      );
    return i;
  };
  const ia = col(ARRIVAL, "an arrival column in seconds");
  const ii = col(INPUT, "an input-length column");
  const io = col(OUTPUT, "an output-length column");
  const rows: [number, number, number][] = [];
  for (let k = 1; k < lines.length; k++) {
    const cells = (lines[k] ?? "").split(",");
    const where = `${file}:${k + 1}`;
    const a = csvNumber(cells, header, ia, where, "an arrival time ≥ 0 in seconds");
    const inp = csvNumber(cells, header, ii, where, "an input length ≥ 1 token");
    const out = csvNumber(cells, header, io, where, "an output length ≥ 1 token");
    if (!Number.isFinite(a) || a < 0)
      throw new InputError(`${file}:${k + 1}`, cells[ia] ?? "", "an arrival time ≥ 0 in seconds");
    if (!Number.isInteger(inp) || inp < 1)
      throw new InputError(`${file}:${k + 1}`, cells[ii] ?? "", "an input length ≥ 1 token");
    if (!Number.isInteger(out) || out < 1)
      throw new InputError(`${file}:${k + 1}`, cells[io] ?? "", "an output length ≥ 1 token");
    rows.push([a, inp, out]);
  }
  if (rows.length === 0) throw new InputError(file, "", "at least one request row after the header");
  rows.sort((x, y) => x[0] - y[0]);
  const t0 = rows[0]?.[0] ?? 0;
  return {
    arrival: Float64Array.from(rows, (r) => r[0] - t0),
    input: Int32Array.from(rows, (r) => r[1]),
    output: Int32Array.from(rows, (r) => r[2]),
  };
}

import { InputError } from "../errors.js";
import type { RequestSet } from "../perf/serving.js";
import { DOMAIN } from "./schema.js";

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

/** A decimal number as a CSV cell holds one: digits, an optional point, an optional exponent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The longest time a trace may span: ten years, in seconds. */
export const TRACE_MAX_S = 3.16e8;

/** What a CSV column holds: its name in messages, its range and whether it counts things. */
export interface CsvField {
  readonly what: string;
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

/**
 * A CSV cell as a number within its field's range: a blank cell is an error (not 0), and so is anything
 * but a finite decimal (Infinity, 0x10, 1e400) or a value out of range, named by file, row and column.
 */
export function csvNumber(
  cells: readonly string[],
  header: readonly string[],
  col: number,
  where: string,
  field: CsvField,
): number {
  const raw = (cells[col] ?? "").trim();
  const at = `${where} column ${header[col] ?? col + 1}`;
  const expected = `${field.what}${field.integer ? ", a whole number" : ""} from ${field.min} to ${field.max.toLocaleString("en-US")}`;
  if (raw === "") throw new InputError(at, "an empty cell", expected);
  const x = Number(raw);
  if (!DECIMAL.test(raw) || !(x >= field.min && x <= field.max) || (field.integer && !Number.isInteger(x)))
    throw new InputError(at, raw, expected);
  return x;
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
    const a = csvNumber(cells, header, ia, where, { what: "an arrival time (s)", min: 0, max: TRACE_MAX_S });
    // As long as a scenario's sequence lengths may be.
    const tokens = (what: string) => ({ what, min: 1, max: DOMAIN.sequence, integer: true });
    const inp = csvNumber(cells, header, ii, where, tokens("an input length (tokens)"));
    const out = csvNumber(cells, header, io, where, tokens("an output length (tokens)"));
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

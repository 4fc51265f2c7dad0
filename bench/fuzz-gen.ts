import fc from "fast-check";

/**
 * Generators of hostile input and the rule every answer keeps, shared by the property tests
 * (test/cli/fuzz-*.test.ts, in-process) and `npm run fuzz` (bench/fuzz.ts, the CLI as subprocesses with
 * a time and memory limit each).
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** An example scenario the mutations start from, with an edit that keeps one run short. */
export interface Base {
  readonly example: string;
  readonly edit?: (s: Record<string, Json>) => Json;
}

/** Serving simulations cut to 100 requests: the mutations, not the request count, find the faults. */
function hundredRequests(s: Record<string, Json>): Json {
  const inference = s["inference"] as Record<string, Record<string, Json>>;
  return { ...s, inference: { ...inference, workload: { ...inference["workload"], requests: 100 } } };
}

/** The scenarios each command's mutations start from (examples/, edited to keep a run short). */
export const BASES = {
  train: [{ example: "examples/train-explicit.yaml" }, { example: "examples/lora-70b.yaml" }],
  infer: [
    { example: "examples/infer-batch.yaml" },
    { example: "examples/custom-chip.yaml" },
    { example: "examples/serve-online.yaml", edit: hundredRequests },
  ],
  plan: [{ example: "examples/plan-global.yaml" }, { example: "examples/stargate-korea.yaml" }],
  sites: [{ example: "examples/campus-1gw.yaml" }],
  // The fleet twin simulates every job event by event: each fleet over one day.
  fleet: [
    { example: "examples/fleet-small.yaml", edit: (s) => ({ ...s, days: 1 }) },
    { example: "examples/fleet-mixed.yaml", edit: (s) => ({ ...s, days: 1 }) },
  ],
  // A chip design space of one point (each value list cut to its first), serving and training.
  design: [
    {
      example: "examples/design.yaml",
      edit: (s) => ({
        ...s,
        space: Object.fromEntries(
          Object.entries(s["space"] as Record<string, Json[]>).map(([k, v]) => [k, v.slice(0, 1)]),
        ),
      }),
    },
  ],
} satisfies Record<string, readonly Base[]>;

export const EXTREMES: Json[] = [
  0,
  -1,
  1,
  0.5,
  -0.0001,
  1e-12,
  1e308,
  -1e308,
  2 ** 53,
  1e9,
  7.5,
  "",
  "x",
  "1e3",
  true,
  false,
  null,
  [],
  {},
  [1],
  { a: 1 },
];

/** Every path to a leaf or container in `v`. */
function paths(
  v: Json,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) for (const [i, c] of v.entries()) paths(c, [...at, i], out);
  else if (v !== null && typeof v === "object")
    for (const [k, c] of Object.entries(v)) paths(c, [...at, k], out);
  return out;
}

function getAt(v: Json, p: readonly (string | number)[]): Json {
  let cur: Json = v;
  for (const k of p) cur = (cur as Record<string | number, Json>)[k] ?? null;
  return cur;
}

export type Mutation =
  | { kind: "set"; path: number; value: Json }
  | { kind: "scale"; path: number; factor: number }
  | { kind: "drop"; path: number }
  | { kind: "extra"; path: number; key: string }
  | { kind: "repeat"; path: number };

/** Apply mutations (each names a path by index modulo the paths there are then). */
export function mutate(base: Json, ms: readonly Mutation[]): Json {
  const v = structuredClone(base);
  for (const m of ms) {
    const all = paths(v).filter((p) => p.length > 0);
    const p = all[m.path % Math.max(1, all.length)];
    if (p === undefined) continue;
    const parent = getAt(v, p.slice(0, -1)) as Record<string | number, Json>;
    const key = p[p.length - 1] as string | number;
    const cur = parent[key] ?? null;
    if (m.kind === "set") parent[key] = m.value;
    else if (m.kind === "scale") parent[key] = typeof cur === "number" ? cur * m.factor : cur;
    else if (m.kind === "drop") {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (m.kind === "extra") {
      if (cur !== null && typeof cur === "object" && !Array.isArray(cur)) cur[m.key] = 1;
    } else if (Array.isArray(cur)) parent[key] = [...cur, ...cur, ...cur];
  }
  return v;
}

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), path: fc.nat(), value: fc.constantFrom(...EXTREMES) }),
  fc.record({
    kind: fc.constant("scale" as const),
    path: fc.nat(),
    factor: fc.constantFrom(0, -1, 1e-9, 0.5, 2, 10, 1e6, 1e300),
  }),
  fc.record({ kind: fc.constant("drop" as const), path: fc.nat() }),
  fc.record({
    kind: fc.constant("extra" as const),
    path: fc.nat(),
    key: fc.constantFrom("x", "precison", "__proto__", "constructor"),
  }),
  fc.record({ kind: fc.constant("repeat" as const), path: fc.nat() }),
);

export const JS_WORDING =
  /Error:|TypeError|RangeError|ReferenceError|at .*\.js:\d+|is not a function|Cannot read prop|undefined is not|Maximum call stack|internal error|NaN|Infinity/;

/** Output fields that are signed by nature (a temperature offset, a difference). */
const SIGNED = /(Offset|Delta|delta|Change|change|margin|Margin|\.validation\.(.+\.)?(min|max)Error$)/;

type Obj = Record<string, Json>;
const num = (v: Json | undefined): number => (typeof v === "number" ? v : Number.NaN);
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-3 * Math.max(1, Math.abs(a), Math.abs(b));
const sum = (o: Json | undefined) => Object.values((o ?? {}) as Obj).reduce<number>((s, v) => s + num(v), 0);

/** Every number non-negative (bar signed fields), and each command's own invariants. */
export function invariants(command: string, out: Json): string[] {
  const broken: string[] = [];
  const walk = (v: Json, at: string) => {
    if (typeof v === "number" && v < 0 && !SIGNED.test(at)) broken.push(`${at} = ${v} < 0`);
    else if (Array.isArray(v)) for (const [i, c] of v.entries()) walk(c, `${at}.${i}`);
    else if (v !== null && typeof v === "object")
      for (const [k, c] of Object.entries(v)) walk(c, `${at}.${k}`);
  };
  walk(out, "");
  const check = (ok: boolean, what: string) => {
    if (!ok) broken.push(what);
  };
  const o = out as Obj;
  if (command === "train" && o["fits"] === true) {
    check(num(o["mfu"]) <= num(o["hfu"]) + 1e-9 && num(o["hfu"]) <= 1, "mfu <= hfu <= 1");
    check(near(sum(o["breakdown"]), num(o["stepTimeS"])), "breakdown sums to the step");
  }
  if (command === "infer" && o["fits"] === true) {
    for (const phase of ["prefill", "decode"]) {
      const p = o[phase] as Obj | undefined;
      if (p === undefined) continue;
      check(near(sum(p["breakdown"]), num(p["timeS"])), `${phase} breakdown sums to its time`);
    }
  }
  if (command === "sites")
    for (const s of o["sites"] as Obj[]) {
      check(
        num(s["annualPue"]) >= 1 && num(s["designPue"]) >= num(s["annualPue"]) - 1e-9,
        `${s["site"]}: 1 <= PUE <= design PUE`,
      );
    }
  if (command === "plan")
    for (const q of o["quarters"] as Obj[]) {
      check(num(q["utilisation"]) <= 1 + 1e-9, `${q["quarter"]}: utilisation <= 1`);
      // A region's demand is served from its own region first, so the shortfall may exceed the gap overall.
      const short = num(q["shortfall"]);
      const gap = Math.max(0, num(q["demand"]) - num(q["installed"]));
      check(
        short >= gap - 1 && short <= num(q["demand"]),
        `${q["quarter"]}: demand - installed <= shortfall <= demand`,
      );
    }
  if (command === "fleet") {
    const u = o["utilisation"] as Obj;
    check(num(u["busy"]) <= num(u["up"]) + 1e-9 && num(u["up"]) <= 1 + 1e-9, "busy <= up <= 1");
  }
  return broken;
}

/**
 * What is wrong with an answer, or null when it is right: exit 2 with a line per problem naming a field
 * (or file, row and column) and no JavaScript wording; or exit 0 with JSON that keeps the command's
 * invariants. Exit 1 is a bug: a crash, or a NaN/Infinity the JSON writer refused to print as null.
 */
export function answerProblem(command: string, code: number, stdout: string, stderr: string): string | null {
  if (code === 2) {
    for (const l of stderr.trim().split("\n"))
      if (!/^stargate: .+?: expected .+, got .+$/.test(l) && !/^stargate: \.\.\. and \d+ more$/.test(l))
        return `not a field line: ${l}`;
    // The user's own text is quoted back: only our words are held to the rule.
    if (JS_WORDING.test(stderr.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) return `JavaScript wording: ${stderr}`;
    return null;
  }
  if (code !== 0) return `exit ${code}: ${stderr}`;
  let out: Json;
  try {
    out = JSON.parse(stdout) as Json;
  } catch {
    return `exit 0 without JSON: ${stdout.slice(0, 200)}`;
  }
  const broken = invariants(command, out);
  return broken.length > 0 ? `invariant broken: ${broken.join("; ")}` : null;
}

/** What a careless export or a hostile user puts in a CSV cell. */
export const CELLS = [
  "",
  " ",
  "-1",
  "0",
  "1e308",
  "1e400",
  "-0",
  "NaN",
  "Infinity",
  "abc",
  "0x10",
  "1,5",
  '"7"',
  "9".repeat(400),
  "2.5",
  "１",
];

export type CsvMutation =
  | { kind: "cell"; row: number; col: number; value: string }
  | { kind: "drop-cell"; row: number }
  | { kind: "extra-cell"; row: number }
  | { kind: "drop-row"; row: number }
  | { kind: "blank-line"; row: number }
  | { kind: "crlf" };

export const csvMutation: fc.Arbitrary<CsvMutation> = fc.oneof(
  fc.record({
    kind: fc.constant("cell" as const),
    row: fc.nat(),
    col: fc.nat(),
    value: fc.constantFrom(...CELLS),
  }),
  fc.record({ kind: fc.constant("drop-cell" as const), row: fc.nat() }),
  fc.record({ kind: fc.constant("extra-cell" as const), row: fc.nat() }),
  fc.record({ kind: fc.constant("drop-row" as const), row: fc.nat() }),
  fc.record({ kind: fc.constant("blank-line" as const), row: fc.nat() }),
  fc.record({ kind: fc.constant("crlf" as const) }),
);

/** Apply CSV mutations (rows by index modulo the rows there are, the header included). */
export function mutateCsv(text: string, ms: readonly CsvMutation[]): string {
  let rows = text
    .trimEnd()
    .split("\n")
    .map((r) => r.split(","));
  let eol = "\n";
  for (const m of ms) {
    if (m.kind === "crlf") {
      eol = "\r\n";
      continue;
    }
    const i = m.row % rows.length;
    const row = rows[i] as string[];
    if (m.kind === "cell") row[m.col % row.length] = m.value;
    else if (m.kind === "drop-cell") row.pop();
    else if (m.kind === "extra-cell") row.push("1");
    else if (m.kind === "drop-row") rows = rows.filter((_, j) => j !== i);
    else rows.splice(i, 0, [""]);
  }
  return `${rows.map((r) => r.join(",")).join(eol)}${eol}`;
}

import { parseDocument } from "yaml";
import type { z } from "zod";
import { article, InputError } from "../errors.js";

function joinPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** Turn the first zod issue into a one-line InputError naming path, value and expectation. */
export function issueToInputError(issue: z.core.$ZodIssue, root: unknown, prefix = ""): InputError {
  const full = [...(prefix === "" ? [] : [prefix]), ...issue.path];
  const path = joinPath(full);
  const value = valueAt(root, issue.path);
  switch (issue.code) {
    case "invalid_type": {
      // zod 4 reports an integer check on a non-integer number as an invalid type "int".
      const expected = String(issue.expected) === "int" ? "integer" : String(issue.expected);
      if (value === undefined) return new InputError(path, value, `${article(expected)} (required field)`);
      // YAML's .inf and .nan are numbers to the parser but never a figure.
      if (typeof value === "number" && !Number.isFinite(value))
        return new InputError(path, value, "a finite number");
      return new InputError(path, value, article(expected));
    }
    case "too_small": {
      const bound = Number(issue.minimum);
      const what =
        issue.origin === "number"
          ? bound === 0 && !issue.inclusive
            ? "a positive number"
            : `a number ${issue.inclusive ? "≥" : ">"} ${bound}`
          : `at least ${bound} item(s)`;
      return new InputError(path, value, what);
    }
    case "too_big":
      return new InputError(
        path,
        value,
        issue.origin === "number"
          ? `a number ${issue.inclusive ? "≤" : "<"} ${String(issue.maximum)}`
          : issue.origin === "string"
            ? `at most ${String(issue.maximum)} characters`
            : `at most ${String(issue.maximum)} item(s)`,
      );
    case "not_multiple_of":
      return new InputError(path, value, `a multiple of ${String(issue.divisor)}`);
    case "unrecognized_keys": {
      const key = issue.keys[0] ?? "";
      const field = (value as Record<string, unknown> | undefined)?.[key];
      return new InputError(joinPath([...full, key]), field, `known fields only (no field "${key}" here)`);
    }
    case "invalid_value":
      return new InputError(path, value, `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`);
    case "invalid_union": {
      // Report the alternative that got furthest into the value: its first problem is the useful one
      // (an inline model missing `layers`, not "expected a string").
      let best: z.core.$ZodIssue | undefined;
      for (const branch of issue.errors) {
        const first = branch[0];
        if (
          first !== undefined &&
          first.path.length > 0 &&
          (best === undefined || first.path.length > best.path.length)
        ) {
          best = first;
        }
      }
      if (best !== undefined) return issueToInputError(best, value, path);
      if (value === undefined) return new InputError(path, value, "a value (required field)");
      const takesId = issue.errors.some(
        (b) => b[0]?.code === "invalid_type" && String(b[0].expected) === "string",
      );
      return new InputError(
        path,
        value,
        takesId
          ? "a catalog id or an inline definition"
          : "one of the accepted forms (see `stargate schema`)",
      );
    }
    case "invalid_format":
      // A pattern carries its own phrase (e.g. 'a quarter such as "2027Q3"').
      return new InputError(path, value, issue.format === "regex" ? issue.message : `a ${issue.format}`);
    default:
      return new InputError(path, value, issue.message);
  }
}

/**
 * Validate `data` with `schema`, throwing every problem as one InputError, a line each: unknown keys
 * first, then bad values, then fields missing (the deepest first within each).
 */
export function validate<S extends z.ZodType>(schema: S, data: unknown, prefix = ""): z.output<S> {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  // A misspelt key first (it usually explains a missing field), then values given wrong, then fields
  // missing; deeper paths first within each.
  const rank = (i: z.core.$ZodIssue) =>
    i.code === "unrecognized_keys" ? 0 : valueAt(data, i.path) === undefined ? 2 : 1;
  const issues = [...result.error.issues].sort((a, b) => rank(a) - rank(b) || b.path.length - a.path.length);
  const errors = issues.map((issue) => issueToInputError(issue, data, prefix));
  // The same message twice (a union's branches) is said once.
  const unique = errors.filter((e, i) => errors.findIndex((x) => x.message === e.message) === i);
  throw InputError.all(unique);
}

/** How deep a scenario may nest (objects and lists): far beyond any real scenario, far below the stack. */
export const MAX_NESTING = 64;
/** How many alias expansions a file may make (YAML "billion laughs" guard). */
export const MAX_ALIASES = 100;

/** What each YAML syntax error means, in our words (the parser's own message is never shown). */
const YAML_ERRORS: Readonly<Record<string, string>> = {
  BAD_INDENT: "consistent indentation (spaces, children indented under their parent)",
  TAB_AS_INDENT: "indentation with spaces, not tabs",
  DUPLICATE_KEY: "each key once per mapping",
  MISSING_CHAR: "a closing bracket, brace or quote",
  BAD_DQ_ESCAPE: "a valid escape in a double-quoted string",
  BLOCK_AS_IMPLICIT_KEY: "a simple key before the colon",
  MULTILINE_IMPLICIT_KEY: "a key on one line",
  KEY_OVER_1024_CHARS: "keys of at most 1,024 characters",
  MULTIPLE_DOCS: "a single YAML document (no second ---)",
  BAD_ALIAS: "an alias (*name) to an anchor (&name) defined before it",
  UNEXPECTED_TOKEN: "a key: value mapping or a - list here",
  BLOCK_IN_FLOW: "no block (indented) content inside [ ] or { }",
  NON_STRING_KEY: "text keys",
};

/** The deepest nesting of objects and lists, walked without recursion. */
function nestingDepth(root: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== "object") continue;
    deepest = Math.max(deepest, d + 1);
    if (deepest > MAX_NESTING) return deepest;
    for (const c of Object.values(v)) stack.push([c, d + 1]);
  }
  return deepest;
}

/**
 * Parse YAML (or JSON, a subset) text into plain data, with a clear error for malformed input, nesting
 * deeper than MAX_NESTING and alias expansion beyond MAX_ALIASES: `FILE:line:col: expected ..., got ...`.
 */
export function parseYaml(text: string, fileName: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err !== undefined) {
    const line = err.linePos?.[0];
    const where = line !== undefined ? `${fileName}:${line.line}:${line.col}` : fileName;
    const tooDeep = /call stack/i.test(err.message);
    throw new InputError(
      where,
      text.split("\n")[(line?.line ?? 1) - 1]?.trim() ?? "",
      tooDeep
        ? `at most ${MAX_NESTING} levels of nesting`
        : `well-formed YAML: ${YAML_ERRORS[err.code] ?? "valid YAML syntax here"}`,
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    if (e instanceof ReferenceError || e instanceof RangeError)
      throw new InputError(
        fileName,
        "its aliases",
        `at most ${MAX_ALIASES} alias expansions and ${MAX_NESTING} levels of nesting`,
      );
    throw e;
  }
  if (nestingDepth(data) > MAX_NESTING)
    throw new InputError(fileName, "its nesting", `at most ${MAX_NESTING} levels of nesting`);
  return data;
}

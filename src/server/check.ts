import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { InputError } from "../errors.js";

/** One problem of a scenario: the field, the CLI's message, and its line in the YAML text when known. */
export interface Problem {
  readonly path: string;
  readonly message: string;
  readonly line: number | null;
}

/** "a.b[2].c" as the segments a YAML document is walked by. */
function segments(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) =>
    m[2] !== undefined ? Number(m[2]) : (m[1] ?? ""),
  );
}

/** Where the last segment of `keys` is written: its key in a mapping, or its item in a list. */
function rangeOf(doc: Document, keys: readonly (string | number)[]): number | null {
  const parent = keys.length === 1 ? doc.contents : doc.getIn(keys.slice(0, -1), true);
  const last = keys[keys.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
    const key = pair?.key as { range?: [number, number, number] } | undefined;
    return key?.range?.[0] ?? null;
  }
  if (isSeq(parent) && typeof last === "number") {
    const item = parent.items[last] as { range?: [number, number, number] } | undefined;
    return item?.range?.[0] ?? null;
  }
  return null;
}

/**
 * The line of `path` in `yaml`: where its field is written, else where its nearest ancestor is (a missing
 * field is shown at its parent's key); null when nothing of it is there.
 */
export function lineOf(yaml: string, path: string): number | null {
  const at = /^scenarioYaml:(\d+):\d+$/.exec(path);
  if (at?.[1] !== undefined) return Number(at[1]);
  const counter = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter: counter });
  const keys = segments(path);
  for (let n = keys.length; n > 0; n--) {
    const offset = rangeOf(doc, keys.slice(0, n));
    if (offset !== null) return counter.linePos(offset).line;
  }
  return null;
}

/** The problems an InputError holds (one per line of its message), each with its line in `yaml`. */
export function problemsOf(err: InputError, yaml: string | undefined): Problem[] {
  return err.message.split("\n").map((message) => {
    const path = /^(.+?): expected /.exec(message)?.[1] ?? "";
    return { path, message, line: yaml === undefined || path === "" ? null : lineOf(yaml, path) };
  });
}

import { InputError } from "../errors.js";

export type SweepValue = number | string | boolean;

/** One swept field: a dotted path into the scenario and the values it takes, listed. */
export interface ListAxis {
  readonly path: string;
  readonly values: readonly SweepValue[];
}

/**
 * A numeric range held by its ends, not its values (a 10-million-point axis stays a few bytes): value i
 * is from + i·step, rounded to 12 significant digits so values do not drift.
 */
export interface RangeAxis {
  readonly path: string;
  readonly from: number;
  readonly step: number;
  readonly count: number;
}

export type SweepAxis = ListAxis | RangeAxis;

export function axisLength(a: SweepAxis): number {
  return "values" in a ? a.values.length : a.count;
}

export function axisValue(a: SweepAxis, i: number): SweepValue {
  return "values" in a ? (a.values[i] ?? "") : Number((a.from + i * a.step).toPrecision(12));
}

/** The axis with its values listed (what a sweep's --json output shows). */
export function listed(a: SweepAxis): ListAxis {
  return "values" in a
    ? a
    : { path: a.path, values: Array.from({ length: a.count }, (_, i) => axisValue(a, i)) };
}

/** The most points one sweep may have (a guard against typos such as a step of 0.0001). */
export const MAX_SWEEP_POINTS = 10_000_000;

/** Object-machinery names a path must never walk into. */
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Parse `path=a:b:step` (inclusive numeric range) or `path=v1,v2,...` (a list; numbers stay numbers,
 * true/false become booleans).
 * Paths are dotted scenario fields, e.g. `training.globalBatch` or `system.count`.
 */
export function parseSweep(spec: string): SweepAxis {
  const eq = spec.indexOf("=");
  const path = spec.slice(0, eq).trim();
  const body = spec.slice(eq + 1).trim();
  if (eq <= 0 || body === "" || !/^[A-Za-z][\w]*(\.\w+)*$/.test(path)) {
    throw new InputError("--sweep", spec, "path=a:b:step or path=v1,v2,... with a dotted scenario path");
  }
  const reserved = path.split(".").find((k) => RESERVED_KEYS.has(k));
  if (reserved !== undefined)
    throw new InputError("--sweep", spec, `a path of scenario fields ("${reserved}" is not one)`);
  if (body.includes(":")) {
    const parts = body.split(":").map(Number);
    const [a, b, step] = parts;
    if (
      parts.length !== 3 ||
      a === undefined ||
      b === undefined ||
      step === undefined ||
      parts.some((x) => !Number.isFinite(x)) ||
      step <= 0 ||
      b < a
    ) {
      throw new InputError("--sweep", spec, "a range a:b:step with a ≤ b and step > 0");
    }
    const count = Math.floor((b - a) / step + 1e-9) + 1;
    if (count > MAX_SWEEP_POINTS) throw new InputError("--sweep", spec, `at most ${MAX_SWEEP_POINTS} values`);
    // Computed from the index, not by repeated addition, so values do not drift (axisValue).
    return { path, from: a, step, count };
  }
  const values = body.split(",").map((v) => {
    const t = v.trim();
    const n = Number(t);
    if (t === "true" || t === "false") return t === "true";
    return t !== "" && Number.isFinite(n) ? n : t;
  });
  if (values.some((v) => v === ""))
    throw new InputError("--sweep", spec, "a comma-separated list without empty values");
  return { path, values };
}

/** Number of points of the cartesian product of the axes. */
export function sweepSize(axes: readonly SweepAxis[]): number {
  return axes.reduce((n, a) => n * axisLength(a), 1);
}

/** The `index`-th point (row-major: the last axis varies fastest). */
export function sweepPoint(
  axes: readonly SweepAxis[],
  index: number,
): Record<string, number | string | boolean> {
  const point: Record<string, number | string | boolean> = {};
  let rest = index;
  for (let k = axes.length - 1; k >= 0; k--) {
    const axis = axes[k];
    if (axis === undefined) continue;
    const n = axisLength(axis);
    point[axis.path] = axisValue(axis, rest % n);
    rest = Math.floor(rest / n);
  }
  return point;
}

/** Parse `i/n` (1-based) into a shard. */
export function parseShard(spec: string): { readonly index: number; readonly count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count)
    throw new InputError("--shard", spec, "i/n with 1 ≤ i ≤ n");
  return { index, count };
}

/** The contiguous slice [start, end) of `total` points that shard i of n runs. */
export function shardRange(
  total: number,
  shard: { readonly index: number; readonly count: number },
): [number, number] {
  return [
    Math.floor(((shard.index - 1) * total) / shard.count),
    Math.floor((shard.index * total) / shard.count),
  ];
}

/** A copy of scenario data with `path` set to `value` (intermediate objects created as needed). */
export function setPath(data: unknown, path: string, value: unknown): unknown {
  const root = structuredClone(data);
  setPathInPlace(root, path, value);
  return root;
}

/** Set `path` to `value` inside `root` itself (for callers that cloned once and set many paths). */
export function setPathInPlace(root: unknown, path: string, value: unknown): void {
  if (root === null || typeof root !== "object")
    throw new InputError(path, root, "a scenario mapping to sweep");
  const keys = path.split(".");
  const reserved = keys.find((k) => RESERVED_KEYS.has(k));
  if (reserved !== undefined)
    throw new InputError(path, value, `a path of scenario fields ("${reserved}" is not one)`);
  let node = root as Record<string, unknown>;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i] ?? "";
    const next = node[k];
    if (next === undefined || next === null) node[k] = {};
    else if (typeof next !== "object")
      throw new InputError(keys.slice(0, i + 1).join("."), next, "a mapping to sweep a field inside");
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] ?? ""] = value;
}

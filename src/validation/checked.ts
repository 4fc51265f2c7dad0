import { CASE_ERRORS } from "./case-errors.js";

/** Which comparison a validation case makes: a training step time, or a serving deployment's throughput. */
export type CheckedKind = "training" | "serving";

/** One validation case's result as stored (validation/case-errors.ts, generated from `stargate validate`). */
export interface CaseError {
  readonly kind: CheckedKind;
  /** `development`: the cases the model was built against; `unseen`: only ever checked. */
  readonly set: "development" | "unseen";
  readonly id: string;
  readonly accelerator: string;
  readonly precision: string;
  /**
   * (predicted − measured) / measured, to 4 decimals: of the step time for training (negative: the model
   * is fast), of the output tokens/s for serving (positive: the model is fast).
   */
  readonly error: number;
}

/** What validation says of the model on one accelerator at one precision. */
export interface ClassCheck {
  readonly kind: CheckedKind;
  readonly accelerator: string;
  readonly precision: string;
  /** The cases of that class, development and unseen. */
  readonly cases: readonly string[];
  readonly minError: number;
  readonly maxError: number;
  readonly meanAbsError: number;
}

/** What a validation report gives of one case (training's CaseResult and serving's both have it). */
interface ReportedCase {
  readonly id: string;
  readonly accelerator: string;
  readonly precision: string;
  readonly error: number;
}

/** A case's stored form: the error to 4 decimals, as `validate --json` prints it. */
export function caseError(kind: CheckedKind, set: CaseError["set"], c: ReportedCase): CaseError {
  return {
    kind,
    set,
    id: c.id,
    accelerator: c.accelerator,
    precision: c.precision,
    error: Number(c.error.toFixed(4)),
  };
}

/** A validation report's cases in their stored form, in the report's order. */
export function caseErrors(
  kind: CheckedKind,
  set: CaseError["set"],
  cases: readonly ReportedCase[],
): CaseError[] {
  return cases.map((c) => caseError(kind, set, c));
}

/** One class's check from its cases (at least one, all of that kind, accelerator and precision). */
function summarise(mine: readonly CaseError[]): ClassCheck {
  const first = mine[0] as CaseError;
  const errors = mine.map((r) => r.error);
  return {
    kind: first.kind,
    accelerator: first.accelerator,
    precision: first.precision,
    cases: mine.map((r) => r.id),
    minError: Math.min(...errors),
    maxError: Math.max(...errors),
    meanAbsError: Number((errors.reduce((a, e) => a + Math.abs(e), 0) / errors.length).toFixed(4)),
  };
}

/** The size of an error in per cent, one decimal, without its sign or the % sign. */
const size1 = (x: number) => (Math.abs(x) * 100).toFixed(1);

/** "17.1–19.5% shorter", "from 32.8% shorter to 22.0% longer", "2.7% higher" as the errors fall. */
function spread(lo: number, hi: number, down: string, up: string): string {
  if (lo === hi) return `${size1(lo)}% ${lo < 0 ? down : up}`;
  if (hi <= 0) return `${size1(hi)}–${size1(lo)}% ${down}`;
  if (lo >= 0) return `${size1(lo)}–${size1(hi)}% ${up}`;
  return `from ${size1(lo)}% ${down} to ${size1(hi)}% ${up}`;
}

const classKey = (kind: CheckedKind, accelerator: string, precision: string) =>
  `${kind}/${accelerator}/${precision}`;

/** The stored cases' classes by key, built on first use: every report line looks its class up here. */
let storedClasses: Map<string, ClassCheck> | undefined;

/** The stored cases' check of one class (classChecks over CASE_ERRORS, by key), or null. */
function storedCheck(kind: CheckedKind, accelerator: string, precision: string): ClassCheck | null {
  storedClasses ??= new Map(
    classChecks(CASE_ERRORS).map((c) => [classKey(c.kind, c.accelerator, c.precision), c]),
  );
  return storedClasses.get(classKey(kind, accelerator, precision)) ?? null;
}

/** One line for a report: what validation says of the model on this class, or that nothing does. */
export function checkedText(kind: CheckedKind, accelerator: string, precision: string): string {
  const c = storedCheck(kind, accelerator, precision);
  const what = kind === "training" ? "training run" : "MLPerf Inference result";
  const cls = `${accelerator} ${precision}`;
  if (c === null)
    return `checked against: no published ${what} on ${cls} in stargate validate; these figures rest on the parts alone.`;
  const n = c.cases.length;
  return `checked against: ${n} published ${what}${n === 1 ? "" : "s"} on ${cls} (stargate validate): the model's ${errorsText(c)} than measured.`;
}

/** "step time 17.1–19.5% shorter", "throughput from 13.1% lower to 29.1% higher": the class's spread in words. */
export function errorsText(c: ClassCheck): string {
  return c.kind === "training"
    ? `step time ${spread(c.minError, c.maxError, "shorter", "longer")}`
    : `throughput ${spread(c.minError, c.maxError, "lower", "higher")}`;
}

/** Every class the rows hold, in the order its first case appears. */
export function classChecks(rows: readonly CaseError[]): ClassCheck[] {
  const groups = new Map<string, CaseError[]>();
  for (const r of rows) {
    const key = classKey(r.kind, r.accelerator, r.precision);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [r]);
    else group.push(r);
  }
  return [...groups.values()].map(summarise);
}

/** The same for `--json`: the class's cases and errors, or null. */
export function checkedJson(
  kind: CheckedKind,
  accelerator: string,
  precision: string,
): Record<string, unknown> | null {
  const c = storedCheck(kind, accelerator, precision);
  if (c === null) return null;
  return {
    measures: kind === "training" ? "step time" : "output tokens/s",
    cases: c.cases,
    minError: c.minError,
    maxError: c.maxError,
    meanAbsError: c.meanAbsError,
  };
}

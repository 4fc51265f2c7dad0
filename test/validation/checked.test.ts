import { describe, expect, it } from "vitest";
import { CASE_ERRORS } from "../../src/validation/case-errors.js";
import {
  type CaseError,
  caseError,
  checkedJson,
  checkedText,
  classChecks,
} from "../../src/validation/checked.js";

/** One class among `rows`, or null: what the reports look their class up as (classChecks grouped). */
const classCheck = (kind: CaseError["kind"], accelerator: string, precision: string, rows: CaseError[]) =>
  classChecks(rows).find(
    (c) => c.kind === kind && c.accelerator === accelerator && c.precision === precision,
  ) ?? null;

const row = (
  id: string,
  accelerator: string,
  error: number,
  kind: CaseError["kind"] = "training",
): CaseError => ({
  kind,
  set: "development",
  id,
  accelerator,
  precision: "fp8",
  error,
});

describe("classChecks: what validation says of the model on one accelerator at one precision", () => {
  const rows = [row("a", "x", -0.2), row("b", "x", 0.1), row("c", "y", 0.3), row("d", "x", 0.5, "serving")];

  it("gathers the cases of the class alone, of that kind, with their spread and mean |error|", () => {
    expect(classCheck("training", "x", "fp8", rows)).toEqual({
      kind: "training",
      accelerator: "x",
      precision: "fp8",
      cases: ["a", "b"],
      minError: -0.2,
      maxError: 0.1,
      meanAbsError: 0.15,
    });
    expect(classCheck("serving", "x", "fp8", rows)?.cases).toEqual(["d"]);
  });

  it("is null where no published measurement exists (another precision, another part)", () => {
    expect(classCheck("training", "x", "bf16", rows)).toBeNull();
    expect(classCheck("training", "z", "fp8", rows)).toBeNull();
  });

  it("stores a case's error to 4 decimals, as validate --json prints it", () => {
    expect(
      caseError("serving", "unseen", { id: "q", accelerator: "x", precision: "fp4", error: 0.123456 }),
    ).toEqual({ kind: "serving", set: "unseen", id: "q", accelerator: "x", precision: "fp4", error: 0.1235 });
  });
});

describe("checkedText and checkedJson: the line train and infer print beside their figures", () => {
  it("says how far and which way the model was on the stored cases", () => {
    expect(checkedText("training", "gb200", "fp8")).toBe(
      "checked against: 3 published training runs on gb200 fp8 (stargate validate): the model's step time 17.1–19.5% shorter than measured.",
    );
    expect(checkedText("training", "h100-sxm", "bf16")).toMatch(
      /^checked against: 5 published training runs on h100-sxm bf16 .*: the model's step time from 32\.8% shorter to 22\.0% longer than measured\.$/,
    );
    expect(checkedText("training", "b200", "fp8")).toMatch(
      /1 published training run on b200 fp8 .* 18\.8% shorter/,
    );
    expect(checkedText("serving", "gb200", "fp4")).toMatch(
      /6 published MLPerf Inference results .* throughput 39\.6–154\.4% higher/,
    );
  });

  it("says so where no published run exists: the figures rest on the parts alone", () => {
    expect(checkedText("training", "h200", "bf16")).toBe(
      "checked against: no published training run on h200 bf16 in stargate validate; these figures rest on the parts alone.",
    );
    expect(checkedJson("serving", "my-chip", "fp8")).toBeNull();
  });

  it("gives --json the cases, the measure and the errors", () => {
    const j = checkedJson("training", "gb200", "fp8");
    expect(j).toMatchObject({ measures: "step time", minError: -0.1946, maxError: -0.1712 });
    expect(j?.["cases"]).toHaveLength(3);
  });

  it("holds every development and unseen case once (74: 26 + 8 training, 19 + 21 serving)", () => {
    const key = (r: CaseError) => `${r.kind}/${r.set}`;
    const counts = new Map<string, number>();
    for (const r of CASE_ERRORS) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({
      "training/development": 26,
      "training/unseen": 8,
      "serving/development": 19,
      "serving/unseen": 21,
    });
    expect(new Set(CASE_ERRORS.map((r) => `${r.kind}/${r.id}`)).size).toBe(CASE_ERRORS.length);
  });
});

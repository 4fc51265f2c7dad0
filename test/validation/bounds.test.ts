import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { builtinCatalog } from "../../src/catalog/index.js";
import { searchTraining } from "../../src/perf/search.js";
import { parseYaml } from "../../src/scenario/load.js";
import { resolveTrainScenario, searchOptionsOf } from "../../src/scenario/train.js";
import {
  acceptanceBounds,
  LLAMA_405B_SEARCH,
  llama405bSearchedMfu,
  META_405B_CASE,
} from "../../src/validation/bounds.js";
import type { InferenceValidationReport } from "../../src/validation/inference.js";
import type { PartsReport } from "../../src/validation/parts.js";
import type { ValidationReport } from "../../src/validation/training.js";

const catalog = builtinCatalog();

/** The fields of each report the bounds read, at the given values. */
function reports(o: {
  train: [number, number];
  serve: [number, number];
  meta?: number;
  gemm: number;
  coll: number;
}) {
  const training = {
    meanAbsError: o.train[0],
    maxAbsError: o.train[1],
    cases: o.meta === undefined ? [] : [{ id: META_405B_CASE, error: o.meta }],
  } as unknown as ValidationReport;
  const inference = {
    meanAbsError: o.serve[0],
    maxAbsError: o.serve[1],
  } as unknown as InferenceValidationReport;
  const parts = {
    rows: [],
    summary: [
      { part: "gemm", scope: "M ≥ 256", rows: 1, meanAbsError: o.gemm, maxAbsError: o.gemm },
      { part: "gemm", scope: "all rows", rows: 1, meanAbsError: 0.9, maxAbsError: 0.9 },
      { part: "collective", scope: "≥ 1 MB", rows: 1, meanAbsError: o.coll, maxAbsError: o.coll },
    ],
  } as unknown as PartsReport;
  return { training, inference, parts };
}

describe("acceptance bounds", () => {
  it("each bound is met at its limit and not above it; a signed error counts by its size", () => {
    const at = reports({ train: [0.06, 0.15], serve: [0.1, 0.2], meta: -0.08, gemm: 0.1, coll: 0.15 });
    const b = acceptanceBounds(at.training, at.inference, at.parts, 0.5);
    expect(b).toHaveLength(8);
    expect(b.every((x) => x.met)).toBe(true);
    const over = reports({
      train: [0.061, 0.151],
      serve: [0.101, 0.201],
      meta: -0.081,
      gemm: 0.101,
      coll: 0.151,
    });
    const o = acceptanceBounds(over.training, over.inference, over.parts, 0.501);
    expect(o.filter((x) => x.met)).toEqual([]);
  });

  it("a bound with nothing to measure (Meta's case missing) is not met, never met by default", () => {
    const r = reports({ train: [0, 0], serve: [0, 0], gemm: 0, coll: 0 });
    const b = acceptanceBounds(r.training, r.inference, r.parts, 0);
    const meta = b.find((x) => x.what.startsWith("Meta's"));
    expect(Number.isNaN(meta?.value)).toBe(true);
    expect(meta?.met).toBe(false);
    expect(b.filter((x) => !x.met)).toHaveLength(1);
  });

  it("the 405B search is examples/train-search.yaml's, nothing but the token count left out", () => {
    const example = parseYaml(
      readFileSync(resolve(import.meta.dirname, "../../examples/train-search.yaml"), "utf8"),
      "train-search.yaml",
    ) as { training: Record<string, unknown> };
    const { tokens: _t, ...training } = example.training;
    expect({ ...example, training }).toEqual(LLAMA_405B_SEARCH);
    const s = resolveTrainScenario(example, catalog);
    expect(llama405bSearchedMfu(catalog)).toBe(searchTraining(s.job, s.fixed, searchOptionsOf(s)).best.mfu);
  });
});

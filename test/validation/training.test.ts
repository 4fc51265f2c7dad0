import { describe, expect, it } from "vitest";
import { builtinCatalog } from "../../src/catalog/index.js";
import { loadTrainingCases } from "../../src/cli/validate.js";
import { runTrainingValidation } from "../../src/validation/training.js";

describe("validation against published training measurements", () => {
  const cases = loadTrainingCases();
  const report = runTrainingValidation(cases, builtinCatalog());

  it("covers the published sources the issue names", () => {
    const groups = new Set(cases.map((c) => c.group));
    for (const g of ["megatron-a100", "llama3-405b-h100", "mlperf-llama31-405b", "deepseek-v3-h800"]) {
      expect(groups, g).toContain(g);
    }
    expect(cases.length).toBeGreaterThanOrEqual(20);
    for (const c of cases) expect(c.source.length, c.id).toBeGreaterThan(20);
  });

  it("predicts every case with a configuration that fits", () => {
    for (const c of report.cases) expect(c.fits, c.id).toBe(true);
  });

  // Issue 11's bound is a mean |error| ≤ 6% and no case over 15%, with every efficiency taken from
  // microbenchmarks of the part (validate --parts). Not reached yet: the first H100 GPT-3 submission
  // (NGC 23.04, −27%) ran older software than the search assumes (framework presets are next),
  // DeepSeek-V3 (−16%) counts whole-run GPU-hours, GB200 runs 8–11% fast and the 131k-token Llama 3
  // case 16% slow (attention backward efficiency is measured on Blackwell only). These hold what is
  // achieved so that it cannot regress (docs/model.md, "Known gaps").
  it("holds the mean and maximum step-time error under the current bound", () => {
    expect(report.meanAbsError).toBeLessThanOrEqual(0.08);
    expect(report.maxAbsError).toBeLessThanOrEqual(0.28);
  });

  it("holds the A100 and H100 cases measured as step time or throughput", () => {
    const direct = report.cases.filter(
      (c) =>
        ["megatron-a100", "llama3-405b-h100"].includes(c.group) ||
        (c.group === "mlperf-llama31-405b" && c.id.includes("h100")),
    );
    expect(direct.length).toBe(15);
    const mean = direct.reduce((a, c) => a + Math.abs(c.error), 0) / direct.length;
    expect(mean).toBeLessThanOrEqual(0.06);
    for (const c of direct) expect(Math.abs(c.error), c.id).toBeLessThanOrEqual(0.17);
  });

  it("prices Blackwell FP8/FP4 and DeepSeek-V3 from their measured parts (were 25–37% fast on one flat GEMM efficiency)", () => {
    const gb200 = report.cases.filter((c) => c.accelerator === "gb200");
    expect(gb200.length).toBe(5);
    for (const c of gb200) expect(Math.abs(c.error), c.id).toBeLessThanOrEqual(0.12);
    const ds = report.cases.find((c) => c.group === "deepseek-v3-h800");
    expect(Math.abs(ds?.error ?? 1)).toBeLessThanOrEqual(0.17);
  });
});

describe("restructuring keeps the model's output", () => {
  it("every case's predicted step time and breakdown are unchanged (snapshot)", () => {
    const report = runTrainingValidation(loadTrainingCases(), builtinCatalog());
    const rows = report.cases.map((c) => [
      c.id,
      Number(c.predictedStepTimeS.toPrecision(9)),
      Object.values(c.result.breakdown).map((v) => Number(v.toPrecision(9))),
    ]);
    expect(rows).toMatchSnapshot();
  });
});

import { describe, expect, it } from "vitest";
import { builtinCatalog } from "../../src/catalog/index.js";
import { loadTrainingCases, unseenText } from "../../src/cli/validate.js";
import { modelFlopsPerToken } from "../../src/perf/accounting.js";
import { resolveTrainScenario } from "../../src/scenario/train.js";
import { CASE_ERRORS } from "../../src/validation/case-errors.js";
import { type CaseError, caseErrors } from "../../src/validation/checked.js";
import { measuredStepTime, runTrainingValidation } from "../../src/validation/training.js";

describe("validation against published training measurements", () => {
  const cases = loadTrainingCases();
  const report = runTrainingValidation(cases, builtinCatalog());

  it("is what train and infer quote: validation/case-errors.ts holds these errors (else: node scripts/case-errors.mjs)", () => {
    const stored = CASE_ERRORS.filter((r: CaseError) => r.kind === "training" && r.set === "development");
    expect(caseErrors("training", "development", report.cases)).toEqual(stored);
  });

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

  it("names the framework every case ran on (no case silently runs on today's defaults)", () => {
    for (const c of cases) expect(c.scenario.training.framework, c.id).toBeDefined();
    const byGroup = (g: string) =>
      cases.filter((c) => c.group === g).map((c) => c.scenario.training.framework);
    expect(new Set(byGroup("megatron-a100"))).toEqual(new Set(["megatron-2022"]));
    expect(new Set(byGroup("mlperf-llama31-405b"))).toEqual(new Set(["nemo"]));
  });

  // Issue 11's bound is a mean |error| ≤ 6% and no case over 15%, with every efficiency taken from
  // microbenchmarks of the part (validate --parts). Not reached yet. With each run's framework stated
  // (NeMo's MLPerf Llama 3.1 405B runs overlap tensor-parallel communication), the GB200 FP8/FP4 runs
  // come out 18–21% fast and the H100 ones 7–11% fast: the compute those runs sustain is below what the
  // parts' curves give, for a cause not yet found (docs/model.md, "Known gaps"). The first H100 GPT-3
  // submission (NGC 23.04) is 25% fast, the 131k-token Llama 3 case 21% slow; DeepSeek-V3, with the
  // recipe its report states (DualPipe, BF16 moments, recomputed norms and MLA up-projections, FP8
  // activation caching), fits without full recompute and runs 11% fast against whole-run GPU-hours. These hold what is achieved so that it cannot regress.
  it("holds the mean and maximum step-time error under the current bound", () => {
    expect(report.meanAbsError).toBeLessThanOrEqual(0.105);
    expect(report.maxAbsError).toBeLessThanOrEqual(0.26);
  });

  it("holds the A100 and H100 cases measured as step time or throughput", () => {
    const direct = report.cases.filter(
      (c) =>
        ["megatron-a100", "llama3-405b-h100"].includes(c.group) ||
        (c.group === "mlperf-llama31-405b" && c.id.includes("h100")),
    );
    expect(direct.length).toBe(15);
    const mean = direct.reduce((a, c) => a + Math.abs(c.error), 0) / direct.length;
    expect(mean).toBeLessThanOrEqual(0.07);
    // The worst is Llama 3's 131k-token run, +22.0% since all-gather and reduce-scatter run at the ring
    // protocol's measured rate on H100 NVLink (2026-12-04; +20.3% at the NVLS all-reduce rate).
    for (const c of direct) expect(Math.abs(c.error), c.id).toBeLessThanOrEqual(0.225);
  });

  it("prices Blackwell FP8/FP4 and DeepSeek-V3 from their measured parts (were 25–37% fast on one flat GEMM efficiency)", () => {
    const gb200 = report.cases.filter((c) => c.accelerator === "gb200");
    expect(gb200.length).toBe(5);
    // 17–22% fast: the GEMM knee (2026-12-04) moved the NVFP4 runs from −20.3/−21.4% to −21.1/−22.1%.
    for (const c of gb200) expect(Math.abs(c.error), c.id).toBeLessThanOrEqual(0.23);
    const ds = report.cases.find((c) => c.group === "deepseek-v3-h800");
    expect(Math.abs(ds?.error ?? 1)).toBeLessThanOrEqual(0.18);
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

describe("published training measurements the model was never developed on (validation/unseen.yaml)", () => {
  const catalog = builtinCatalog();
  const unseen = loadTrainingCases("unseen.yaml");
  const report = runTrainingValidation(unseen, catalog);

  it("is what train and infer quote: validation/case-errors.ts holds these errors (else: node scripts/case-errors.mjs)", () => {
    const stored = CASE_ERRORS.filter((r: CaseError) => r.kind === "training" && r.set === "unseen");
    expect(caseErrors("training", "unseen", report.cases)).toEqual(stored);
  });

  it("are sources apart from the development cases, each with its framework and provenance", () => {
    const seen = new Set(loadTrainingCases().map((c) => c.id));
    expect(unseen.length).toBeGreaterThanOrEqual(4);
    for (const c of unseen) {
      expect(seen.has(c.id), c.id).toBe(false);
      expect(c.scenario.training.framework, c.id).toBeDefined();
      expect(c.source, c.id).toMatch(/reference\.json validation\.training/);
    }
    expect(new Set(unseen.map((c) => c.group)).size).toBeGreaterThanOrEqual(3);
  });

  it("a published MFU is the model's FLOP count over the run's dense peak", () => {
    const c = unseen.find((x) => "mfu" in x.measured);
    if (c === undefined || !("mfu" in c.measured)) throw new Error("no MFU case");
    const job = resolveTrainScenario({ kind: "train", ...c.scenario }, catalog).job;
    const flops = modelFlopsPerToken(job.model, job.seqLen) * job.globalBatch * job.seqLen;
    const peak = job.accelerator.peakFlops.bf16 ?? 0;
    expect(measuredStepTime(c, job)).toBeCloseTo(flops / (c.measured.mfu * peak * job.gpus), 6);
  });

  // First run on 2026-12-03, after the constants were fixed; not tuned against. Where the source leaves
  // the configuration unstated the search fills it, so these measure the search as much as the step
  // model: Megatron-Core's strong scaling of GPT-3 175B on H100 BF16 comes out 31% (96 GPUs) and 19%
  // (4,608) fast, the search reaching 68% and 52% MFU against the published 47% and 42%; BLOOM on its
  // stated 3D layout 18% fast; OPT-175B 11% slow. Added 2026-12-04 and first run then: MLPerf v4.1's
  // GPT-3 175B on 64 B200 (14% fast) and 3,072 Oracle H100 (34% fast), both FP8 with searched layouts.
  // Added 2026-12-04 and first run then: MLPerf v5.1's Llama 3.1 405B on 512 GB200 (16% fast) and 512
  // GB300 (6% slow), both taken as NVFP4 on their stated layouts; the mean went from 22.4% to 19.5%.
  // These bounds hold today's figures so they cannot regress unnoticed; docs/model.md ("Unseen
  // measurements") says what they show.
  it("reports every unseen case, its mean and its max, and holds today's figures", () => {
    for (const c of report.cases) expect(c.fits, c.id).toBe(true);
    // 21.2% with the plain roofline maximum; the GEMM knee (fitted to the parts) takes the H100 BF16
    // and B200 FP8 plateaus up a little and the searched runs with them: 22.5%.
    expect(report.meanAbsError).toBeLessThanOrEqual(0.23);
    expect(report.maxAbsError).toBeLessThanOrEqual(0.35);
    const text = unseenText(report);
    for (const c of unseen) expect(text).toContain(c.id);
    expect(text).toMatch(/mean \|error\| \d+\.\d%/);
  });
});

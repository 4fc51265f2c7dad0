import { describe, expect, it } from "vitest";
import {
  DEFAULT_ENGINE,
  type EngineOptions,
  simulateServing,
  type Workload,
} from "../../src/perf/serving.js";
import { inferenceJob } from "../helpers.js";

/** Serving results of a spread of engines and deployments: restructuring must leave them unchanged. */
describe("restructuring keeps the serving simulation's output", () => {
  it("every scenario's results are unchanged (snapshot)", () => {
    const j = inferenceJob("llama3-70b", "h100-sxm", 4, "fp8");
    const small = { ...j, accelerator: { ...j.accelerator, hbmBytes: 45e9 } };
    const w: Workload = {
      requests: 300,
      arrival: 6,
      inputLen: { dist: "lognormal", mean: 800, sd: 600, max: 4000 },
      outputLen: { dist: "exponential", mean: 300, max: 2000 },
      seed: 7,
    };
    const engines: Record<string, EngineOptions> = {
      vllm: DEFAULT_ENGINE,
      separate: { ...DEFAULT_ENGINE, chunkedPrefill: false, mixedPrefill: false },
      mixed: { ...DEFAULT_ENGINE, chunkedPrefill: false, mixedPrefill: true, admission: "reserve" },
      capped: { ...DEFAULT_ENGINE, admission: "reserve", maxOutputTokens: 2048 },
      disaggregated: { ...DEFAULT_ENGINE, prefillReplicas: 1 },
    };
    const rows: unknown[] = [];
    for (const [name, engine] of Object.entries(engines)) {
      for (const [jn, job, shape] of [
        ["tp2", j, { tp: 2, pp: 1, ep: 1 }],
        ["pp2", j, { tp: 1, pp: 2, ep: 1 }],
        ["small", small, { tp: 2, pp: 1, ep: 1 }],
      ] as const) {
        if (name === "disaggregated" && jn === "pp2") continue;
        const r = simulateServing(job, shape, w, { ttftMs: 1000, tpotMs: 80 }, engine);
        rows.push([
          `${name}/${jn}`,
          ...[
            r.makespanS,
            r.outputTokensPerS,
            r.ttftS.p50,
            r.ttftS.p99,
            r.tpotS.p50,
            r.tpotS.p99,
            r.e2eS.mean,
            r.kvUtilization,
            r.sloAttainment ?? -1,
          ].map((v) => Number(v.toPrecision(9))),
          r.rejected,
          r.preemptions,
          r.iterations,
          r.kvCapacityTokens,
        ]);
      }
    }
    expect(rows).toMatchSnapshot();
  });
});

import { describe, expect, it } from "vitest";
import {
  builtinCatalog,
  INFERENCE_ENGINE_PRESETS,
  INFERENCE_ENGINES,
  TRAINING_FRAMEWORK_PRESETS,
  TRAINING_FRAMEWORKS,
} from "../../src/catalog/index.js";
import { InputError } from "../../src/errors.js";
import { resolveEngine, resolveInferScenario } from "../../src/scenario/infer.js";
import { resolveTrainScenario } from "../../src/scenario/train.js";

const train = (training: Record<string, unknown>) =>
  resolveTrainScenario(
    {
      kind: "train",
      model: "llama3-70b",
      system: { accelerator: "h100-sxm", count: 64 },
      training: { seqLen: 4096, globalBatch: 256, ...training },
    },
    builtinCatalog(),
  );

describe("training framework presets", () => {
  it("every framework the contract names has a preset with a source", () => {
    expect(TRAINING_FRAMEWORK_PRESETS.map((p) => p.id)).toEqual([...TRAINING_FRAMEWORKS]);
    for (const p of TRAINING_FRAMEWORK_PRESETS) expect(p.source.length, p.id).toBeGreaterThan(40);
  });

  it("megatron-2022 sets the 2021 stack: unfused attention, dropout, nothing overlapped, no ZeRO", () => {
    const s = train({ framework: "megatron-2022" });
    expect(s.framework).toBe("megatron-2022");
    expect(s.job.attention).toBe("standard");
    expect(s.job.dropout).toBe(true);
    expect(s.job.dpOverlap).toBe(false);
    expect(s.job.ppCommOverlap).toBe(false);
    expect(s.job.tpCommOverlap).toBe(false);
    expect(s.fixed.zero).toBe(0);
  });

  it("fields the scenario states win over the preset", () => {
    const s = train({ framework: "megatron-2022", attention: "flash", parallelism: { zero: 1 } });
    expect(s.job.attention).toBe("flash");
    expect(s.job.dropout).toBe(true);
    expect(s.fixed.zero).toBe(1);
    expect(train({ framework: "nemo", tpCommOverlap: false }).job.tpCommOverlap).toBe(false);
  });

  it("nemo overlaps tensor-parallel communication; torchtitan shards with FSDP; deepspeed does not interleave", () => {
    expect(train({ framework: "nemo" }).job.tpCommOverlap).toBe(true);
    expect(train({ framework: "torchtitan" }).fixed.zero).toBeUndefined();
    expect(train({ framework: "torchtitan" }).zeroStages).toEqual([2, 3]);
    expect(train({ framework: "deepspeed" }).fixed.interleave).toBe(1);
    expect(train({ framework: "deepspeed" }).fixed.zero).toBeUndefined();
  });

  it("without a framework, Stargate's defaults apply and none is named", () => {
    const s = train({});
    expect(s.framework).toBeNull();
    expect(s.job.attention).toBe("flash");
    expect(s.job.tpCommOverlap).toBe(false);
    expect(s.job.dpOverlap).toBe(true);
  });

  it("an unknown framework is an input error naming the field and the choices", () => {
    expect(() => train({ framework: "jax" })).toThrow(InputError);
    expect(() => train({ framework: "jax" })).toThrow(/training\.framework.*megatron-2022/);
  });
});

describe("serving engine presets", () => {
  it("every engine the contract names has a preset with a source", () => {
    expect(INFERENCE_ENGINE_PRESETS.map((p) => p.id)).toEqual([...INFERENCE_ENGINES]);
    for (const p of INFERENCE_ENGINE_PRESETS) expect(p.source.length, p.id).toBeGreaterThan(40);
  });

  it("a preset name, or settings starting from a preset, or vLLM's defaults", () => {
    expect(resolveEngine("trtllm").admission).toBe("reserve");
    expect(resolveEngine("vllm").admission).toBe("optimistic");
    expect(resolveEngine(undefined).maxNumSeqs).toBe(256);
    const own = resolveEngine({ preset: "trtllm", maxNumSeqs: 64 });
    expect(own.maxNumSeqs).toBe(64);
    expect(own.admission).toBe("reserve");
    expect(own.chunkedPrefill).toBe(false);
    expect(resolveEngine({ maxNumSeqs: 8 }).chunkedPrefill).toBe(true);
  });

  it("a bad engine is an input error naming the field", () => {
    const scenario = (engine: unknown) => ({
      kind: "infer",
      model: "llama3-8b",
      system: { accelerator: "h100-sxm", count: 1 },
      inference: { workload: { requests: 10, arrival: "offline", inputLen: 100, outputLen: 10 }, engine },
    });
    expect(resolveInferScenario(scenario("sglang"), builtinCatalog()).engine.blockSize).toBe(1);
    expect(() => resolveInferScenario(scenario("tgi"), builtinCatalog())).toThrow(/inference\.engine/);
    expect(() => resolveInferScenario(scenario({ admission: "lazy" }), builtinCatalog())).toThrow(
      /inference\.engine\.admission/,
    );
  });
});

import { describe, expect, it } from "vitest";
import { builtinCatalog, resolveModel } from "../../src/catalog/index.js";
import {
  attentionFlopsPerTokenFwd,
  loraLayerParams,
  modelFlopsPerToken,
  paramCount,
} from "../../src/perf/accounting.js";

const model = (id: string) => resolveModel(builtinCatalog(), id);

describe("parameter counts against published totals", () => {
  // Exact totals of the released checkpoints (sum of tensor sizes in the published configs).
  it.each([
    ["llama3-8b", 8_030_261_248],
    ["llama3-70b", 70_553_706_496],
    ["llama3.1-405b", 405_853_388_800],
    ["llama2-70b", 68_976_648_192],
    ["mixtral-8x7b", 46_702_792_704],
  ])("%s has exactly %d parameters", (id, total) => {
    expect(paramCount(model(id)).total).toBe(total);
  });

  it("Mixtral 8x7B activates 12.9B per token (two of eight experts)", () => {
    expect(paramCount(model("mixtral-8x7b")).active).toBe(12_879_925_248);
  });

  it("Mixtral 8x22B: 141B total, 39B active (Mistral AI)", () => {
    const p = paramCount(model("mixtral-8x22b"));
    expect(p.total / 1e9).toBeCloseTo(140.6, 1);
    expect(p.active / 1e9).toBeCloseTo(39.2, 1);
  });

  it("DeepSeek-V3 (MLA, 256 routed + 1 shared expert, top-8): 671B total, 37B active", () => {
    const p = paramCount(model("deepseek-v3"));
    expect(p.total).toBe(671_026_404_352);
    expect(p.active / 1e9).toBeCloseTo(37.6, 1);
  });

  it("GPT-3 175B: 174.6B with tied embeddings and learned positions", () => {
    expect(paramCount(model("gpt3-175b")).total).toBe(174_604_259_328);
  });

  it("MQA, GQA and MHA differ only in the K and V projections", () => {
    const base = { ...model("llama3-8b"), moe: null, mla: null };
    const mha = paramCount({ ...base, kvHeads: 32 }).total;
    const gqa = paramCount({ ...base, kvHeads: 8 }).total;
    const mqa = paramCount({ ...base, kvHeads: 1 }).total;
    const kvRow = 2 * 4096 * 128 * 32; // K and V projections, per kv head, per layer
    expect(mha - gqa, "24 kv heads fewer").toBe((kvRow * 24) / 1);
    expect(gqa - mqa, "7 kv heads fewer").toBe(kvRow * 7);
  });
});

describe("LoRA adapters", () => {
  // PEFT's trainable-parameter counts for Llama 3 8B at rank 16.
  const lora = (targets: "attention" | "all") => {
    const m = model("llama3-8b");
    let total = 0;
    for (let layer = 0; layer < m.layers; layer++)
      total += loraLayerParams(m, { rank: 16, targets }, false).dense;
    return total;
  };
  it("q, k, v and o projections: 13,631,488", () => expect(lora("attention")).toBe(13_631_488));
  it("every linear layer (q, k, v, o, gate, up, down): 41,943,040", () =>
    expect(lora("all")).toBe(41_943_040));
});

describe("FLOPs", () => {
  it("attention: 4·s·h per layer per token forward for MHA (PaLM convention, not halved for causal)", () => {
    const m = model("gpt3-175b");
    expect(attentionFlopsPerTokenFwd(m, 2048)).toBe(96 * 4 * 2048 * 12288);
  });

  it("model FLOPs per token = 6·N + 12·L·s·h (PaLM App. B) for GPT-3", () => {
    const m = model("gpt3-175b");
    const n = paramCount(m).matmulActive;
    expect(modelFlopsPerToken(m, 2048)).toBe(6 * n + 12 * 96 * 2048 * 12288);
    // N: the 12·h² weight matrices of each layer plus the LM head (tied to the embedding); the
    // embedding lookup, position embeddings, norms and biases are not matrix multiplications.
    expect(n).toBe(12 * 96 * 12288 * 12288 + 50257 * 12288);
  });
});

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, run } from "./run.js";

const CONTRACT = resolve(ROOT, "../shared/contract");
const EXAMPLES = resolve(ROOT, "examples");

const TMP = mkdtempSync(join(tmpdir(), "stargate-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
let files = 0;

function scenario(text: string): string {
  const file = join(TMP, `s${files++}.yaml`);
  writeFileSync(file, text);
  return file;
}

const TRAIN_FIELDS = [
  "fits",
  "stepTimeS",
  "tokensPerS",
  "mfu",
  "modelTflopsPerGpu",
  "memoryPerGpuGiB",
  "parallelism",
  "breakdown",
  "bottleneck",
];

describe("stargate train", () => {
  // The contract's examples, as shipped (falling back to the copies in examples/ when ../shared is absent).
  const dir = (name: string) =>
    spawnSync("test", ["-f", join(CONTRACT, name)]).status === 0 ? CONTRACT : EXAMPLES;

  it("runs contract/train-explicit.yaml unchanged with every contract field", async () => {
    const r = await run(["train", join(dir("train-explicit.yaml"), "train-explicit.yaml"), "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    for (const f of TRAIN_FIELDS) expect(out, f).toHaveProperty(f);
    expect(out.parallelism).toMatchObject({
      tp: 8,
      pp: 8,
      dp: 16,
      interleave: 1,
      microBatch: 1,
      recompute: "full",
      sequenceParallel: false,
    });
    expect(out.fits).toBe(true);
    expect(out.breakdown.compute).toBeGreaterThan(0);
  });

  it("searches contract/train-search.yaml: best fitting configuration, time to train, searched count", async () => {
    const r = await run([
      "train",
      join(dir("train-search.yaml"), "train-search.yaml"),
      "--json",
      "--top",
      "3",
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    for (const f of [...TRAIN_FIELDS, "timeToTrainDays", "searched"]) expect(out, f).toHaveProperty(f);
    expect(out.fits).toBe(true);
    expect(out.searched).toBeGreaterThan(100);
    expect(out.top).toHaveLength(3);
    expect(out.top[0].stepTimeS).toBe(out.stepTimeS);
    const p = out.parallelism;
    expect(p.tp * p.pp * p.dp * p.cp).toBe(16384);
    // 15.6T tokens at tokensPerS.
    expect(out.timeToTrainDays / (15.6e12 / out.tokensPerS / 86400)).toBeCloseTo(1, 4);
  });

  it("prints a readable report naming the bottleneck", async () => {
    const r = await run(["train", join(EXAMPLES, "train-explicit.yaml")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/step time/);
    expect(r.stdout).toMatch(/bottleneck: \w+/);
    expect(r.stdout).toMatch(/memory per GPU/);
  });

  it("says beside its figures how far the model was from the published runs of that class (validate)", async () => {
    const r = await run(["train", join(EXAMPLES, "train-search.yaml")]);
    expect(r.stdout).toMatch(
      /checked against: 5 published training runs on h100-sxm bf16 \(stargate validate\): the model's step time from [\d.]+% shorter to [\d.]+% longer than measured\.\n/,
    );
    const j = JSON.parse((await run(["train", join(EXAMPLES, "train-search.yaml"), "--json"])).stdout);
    expect(j.validation).toMatchObject({ measures: "step time" });
    expect(j.validation.cases).toContain("llama3-405b-16384gpu-seq8192");
    expect(j.validation.minError).toBeLessThan(j.validation.maxError);
    const none = await run(["train", join(EXAMPLES, "train-search.yaml"), "--accelerator", "h200", "--json"]);
    expect(JSON.parse(none.stdout).validation).toBeNull();
  });

  it("applies command-line overrides", async () => {
    const r = await run([
      "train",
      join(EXAMPLES, "train-search.yaml"),
      "--json",
      "--gpus",
      "1024",
      "--tp",
      "8",
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.gpus).toBe(1024);
    expect(out.parallelism.tp).toBe(8);
  });

  it("models LoRA fine-tuning (examples/lora-70b.yaml)", async () => {
    const out = JSON.parse((await run(["train", join(EXAMPLES, "lora-70b.yaml"), "--json"])).stdout);
    expect(out.fits).toBe(true);
    expect(out.memoryGiB.gradients).toBeLessThan(0.1);
    expect(out.memoryGiB.optimizer).toBeLessThan(0.5);
  });

  it("answers what-if questions about the accelerator's memory and links", async () => {
    const base = JSON.parse((await run(["train", join(EXAMPLES, "train-search.yaml"), "--json"])).stdout);
    const hbm = JSON.parse(
      (await run(["train", join(EXAMPLES, "train-search.yaml"), "--json", "--hbm", "hbm3e-12hi:6"])).stdout,
    );
    expect(hbm.accelerator).toBe("h100-sxm+what-if");
    expect(hbm.stepTimeS).toBeLessThan(base.stepTimeS);
    const links = JSON.parse(
      (await run(["train", join(EXAMPLES, "train-search.yaml"), "--json", "--scale-up-gbps", "1800"])).stdout,
    );
    expect(links.stepTimeS).toBeLessThan(base.stepTimeS);
    const bad = await run(["train", join(EXAMPLES, "train-search.yaml"), "--hbm", "hbm9:4"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^stargate: system\.accelerator\.hbm\.generation: expected a memory id from the catalog/,
    );
    expect((await run(["train", join(EXAMPLES, "train-search.yaml"), "--hbm", "hbm4"])).stderr).toBe(
      'stargate: --hbm: expected GENERATION:STACKS, e.g. hbm3e-12hi:8, got "hbm4"\n',
    );
  });

  it("accepts a custom accelerator defined inline with HBM from the memory catalog", async () => {
    const file = scenario(`kind: train
model: llama3-70b
system:
  accelerator:
    name: custom-asic-hbm4
    peakTflops: { bf16: 1200, fp8: 2400 }
    hbm: { generation: hbm4, stacks: 8 }
    scaleUp: { bandwidthGBps: 900, domainSize: 64 }
    scaleOut: { bandwidthGBps: 100 }
    tdpW: 1100
  count: 256
training: { seqLen: 8192, globalBatch: 512, precision: fp8 }
`);
    const r = await run(["train", file, "--json"]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).accelerator).toBe("custom-asic-hbm4");
  });

  it("reports a configuration that does not fit as a result (exit 0, fits false, reason)", async () => {
    const file = scenario(`kind: train
model: llama3.1-405b
system: { accelerator: h100-sxm, count: 8 }
training: { seqLen: 8192, globalBatch: 8, parallelism: { tp: 8, pp: 1, dp: 1, zero: 0, recompute: none } }
`);
    const r = await run(["train", file, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.fits).toBe(false);
    expect(out.reason).toMatch(/GiB over/);
    expect(out.bottleneck).toBe("hbm-capacity");
  });
});

const INFER_FIELDS = [
  "fits",
  "ttftMs",
  "tpotMs",
  "outputTokensPerS",
  "kvCacheGiB",
  "maxBatch",
  "memoryPerGpuGiB",
  "bottleneck",
];

describe("stargate infer", () => {
  const dir = (name: string) =>
    spawnSync("test", ["-f", join(CONTRACT, name)]).status === 0 ? CONTRACT : EXAMPLES;

  it.each(["infer-batch.yaml", "custom-chip.yaml"])(
    "runs contract/%s unchanged with every contract field",
    async (name) => {
      const r = await run(["infer", join(dir(name), name), "--json"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      for (const f of INFER_FIELDS) expect(out, f).toHaveProperty(f);
      expect(out.fits).toBe(true);
      // Decode at batch 64 over tp 8: reading weights and KV, and 160 all-reduces of 1 MB at NCCL's
      // measured bus bandwidth for that size, take about the same time; never the math.
      expect(["hbm-bandwidth", "tensor-parallel"]).toContain(out.decode.bottleneck);
      expect(out.maxBatch).toBeGreaterThanOrEqual(out.batch);
    },
  );

  it.each(["serve-offline.yaml", "serve-online.yaml"])(
    "simulates contract/%s unchanged with every contract field",
    async (name) => {
      const r = await run(["infer", join(dir(name), name), "--json"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      for (const f of [
        "requests",
        "makespanS",
        "outputTokensPerS",
        "ttftP50Ms",
        "ttftP99Ms",
        "tpotP50Ms",
        "tpotP99Ms",
      ]) {
        expect(out, f).toHaveProperty(f);
      }
      expect(out.requests).toBe(name === "serve-offline.yaml" ? 2000 : 20000);
      if (name === "serve-online.yaml") expect(out).toHaveProperty("sloAttainment");
      expect(out.ttftP99Ms).toBeGreaterThanOrEqual(out.ttftP50Ms);
    },
  );

  it("names the engine preset's behaviour in the report, and takes a preset by name", async () => {
    const file = scenario(
      "kind: infer\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, count: 1 }\ninference: { precision: fp8, engine: trtllm, workload: { requests: 50, arrival: offline, inputLen: 200, outputLen: 50 } }\n",
    );
    const r = await run(["infer", file]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(
      /engine: KV reserved for the whole output at admission; whole prompts beside decoding; CUDA graphs/,
    );
    const j = JSON.parse((await run(["infer", file, "--json"])).stdout);
    expect(j.engine).toMatchObject({ admission: "reserve", maxNumSeqs: 2048, chunkedPrefill: false });
  });

  it("simulates a request trace named relative to the scenario file", async () => {
    writeFileSync(
      join(TMP, "trace.csv"),
      "arrival_s,input_tokens,output_tokens\n0,100,10\n0.5,200,20\n1.0,300,30\n",
    );
    const file = scenario(
      "kind: infer\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, count: 1 }\ninference: { precision: fp8, workload: { trace: trace.csv } }\n",
    );
    const r = await run(["infer", file, "--json"]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out.requests).toBe(3);
    expect(out.makespanS).toBeGreaterThan(1);
    const missing = scenario(
      "kind: infer\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, count: 1 }\ninference: { workload: { trace: nope.csv } }\n",
    );
    const bad = await run(["infer", missing]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^stargate: inference\.workload\.trace: expected a readable file \(it, or its folder, does not exist\)/,
    );
  });

  it("searches a deployment for a rate and an SLO", async () => {
    const file = scenario(`kind: infer
model: llama3-8b
system: { accelerator: h100-sxm, count: 8 }
inference:
  workload: { requests: 200, arrival: 10, inputLen: 512, outputLen: 64, seed: 1 }
  slo: { ttftMs: 1000, tpotMs: 50 }
  deploy: { rate: 10, precisions: [fp8], batchLimits: [64], requests: 200 }
`);
    const r = await run(["infer", file, "--json"]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out.kind).toBe("deploy");
    expect(out.feasible).toBe(true);
    expect(out.best.gpus).toBeGreaterThanOrEqual(1);
    expect(out.pareto.length).toBeGreaterThan(0);
    const missing = scenario(
      "kind: infer\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, count: 8 }\ninference: { deploy: { rate: 5 } }\n",
    );
    const bad = await run(["infer", missing]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^stargate: inference\.workload: expected the request lengths/);
  });

  it("prices output tokens from a stated accelerator-hour price", async () => {
    const file = scenario(`kind: infer
model: llama3-8b
system: { accelerator: h100-sxm, count: 2 }
inference: { precision: fp8, parallelism: { tp: 1 }, batch: 32, inputLen: 512, outputLen: 128, costPerGpuHourUsd: 2.5 }
`);
    const out = JSON.parse((await run(["infer", file, "--json"])).stdout);
    expect(out.usdPerMillionOutputTokens).toBeCloseTo(((1 * 2.5) / (out.outputTokensPerS * 3600)) * 1e6, 3);
  });

  it("derives the custom chip's memory from its HBM generation", async () => {
    const out = JSON.parse((await run(["infer", join(EXAMPLES, "custom-chip.yaml"), "--json"])).stdout);
    expect(out.accelerator).toBe("custom-asic-hbm4");
    expect(out.memoryGiB.weights).toBeGreaterThan(40);
  });

  it("prints a readable report with the prefill and decode bottlenecks", async () => {
    const r = await run(["infer", join(EXAMPLES, "infer-batch.yaml")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/time to first token/);
    expect(r.stdout).toMatch(/decode step \((hbm-bandwidth|tensor-parallel)\)/);
    expect(r.stdout).toMatch(
      /checked against: \d+ published MLPerf Inference results on h100-sxm fp8 .*throughput/,
    );
  });

  it("reports a deployment that does not fit (exit 0, fits false, the largest batch that would)", async () => {
    const file = scenario(`kind: infer
model: llama3-70b
system: { accelerator: h100-sxm, count: 1 }
inference: { precision: bf16, parallelism: { tp: 1 }, batch: 1, inputLen: 1024, outputLen: 128 }
`);
    const out = JSON.parse((await run(["infer", file, "--json"])).stdout);
    expect(out.fits).toBe(false);
    expect(out.bottleneck).toBe("hbm-capacity");
    expect(out.maxBatch).toBe(0);
  });

  it("names missing batch fields and impossible replica shapes", async () => {
    const missing = scenario(
      "kind: infer\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, count: 1 }\ninference: { batch: 4 }\n",
    );
    const r = await run(["infer", missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^stargate: inference\.inputLen: expected a positive integer/);
    const shape = scenario(
      "kind: infer\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, count: 8 }\ninference: { parallelism: { tp: 3 }, batch: 4, inputLen: 8, outputLen: 8 }\n",
    );
    const r2 = await run(["infer", shape]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(
      /^stargate: inference\.parallelism\.tp: expected a divisor of the model's 32 attention heads, got 3\n$/,
    );
  });
});

describe("bad input: exit 2, one line naming the field, the value and what was expected", () => {
  const cases: [string, string, RegExp][] = [
    [
      "unknown accelerator",
      "kind: train\nmodel: llama3-8b\nsystem: { accelerator: h1000, count: 8 }\ntraining: { seqLen: 4096, globalBatch: 64 }\n",
      /^stargate: system\.accelerator: expected an accelerator id from the catalog \(.+\), got "h1000"\n$/,
    ],
    [
      "unknown model",
      "kind: train\nmodel: llama9\nsystem: { accelerator: h100-sxm, count: 8 }\ntraining: { seqLen: 4096, globalBatch: 64 }\n",
      /^stargate: model: expected a model id from the catalog .*, got "llama9"\n$/,
    ],
    [
      "negative count",
      "kind: train\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, count: -8 }\ntraining: { seqLen: 4096, globalBatch: 64 }\n",
      /^stargate: system\.count: expected a positive number, got -8\n$/,
    ],
    [
      "tp not dividing the heads",
      "kind: train\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, count: 48 }\ntraining: { seqLen: 4096, globalBatch: 48, parallelism: { tp: 6 } }\n",
      /^stargate: training\.parallelism\.tp: expected a divisor of the model's 32 attention heads, got 6\n$/,
    ],
    [
      "malformed YAML",
      "kind: train\nmodel: [llama3-8b\nsystem: {\n",
      /^stargate: .*s\d+\.yaml:\d+:\d+: expected well-formed YAML: .*\n$/,
    ],
    [
      "misspelt field",
      "kind: train\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, count: 8 }\ntraining: { seqLen: 4096, globalBatch: 64, precison: bf16 }\n",
      /^stargate: training\.precison: expected known fields only \(no field "precison" here\), got "bf16"\n$/,
    ],
    [
      "wrong type",
      "kind: train\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, count: eight }\ntraining: { seqLen: 4096, globalBatch: 64 }\n",
      /^stargate: system\.count: expected a number, got "eight"\n$/,
    ],
    [
      "precision the chip lacks",
      "kind: train\nmodel: llama3-8b\nsystem: { accelerator: a100-sxm-80gb, count: 8 }\ntraining: { seqLen: 4096, globalBatch: 64, precision: fp8 }\n",
      /^stargate: training\.precision: expected a precision a100-sxm-80gb supports \(fp32, fp16, bf16\), got "fp8"\n$/,
    ],
    [
      "heads not dividing hidden",
      "kind: train\nmodel: { name: odd, layers: 4, hidden: 1000, ffnHidden: 4000, heads: 3, vocab: 1000 }\nsystem: { accelerator: h100-sxm, count: 8 }\ntraining: { seqLen: 1024, globalBatch: 8 }\n",
      /^stargate: model\.heads: expected a divisor of hidden \(1000\), or give headDim, got 3\n$/,
    ],
    [
      "inline model missing a field",
      "kind: train\nmodel: { name: x, hidden: 4096, ffnHidden: 1, heads: 32, vocab: 100 }\nsystem: { accelerator: h100-sxm, count: 8 }\ntraining: { seqLen: 4096, globalBatch: 8 }\n",
      /^stargate: model\.layers: expected a number \(required field\), got nothing\n$/,
    ],
    [
      "neither id nor definition",
      "kind: train\nmodel: 42\nsystem: { accelerator: h100-sxm, count: 8 }\ntraining: { seqLen: 4096, globalBatch: 8 }\n",
      /^stargate: model: expected a catalog id or an inline definition, got 42\n$/,
    ],
    [
      "fractional count",
      "kind: train\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, count: 8.5 }\ntraining: { seqLen: 4096, globalBatch: 8 }\n",
      /^stargate: system\.count: expected an integer, got 8\.5\n$/,
    ],
    [
      "bad enum",
      "kind: train\nmodel: llama3-8b\nsystem: { accelerator: h100-sxm, count: 8 }\ntraining: { seqLen: 4096, globalBatch: 64, recompute: sometimes }\n",
      /^stargate: training\.recompute: expected one of "none", "selective", "full", got "sometimes"\n$/,
    ],
  ];
  it.each(cases)("%s", async (_name, text, message) => {
    const r = await run(["train", scenario(text), "--json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a missing file", async () => {
    const r = await run(["train", "no-such-file.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^stargate: FILE: expected a readable file \(it, or its folder, does not exist\), got "no-such-file\.yaml"\n$/,
    );
  });

  it("an unknown command or flag", async () => {
    expect((await run(["trian"])).code).toBe(2);
    const r = await run(["train", "x.yaml", "--gpuz", "8"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("a bad override value", async () => {
    const r = await run(["train", join(EXAMPLES, "train-search.yaml"), "--gpus=-3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('stargate: --gpus: expected a positive integer, got "-3"\n');
    // Without "=", a value starting with "-" reads as an option: the message says how to write it.
    const dash = await run(["train", join(EXAMPLES, "train-search.yaml"), "--gpus", "-3"]);
    expect(dash.code).toBe(2);
    expect(dash.stderr).toBe(
      'stargate: --gpus: expected a value after it (one starting with "-" is written --gpus=VALUE), got nothing\n',
    );
  });
});

describe("stargate catalog", () => {
  it("lists every family in a table and as JSON with sources", async () => {
    const r = await run(["catalog"]);
    expect(r.code).toBe(0);
    for (const id of ["h100-sxm", "hbm3e-12hi", "nvlink4", "deepseek-v3"]) expect(r.stdout).toContain(id);
    const j = JSON.parse((await run(["catalog", "accelerators", "--json"])).stdout);
    expect(j.accelerators.length).toBeGreaterThanOrEqual(15);
    for (const a of j.accelerators) expect(a.source.length).toBeGreaterThan(10);
    // Which measured collective curve each scale-up fabric reads.
    const nets = (await run(["catalog", "networks"])).stdout;
    expect(nets).toMatch(/^nvlink4 +scale-up +900 +3 +its own sweeps /m);
    expect(nets).toMatch(/^nvlink-h800 +scale-up +400 +3 +nvlink4's shape /m);
    expect(nets).toMatch(/^ib-ndr +scale-out .* - /m);
  });

  it("takes user additions from --catalog FILE", async () => {
    const file = scenario(`accelerators:
  - id: my-chip
    name: My chip
    peakTflops: { bf16: 2000 }
    hbm: { generation: hbm4, stacks: 6 }
    scaleUp: { bandwidthGBps: 1600, domainSize: 16 }
    scaleOut: { fabric: ib-xdr }
    source: our design doc
`);
    const j = JSON.parse((await run(["catalog", "accelerators", "--json", "--catalog", file])).stdout);
    const mine = j.accelerators.find((a: { id: string }) => a.id === "my-chip");
    expect(mine.hbmBytes).toBe(216e9);
  });
});

describe("stargate schema", () => {
  it("prints the JSON Schema of scenario and catalog files", async () => {
    const train = JSON.parse((await run(["schema"])).stdout);
    expect(train.properties.kind.const).toBe("train");
    expect(train.properties.training.properties.recompute.enum).toEqual(["none", "selective", "full"]);
    const catalog = JSON.parse((await run(["schema", "catalog"])).stdout);
    expect(catalog.properties).toHaveProperty("accelerators");
    const fleet = JSON.parse((await run(["schema", "fleet"])).stdout);
    expect(fleet.properties.scheduler.enum).toEqual(["fifo", "priority", "fair-share", "backfill"]);
    expect(fleet.properties.fleet.properties).toHaveProperty("pod");
    const plan = JSON.parse((await run(["schema", "plan"])).stdout);
    expect(plan.properties).toHaveProperty("demand");
    const bad = await run(["schema", "nonsense"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^stargate: schema: expected one of "train", "plan", "fleet", "design", "catalog"/,
    );
  });
});

describe("sweeps", () => {
  const bin = join(ROOT, "bin/stargate.js");
  const sweepArgs = [
    "train",
    join(EXAMPLES, "train-explicit.yaml"),
    "--sweep",
    "training.globalBatch=512:2048:512",
    "--sweep",
    "system.count=512,1024",
    "--json",
  ];

  it("evaluates every point on worker threads; shards merge into exactly the unsharded output", () => {
    const whole = spawnSync("node", [bin, ...sweepArgs], { encoding: "utf8", cwd: ROOT });
    expect(whole.status).toBe(0);
    const all = JSON.parse(whole.stdout);
    expect(all.total).toBe(8);
    expect(all.rows).toHaveLength(8);
    expect(all.rows[0].point).toEqual({ "training.globalBatch": 512, "system.count": 512 });
    // Points whose dp does not divide the batch report the input error instead of failing the sweep.
    for (const r of all.rows) expect(r.result.stepTimeS ?? r.result.error).toBeDefined();
    const files = [1, 2].map((i) => {
      const part = spawnSync("node", [bin, ...sweepArgs, "--shard", `${i}/2`], {
        encoding: "utf8",
        cwd: ROOT,
      });
      expect(part.status).toBe(0);
      const f = join(TMP, `shard${i}.json`);
      writeFileSync(f, part.stdout);
      return f;
    });
    const merged = spawnSync("node", [bin, "merge", ...files, "--json"], { encoding: "utf8", cwd: ROOT });
    expect(merged.status).toBe(0);
    expect(JSON.parse(merged.stdout)).toEqual(all);
  });

  it("rejects a malformed sweep or shard with one line", async () => {
    const a = await run([
      "train",
      join(EXAMPLES, "train-explicit.yaml"),
      "--sweep",
      "training.globalBatch=10:5:1",
    ]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^stargate: --sweep: expected a range a:b:step with a ≤ b and step > 0/);
    const b = await run([
      "train",
      join(EXAMPLES, "train-explicit.yaml"),
      "--sweep",
      "system.count=8",
      "--shard",
      "3/2",
    ]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^stargate: --shard: expected i\/n with 1 ≤ i ≤ n, got "3\/2"/);
  });
});

describe("the stargate binary", () => {
  it("runs from the package with npx-style invocation and exits 2 on bad input", () => {
    const bin = join(ROOT, "bin/stargate.js");
    const out = execFileSync("node", [bin, "train", join(EXAMPLES, "train-explicit.yaml"), "--json"], {
      encoding: "utf8",
    });
    expect(JSON.parse(out).fits).toBe(true);
    const bad = spawnSync("node", [bin, "train", "missing.yaml"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).not.toMatch(/at .*\.js/); // no stack trace
  });
});

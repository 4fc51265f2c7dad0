import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GEMM_ROWS } from "../../src/catalog/data/microbench.js";
import {
  ATTENTION_CURVES,
  COLLECTIVE_CURVES,
  GEMM_CURVES,
  GEMM_KNEE,
  MEMORY_FRACTIONS,
} from "../../src/catalog/data/part-curves.js";
import { builtinCatalog, resolveAccelerator } from "../../src/catalog/index.js";
import { attentionEfficiency, busBandwidthFraction, gemmBound, gemmSeconds } from "../../src/perf/parts.js";
import { fitMemoryFractions, fitPartCurves, gemmKneeLoss } from "../../src/perf/parts-fit.js";
import type { Precision } from "../../src/units.js";
import { partsReport } from "../../src/validation/parts.js";
import { run } from "../cli/run.js";

const cat = builtinCatalog();

describe("part curves fitted to microbenchmarks", () => {
  it("the stored curves are what the fit gives from the measured rows (no hand-set constant)", () => {
    const fitted = fitPartCurves(cat);
    expect(fitted.gemmKnee).toBe(GEMM_KNEE);
    expect(fitted.gemm).toEqual(GEMM_CURVES);
    expect(fitted.attention).toEqual(ATTENTION_CURVES);
    expect(fitted.memory).toEqual(MEMORY_FRACTIONS);
    expect(fitted.collectives).toEqual(COLLECTIVE_CURVES);
  });

  it("a GEMM is bound by its weights at small M and reaches the plateau at large shapes", () => {
    const c = { plateau: 0.7, latencyS: 5e-6, k0: 300 };
    const peak = 1e15;
    const bw = 3e12;
    const weights = 8192 * 8192 * 2;
    const t1 = gemmSeconds(c, peak, bw, 1, 8192, 8192, 2);
    expect(t1).toBeCloseTo(weights / bw + 5e-6, 7);
    const big = 32768;
    const tBig = gemmSeconds(c, peak, bw, big, big, big, 2);
    expect((2 * big ** 3) / tBig / peak).toBeGreaterThan(0.69 / (1 + 300 / big) - 0.001);
    // Time never falls as M grows.
    let last = 0;
    for (let m = 1; m <= 65536; m *= 2) {
      const t = gemmSeconds(c, peak, bw, m, 4096, 4096, 2);
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
  });

  it("math and operand traffic combine at a knee fitted to the rows: the larger far from the ridge, more than it at the ridge", () => {
    // The fitted knee lies strictly between the sum (1) and the plain roofline maximum (∞).
    expect(GEMM_KNEE).toBeGreaterThan(1);
    expect(Number.isFinite(GEMM_KNEE)).toBe(true);
    expect(gemmBound(10, 0.1)).toBeCloseTo(10, 3);
    expect(gemmBound(0.1, 10)).toBeCloseTo(10, 3);
    expect(gemmBound(1, 1)).toBeCloseTo(2 ** (1 / GEMM_KNEE), 12);
    expect(gemmBound(1, 1, Number.POSITIVE_INFINITY)).toBe(1);
    expect(gemmBound(1, 1, 1)).toBe(2);
    // Over every production row (curves re-fitted at each knee) the knee's loss is a quarter below the
    // plain maximum's (0.870 against 1.154) and below the sum's (2.08).
    const memory = fitMemoryFractions();
    const atKnee = gemmKneeLoss(cat, memory, GEMM_KNEE);
    expect(atKnee).toBeLessThan(0.8 * gemmKneeLoss(cat, memory, Number.POSITIVE_INFINITY));
    expect(atKnee).toBeLessThan(0.5 * gemmKneeLoss(cat, memory, 1));
    // Rows with M ≥ 256: 6.5% mean, 40.9% max with the maximum; 5.6% and 26.6% at the knee.
    const scored = partsReport(cat).summary.find((x) => x.part === "gemm" && x.scope === "M ≥ 256");
    expect(scored?.meanAbsError).toBeLessThanOrEqual(0.06);
    expect(scored?.maxAbsError).toBeLessThanOrEqual(0.3);
  });

  it("attention efficiency rises with sequence length; backward runs at the measured ratio", () => {
    const c = { fwdPlateau: 0.6, s0: 400, bwdRatio: 0.7 };
    expect(attentionEfficiency(c, 512)).toBeLessThan(attentionEfficiency(c, 8192));
    expect(attentionEfficiency(c, 8192, true)).toBeCloseTo(0.7 * attentionEfficiency(c, 8192), 12);
    const bus = { plateau: 1, halfBytes: 1e7, exponent: 1 };
    expect(busBandwidthFraction(bus, 1e7)).toBeCloseTo(0.5, 12);
    expect(busBandwidthFraction(bus, 1e12)).toBeGreaterThan(0.99);
  });

  it("a part without measurements inherits its family's curve and says so; others take the stated default", () => {
    const gb200 = resolveAccelerator(cat, "gb200");
    expect(gb200.parts.gemm.bf16?.provenance).toContain("inherited from b200");
    expect(gb200.parts.gemm.fp8?.provenance).toContain("measured on gb200");
    expect(gb200.parts.attention.provenance).toContain("inherited from b200");
    // B200's only NVFP4 rows are a library's untuned baseline: its own measurement still comes before a
    // sibling's, and the provenance says what the rows are.
    const b200fp4 = resolveAccelerator(cat, "b200").parts.gemm.fp4?.provenance;
    expect(b200fp4).toContain("measured on b200 (a library's untuned baseline configurations");
    expect(b200fp4).not.toContain("inherited");
    const b300 = resolveAccelerator(cat, "b300");
    expect(b300.parts.gemm.fp8?.provenance).toMatch(/inherited from (gb200|b200)/);
    const h800 = resolveAccelerator(cat, "h800");
    expect(h800.parts.gemmBlockwise.fp8?.provenance).toContain("blockwise GEMM rows measured on h800");
    const tpu = resolveAccelerator(cat, "tpu-v5p");
    expect(tpu.parts.gemm.bf16?.provenance).toMatch(/^assumption/);
    expect(tpu.parts.memoryFraction.provenance).toMatch(/^assumption/);
  });

  it("a part's own large-message all-reduce figure sets its scale-up plateau; its sweeps, where it has them, win", () => {
    const curve = (id: string) => resolveAccelerator(cat, id).parts.scaleUpCurve;
    const busGBps = (id: string, bytes: number) => {
      const a = resolveAccelerator(cat, id);
      const c = a.parts.scaleUpCurve?.value;
      if (c === undefined) throw new Error(`${id}: no curve`);
      return (busBandwidthFraction(c, bytes) * a.scaleUp.bandwidthBytesPerS) / 1e9;
    };
    // 8 B200 on HGX reach 830 GB/s (LINK_ROWS); GB200's sweeps give the nvlink5 shape and its 624 GB/s.
    expect(busGBps("b200", 2 ** 34)).toBeCloseTo(830, -1);
    expect(busGBps("gb200", 2 ** 34)).toBeCloseTo(624, -1);
    // Only the plateau moves: latency-bound messages see the same absolute bandwidth on both.
    expect(busGBps("b200", 4096) / busGBps("gb200", 4096)).toBeCloseTo(1, 2);
    // Other collectives on B200 stay capped at what GB200's sweeps measured (no B200 ring figure).
    expect(curve("b200")?.value.ringPlateau).toBe(curve("gb200")?.value.plateau);
    expect(curve("b200")?.provenance).toContain("830 GB/s measured on b200");
    // H800: fourth-generation NVLink with 8 links takes nvlink4's shape, its own 215 GB/s, and the
    // ring protocol's measured share of its 200 GB/s for everything but all-reduce.
    expect(busGBps("h800", 2 ** 34)).toBeCloseTo(215, -1);
    expect(curve("h800")?.value.ringPlateau).toBe(curve("h100-sxm")?.value.ringPlateau);
    expect(busGBps("h800", 4096)).toBeCloseTo(busGBps("h100-sxm", 4096), 1);
    // H100 has both a sweep and a large-message figure (480): the 49-row sweep makes its curve.
    expect(curve("h100-sxm")?.provenance).toMatch(/^all-reduce bus bandwidth fitted to 49/);
    // A figure that set a plateau is shown in validate --parts but not scored; H100's 480 still is.
    const link = partsReport(cat).rows.filter((r) => r.part === "link" && r.what.startsWith("all-reduce"));
    expect(link.map((r) => [r.accelerator, r.scored])).toEqual([
      ["h100-sxm", true],
      ["b200", false],
      ["h800", false],
    ]);
  });

  it("a part with GEMM rows of a precision never inherits that precision's curve", () => {
    const measured = new Set(
      GEMM_ROWS.filter((r) => r.cls === "dense" && r.m >= 256).map((r) => `${r.acc}|${r.p}`),
    );
    expect(measured.size).toBeGreaterThan(10);
    for (const key of measured) {
      const [acc = "", p = ""] = key.split("|");
      const prov = resolveAccelerator(cat, acc).parts.gemm[p as Precision]?.provenance ?? "";
      expect(prov, key).toContain(`measured on ${acc}`);
      expect(prov, key).not.toContain("inherited");
    }
  });

  it("meets the issue's part bounds: GEMM rows with M ≥ 256 within 10% mean, collectives ≥ 1 MB within 15%", () => {
    const r = partsReport(cat);
    const get = (part: string, scope: string) =>
      r.summary.find((s) => s.part === part && s.scope.startsWith(scope));
    // Activation-quantisation rows, and baseline rows where the part has tuned ones, are shown but not scored.
    expect(get("gemm", "M ≥ 256")?.rows).toBeGreaterThan(90);
    expect(get("gemm", "M ≥ 256")?.meanAbsError).toBeLessThanOrEqual(0.1);
    expect(get("collective", "≥ 1 MB")?.rows).toBeGreaterThan(50);
    expect(get("collective", "≥ 1 MB")?.meanAbsError).toBeLessThanOrEqual(0.15);
    expect(get("attention", "the kernel")?.meanAbsError).toBeLessThanOrEqual(0.05);
    expect(get("memory", "Copy")?.meanAbsError).toBeLessThanOrEqual(0.05);
  });

  it("checks the serving iteration model against TensorRT-LLM's measured forward passes (microbench decode rows)", () => {
    const r = partsReport(cat);
    const get = (part: string, scope: string) => r.summary.find((s) => s.part === part && s.scope === scope);
    // Static batches on one accelerator (decode-dominated and prefill-heavy): the iteration model the
    // MLPerf Inference cases run on holds within 11% mean, 28% at worst (LLaMA 7B at 128/128, prefill-heavy).
    const one = get("engine-throughput", "one accelerator");
    expect(one?.rows).toBe(8);
    expect(one?.meanAbsError).toBeLessThanOrEqual(0.12);
    expect(one?.maxAbsError).toBeLessThanOrEqual(0.3);
    // TensorRT-LLM v0.5's batch-1 context phase carries a fixed cost the model does not have: every row
    // is slower than the model, the 128-token prompts by 3.6-16 ms. Held so a change that moves it shows.
    const first = r.rows.filter((x) => x.part === "first-token");
    for (const x of first) expect(x.error, x.what).toBeLessThan(0);
    expect(get("first-token", "all rows")?.meanAbsError).toBeLessThanOrEqual(0.3);
    // Multi-accelerator FP8 rows of TensorRT-LLM v0.6.1 on H100 run at half the model's rate (42-128%
    // fast), where the A100 FP16 ones at the same tensor parallelism are within 8-23%.
    const h100Tp = r.rows.filter(
      (x) => x.part === "engine-throughput" && x.accelerator === "h100-sxm" && !x.scored,
    );
    expect(h100Tp.length).toBe(4);
    for (const x of h100Tp) expect(x.error, x.what).toBeGreaterThan(0.4);
  });

  it("prints the link figures that have no message size beside the model's rate at a large message", () => {
    const r = partsReport(cat);
    const link = r.rows.filter((x) => x.part === "link");
    // The ring protocol's 370 GB/s on H100 NVLink is what all-gather and reduce-scatter run at: NVLink
    // SHARP, in the all-reduce curve, does not speed them up.
    const ring = link.find((x) => x.what.startsWith("ring"));
    expect(ring?.model).toBeCloseTo(370, 0);
    const nvls = link.find((x) => x.accelerator === "h100-sxm" && x.what.startsWith("all-reduce"));
    expect(nvls?.model ?? 0).toBeGreaterThan(440);
    // nvbandwidth's pair read exceeds the line rate: shown, not scored.
    for (const x of link.filter((y) => y.what.startsWith("p2p-read"))) expect(x.scored).toBe(false);
    expect(r.summary.find((x) => x.part === "link")?.meanAbsError).toBeLessThanOrEqual(0.15);
  });

  it("checks the MoE expert all-to-all against DeepEP's measured dispatch and combine", () => {
    const r = partsReport(cat);
    const get = (part: string) => r.summary.find((s) => s.part === part);
    // Bandwidth rows (NVLink within a node, the NIC between nodes, V1 and V2 kernels) ride on the same
    // link efficiencies as the all-reduce curves; nothing is fitted to them.
    expect(get("expert-a2a-bandwidth")?.rows).toBe(18);
    expect(get("expert-a2a-bandwidth")?.meanAbsError).toBeLessThanOrEqual(0.15);
    // The low-latency kernels post every peer's transfer at once: one latency per level, so the time
    // follows the bytes that leave the node and levels off from 64 ranks (measured 173-194 µs dispatch).
    // A latency per peer put 256 ranks at 421 µs.
    expect(get("expert-a2a-latency")?.rows).toBe(12);
    expect(get("expert-a2a-latency")?.meanAbsError).toBeLessThanOrEqual(0.13);
    const wide = r.rows.filter((x) => x.part === "expert-a2a-latency" && / EP(64|128|256),/.test(x.what));
    expect(wide.length).toBe(6);
    for (const x of wide) expect(Math.abs(x.error), x.what).toBeLessThan(0.11);
  });

  it("stargate validate --parts prints every measured row beside the model's value", async () => {
    const r = await run(["validate", "--parts", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { rows: { part: string }[]; summary: unknown[] };
    expect(j.rows.filter((x) => x.part === "gemm").length).toBeGreaterThan(180);
    expect(j.summary.length).toBe(12);
    expect(j.rows.filter((x) => x.part === "link").length).toBe(9);
    expect(j.rows.filter((x) => x.part.startsWith("expert-a2a")).length).toBe(30);
    expect(j.rows.filter((x) => x.part === "engine-throughput").length).toBe(14);
    expect(j.rows.filter((x) => x.part === "first-token").length).toBe(16);
    // Every attention and HBM row of microbench.json, decode kernels and kernels' own HBM rates included
    // (shown, not scored); only DeepSeek-R1's per-user figure is left out (docs/model.md says why).
    // microbench.json's section sizes (read from ../shared when it sits beside the project).
    const file = "../shared/reference/microbench.json";
    const reference = existsSync(file)
      ? (JSON.parse(readFileSync(file, "utf8")) as {
          attention: unknown[];
          memoryBandwidth: unknown[];
          decode: unknown[];
        })
      : { attention: { length: 172 }, memoryBandwidth: { length: 17 }, decode: { length: 31 } };
    const rows = j.rows as { part: string; what: string; scored: boolean }[];
    expect(rows.filter((x) => x.part === "attention").length).toBe(reference.attention.length);
    expect(rows.filter((x) => x.part === "memory").length).toBe(reference.memoryBandwidth.length);
    expect(rows.filter((x) => x.part === "engine-throughput" || x.part === "first-token").length).toBe(
      reference.decode.length - 1,
    );
    const decode = rows.filter((x) => x.part === "attention" && / decode /.test(x.what));
    expect(decode.length).toBe(3);
    expect(decode.every((x) => !x.scored)).toBe(true);
    const kernels = rows.filter((x) => x.part === "memory" && !x.what.startsWith("STREAM"));
    expect(kernels.length).toBe(2);
    expect(kernels.every((x) => !x.scored)).toBe(true);
    const text = await run(["validate", "--parts"]);
    expect(text.stdout).toContain("Where each curve comes from");
  });
});

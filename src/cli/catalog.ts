import {
  type Catalog,
  INFERENCE_ENGINE_PRESETS,
  type InterconnectInput,
  PRICES,
  resolveAccelerator,
  resolveHbm,
  resolveModel,
  resolveSite,
  SYSTEMS,
  TRAINING_FRAMEWORK_PRESETS,
} from "../catalog/index.js";
import { fabricCurve } from "../catalog/resolve-parts.js";
import { InputError } from "../errors.js";
import { paramCount } from "../perf/accounting.js";
import { GB, GiB } from "../units.js";
import { fixed, si, table } from "./format.js";

const FAMILIES = [
  "accelerators",
  "memory",
  "networks",
  "models",
  "sites",
  "systems",
  "prices",
  "presets",
] as const;
type Family = (typeof FAMILIES)[number];

function families(family: string | undefined): readonly Family[] {
  if (family === undefined) return FAMILIES;
  if (!(FAMILIES as readonly string[]).includes(family)) {
    throw new InputError("catalog", family, `one of ${FAMILIES.join(", ")}`);
  }
  return [family as Family];
}

export function catalogJson(cat: Catalog, family?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of families(family)) {
    if (f === "accelerators") out[f] = [...cat.accelerators.keys()].map((id) => resolveAccelerator(cat, id));
    if (f === "memory") out[f] = [...cat.memory.keys()].map((id) => resolveHbm(cat, id));
    if (f === "networks") out[f] = [...cat.networks.values()];
    if (f === "sites") out[f] = [...cat.sites.keys()].map((id) => resolveSite(cat, id));
    if (f === "systems") out[f] = SYSTEMS;
    if (f === "prices") out[f] = PRICES;
    if (f === "presets") {
      out[f] = { trainingFrameworks: TRAINING_FRAMEWORK_PRESETS, inferenceEngines: INFERENCE_ENGINE_PRESETS };
    }
    if (f === "models") {
      out[f] = [...cat.models.keys()].map((id) => {
        const m = resolveModel(cat, id);
        const p = paramCount(m);
        return { ...m, params: { total: p.total, active: p.active } };
      });
    }
  }
  return out;
}

/** The sites: climate, humidity, grid carbon, tariff and build cost per MW (sources: --json). */
function sitesTable(cat: Catalog): string {
  const rows = [...cat.sites.keys()].map((id) => {
    const s = resolveSite(cat, id);
    const t = s.monthlyMeanC;
    return [
      id,
      s.country,
      fixed(t.reduce((x, y) => x + y, 0) / 12, 1),
      fixed(Math.min(...t), 1),
      fixed(Math.max(...t), 1),
      s.relativeHumidityPct === null ? "-" : fixed(s.relativeHumidityPct, 0),
      fixed(s.wetBulbDepressionC, 1),
      fixed(s.gridCarbonGPerKWh, 0),
      fixed(s.electricityUsdPerKWh, 3),
      s.constructionUsdPerMw === null ? "assumed" : fixed(s.constructionUsdPerMw / 1e6, 1),
      s.name,
    ];
  });
  return `Sites (monthly mean temperatures, °C; RH of the warmest month, %; wet-bulb depression, K; build cost, $M per MW of IT; sources: --json)\n${table(["id", "country", "mean", "coldest", "warmest", "RH", "WBD", "gCO2/kWh", "$/kWh", "$M/MW", "name"], rows, [false, false, true, true, true, true, true, true, true, true, false])}`;
}

export function catalogReport(cat: Catalog, family?: string): string {
  const parts: string[] = [];
  for (const f of families(family)) {
    if (f === "accelerators") {
      const rows = [...cat.accelerators.keys()].map((id) => {
        const a = resolveAccelerator(cat, id);
        const peak = (p: "bf16" | "fp8" | "fp4") =>
          a.peakFlops[p] !== undefined ? fixed((a.peakFlops[p] ?? 0) / 1e12, 0) : "-";
        return [
          id,
          a.vendor,
          peak("bf16"),
          peak("fp8"),
          peak("fp4"),
          fixed(a.hbmBytes / GiB, 0),
          fixed(a.hbmBandwidthBytesPerS / 1e12, 2),
          a.hbm !== null ? `${a.hbm.stacks}× ${a.hbm.generation}` : "-",
          fixed((2 * a.scaleUp.bandwidthBytesPerS) / GB, 0),
          String(a.scaleUp.domainSize),
          fixed((2 * a.scaleOut.bandwidthBytesPerS) / GB, 0),
          a.tdpW !== null ? String(a.tdpW) : "-",
        ];
      });
      parts.push(
        "Accelerators (dense TFLOP/s; HBM GiB, TB/s; links GB/s bidirectional per accelerator)\n" +
          table(
            [
              "id",
              "vendor",
              "bf16",
              "fp8",
              "fp4",
              "HBM GiB",
              "TB/s",
              "stacks",
              "scale-up",
              "domain",
              "scale-out",
              "TDP W",
            ],
            rows,
          ),
      );
    }
    if (f === "memory") {
      const rows = [...cat.memory.keys()].map((id) => {
        const g = resolveHbm(cat, id);
        return [
          id,
          String(g.interfaceBits),
          fixed(g.pinSpeedGbps, 1),
          fixed(g.bandwidthPerStackBytesPerS / GB, 0),
          fixed(g.capacityPerStackBytes / GB, 0),
          g.energyPjPerBit !== null ? fixed(g.energyPjPerBit, 1) : "-",
          g.vendors.join(", "),
        ];
      });
      parts.push(
        `HBM generations (per stack)\n${table(["id", "bits", "Gb/s/pin", "GB/s", "GB", "pJ/bit", "vendors"], rows)}`,
      );
    }
    if (f === "networks") {
      // The all-reduce curve a scale-up fabric's collectives read: its own sweeps, a link generation's
      // shape (`curveOf`), or none (a flat share of the peak).
      const curve = (n: InterconnectInput) => {
        if (n.kind !== "scale-up") return "-";
        const c = fabricCurve(n.id, n);
        return c === undefined ? "flat" : c.fabric === n.id ? "its own sweeps" : `${c.fabric}'s shape`;
      };
      const rows = [...cat.networks.values()].map((n) => [
        n.id,
        n.kind,
        fixed(n.bandwidthGBps, 0),
        fixed(n.latencyUs, 0),
        curve(n),
        n.name,
      ]);
      parts.push(
        `Networks (per accelerator, bidirectional; curve: what scale-up collectives read by message size)\n${table(["id", "kind", "GB/s", "µs", "curve", "name"], rows, [false, false, true, true, false, false])}`,
      );
    }
    if (f === "sites") parts.push(sitesTable(cat));
    if (f === "systems") {
      const rows = SYSTEMS.map((s) => [
        s.id,
        s.accelerator,
        String(s.accelerators),
        fixed(s.maxPowerKw, 1),
        s.cooling,
        String(s.perRack),
      ]);
      parts.push(
        `Systems (datasheet maximum power)\n${table(["id", "accelerator", "count", "kW", "cooling", "per rack"], rows)}`,
      );
    }
    if (f === "prices") {
      const rows = PRICES.map((p) => [
        p.accelerator,
        `$${Math.round(p.usd).toLocaleString("en-US")}`,
        p.perSystem ?? "accelerator",
        p.source,
      ]);
      parts.push(
        `Prices (published estimates)\n${table(["accelerator", "USD", "per", "source"], rows, [false, true, false, false])}`,
      );
    }
    if (f === "presets") parts.push(presetsReport());
    if (f === "models") {
      const rows = [...cat.models.keys()].map((id) => {
        const m = resolveModel(cat, id);
        const p = paramCount(m);
        const kind = m.moe !== null ? `MoE ${m.moe.experts}×top${m.moe.topK}` : "dense";
        const attn =
          m.mla !== null
            ? "MLA"
            : m.kvHeads === m.heads
              ? "MHA"
              : m.kvHeads === 1
                ? "MQA"
                : `GQA ${m.kvHeads}`;
        return [
          id,
          si(p.total),
          si(p.active),
          String(m.layers),
          String(m.hidden),
          String(m.heads),
          attn,
          kind,
          String(m.vocab),
        ];
      });
      parts.push(
        `Models\n${table(["id", "params", "active", "layers", "hidden", "heads", "attention", "FFN", "vocab"], rows)}`,
      );
    }
  }
  return `${parts.join("\n\n")}\n\nEvery entry carries its source: stargate catalog --json\n`;
}

/** Training-framework and serving-engine presets: what each sets, and where it is taken from. */
function presetsReport(): string {
  const yn = (b: boolean) => (b ? "yes" : "no");
  const training = TRAINING_FRAMEWORK_PRESETS.map((p) => [
    p.id,
    p.settings.attention,
    yn(p.settings.dropout),
    yn(p.settings.tpCommOverlap),
    yn(p.settings.dpOverlap),
    yn(p.settings.ppCommOverlap),
    p.settings.zeroStages !== undefined ? p.settings.zeroStages.join("/") : "1/2/3",
    p.source,
  ]);
  const serving = INFERENCE_ENGINE_PRESETS.map((p) => [
    p.id,
    String(p.settings.maxNumSeqs),
    String(p.settings.maxBatchedTokens),
    String(p.settings.blockSize),
    fixed(p.settings.memoryUtilization, 2),
    yn(p.settings.chunkedPrefill),
    p.settings.admission,
    yn(p.settings.cudaGraphs),
    p.source,
  ]);
  return (
    `Training frameworks (training.framework; fields the scenario states win)\n${table(
      ["id", "attention", "dropout", "TP overlap", "DP overlap", "PP overlap", "ZeRO", "source"],
      training,
      [false, false, false, false, false, false, true, false],
    )}\n\n` +
    `Serving engines (inference.engine)\n${table(
      [
        "id",
        "max seqs",
        "max tokens",
        "block",
        "HBM use",
        "chunked prefill",
        "admission",
        "CUDA graphs",
        "source",
      ],
      serving,
      [false, true, true, true, true, false, false, false, false],
    )}`
  );
}

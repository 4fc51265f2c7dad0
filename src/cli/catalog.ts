import { type Catalog, resolveAccelerator, resolveHbm, resolveModel } from "../catalog/index.js";
import { InputError } from "../errors.js";
import { paramCount } from "../perf/accounting.js";
import { GB } from "../units.js";
import { fixed, si, table } from "./format.js";

const FAMILIES = ["accelerators", "memory", "networks", "models"] as const;
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
          fixed(a.hbmBytes / GB, 0),
          fixed(a.hbmBandwidthBytesPerS / 1e12, 2),
          a.hbm !== null ? `${a.hbm.stacks}× ${a.hbm.generation}` : "-",
          fixed((2 * a.scaleUp.bandwidthBytesPerS) / GB, 0),
          String(a.scaleUp.domainSize),
          fixed((2 * a.scaleOut.bandwidthBytesPerS) / GB, 0),
          a.tdpW !== null ? String(a.tdpW) : "-",
        ];
      });
      parts.push(
        "Accelerators (dense TFLOP/s; HBM GB, TB/s; links GB/s bidirectional per accelerator)\n" +
          table(
            [
              "id",
              "vendor",
              "bf16",
              "fp8",
              "fp4",
              "HBM GB",
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
      const rows = [...cat.networks.values()].map((n) => [
        n.id,
        n.kind,
        fixed(n.bandwidthGBps, 0),
        fixed(n.latencyUs, 0),
        n.name,
      ]);
      parts.push(
        `Networks (per accelerator, bidirectional)\n${table(["id", "kind", "GB/s", "µs", "name"], rows, [false, false, true, true, false])}`,
      );
    }
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

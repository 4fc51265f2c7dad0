import type { z } from "zod";
import {
  type Accelerator,
  type AcceleratorInput,
  type Catalog,
  type CatalogOverlay,
  extendCatalog,
  resolveAccelerator,
  resolveModel,
} from "../catalog/index.js";
import type { Model } from "../catalog/types.js";
import type { catalogOverlaySchema, modelSchema, systemSchema } from "./schema.js";

/** `T` with `undefined` removed from every optional field, recursively (zod output → catalog input types). */
export type Defined<T> = T extends readonly (infer U)[]
  ? Defined<U>[]
  : T extends object
    ? { [K in keyof T]: Defined<Exclude<T[K], undefined>> }
    : T;

/** Drop fields whose value is undefined, recursively, so optional fields are absent rather than undefined. */
export function strip<T>(o: T): Defined<T> {
  if (Array.isArray(o)) return o.map(strip) as Defined<T>;
  if (o === null || typeof o !== "object") return o as Defined<T>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = strip(v);
  return out as Defined<T>;
}

/** What-if changes to the accelerator, from the command line. */
export interface AcceleratorChanges {
  /** Replace the accelerator's memory with `stacks` stacks of HBM generation `generation`. */
  readonly hbm?: { readonly generation: string; readonly stacks: number };
  /** Per-accelerator scale-up bandwidth, GB/s bidirectional. */
  readonly scaleUpGBps?: number;
  /** Per-accelerator scale-out bandwidth, GB/s bidirectional. */
  readonly scaleOutGBps?: number;
}

/** Apply what-if changes to an accelerator definition; the id and name say what changed. */
export function changeAccelerator(a: AcceleratorInput, o: AcceleratorChanges): AcceleratorInput {
  const notes: string[] = [];
  let out: AcceleratorInput = { ...a, id: a.id ?? a.name };
  if (o.hbm !== undefined) {
    out = { ...out, hbm: { generation: o.hbm.generation, stacks: o.hbm.stacks } };
    notes.push(`${o.hbm.stacks}× ${o.hbm.generation}`);
  }
  if (o.scaleUpGBps !== undefined) {
    out = { ...out, scaleUp: { ...out.scaleUp, bandwidthGBps: o.scaleUpGBps } };
    notes.push(`scale-up ${o.scaleUpGBps} GB/s`);
  }
  if (o.scaleOutGBps !== undefined) {
    out = { ...out, scaleOut: { ...out.scaleOut, bandwidthGBps: o.scaleOutGBps } };
    notes.push(`scale-out ${o.scaleOutGBps} GB/s`);
  }
  if (notes.length === 0) return a;
  return { ...out, id: `${out.id}+what-if`, name: `${out.name} (what-if: ${notes.join(", ")})` };
}

export interface ResolvedSystem {
  readonly catalog: Catalog;
  readonly model: Model;
  readonly accelerator: Accelerator;
  readonly gpus: number;
  readonly domainSize: number;
}

/** Resolve the parts every scenario kind shares: catalog overlay, model, accelerator and system size. */
export function resolveSystem(
  s: {
    readonly model: string | z.output<typeof modelSchema>;
    readonly system: z.output<typeof systemSchema>;
    readonly catalog?: z.output<typeof catalogOverlaySchema> | undefined;
  },
  base: Catalog,
  whatIf: AcceleratorChanges = {},
): ResolvedSystem {
  const catalog = s.catalog !== undefined ? extendCatalog(base, strip(s.catalog) as CatalogOverlay) : base;
  const model = resolveModel(catalog, typeof s.model === "string" ? s.model : strip(s.model), "model");
  let accInput: string | AcceleratorInput =
    typeof s.system.accelerator === "string" ? s.system.accelerator : strip(s.system.accelerator);
  const so = s.system.scaleOut;
  if (so !== undefined) {
    const found = typeof accInput === "string" ? catalog.accelerators.get(accInput) : accInput;
    if (found !== undefined) {
      const scaleOut = typeof so === "string" ? { fabric: so } : strip(so);
      accInput = { ...found, id: found.id ?? found.name, scaleOut };
    }
  }
  if (whatIf.hbm !== undefined || whatIf.scaleUpGBps !== undefined || whatIf.scaleOutGBps !== undefined) {
    const found = typeof accInput === "string" ? catalog.accelerators.get(accInput) : accInput;
    if (found !== undefined) accInput = changeAccelerator(found, whatIf);
  }
  const accelerator = resolveAccelerator(catalog, accInput, "system.accelerator");
  return {
    catalog,
    model,
    accelerator,
    gpus: s.system.count,
    domainSize: s.system.nodeSize ?? accelerator.scaleUp.domainSize,
  };
}

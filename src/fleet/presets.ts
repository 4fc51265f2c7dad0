import type { JobPreset } from "../catalog/data/job-presets.js";
import type { JobStream } from "./workload.js";

/**
 * A job preset's classes as streams of one partner: arrivals at the preset's rate × `scale` (the
 * partner's accelerators over the cluster's, times the user's scale), each class with its sizes (those
 * `fits` keeps, reweighted; a class with none is left out and named in `dropped`), run times, priority,
 * outcomes and the cluster's longest run time.
 */
export function presetJobStreams(
  preset: JobPreset,
  partner: number,
  scale: number,
  fits: (accelerators: number) => boolean = () => true,
): { readonly streams: JobStream[]; readonly dropped: readonly JobPreset["classes"][number]["kind"][] } {
  const streams: JobStream[] = [];
  const dropped: JobPreset["classes"][number]["kind"][] = [];
  for (const k of preset.classes) {
    const sizes = k.sizes.filter((z) => fits(z.accelerators));
    if (sizes.length < k.sizes.length) dropped.push(k.kind);
    if (sizes.length === 0) continue;
    streams.push({
      partner,
      kind: k.kind,
      perDay: preset.perDay * scale * k.share,
      sizes,
      medianHours: k.medianHours,
      sigma: k.sigma,
      priority: k.priority,
      outcomes: { fail: k.fail, cancel: k.cancel, failAt: preset.failAt, cancelAt: preset.cancelAt },
      maxHours: preset.maxHours,
    });
  }
  return { streams, dropped };
}

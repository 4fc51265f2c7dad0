import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtinCatalog } from "../../src/catalog/index.js";
import { fleetJson, runFleet } from "../../src/cli/fleet.js";
import { parseYaml } from "../../src/scenario/load.js";
import { ROOT } from "../cli/run.js";

/**
 * Restructuring keeps the simulator's output: every fleet example's --json (less the wall-clock rates)
 * is compared byte for byte with the snapshot the unrestructured simulator wrote. The Stargate fleet runs
 * its first 60 days (the whole year takes ~20 s; every mechanism is at work within weeks).
 */
const EXAMPLES: readonly [string, (s: Record<string, unknown>) => Record<string, unknown>][] = [
  ["fleet-small.yaml", (s) => s],
  ["fleet-mixed.yaml", (s) => s],
  ["fleet-stargate.yaml", (s) => ({ ...s, days: 60 })],
  // A phased build-out and no borrowing beside the small fleet's failures.
  [
    "fleet-small.yaml",
    (s) => ({
      ...s,
      borrowing: false,
      fleet: { ...(s["fleet"] as object), phases: [{ day: 3, count: 256 }] },
    }),
  ],
];

describe("restructuring keeps the fleet simulation's output", () => {
  it.each(EXAMPLES.map(([f, e], i) => [i, f, e] as const))(
    "%i %s: byte-identical to the snapshot",
    async (i, file, edit) => {
      const data = edit(
        parseYaml(readFileSync(join(ROOT, "examples", file), "utf8"), file) as Record<string, unknown>,
      );
      const o = runFleet(data, builtinCatalog(), [], () => 0);
      const { eventsPerS: _e, transitionsPerS: _t, ...json } = fleetJson(o);
      await expect(`${JSON.stringify(json, null, 1)}\n`).toMatchFileSnapshot(
        `__snapshots__/${i}-${file}.json`,
      );
    },
    120_000,
  );
});

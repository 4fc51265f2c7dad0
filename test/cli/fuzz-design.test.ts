import { describe, it } from "vitest";
import { BASES } from "../../bench/fuzz-gen.js";
import { property, RUNS } from "./fuzz.js";

/** A design point runs two searches (~0.1 s): a twentieth of the other commands' runs. */
const DESIGN_RUNS = Math.max(1, Math.ceil(RUNS / 20));

describe(`generated chip design spaces (${DESIGN_RUNS.toLocaleString("en-US")})`, () => {
  it(
    "design: mutated design spaces, workload mixes and supplies",
    () => property("design", BASES.design, DESIGN_RUNS),
    600_000,
  );
});

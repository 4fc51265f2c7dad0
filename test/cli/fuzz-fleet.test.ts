import { describe, it } from "vitest";
import { property, RUNS } from "./fuzz.js";

describe(`generated shared fleets (${RUNS.toLocaleString("en-US")})`, () => {
  // The fleet twin simulates every job event by event: each fleet over one day.
  it(
    "fleet: mutated shared fleets, one type and two",
    () =>
      property(
        "fleet",
        [
          { example: "examples/fleet-small.yaml", edit: (s) => ({ ...s, days: 1 }) },
          { example: "examples/fleet-mixed.yaml", edit: (s) => ({ ...s, days: 1 }) },
        ],
        RUNS,
      ),
    600_000,
  );
});

import { describe, it } from "vitest";
import { property, RUNS } from "./fuzz.js";

describe(`generated plans (${RUNS.toLocaleString("en-US")})`, () => {
  it(
    "plan: mutated plans across countries with a budget and events, and the built-in Korea plan",
    () =>
      property(
        "plan",
        [{ example: "examples/plan-global.yaml" }, { example: "examples/stargate-korea.yaml" }],
        RUNS,
      ),
    600_000,
  );
});

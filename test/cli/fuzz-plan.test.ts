import { describe, it } from "vitest";
import { BASES } from "../../bench/fuzz-gen.js";
import { property, RUNS } from "./fuzz.js";

describe(`generated plans (${RUNS.toLocaleString("en-US")})`, () => {
  it(
    "plan: mutated plans across countries with a budget and events, and the built-in Korea plan",
    () => property("plan", BASES.plan, RUNS),
    600_000,
  );
});

import { describe, it } from "vitest";
import { BASES } from "../../bench/fuzz-gen.js";
import { property, RUNS } from "./fuzz.js";

describe(`generated shared fleets (${RUNS.toLocaleString("en-US")})`, () => {
  it("fleet: mutated shared fleets, one type and two", () => property("fleet", BASES.fleet, RUNS), 600_000);
});

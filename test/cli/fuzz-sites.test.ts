import { describe, it } from "vitest";
import { BASES } from "../../bench/fuzz-gen.js";
import { property, RUNS } from "./fuzz.js";

describe(`generated campus designs (${RUNS.toLocaleString("en-US")})`, () => {
  it("sites: mutated campus designs", () => property("sites", BASES.sites, RUNS), 600_000);
});

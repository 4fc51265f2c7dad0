import { describe, it } from "vitest";
import { property, RUNS } from "./fuzz.js";

describe(`generated campus designs (${RUNS.toLocaleString("en-US")})`, () => {
  it(
    "sites: mutated campus designs",
    () => property("sites", [{ example: "examples/campus-1gw.yaml" }], RUNS),
    600_000,
  );
});

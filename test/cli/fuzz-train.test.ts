import { describe, it } from "vitest";
import { BASES } from "../../bench/fuzz-gen.js";
import { property, RUNS } from "./fuzz.js";

describe(`generated training and serving scenarios (${RUNS.toLocaleString("en-US")} each)`, () => {
  it(
    "train: mutated explicit configurations and LoRA fine-tuning",
    () => property("train", BASES.train, RUNS),
    600_000,
  );
  it(
    "infer: mutated batch runs, serving simulations and an inline chip",
    () => property("infer", BASES.infer, RUNS),
    600_000,
  );
});

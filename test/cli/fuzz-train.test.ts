import { describe, it } from "vitest";
import { type Json, property, RUNS } from "./fuzz.js";

describe(`generated training and serving scenarios (${RUNS.toLocaleString("en-US")} each)`, () => {
  it(
    "train: mutated explicit configurations and LoRA fine-tuning",
    () =>
      property(
        "train",
        [{ example: "examples/train-explicit.yaml" }, { example: "examples/lora-70b.yaml" }],
        RUNS,
      ),
    600_000,
  );
  // Serving simulations cut to 100 requests: the mutations, not the request count, find the faults.
  it(
    "infer: mutated batch runs, serving simulations and an inline chip",
    () =>
      property(
        "infer",
        [
          { example: "examples/infer-batch.yaml" },
          { example: "examples/custom-chip.yaml" },
          {
            example: "examples/serve-online.yaml",
            edit: (s) => {
              const inference = s["inference"] as Record<string, Record<string, Json>>;
              return {
                ...s,
                inference: { ...inference, workload: { ...inference["workload"], requests: 100 } },
              };
            },
          },
        ],
        RUNS,
      ),
    600_000,
  );
});

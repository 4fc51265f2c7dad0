import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JS_WORDING } from "../../bench/fuzz-gen.js";
import { fuzzFile, RUNS } from "./fuzz.js";
import { run } from "./run.js";

/**
 * Flag abuse: every command with up to four flags, each from the whole option set with a value that is
 * right, wrong or hostile. A run ends in exit 0 (JSON that parses, when --json was given) or exit 2 with
 * a line per problem naming the flag or field; never a crash. Sweeps and Monte Carlo take only values
 * that are refused or a two-point sweep, so that a run stays short.
 */
const FLAG_RUNS = Math.ceil(RUNS / 2);

const COMMANDS = [
  "train",
  "infer",
  "plan",
  "sites",
  "fleet",
  "fit-trace",
  "catalog",
  "schema",
  "merge",
  "design",
];
const FILES = [
  "examples/train-explicit.yaml",
  "examples/infer-batch.yaml",
  "examples/campus-1gw.yaml",
  "examples/custom-catalog.yaml",
  "/nonexistent/x.yaml",
  "examples",
  "/dev/null",
];
const VALUES = [
  "",
  "0",
  "-1",
  "1",
  "8",
  "1e9",
  "abc",
  "3/2",
  "1/2",
  "0/2",
  "fp8",
  "h100-sxm",
  "hbm3e-12hi:6",
  "x:y",
];
const FLAGS: Record<string, readonly string[]> = {
  "--json": [],
  "--jsonl": [],
  "--assumptions": [],
  "--parts": [],
  "--help": [],
  "--top": VALUES,
  "--gpus": VALUES,
  "--accelerator": VALUES,
  "--tp": VALUES,
  "--pp": VALUES,
  "--dp": VALUES,
  "--ep": VALUES,
  "--cp": VALUES,
  "--micro-batch": VALUES,
  "--global-batch": VALUES,
  "--seq-len": VALUES,
  "--precision": VALUES,
  "--node-size": VALUES,
  "--batch": VALUES,
  "--hbm": VALUES,
  "--scale-up-gbps": VALUES,
  "--scale-out-gbps": VALUES,
  "--days": VALUES,
  "--seed": VALUES,
  "--shard": VALUES,
  "--samples": ["0", "-1", "abc", "1e12", "2"],
  "--sweep": [
    "x",
    "=1",
    "constructor.a=1",
    "system.count=",
    "a=1:2:0",
    "system.count=1:1e9:1",
    "system.count=8,16",
  ],
  "--catalog": ["examples/custom-catalog.yaml", "examples/train-explicit.yaml", "/nonexistent.yaml"],
  "--html": ["/nonexistent/dir/x.html", "OUT"],
  "--x": ["usdPerMillionTokens", "chipUsd", "bogus", ""],
  "--y": ["tokensPerDayFromSupply", "constructor"],
  "--bogus": VALUES,
};

const flag: fc.Arbitrary<string[]> = fc
  .constantFrom(...Object.keys(FLAGS))
  .chain((f): fc.Arbitrary<string[]> => {
    const values = FLAGS[f] ?? [];
    return values.length === 0 ? fc.constant<string[]>([f]) : fc.constantFrom(...values).map((v) => [f, v]);
  });

describe(`flag abuse (${FLAG_RUNS.toLocaleString("en-US")} command lines)`, () => {
  it("every command with flags right, wrong and hostile answers in our words", async () => {
    const html = fuzzFile("out.html", "");
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...COMMANDS),
        fc.option(fc.constantFrom(...FILES), { nil: undefined }),
        fc.array(flag, { maxLength: 4 }),
        async (command, file, flags) => {
          const args = [command, ...(file !== undefined ? [file] : []), ...flags.flat()].map((a) =>
            a === "OUT" ? html : a,
          );
          const r = await run(args);
          if (r.code === 2) {
            // Progress bars (a sweep that ran before its points all failed) are not answers.
            const answer = r.stderr.replace(/\[[#.]+\] [^\r\n]*[\r\n]?/g, "");
            for (const l of answer.trim().split("\n"))
              expect(l, args.join(" ")).toMatch(
                /^(stargate: .+?: expected .+, got .+|stargate: \.\.\. and \d+ more|usage: .*| {2}.*|)$/,
              );
            expect(r.stderr.replace(/"(?:[^"\\]|\\.)*"/g, '""'), args.join(" ")).not.toMatch(JS_WORDING);
            return;
          }
          expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
          if (args.includes("--json") && !args.includes("--help") && !args.includes("--jsonl"))
            expect(() => JSON.parse(r.stdout), args.join(" ")).not.toThrow();
        },
      ),
      { numRuns: FLAG_RUNS, seed: Number(process.env["STARGATE_FUZZ_SEED"] ?? 42), endOnFailure: true },
    );
  }, 600_000);
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, expect } from "vitest";
import { stringify } from "yaml";
import {
  answerProblem,
  type Base,
  csvMutation,
  type Json,
  mutate,
  mutateCsv,
  mutation,
} from "../../bench/fuzz-gen.js";
import { parseYaml } from "../../src/scenario/load.js";
import { ROOT, run } from "./run.js";

/**
 * Property tests of the whole CLI against generated input: each example scenario, mutated as a hostile or
 * careless user would (a leaf replaced by an extreme or wrong-typed value, a key dropped, an unknown key
 * added, a list emptied or repeated), is run as `stargate COMMAND FILE --json` in-process. Every run must
 * end in exit 0 with finite numbers, or exit 2 with lines naming a field and no JavaScript wording:
 * never exit 1 (a crash, or a NaN or Infinity, which the JSON writer refuses to print as null).
 * STARGATE_FUZZ_RUNS sets the runs per command (default 10,000). The commands' properties live in
 * separate test files (fuzz-*.test.ts) so that they run side by side on the cores there are.
 */
export type { Json };
export const RUNS = Number(process.env["STARGATE_FUZZ_RUNS"] ?? 10_000);
/** STARGATE_FUZZ_SEED draws other mutations (default 42: the suite's runs repeat). */
const SEED = Number(process.env["STARGATE_FUZZ_SEED"] ?? 42);
const TMP = mkdtempSync(join(tmpdir(), "stargate-fuzz-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/**
 * Run `args` in-process and throw what is wrong with the answer (see answerProblem).
 */
async function answersWell(command: string, args: string[], what: unknown): Promise<void> {
  const t0 = performance.now();
  const r = await run(args);
  const took = performance.now() - t0;
  if (process.env["STARGATE_FUZZ_SLOW"] && took > 300)
    console.error(`slow ${command} ${took.toFixed(0)} ms: ${JSON.stringify(what)}`);
  const problem = answerProblem(command, r.code, r.stdout, r.stderr);
  if (problem !== null) throw new Error(problem);
}

/**
 * `runs` mutated CSV files run as `args(file)`: the file is written beside the scenarios that name it
 * (`name` in the fuzz directory) and the command's answer checked as for scenarios.
 */
export async function csvProperty(
  command: string,
  name: string,
  csv: string,
  args: (csvPath: string, dir: string) => string[],
  runs: number,
): Promise<void> {
  const file = join(TMP, name);
  writeFileSync(file, csv);
  const baseline = await run(args(file, TMP));
  expect(baseline.code, baseline.stderr).toBe(0);
  await fc.assert(
    fc.asyncProperty(fc.array(csvMutation, { minLength: 1, maxLength: 3 }), async (muts) => {
      writeFileSync(file, mutateCsv(csv, muts));
      await answersWell(command, args(file, TMP), muts);
    }),
    { numRuns: runs, seed: SEED, endOnFailure: true },
  );
}

/** Write `text` to `name` in the fuzz directory; its path. */
export function fuzzFile(name: string, text: string): string {
  const f = join(TMP, name);
  writeFileSync(f, text);
  return f;
}

/** `runs` mutated scenarios of `command`, each from one of `bases` (every base itself must run clean). */
export async function property(command: string, bases: readonly Base[], runs: number) {
  const scenarios = bases.map(({ example, edit }) => {
    const parsed = parseYaml(readFileSync(join(ROOT, example), "utf8"), example) as Record<string, Json>;
    return edit === undefined ? parsed : edit(parsed);
  });
  for (const [i, base] of scenarios.entries()) {
    const file = join(TMP, `${command}-base-${i}.yaml`);
    writeFileSync(file, stringify(base));
    const baseline = await run([command, file, "--json"]);
    expect(baseline.code, `${bases[i]?.example}: ${baseline.stderr}`).toBe(0);
  }
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (which, muts) => {
      const f = join(TMP, `${command}-${n++ % 8}.yaml`);
      writeFileSync(f, stringify(mutate(scenarios[which % scenarios.length] as Json, muts)));
      await answersWell(command, [command, f, "--json"], muts);
    }),
    { numRuns: runs, seed: SEED, endOnFailure: true },
  );
}

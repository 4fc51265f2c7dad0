import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { main } from "../../src/cli/main.js";

/** The repository root: CLI tests run from it. */
export const ROOT = resolve(import.meta.dirname, "../..");

/** Run the CLI in-process from the repository root; what it printed and its exit code. */
export async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: ROOT });
  return { code, stdout, stderr };
}

/** Write `dir/name`: the file `from` with `edit` applied; returns its path. */
export function editedCopy(from: string, dir: string, name: string, edit: (text: string) => string): string {
  const f = join(dir, name);
  writeFileSync(f, edit(readFileSync(from, "utf8")));
  return f;
}

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function layerOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes("/") ? (rel.split("/")[0] ?? "") : "foundation";
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:import|export)[^;]*?from\s+"([^"]+)"/g)].map((m) => m[1] ?? "");
}

/** Layers each layer may import (besides itself and the foundation files units.ts and errors.ts). */
const ALLOWED: Record<string, readonly string[]> = {
  foundation: [],
  catalog: [],
  perf: ["catalog"],
  datacenter: ["catalog"],
  supply: ["catalog"],
  plan: ["catalog", "perf", "datacenter", "supply"],
  design: ["catalog", "perf", "datacenter", "supply"],
  fleet: ["catalog", "perf", "datacenter"],
  scenario: ["catalog", "perf", "datacenter", "supply", "plan", "fleet", "design"],
  validation: ["catalog", "perf", "fleet", "scenario"],
  // The interfaces are peers: the CLI starts the server (`serve`), the server answers with the CLI's
  // --json objects. Nothing below them imports either.
  cli: [
    "catalog",
    "perf",
    "datacenter",
    "supply",
    "plan",
    "fleet",
    "design",
    "scenario",
    "validation",
    "server",
  ],
  server: [
    "catalog",
    "perf",
    "datacenter",
    "supply",
    "plan",
    "fleet",
    "design",
    "scenario",
    "validation",
    "cli",
  ],
};
const PURE = ["foundation", "catalog", "perf", "datacenter", "supply", "plan", "design", "fleet"];

describe("architecture", () => {
  const all = files(SRC);

  it("imports point down the layers only", () => {
    for (const f of all) {
      const layer = layerOf(f);
      const allowed = ALLOWED[layer];
      expect(allowed, `unknown layer ${layer}`).toBeDefined();
      for (const spec of imports(f)) {
        if (!spec.startsWith(".")) continue;
        const target = layerOf(resolve(f, "..", spec));
        if (target === layer || target === "foundation") continue;
        expect(allowed, `${relative(SRC, f)} imports ${spec}`).toContain(target);
      }
    }
  });

  it("model layers are pure: no Node modules, process, console, clock or unseeded randomness", () => {
    const forbidden = [
      /from\s+"node:/,
      /\bprocess\./,
      /\bconsole\./,
      /Date\.now|new Date\b/,
      /Math\.random/,
      /performance\.now/,
    ];
    for (const f of all.filter((x) => PURE.includes(layerOf(x)))) {
      const text = readFileSync(f, "utf8");
      for (const re of forbidden) expect(re.test(text), `${relative(SRC, f)} matches ${re}`).toBe(false);
    }
  });
});

import { describe, expect, it } from "vitest";
import { boundsText, classesText } from "../../src/cli/validate.js";
import { type CaseError, classChecks } from "../../src/validation/checked.js";

describe("validate's acceptance bounds table", () => {
  it("shows each bound's size against its limit, met or not, and counts them; a missing value is a dash", () => {
    const text = boundsText([
      { what: "signed error", unit: "error", value: -0.046, limit: 0.08, met: true },
      { what: "searched MFU", unit: "mfu", value: 0.625, limit: 0.5, met: false },
      { what: "nothing measured", unit: "error", value: Number.NaN, limit: 0.1, met: false },
    ]);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^Acceptance bounds/);
    expect(lines.find((l) => l.startsWith("signed error"))).toMatch(/4\.6%\s+≤ 8\.0%\s+met$/);
    expect(lines.find((l) => l.startsWith("searched MFU"))).toMatch(/62\.5%\s+≤ 50\.0%\s+not met$/);
    expect(lines.find((l) => l.startsWith("nothing measured"))).toMatch(/\s-\s+≤ 10\.0%\s+not met$/);
    expect(lines.at(-1)).toBe("1 of 3 met");
  });
});

describe("validate's table by class, development and unseen together", () => {
  const row = (
    kind: CaseError["kind"],
    set: CaseError["set"],
    id: string,
    accelerator: string,
    error: number,
  ): CaseError => ({
    kind,
    set,
    id,
    accelerator,
    precision: "fp8",
    error,
  });
  const rows = [
    row("training", "development", "a", "x", -0.2),
    row("serving", "development", "s", "x", 0.4),
    row("training", "unseen", "b", "y", 0.05),
    row("training", "unseen", "c", "x", -0.1),
  ];

  it("gathers each class once, in the order its first case appears, development and unseen alike", () => {
    const checks = classChecks(rows);
    expect(checks.map((c) => `${c.kind}/${c.accelerator}`)).toEqual([
      "training/x",
      "serving/x",
      "training/y",
    ]);
    expect(checks[0]).toMatchObject({
      cases: ["a", "c"],
      minError: -0.2,
      maxError: -0.1,
      meanAbsError: 0.15,
    });
  });

  it("says each class's spread in words beside its case count and mean |error|", () => {
    const lines = classesText(classChecks(rows)).split("\n");
    expect(lines[0]).toMatch(/^By class, development and unseen together/);
    expect(lines.find((l) => l.startsWith("training  x"))).toMatch(
      /\s2\s+step time 10\.0–20\.0% shorter\s+15\.0%$/,
    );
    expect(lines.find((l) => l.startsWith("serving   x"))).toMatch(
      /\s1\s+throughput 40\.0% higher\s+40\.0%$/,
    );
    expect(lines.find((l) => l.startsWith("training  y"))).toMatch(/step time 5\.0% longer/);
  });
});

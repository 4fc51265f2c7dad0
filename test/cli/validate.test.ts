import { describe, expect, it } from "vitest";
import { boundsText } from "../../src/cli/validate.js";

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

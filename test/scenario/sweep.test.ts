import { describe, expect, it } from "vitest";
import {
  listed,
  parseShard,
  parseSweep,
  setPath,
  shardRange,
  sweepPoint,
  sweepSize,
} from "../../src/scenario/sweep.js";

describe("sweep points", () => {
  it("parses ranges without drift and lists keeping numbers numeric", () => {
    expect(listed(parseSweep("a.b=0.1:0.5:0.1")).values).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(listed(parseSweep("system.accelerator=h100-sxm,h200")).values).toEqual(["h100-sxm", "h200"]);
    expect(listed(parseSweep("x=1,2.5")).values).toEqual([1, 2.5]);
    // A range is held by its ends: ten million points cost a few bytes until listed.
    expect(parseSweep("x=0:9999999:1")).toEqual({ path: "x", from: 0, step: 1, count: 10_000_000 });
    expect(() => parseSweep("=1:2:1")).toThrow(/--sweep/);
    expect(() => parseSweep("x=1:2:0")).toThrow(/step > 0/);
  });

  it("enumerates the cartesian product row-major, deterministically", () => {
    const axes = [parseSweep("a=1,2"), parseSweep("b=x,y,z")];
    expect(sweepSize(axes)).toBe(6);
    expect([0, 1, 2, 3].map((i) => sweepPoint(axes, i))).toEqual([
      { a: 1, b: "x" },
      { a: 1, b: "y" },
      { a: 1, b: "z" },
      { a: 2, b: "x" },
    ]);
  });

  it("shards into contiguous slices that cover every point exactly once", () => {
    for (const total of [0, 1, 7, 10_000]) {
      for (const count of [1, 2, 3, 8]) {
        let covered = 0;
        let prevEnd = 0;
        for (let i = 1; i <= count; i++) {
          const [s, e] = shardRange(total, { index: i, count });
          expect(s).toBe(prevEnd);
          covered += e - s;
          prevEnd = e;
        }
        expect(covered).toBe(total);
      }
    }
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    expect(() => parseShard("0/4")).toThrow(/--shard/);
  });

  it("sets a dotted path on a copy", () => {
    const data = { training: { seqLen: 1 } };
    expect(setPath(data, "training.seqLen", 2)).toEqual({ training: { seqLen: 2 } });
    expect(setPath(data, "training.parallelism.tp", 4)).toEqual({
      training: { seqLen: 1, parallelism: { tp: 4 } },
    });
    expect(data.training.seqLen).toBe(1);
    expect(() => setPath({ a: 1 }, "a.b", 2)).toThrow(/^a: expected a mapping/);
  });
});

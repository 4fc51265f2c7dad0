import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { parseTrace } from "../../src/scenario/trace.js";

describe("request traces", () => {
  it("reads arrival, input and output columns by name, sorted and starting at t = 0", () => {
    const t = parseTrace("output_tokens,arrival_s,input_tokens\n20,5.5,100\n30,2.5,200\n", "t.csv");
    expect([...t.arrival]).toEqual([0, 3]);
    expect([...t.input]).toEqual([200, 100]);
    expect([...t.output]).toEqual([30, 20]);
  });

  it("accepts the Azure trace column names", () => {
    const t = parseTrace("TIMESTAMP,ContextTokens,GeneratedTokens\n0.0,10,2\n", "azure.csv");
    expect(t.input[0]).toBe(10);
  });

  it("names the file, the line and the value of a bad row", () => {
    expect(() => parseTrace("arrival,input,output\n0,10,2\n1,ten,2\n", "t.csv")).toThrow(InputError);
    expect(() => parseTrace("arrival,input,output\n0,10,2\n1,ten,2\n", "t.csv")).toThrow(
      /^t\.csv:3 column input: expected an input length \(tokens\), a whole number from 1 to 16,777,216, got "ten"$/,
    );
    // Beyond the domain, or not a finite decimal: 1e400, Infinity, hex.
    for (const bad of ["1e400", "Infinity", "0x10", "99999999999"])
      expect(() => parseTrace(`arrival,input,output\n0,10,2\n1,${bad},2\n`, "t.csv")).toThrow(
        new RegExp(
          `^t\\.csv:3 column input: expected an input length \\(tokens\\), a whole number from .*, got "${bad}"$`,
        ),
      );
    expect(() => parseTrace("arrival,input,output\n1e308,10,2\n", "t.csv")).toThrow(
      /^t\.csv:2 column arrival: expected an arrival time \(s\) from 0 to 316,000,000, got "1e308"$/,
    );
    expect(() => parseTrace("when,input,output\n0,10,2\n", "t.csv")).toThrow(
      /^t\.csv:1: expected a CSV header with an arrival column/,
    );
    expect(() => parseTrace("arrival,input,output\n", "t.csv")).toThrow(/at least one request row/);
  });
});

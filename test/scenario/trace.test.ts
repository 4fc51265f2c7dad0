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
      /^t\.csv:3: expected an input length ≥ 1 token, got "ten"$/,
    );
    expect(() => parseTrace("when,input,output\n0,10,2\n", "t.csv")).toThrow(
      /^t\.csv:1: expected a CSV header with an arrival column/,
    );
    expect(() => parseTrace("arrival,input,output\n", "t.csv")).toThrow(/at least one request row/);
  });
});

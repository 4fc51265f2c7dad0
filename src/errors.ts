/**
 * An error in what the user gave us (a scenario field, a catalog id, a flag): one line naming where, the
 * value and what was expected. Interfaces map it to exit code 2 / HTTP 400. Bugs throw plain Errors.
 */
export class InputError extends Error {
  override readonly name = "InputError";
  constructor(
    /** Dotted path of the offending field, e.g. `system.accelerator.hbm.stacks`. */
    readonly path: string,
    /** The offending value. */
    readonly value: unknown,
    /** What was expected, as a phrase: "a positive integer". */
    readonly expected: string,
  ) {
    super(`${path === "" ? "input" : path}: expected ${expected}, got ${formatValue(value)}`);
  }

  /** This error followed by others found in the same input, one line each (at most `limit` in all). */
  static all(errors: readonly InputError[], limit = 10): InputError {
    const [first, ...rest] = errors;
    if (first === undefined) return new InputError("", undefined, "valid input");
    if (rest.length === 0) return first;
    const shown = rest.slice(0, limit - 1).map((e) => e.message);
    if (rest.length > limit - 1) shown.push(`... and ${rest.length - (limit - 1)} more`);
    const e = new InputError(first.path, first.value, first.expected);
    e.message = [first.message, ...shown].join("\n");
    return e;
  }
}

/** A non-finite number as YAML writes it (.inf, -.inf, .nan): how the user wrote it, not JavaScript's name. */
function yamlNumber(x: number): string | number {
  return Number.isNaN(x)
    ? ".nan"
    : x === Number.POSITIVE_INFINITY
      ? ".inf"
      : x === Number.NEGATIVE_INFINITY
        ? "-.inf"
        : x;
}

/** Short printable form of a user value for error messages. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number") return String(yamlNumber(value));
  if (typeof value === "boolean" || value === null) return String(value);
  const json = JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" ? yamlNumber(v) : v));
  return json === undefined ? String(value) : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** "a" or "an" before a word, for error phrases. */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

import { InputError } from "./errors.js";

/**
 * Calendar quarters as integers (year × 4 + quarter − 1), written "2027Q3" at the edges. Plans step
 * quarter by quarter.
 */
export function parseQuarter(s: string, path: string): number {
  const m = /^(\d{4})Q([1-4])$/.exec(s.trim());
  if (m === null) throw new InputError(path, s, 'a quarter such as "2027Q3"');
  return Number(m[1]) * 4 + Number(m[2]) - 1;
}

export function quarterLabel(q: number): string {
  return `${Math.floor(q / 4)}Q${(q % 4) + 1}`;
}

/** The calendar quarter, 1-4. */
export function quarterOfYear(q: number): number {
  return (q % 4) + 1;
}

export function yearOf(q: number): number {
  return Math.floor(q / 4);
}

/** Hours in a quarter (a quarter of a common year). */
export const HOURS_PER_QUARTER = 8760 / 4;

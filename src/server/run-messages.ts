import type { SweepSpec } from "../cli/results.js";
import { InputError } from "../errors.js";
import type { RunError } from "./store.js";

/** What the server asks the run worker: one run. */
export interface RunRequest {
  readonly id: string;
  readonly kind: string;
  readonly scenario: unknown;
  /** A sweep or Monte Carlo of the scenario; null for one run. */
  readonly sweep: SweepSpec | null;
}

/**
 * What the worker answers: progress (a share done), then the result and its page as JSON texts, or the
 * error, with the seconds it took.
 */
export type RunReply =
  | { readonly id: string; readonly type: "progress"; readonly fraction: number }
  | {
      readonly id: string;
      readonly type: "done";
      readonly result: string;
      readonly view: string;
      readonly wallS: number;
    }
  | { readonly id: string; readonly type: "failed"; readonly error: RunError; readonly wallS: number };

/** What a run's event stream carries: progress, then its final status. */
export type RunEvent =
  | { readonly type: "progress"; readonly fraction: number }
  | { readonly type: "status"; readonly status: "done" | "failed" };

/** A CLI error line as the API's error body: `{ path, message }` with the same message. */
export function errorBody(err: unknown): RunError {
  if (err instanceof InputError) return { path: err.path, message: err.message };
  return { path: "run", message: `internal error: ${err instanceof Error ? err.message : String(err)}` };
}

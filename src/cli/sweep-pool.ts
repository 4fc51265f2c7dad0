import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { SweepAxis } from "../scenario/sweep.js";
import type { SweepJob } from "./point.js";
import type { SweepRow } from "./sweep.js";

/** A sweep as the worker threads evaluate it: the job and its axes, under an id each thread caches by. */
export interface SweepSpec {
  readonly id: string;
  readonly job: SweepJob;
  readonly axes: readonly SweepAxis[];
}

const WORKER = fileURLToPath(new URL("./sweep-worker.js", import.meta.url));

/** One range of a sweep being evaluated: its sub-ranges are handed to threads as they free up. */
interface Run {
  readonly spec: SweepSpec;
  next: number;
  readonly end: number;
  readonly chunk: number;
  readonly onBatch: (rows: SweepRow[]) => void;
  /** Rows as a JSON array text instead (`onJson`, with the sub-range's first index), written on the thread. */
  readonly onJson: ((json: string, first: number) => void) | null;
  /** True while the caller wants no more rows for now (it resumes the pool when it does). */
  readonly hold: () => boolean;
  outstanding: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  /** The spec the thread holds (it is sent again only when another comes). */
  spec: string | null;
  run: Run | null;
  /** The first index of the sub-range it is running. */
  first: number;
}

/**
 * Worker threads (one per core unless told) that evaluate index ranges of sweeps, kept across ranges and
 * sweeps: the local sweep runs one range on it, a queue worker every chunk it takes. Ranges run at once
 * share the threads; each is cut into sub-ranges of `chunk` points.
 */
export class SweepPool {
  private readonly slots: Slot[] = [];
  private readonly runs: Run[] = [];
  private failed: unknown = null;
  private static process: SweepPool | null = null;

  /**
   * This process's pool, one thread per core, started on first use and kept for later sweeps: a thread
   * compiles the model and fills its caches once, not once per sweep (about 2.4 s of a plan Monte Carlo's
   * time on 2 cores). Idle threads do not keep the process alive. A pool whose thread failed is replaced.
   */
  static shared(): SweepPool {
    const p = SweepPool.process;
    if (p !== null && p.failed === null) return p;
    if (p !== null) void p.close();
    SweepPool.process = new SweepPool(availableParallelism());
    return SweepPool.process;
  }

  /** Whether the threads can start (the compiled worker file is there; not when run from sources). */
  static available(): boolean {
    return existsSync(WORKER);
  }

  constructor(threads = availableParallelism()) {
    for (let i = 0; i < Math.max(1, threads); i++) {
      const slot: Slot = {
        worker: new Worker(WORKER, { resourceLimits: { maxYoungGenerationSizeMb: 8 } }),
        spec: null,
        run: null,
        first: 0,
      };
      slot.worker.on("message", (rows: SweepRow[] | string) => this.done(slot, rows));
      slot.worker.on("error", (err) => this.fail(err));
      this.slots.push(slot);
    }
    this.holdProcess();
  }

  /** Threads keep the process alive only while a range is running on them. */
  private holdProcess(): void {
    for (const s of this.slots) {
      if (this.runs.length > 0) s.worker.ref();
      else s.worker.unref();
    }
  }

  get threads(): number {
    return this.slots.length;
  }

  /**
   * Evaluate points [start, end) of `spec`, calling `onBatch` with each sub-range's rows as it completes
   * (in any order); while `hold()` is true no new sub-range starts (call `resume()` after it turns false).
   */
  run(
    spec: SweepSpec,
    start: number,
    end: number,
    chunk: number,
    onBatch: (rows: SweepRow[]) => void,
    hold: () => boolean = () => false,
  ): Promise<void> {
    return this.start(spec, start, end, chunk, onBatch, null, hold);
  }

  /** As `run`, each sub-range's rows handed over as the JSON text of their array (for sending on). */
  runJson(
    spec: SweepSpec,
    start: number,
    end: number,
    chunk: number,
    onJson: (json: string, first: number) => void,
  ): Promise<void> {
    return this.start(
      spec,
      start,
      end,
      chunk,
      () => {},
      onJson,
      () => false,
    );
  }

  private start(
    spec: SweepSpec,
    start: number,
    end: number,
    chunk: number,
    onBatch: (rows: SweepRow[]) => void,
    onJson: ((json: string, first: number) => void) | null,
    hold: () => boolean,
  ): Promise<void> {
    if (this.failed !== null) return Promise.reject(this.failed);
    if (start >= end) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.runs.push({
        spec,
        next: start,
        end,
        chunk: Math.max(1, chunk),
        onBatch,
        onJson,
        hold,
        outstanding: 0,
        resolve,
        reject,
      });
      this.holdProcess();
      this.dispatch();
    });
  }

  /** Start sub-ranges on idle threads (after a held run lets go). */
  resume(): void {
    this.dispatch();
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.run !== null) continue;
      const run = this.runs.find((r) => r.next < r.end && !r.hold());
      if (run === undefined) return;
      const start = run.next;
      run.next = Math.min(run.end, start + run.chunk);
      run.outstanding++;
      slot.run = run;
      slot.first = start;
      const spec = slot.spec === run.spec.id ? undefined : run.spec;
      slot.spec = run.spec.id;
      slot.worker.postMessage({ spec, start, end: run.next, json: run.onJson !== null });
    }
  }

  private done(slot: Slot, rows: SweepRow[] | string): void {
    const run = slot.run;
    slot.run = null;
    if (run === null) return;
    run.outstanding--;
    if (!this.runs.includes(run)) {
      // A run given up (its caller threw on an earlier batch): drop what was still in flight.
      this.dispatch();
      return;
    }
    try {
      if (typeof rows === "string") run.onJson?.(rows, slot.first);
      else run.onBatch(rows);
    } catch (err) {
      this.runs.splice(this.runs.indexOf(run), 1);
      run.reject(err);
    }
    if (run.next >= run.end && run.outstanding === 0 && this.runs.includes(run)) {
      this.runs.splice(this.runs.indexOf(run), 1);
      run.resolve();
    }
    this.holdProcess();
    this.dispatch();
  }

  private fail(err: unknown): void {
    this.failed = err;
    for (const r of this.runs.splice(0)) r.reject(err);
    this.holdProcess();
  }
}

/** Points per sub-range a thread takes: small enough to keep every thread busy to the end. */
export function subChunk(points: number, threads: number): number {
  return Math.max(1, Math.min(256, Math.ceil(points / (threads * 16))));
}

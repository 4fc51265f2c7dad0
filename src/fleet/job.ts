import type { Allocation } from "./cluster.js";

export type JobKind = "pretrain" | "finetune" | "eval" | "inference" | "trace";
export const JOB_KINDS: readonly JobKind[] = ["pretrain", "finetune", "eval", "inference", "trace"];

/** An accelerator type a job may run on, with its work and speed there. */
export interface JobOption {
  readonly pool: number;
  /** Seconds of running at full speed on this type. */
  readonly workS: number;
  readonly speedAt?: (fragment: number, pods: number) => number;
  /** Accelerators it takes on this type, when not its own size (an inference replica's shape differs by type). */
  readonly size?: number;
}

/** A job as generated or imported: what it asks for. */
export interface JobSpec {
  readonly partner: number;
  readonly kind: JobKind;
  /** Accelerators, all at once (gang). */
  readonly size: number;
  readonly submitS: number;
  /** Seconds of running at full speed to finish (Infinity: runs until stopped, e.g. an inference replica). */
  readonly workS: number;
  /** Higher runs first under the priority scheduler; also the queue level (0-3). */
  readonly priority: number;
  /**
   * Speed (0-1] when its smallest per-domain share is `fragment` accelerators and it spans `pods` pods;
   * absent: always 1.
   */
  readonly speedAt?: (fragment: number, pods: number) => number;
  /** Inference replicas belong to a service and are added/removed by its autoscaler. */
  readonly service?: number;
  /** The accelerator type (pool) it needs: it runs only on sites of that pool (default 0). */
  readonly pool?: number;
  /**
   * Other types it may run on, in order of preference after `pool` (as Kueue's flavor fungibility):
   * when its own type cannot take it, it starts on the first that can, with that type's work and speed.
   */
  readonly alternatives?: readonly JobOption[];
  /**
   * How it ends when it is not "completed": it fails or is cancelled once its work (its observed run
   * time) is done; the run counts it by outcome.
   */
  readonly outcome?: "failed" | "cancelled";
}

/** A job in the simulation: its spec and its state. */
export interface Job extends JobSpec {
  readonly id: number;
  state: "pending" | "running" | "done" | "stopped";
  /** Earliest time it may (re)start: submit time, or after a restart delay. */
  readyS: number;
  startedS: number;
  /** First start, for queue wait. */
  firstStartS: number;
  endS: number;
  /** Work done and saved (seconds at full speed) as of the last start. */
  savedWorkS: number;
  speed: number;
  alloc: Allocation | null;
  /** Incremented on every start/stop: completion events of older epochs are stale. */
  epoch: number;
  borrowed: boolean;
  interruptions: number;
  preemptions: number;
  /** When its current run will finish if nothing stops it, s (set at each start; Infinity for a replica). */
  expectedEndS: number;
  /** Accelerator-seconds it has held, every run together. */
  ranAccS: number;
  /** Work lost to interruptions, seconds at full speed × accelerators. */
  lostWorkAccS: number;
  /** Index in the simulator's list of running jobs (−1 when not running). */
  slot: number;
  /** Order of its latest start among all starts (allocation order within a domain). */
  startSeq: number;
  /**
   * Restart time it pays at its next start while holding its accelerators (reloading the checkpoint
   * after a failure), s; a failure during it interrupts it again.
   */
  stallS: number;
  /** When the current run starts making progress (its start plus the restart stall). */
  progressFromS: number;
  /** The type whose queue holds it while pending (its first choice). */
  readonly home: number;
}

/** Allocation order: the order in which jobs last started (their work fills a domain's nodes in it). */
export const byStartSeq = (a: Job, b: Job): number => a.startSeq - b.startSeq;

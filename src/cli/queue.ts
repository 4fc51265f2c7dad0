import { randomUUID } from "node:crypto";
import { availableParallelism, hostname } from "node:os";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { InputError } from "../errors.js";
import { type SweepAxis, shardRange, sweepSize } from "../scenario/sweep.js";
import type { SweepJob } from "./point.js";
import type { SweepHeader, SweepRow } from "./sweep.js";
import { SweepPool, type SweepSpec } from "./sweep-pool.js";

/**
 * Sweeps beyond one machine: the submitting command cuts a sweep into chunks of points and puts them on
 * a BullMQ queue in Redis; `stargate worker` processes on any machine take chunks and run them on their
 * worker threads (the local pool's code: SweepPool); a chunk's rows are written to a Redis hash under the
 * chunk's number, which always stands for the same point indices (a chunk run twice writes the same
 * field: nothing duplicated), and the submitter checks every index and hands the rows over in index
 * order as their chunks complete, printing what the local sweep prints.
 */

/** Ctrl-C during a queued sweep: its chunks not yet taken were removed (exit 130). */
export class SweepCancelled extends Error {
  override readonly name = "SweepCancelled";
}

/** The queue every sweep's chunks go on: workers need only the Redis URL. */
export const QUEUE_NAME = "stargate-sweeps";
/** Keys of a sweep's rows, completed chunks and cancellation live this long after their last write. */
const KEY_TTL_S = 7 * 86_400;
/** Wait for a Redis server this long before saying it cannot be reached. */
const CONNECT_TIMEOUT_MS = 4000;

interface ChunkData {
  readonly sweep: string;
  readonly chunk: number;
  readonly start: number;
  readonly end: number;
  readonly job: SweepJob;
  readonly axes: readonly SweepAxis[];
}

const rowsKey = (sweep: string) => `stargate:sweep:${sweep}:rows`;
const doneKey = (sweep: string) => `stargate:sweep:${sweep}:done`;
const cancelKey = (sweep: string) => `stargate:sweep:${sweep}:cancelled`;

/** A `--queue` value: a redis:// or rediss:// URL with a host. */
export function parseQueueUrl(url: string, flag = "--queue"): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(flag, url, "a Redis URL such as redis://HOST:PORT");
  }
  if ((u.protocol !== "redis:" && u.protocol !== "rediss:") || u.hostname === "")
    throw new InputError(flag, url, "a Redis URL such as redis://HOST:PORT");
  return u;
}

/**
 * A connection to the Redis at `url`, checked with a PING: a refused or silent server is a one-line
 * error within CONNECT_TIMEOUT_MS, not a hang. `blocking`: for a BullMQ worker (no per-command retry
 * limit, as it requires).
 */
export async function connectRedis(url: string, blocking = false, flag = "--queue"): Promise<Redis> {
  parseQueueUrl(url, flag);
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: blocking ? null : 3,
    // Until it answers, no reconnecting: a refused connection is reported at once.
    retryStrategy: () => null,
  });
  let last = "";
  const quiet = (err: Error) => {
    last = err.message;
  };
  redis.on("error", quiet);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await redis.connect();
        await redis.ping();
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${CONNECT_TIMEOUT_MS / 1000} s`)),
          CONNECT_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (err) {
    redis.disconnect();
    const why = last !== "" ? last : err instanceof Error ? err.message : String(err);
    throw new InputError(flag, url, `a Redis server that answers (${why.split("\n")[0]})`);
  } finally {
    clearTimeout(timer);
  }
  // Connected: a dropped connection is retried from now on (a worker outlives a Redis restart).
  redis.options.retryStrategy = (times) => Math.min(times * 200, 2000);
  redis.off("error", quiet);
  redis.on("error", () => {});
  return redis;
}

/**
 * Points per chunk: about 64 chunks a sweep, 16-2,048 points each. Each chunk costs a few Redis round
 * trips (take, lock renewals, rows written in one pipeline, done); at 64 chunks a 2,000-point plan Monte
 * Carlo spends under 5% of its time on them (bench 10b), and a million-point sweep still splits into
 * ~500 chunks, enough for a few hundred worker threads.
 */
export function queueChunk(points: number): number {
  return Math.max(16, Math.min(2048, Math.ceil(points / 64)));
}

/**
 * Run one shard of a sweep through the queue: enqueue its chunks, hand rows over in index order as
 * chunks complete (`onRow`), show progress; `signal` (Ctrl-C) removes the chunks not yet taken and marks
 * the sweep cancelled so workers skip the rest. Returns the same header the local sweep returns.
 */
export async function queueSweep(
  url: string,
  job: SweepJob,
  axes: readonly SweepAxis[],
  shard: { readonly index: number; readonly count: number },
  progress: ((done: number, total: number) => void) | null,
  onRow: (row: SweepRow) => void,
  header: SweepHeader,
  signal?: AbortSignal,
): Promise<SweepHeader> {
  const redis = await connectRedis(url);
  const queueConnection = redis.duplicate();
  const queue = new Queue(QUEUE_NAME, { connection: queueConnection });
  const sweep = randomUUID();
  const [start, end] = shardRange(sweepSize(axes), shard);
  const size = queueChunk(end - start);
  const chunks = Math.ceil((end - start) / size);
  const range = (k: number) => [start + k * size, Math.min(end, start + (k + 1) * size)] as const;
  try {
    for (let k = 0; k < chunks; k += 500) {
      const batch = [];
      for (let c = k; c < Math.min(chunks, k + 500); c++) {
        const [s, e] = range(c);
        const data: ChunkData = { sweep, chunk: c, start: s, end: e, job, axes };
        batch.push({
          name: "chunk",
          data,
          opts: { jobId: `${sweep}-${c}`, removeOnComplete: true, removeOnFail: 1000 },
        });
      }
      await queue.addBulk(batch);
    }
    await collect(redis, sweep, chunks, range, end - start, progress, onRow, signal);
    if (signal?.aborted) {
      const removed = await cancel(redis, queue, sweep, chunks);
      throw new SweepCancelled(
        `sweep cancelled: ${removed} of ${chunks} chunks removed from the queue before a worker took them`,
      );
    }
  } finally {
    await redis.del(rowsKey(sweep), doneKey(sweep));
    await queue.close();
    queueConnection.disconnect();
    redis.disconnect();
  }
  return header;
}

/** Hand over rows chunk by chunk in index order as chunks complete, polling Redis. */
async function collect(
  redis: Redis,
  sweep: string,
  chunks: number,
  range: (k: number) => readonly [number, number],
  points: number,
  progress: ((done: number, total: number) => void) | null,
  onRow: (row: SweepRow) => void,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let wait = 5;
  while (next < chunks && signal?.aborted !== true) {
    if ((await redis.sismember(doneKey(sweep), String(next))) === 1) {
      const [s, e] = range(next);
      const text = await redis.hget(rowsKey(sweep), String(next));
      const rows = text === null ? [] : (JSON.parse(text) as SweepRow[]);
      if (rows.length > e - s)
        throw new Error(`completed chunk ${next} holds ${rows.length} rows, not ${e - s}`);
      for (let i = s; i < e; i++) {
        const row = rows[i - s];
        if (row?.index !== i) throw new Error(`point ${i} of completed chunk ${next} is missing from Redis`);
        onRow(row);
      }
      await redis.hdel(rowsKey(sweep), String(next));
      next++;
      wait = 5;
      progress?.(Math.min(points, Math.max(e - range(0)[0], 0)), points);
      continue;
    }
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(200, wait * 2);
  }
}

/** Remove a cancelled sweep's chunks not yet taken; workers skip those already queued elsewhere. */
async function cancel(redis: Redis, queue: Queue, sweep: string, chunks: number): Promise<number> {
  await redis.set(cancelKey(sweep), "1", "EX", KEY_TTL_S);
  let removed = 0;
  for (let c = 0; c < chunks; c++) {
    try {
      removed += await queue.remove(`${sweep}-${c}`);
    } catch {
      // Taken by a worker (locked): it will find the sweep cancelled or finish a chunk nobody reads.
    }
  }
  return removed;
}

/**
 * Points per sub-range a worker's thread takes from a chunk: the chunk shared evenly among the threads
 * (at most 256 points). Fewer, larger sub-ranges than the local pool's: a thread message costs about as
 * much as a plan point, and the next chunk (concurrency 2 by default) fills the threads that finish first.
 */
export function workerSubChunk(points: number, threads: number): number {
  return Math.max(1, Math.min(256, Math.ceil(points / threads)));
}

/**
 * `stargate worker`: take chunks from the queue and run them on this machine's worker threads,
 * `concurrency` chunks at a time, until `signal` (SIGTERM, Ctrl-C). A chunk whose worker dies is taken
 * again by another once its lock lapses (`stallMs`, BullMQ's stalled-job check).
 */
export async function runQueueWorker(
  url: string,
  concurrency: number,
  log: (line: string) => void,
  signal: AbortSignal,
  stallMs = 30_000,
  threads = availableParallelism(),
): Promise<number> {
  const redis = await connectRedis(url, true);
  const pool = new SweepPool(threads);
  let chunks = 0;
  let points = 0;
  const worker = new Worker(
    QUEUE_NAME,
    async (bj) => {
      const d = bj.data as ChunkData;
      if ((await redis.exists(cancelKey(d.sweep))) === 1) return;
      log(`took chunk ${d.chunk} of sweep ${d.sweep} (points ${d.start}-${d.end - 1})`);
      const spec: SweepSpec = { id: d.sweep, job: d.job, axes: d.axes };
      const parts: { first: number; json: string }[] = [];
      await pool.runJson(spec, d.start, d.end, workerSubChunk(d.end - d.start, pool.threads), (json, first) =>
        parts.push({ first, json }),
      );
      // The chunk's rows as one JSON array, in index order, under the chunk's number: a chunk always
      // covers the same points, so a retried chunk overwrites the same field with the same rows.
      parts.sort((a, b) => a.first - b.first);
      const rows = `[${parts.map((p) => p.json.slice(1, -1)).join(",")}]`;
      const m = redis.multi();
      m.hset(rowsKey(d.sweep), String(d.chunk), rows);
      m.sadd(doneKey(d.sweep), String(d.chunk));
      m.expire(rowsKey(d.sweep), KEY_TTL_S);
      m.expire(doneKey(d.sweep), KEY_TTL_S);
      await m.exec();
      chunks++;
      points += d.end - d.start;
      log(`done chunk ${d.chunk} of sweep ${d.sweep}`);
    },
    {
      connection: redis,
      concurrency,
      lockDuration: stallMs,
      stalledInterval: stallMs,
      maxStalledCount: 100,
    },
  );
  worker.on("error", (err) => log(`worker: ${err.message}`));
  // Connected (its own and its blocking connection) before it says so: stopping a worker still
  // connecting would close a connection under BullMQ's feet.
  await worker.waitUntilReady();
  log(
    `worker on ${hostname()}: ${QUEUE_NAME} at ${url}, ${concurrency} chunk(s) at a time on ${pool.threads} threads`,
  );
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await worker.close();
  await pool.close();
  await redis.quit().catch(() => redis.disconnect());
  log(`worker stopped: ${chunks} chunks, ${points} points`);
  return 0;
}

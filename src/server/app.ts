import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { Catalog, CatalogOverlay } from "../catalog/index.js";
import { htmlPage, type PageView, pageCsp } from "../cli/html.js";
import {
  apiSweepAxes,
  checkScenario,
  MAX_API_SWEEP_POINTS,
  RUN_KINDS,
  type RunKind,
  SAMPLE_KINDS,
  SWEEP_KINDS,
  type SweepSpec,
} from "../cli/results.js";
import { InputError } from "../errors.js";
import { parseYaml, validate } from "../scenario/load.js";
import { problemsOf } from "./check.js";
import { openApiDocument, referencePage } from "./openapi.js";
import { errorBody, type RunEvent, type RunReply, type RunRequest } from "./run-messages.js";
import type { RunRecord, RunStore } from "./store.js";
import { addWorkbench } from "./web.js";

/** The largest request body the API reads: 1 MiB. */
export const MAX_BODY_BYTES = 2 ** 20;
/** Runs that may wait their turn; beyond it a POST is answered 429 with Retry-After. */
export const MAX_QUEUED = 64;

const runRequestSchema = z
  .strictObject({
    kind: z.enum(RUN_KINDS),
    /** The scenario as a JSON object, or YAML text in `scenarioYaml`. */
    scenario: z.unknown().optional(),
    scenarioYaml: z.string().max(MAX_BODY_BYTES).optional(),
    /** A sweep, as the CLI's --sweep specs: `PATH=A:B:STEP` or `PATH=V1,V2,...`. */
    sweep: z.array(z.string().min(1).max(10_000)).min(1).max(8).optional(),
    /** Monte-Carlo samples over the scenario's uncertain inputs (the CLI's --samples). */
    samples: z.number().int().min(1).max(MAX_API_SWEEP_POINTS).optional(),
    /** The samples' seed (the plan's --seed). */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
  })
  .refine((r) => (r.scenario === undefined) !== (r.scenarioYaml === undefined), {
    message: "either scenario (an object) or scenarioYaml (text), not both",
    path: ["scenario"],
  })
  .refine((r) => (r.sweep === undefined && r.samples === undefined) || SWEEP_KINDS.includes(r.kind), {
    message: `a kind that sweeps (${SWEEP_KINDS.join(", ")}) for sweep or samples`,
    path: ["kind"],
  })
  .refine((r) => r.samples === undefined || SAMPLE_KINDS.includes(r.kind), {
    message: `a kind with uncertain inputs to sample (${SAMPLE_KINDS.join(", ")}) for samples`,
    path: ["samples"],
  })
  .refine((r) => r.seed === undefined || (r.samples !== undefined && r.kind === "plan"), {
    message: "samples of a plan beside seed (a fleet scenario has its own seed field)",
    path: ["seed"],
  });

export interface AppOptions {
  readonly store: RunStore;
  /** The catalog scenarios are checked against, and the overlays that made it (for the run worker). */
  readonly catalog: Catalog;
  readonly overlays: readonly CatalogOverlay[];
  /** The package version, in the OpenAPI document. */
  readonly version: string;
  /** Bearer token every /v1 request must carry; none on loopback by default. */
  readonly token?: string;
}

/** The run worker, built beside this file (under dist when these sources run from a test). */
const RUN_WORKER = [
  fileURLToPath(new URL("./run-worker.js", import.meta.url)),
  fileURLToPath(new URL("../../dist/src/server/run-worker.js", import.meta.url)),
].find((p) => existsSync(p));

/**
 * Runs one at a time, in order, on a worker thread, so the event loop keeps answering: each POST queues
 * a run and answers at once. A worker that dies fails its run (internal error) and is replaced.
 */
class RunQueue {
  private readonly waiting: string[] = [];
  /** Who listens to each run's events (its SSE streams). */
  private readonly listeners = new Map<string, Set<(e: RunEvent) => void>>();
  private current: string | null = null;
  private stopped = false;
  private worker: Worker | null = null;

  constructor(private readonly o: AppOptions) {}

  get length(): number {
    return this.waiting.length;
  }

  push(id: string): void {
    this.waiting.push(id);
    this.kick();
  }

  /** Hear run `id`'s events until its final status; returns the way to stop hearing them. */
  listen(id: string, f: (e: RunEvent) => void): () => void {
    const set = this.listeners.get(id) ?? new Set();
    set.add(f);
    this.listeners.set(id, set);
    return () => {
      set.delete(f);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  private tell(id: string, e: RunEvent): void {
    for (const f of this.listeners.get(id) ?? []) f(e);
  }

  /** Take a run off the queue, or stop it if it is running (a DELETE): its worker is replaced. */
  cancel(id: string): void {
    const i = this.waiting.indexOf(id);
    if (i >= 0) this.waiting.splice(i, 1);
    if (this.current === id) {
      void this.worker?.terminate();
      this.worker = null;
      this.current = null;
      this.tell(id, { type: "status", status: "failed" });
      this.kick();
    }
  }

  /** Run nothing more (the server is closing): what waits stays queued, and is marked interrupted on reopening. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.worker?.terminate();
    this.worker = null;
  }

  private spawn(): Worker {
    if (RUN_WORKER === undefined) throw new Error("the run worker is not built (npm run build)");
    const w = new Worker(RUN_WORKER, { workerData: { overlays: this.o.overlays } });
    w.on("message", (r: RunReply) => {
      if (r.id !== this.current) return;
      if (r.type === "progress") return this.tell(r.id, { type: "progress", fraction: r.fraction });
      if (r.type === "done") this.o.store.finish(r.id, r.result, r.view, r.wallS);
      else this.o.store.fail(r.id, r.error, r.wallS);
      this.current = null;
      this.tell(r.id, { type: "status", status: r.type });
      this.kick();
    });
    w.on("error", (err) => {
      const id = this.current;
      if (id !== null) {
        this.o.store.fail(id, errorBody(err), 0);
        this.tell(id, { type: "status", status: "failed" });
      }
      this.current = null;
      this.worker = null;
      this.kick();
    });
    return w;
  }

  private kick(): void {
    if (this.stopped || this.current !== null) return;
    // The next run still queued (a deleted one is skipped).
    let run: RunRecord | null = null;
    while (run === null && this.waiting.length > 0) {
      const next = this.o.store.get(this.waiting.shift() as string);
      run = next !== null && next.status === "queued" ? next : null;
    }
    if (run === null) return;
    const { id } = run;
    this.worker ??= this.spawn();
    this.current = id;
    this.o.store.start(id);
    const request: RunRequest = { id, kind: run.kind, scenario: run.scenario, sweep: run.sweep };
    this.worker.postMessage(request);
  }
}

/** A request's body as JSON; InputError when it is not. */
async function readBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new InputError("body", "not JSON", 'a JSON object { "kind": ..., "scenario": {...} }');
  }
}

/** The body of a POST /v1/runs or /v1/check: kind and scenario, validated; InputError otherwise. */
function runRequest(body: unknown): { kind: RunKind; scenario: unknown; sweep: SweepSpec | null } {
  const r = validate(runRequestSchema, body);
  const scenario = r.scenarioYaml !== undefined ? parseYaml(r.scenarioYaml, "scenarioYaml") : r.scenario;
  const sweep =
    r.sweep === undefined && r.samples === undefined
      ? null
      : {
          sweep: r.sweep ?? [],
          ...(r.samples !== undefined ? { samples: r.samples } : {}),
          ...(r.seed !== undefined ? { seed: r.seed } : {}),
        };
  // Its axes checked now (paths, ranges, the point count), so a bad sweep is a 400, not a failed run.
  if (sweep !== null) apiSweepAxes(sweep);
  return { kind: r.kind, scenario, sweep };
}

/** The HTTP API: health, and runs under /v1 (create, read, list, delete); `stop` ends its run queue. */
export function createApp(o: AppOptions): { readonly app: Hono; stop(): Promise<void> } {
  const app = new Hono();
  const queue = new RunQueue(o);
  const bad = (c: Context, err: unknown) => c.json({ error: errorBody(err) }, 400);

  // Scripts only from the server; inline styles allowed (Plot styles the SVG it draws). A route that sets
  // its own policy keeps it (a run's self-contained page).
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"] },
      overwrite: false,
    }),
  );
  app.onError((err, c) => (err instanceof InputError ? bad(c, err) : c.json({ error: errorBody(err) }, 500)));
  app.notFound((c) =>
    c.json({ error: { path: "url", message: `url: no route ${c.req.method} ${c.req.path}` } }, 404),
  );
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) =>
      c.json(
        {
          error: {
            path: "body",
            message: `body: expected at most 1 MiB (${MAX_BODY_BYTES.toLocaleString("en-US")} bytes)`,
          },
        },
        413,
      ),
  });
  app.get("/healthz", (c) => c.json({ ok: true }));
  addWorkbench(app);
  const document = openApiDocument(o.version);
  app.get("/v1/openapi.json", (c) => c.json(document));
  const reference = referencePage(document);
  app.get("/v1/reference", (c) => c.html(reference));

  requireToken(app, o.token);
  addWriteRoutes(app, o, queue, limit);
  addReadRoutes(app, o);
  addEventRoute(app, o, queue);
  app.delete("/v1/runs/:id", (c) => {
    const id = c.req.param("id");
    queue.cancel(id);
    return o.store.delete(id)
      ? c.body(null, 204)
      : c.json({ error: { path: "id", message: "id: no such run" } }, 404);
  });
  return { app, stop: () => queue.stop() };
}

/** Every /v1 route but the events' asks for the bearer token when the server has one. */
function requireToken(app: Hono, token: string | undefined): void {
  app.use("/v1/*", async (c, next) => {
    // A browser's EventSource cannot send headers: an event stream may carry the token in its query.
    const queryToken = c.req.path.endsWith("/events") ? c.req.query("access_token") : undefined;
    if (token !== undefined && c.req.header("authorization") !== `Bearer ${token}` && queryToken !== token)
      return c.json(
        { error: { path: "authorization", message: "authorization: expected Bearer TOKEN" } },
        401,
      );
    await next();
  });
}

/** POST /v1/runs (queue a run, or answer with the same finished one) and POST /v1/check. */
function addWriteRoutes(app: Hono, o: AppOptions, queue: RunQueue, limit: MiddlewareHandler): void {
  app.post("/v1/runs", limit, async (c) => {
    const { kind, scenario, sweep } = runRequest(await readBody(c));
    // The same scenario (and sweep) finished before, under this version: its run is the answer (the
    // models are deterministic), with nothing queued or written.
    const key = o.store.key(kind, scenario, sweep);
    const done = o.store.cached(key);
    if (done !== null) return c.json({ id: done, status: "done" }, 201);
    checkScenario(kind, scenario, o.catalog);
    if (queue.length >= MAX_QUEUED) {
      c.header("Retry-After", "5");
      return c.json(
        { error: { path: "queue", message: `queue: expected fewer than ${MAX_QUEUED} runs waiting` } },
        429,
      );
    }
    const run = o.store.create(kind, scenario, sweep, key);
    queue.push(run.id);
    return c.json({ id: run.id, status: run.status }, 201);
  });
  // Check a scenario without running it: every problem with its line in the YAML (the editor's hints).
  app.post("/v1/check", limit, async (c) => {
    let yaml: string | undefined;
    try {
      const body = await readBody(c);
      const text = (body as { scenarioYaml?: unknown } | null)?.scenarioYaml;
      yaml = typeof text === "string" ? text : undefined;
      const { kind, scenario } = runRequest(body);
      checkScenario(kind, scenario, o.catalog);
      return c.json({ problems: [] });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      return c.json({ problems: problemsOf(err, yaml) });
    }
  });
}

/** The catalog's ids, the run list, a run, and a run's page. */
function addReadRoutes(app: Hono, o: AppOptions): void {
  // What a scenario may name: the catalog's ids and names (the workbench's forms offer them).
  const names = (m: ReadonlyMap<string, { readonly name: string }>) =>
    [...m.entries()].map(([id, x]) => ({ id, name: x.name }));
  const catalogIds = {
    accelerators: names(o.catalog.accelerators),
    models: names(o.catalog.models),
    sites: names(o.catalog.sites),
  };
  app.get("/v1/catalog", (c) => c.json(catalogIds));
  app.get("/v1/runs", (c) => {
    const kind = c.req.query("kind");
    if (kind !== undefined && !(RUN_KINDS as readonly string[]).includes(kind))
      throw new InputError("kind", kind, `one of ${RUN_KINDS.join(", ")}`);
    return c.json({ runs: o.store.list(kind) });
  });
  app.get("/v1/runs/:id", (c) => {
    const run = o.store.get(c.req.param("id"));
    return run === null ? c.json({ error: { path: "id", message: "id: no such run" } }, 404) : c.json(run);
  });
  // A finished run as one self-contained HTML page (its charts drawn by the inline charts script), to keep.
  app.get("/v1/runs/:id/report.html", (c) => {
    const run = o.store.get(c.req.param("id"));
    if (run === null) return c.json({ error: { path: "id", message: "id: no such run" } }, 404);
    const problem =
      run.status !== "done"
        ? `a finished run; this one is ${run.status}`
        : run.view === null
          ? "a run that kept its page; this one was made before runs did (run it again)"
          : null;
    if (problem !== null) return c.json({ error: { path: "id", message: `id: expected ${problem}` } }, 409);
    c.header("Content-Security-Policy", pageCsp());
    c.header("Content-Disposition", `attachment; filename="${run.kind}-${run.id}.html"`);
    return c.html(htmlPage({ ...(run.view as PageView), data: run.result }));
  });
}

/** GET /v1/runs/:id/events: a run's progress and final status as server-sent events. */
function addEventRoute(app: Hono, o: AppOptions, queue: RunQueue): void {
  app.get("/v1/runs/:id/events", (c) => {
    const id = c.req.param("id");
    const run = o.store.get(id);
    if (run === null) return c.json({ error: { path: "id", message: "id: no such run" } }, 404);
    return streamSSE(c, async (stream) => {
      // Writes in order, one after another; the stream ends after the final status is written.
      let written: Promise<void> = Promise.resolve();
      const send = (e: RunEvent) => {
        written = written.then(() => stream.writeSSE({ event: e.type, data: JSON.stringify(e) }));
        return written;
      };
      if (run.status === "done" || run.status === "failed") {
        await send({ type: "status", status: run.status });
        return;
      }
      await new Promise<void>((ended) => {
        const stop = queue.listen(id, (e) => {
          const sent = send(e);
          if (e.type === "status") {
            stop();
            void sent.then(ended);
          }
        });
        stream.onAbort(() => {
          stop();
          ended();
        });
        // It may have ended between the first look and listening.
        const now = o.store.get(id);
        if (now === null || now.status === "done" || now.status === "failed") {
          stop();
          void send({ type: "status", status: now?.status === "done" ? "done" : "failed" }).then(ended);
        }
      });
    });
  });
}

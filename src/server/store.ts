import { createHash, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { SweepSpec } from "../cli/results.js";

/** Where a run is: waiting its turn, running, finished with a result, or failed with an error. */
export type RunStatus = "queued" | "running" | "done" | "failed";

/** An error as the CLI's exit-2 line gives it: the field path and the whole message. */
export interface RunError {
  readonly path: string;
  readonly message: string;
}

export interface RunRecord {
  readonly id: string;
  readonly kind: string;
  readonly status: RunStatus;
  readonly scenario: unknown;
  /** The sweep or Monte Carlo of the scenario asked for (the CLI's --sweep, --samples, --seed); null for one run. */
  readonly sweep: SweepSpec | null;
  /** What `stargate KIND FILE --json` prints; null until done. */
  readonly result: unknown;
  /** The page that shows the result (title, bullets, charts, text report); null until done. */
  readonly view: unknown;
  readonly error: RunError | null;
  /** The package version that made the run. */
  readonly version: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Seconds the run took. */
  readonly wallS: number | null;
}

interface Row {
  id: string;
  kind: string;
  status: RunStatus;
  scenario: string;
  sweep: string | null;
  result: string | null;
  view: string | null;
  error: string | null;
  version: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  wall_s: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  scenario TEXT NOT NULL,
  result TEXT,
  error TEXT,
  version TEXT NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  wall_s REAL,
  key TEXT,
  view TEXT,
  sweep TEXT
);
CREATE INDEX IF NOT EXISTS runs_kind ON runs (kind, seq);
`;

function record(r: Row, withResult = true): RunRecord {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    scenario: JSON.parse(r.scenario) as unknown,
    sweep: r.sweep !== null ? (JSON.parse(r.sweep) as SweepSpec) : null,
    result: withResult && r.result !== null ? (JSON.parse(r.result) as unknown) : null,
    view: withResult && r.view !== null ? (JSON.parse(r.view) as unknown) : null,
    error: r.error !== null ? (JSON.parse(r.error) as RunError) : null,
    version: r.version,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    wallS: r.wall_s,
  };
}

/**
 * The run store: one SQLite file (`runs.sqlite` under the data folder) in WAL mode with full sync, so a
 * run saved is a run kept, whatever kills the process after; each save is one statement, so a run is
 * never half-written. Opening it marks runs left queued or running by a process that died as
 * `failed: interrupted`.
 */
export class RunStore {
  private readonly db: Database.Database;
  readonly interrupted: number;

  constructor(
    dir: string,
    private readonly version: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(dir, { recursive: true });
    this.db = new Database(join(dir, "runs.sqlite"));
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.exec(SCHEMA);
    // Stores made before runs had a key, a page or a sweep gain the columns (their runs are never found
    // by key, have no page to download, and are single runs).
    const columns = this.db.prepare("PRAGMA table_info(runs)").all() as { name: string }[];
    for (const c of ["key", "view", "sweep"])
      if (!columns.some((x) => x.name === c)) this.db.exec(`ALTER TABLE runs ADD COLUMN ${c} TEXT`);
    this.db.exec("CREATE INDEX IF NOT EXISTS runs_key ON runs (key, seq)");
    this.interrupted = this.db
      .prepare(
        "UPDATE runs SET status = 'failed', error = ?, finished_at = ? WHERE status IN ('queued', 'running')",
      )
      .run(
        JSON.stringify({ path: "run", message: "interrupted: the server stopped before the run finished" }),
        this.stamp(),
      ).changes;
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  /**
   * The key of a run: its kind and scenario as given, under this version (the models are deterministic,
   * so the same key means the same result).
   */
  key(kind: string, scenario: unknown, sweep: SweepSpec | null = null): string {
    return createHash("sha256")
      .update(
        JSON.stringify(
          sweep === null ? [this.version, kind, scenario] : [this.version, kind, scenario, sweep],
        ),
      )
      .digest("hex");
  }

  /** A new queued run of `kind` for `scenario` (swept as `sweep` asks; its key, when the caller has it already). */
  create(
    kind: string,
    scenario: unknown,
    sweep: SweepSpec | null = null,
    key = this.key(kind, scenario, sweep),
  ): RunRecord {
    const id = randomUUID();
    this.db
      .prepare(
        "INSERT INTO runs (id, kind, status, scenario, sweep, version, created_at, key) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)",
      )
      .run(
        id,
        kind,
        JSON.stringify(scenario),
        sweep !== null ? JSON.stringify(sweep) : null,
        this.version,
        this.stamp(),
        key,
      );
    return this.get(id) as RunRecord;
  }

  /** The newest finished run with this key (same kind and scenario under this version), if any: its id. */
  cached(key: string): string | null {
    const r = this.db
      .prepare(
        "SELECT id FROM runs WHERE key = ? AND status = 'done' AND view IS NOT NULL ORDER BY seq DESC LIMIT 1",
      )
      .get(key) as { id: string } | undefined;
    return r?.id ?? null;
  }

  get(id: string): RunRecord | null {
    const r = this.db.prepare("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    return r === undefined ? null : record(r);
  }

  /** Runs newest first (of one kind when given), without their results. */
  list(kind?: string, limit = 200): RunRecord[] {
    const rows = (
      kind === undefined
        ? this.db.prepare("SELECT * FROM runs ORDER BY seq DESC LIMIT ?").all(limit)
        : this.db.prepare("SELECT * FROM runs WHERE kind = ? ORDER BY seq DESC LIMIT ?").all(kind, limit)
    ) as Row[];
    return rows.map((r) => record(r, false));
  }

  start(id: string): void {
    this.db
      .prepare("UPDATE runs SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'")
      .run(this.stamp(), id);
  }

  /** A run done: its result and page (JSON texts), in one statement. */
  finish(id: string, result: string, view: string, wallS: number): void {
    this.db
      .prepare(
        "UPDATE runs SET status = 'done', result = ?, view = ?, finished_at = ?, wall_s = ? WHERE id = ? AND status = 'running'",
      )
      .run(result, view, this.stamp(), wallS, id);
  }

  fail(id: string, error: RunError, wallS: number): void {
    this.db
      .prepare(
        "UPDATE runs SET status = 'failed', error = ?, finished_at = ?, wall_s = ? WHERE id = ? AND status = 'running'",
      )
      .run(JSON.stringify(error), this.stamp(), wallS, id);
  }

  /** Forget a run; false when there was none. */
  delete(id: string): boolean {
    return this.db.prepare("DELETE FROM runs WHERE id = ?").run(id).changes > 0;
  }

  close(): void {
    this.db.close();
  }
}

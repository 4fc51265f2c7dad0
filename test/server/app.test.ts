import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseYaml } from "../../src/scenario/load.js";
import { type RunningServer, startServer } from "../../src/server/serve.js";
import { RunStore } from "../../src/server/store.js";
import { ROOT, run } from "../cli/run.js";

/** The API on a real loopback port with a real SQLite file, as `stargate serve` runs it. */
const TMP = mkdtempSync(join(tmpdir(), "stargate-server-"));
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({
    port: 0,
    host: "127.0.0.1",
    dataDir: join(TMP, "data"),
    overlays: [],
  });
});
afterAll(async () => {
  await server.close();
  rmSync(TMP, { recursive: true, force: true });
});

const example = (f: string) => parseYaml(readFileSync(join(ROOT, f), "utf8"), f);
const post = (body: unknown, headers: Record<string, string> = {}, url = server.url) =>
  fetch(`${url}/v1/runs`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/** The id a POST /v1/runs answers with. */
const postedId = async (body: unknown) => ((await (await post(body)).json()) as { id: string }).id;

/** Poll a run until it is done or failed. */
async function finished(id: string, url = server.url): Promise<Record<string, unknown>> {
  for (;;) {
    const r = (await (await fetch(`${url}/v1/runs/${id}`)).json()) as Record<string, unknown>;
    if (r["status"] === "done" || r["status"] === "failed") return r;
    await new Promise((t) => setTimeout(t, 20));
  }
}

describe("HTTP API", () => {
  it("GET /healthz answers ok, with security headers", async () => {
    const r = await fetch(`${server.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: true });
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("content-security-policy")).toContain("default-src 'self'");
  });

  it("a run through the API returns the same result as --json on the CLI, for every kind", async () => {
    for (const [kind, file] of [
      ["train", "examples/train-explicit.yaml"],
      ["infer", "examples/infer-batch.yaml"],
      ["sites", "examples/campus-1gw.yaml"],
      ["plan", "examples/plan-global.yaml"],
      ["design", "examples/design.yaml"],
    ] as const) {
      const created = await post({ kind, scenario: example(file) });
      expect(created.status, kind).toBe(201);
      const { id, status } = (await created.json()) as { id: string; status: string };
      expect(status).toBe("queued");
      const done = await finished(id);
      expect(done["status"], JSON.stringify(done["error"])).toBe("done");
      const cli = await run([kind, join(ROOT, file), "--json"]);
      expect(done["result"], kind).toEqual(JSON.parse(cli.stdout));
      expect(done["kind"]).toBe(kind);
      expect(typeof done["version"]).toBe("string");
      // Its page: a title, the text report the CLI prints without --json, and charts with data.
      const view = done["view"] as {
        title: string;
        report: string;
        charts: { data: { labels: string[]; series: { labels?: string[] }[] } }[];
      };
      expect(view.title.length, kind).toBeGreaterThan(0);
      expect(view.charts.length, kind).toBeGreaterThan(0);
      // Each chart has something to draw: labelled values, or (a scatter) dots with their names.
      for (const chart of view.charts)
        expect(
          chart.data.labels.length + chart.data.series.reduce((n, s) => n + (s.labels?.length ?? 0), 0),
          kind,
        ).toBeGreaterThan(0);
      const text = await run([kind, join(ROOT, file)]);
      if (kind !== "plan") expect(text.stdout, kind).toContain(view.report.trim().split("\n")[0]);
    }
    // YAML text is accepted as well as an object.
    const yaml = await post({
      kind: "train",
      scenarioYaml: readFileSync(join(ROOT, "examples/train-explicit.yaml"), "utf8"),
    });
    expect(yaml.status).toBe(201);
    expect((await finished(((await yaml.json()) as { id: string }).id))["status"]).toBe("done");
  });

  it("bad input is 400 with the CLI's field path and message", async () => {
    const scenario = {
      kind: "train",
      model: "llama3-8b",
      system: { accelerator: "h100-sxm", count: -1 },
      training: { seqLen: 2048, globalBatch: 8 },
    };
    const r = await post({ kind: "train", scenario });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { path: string; message: string } };
    writeFileSync(join(TMP, "bad.yaml"), JSON.stringify(scenario));
    const cli = await run(["train", join(TMP, "bad.yaml")]);
    expect(cli.code).toBe(2);
    expect(body.error).toEqual({
      path: "system.count",
      message: cli.stderr.trim().replace(/^stargate: /, ""),
    });

    expect((await post("{not json")).status).toBe(400);
    const kind = (await (await post({ kind: "bake", scenario: {} })).json()) as { error: { path: string } };
    expect(kind.error.path).toBe("kind");
    const both = await post({ kind: "train", scenario: {}, scenarioYaml: "" });
    expect(both.status).toBe(400);
    // A scenario may not make the server read a file.
    const traced = await post({
      kind: "infer",
      scenario: {
        kind: "infer",
        model: "llama3-8b",
        system: { accelerator: "h100-sxm", count: 1 },
        inference: { workload: { trace: "/etc/passwd" } },
      },
    });
    expect(traced.status).toBe(400);
    expect(((await traced.json()) as { error: { path: string } }).error.path).toBe(
      "inference.workload.trace",
    );
  });

  it("POST /v1/check names every problem with its line in the YAML, and runs nothing", async () => {
    const check = async (kind: string, scenarioYaml: string) =>
      (await (
        await fetch(`${server.url}/v1/check`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ kind, scenarioYaml }),
        })
      ).json()) as { problems: { path: string; message: string; line: number | null }[] };
    const yaml =
      "kind: train\nmodel: llama3-8b\nsystem:\n  accelerator: h100-sxm\n  count: -1\ntraining:\n  seqLen: 0\n";
    const { problems } = await check("train", yaml);
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: "system.count", message: "system.count: expected a positive number, got -1", line: 5 },
        expect.objectContaining({ path: "training.seqLen", line: 7 }),
        // A field missing is shown at its parent.
        expect.objectContaining({ path: "training.globalBatch", line: 6 }),
      ]),
    );
    expect(
      (await check("train", readFileSync(join(ROOT, "examples/train-explicit.yaml"), "utf8"))).problems,
    ).toEqual([]);
    // A syntax error is placed where the parser found it.
    const syntax = (await check("train", "kind: [train\n")).problems[0];
    expect(syntax?.message).toMatch(/^scenarioYaml:2:\d+: expected well-formed YAML: /);
    expect(syntax?.line).toBe(2);
  });

  it("lists runs newest first, by kind; deletes a run; an unknown run is 404", async () => {
    // Named anew, so that neither is the cached answer of an earlier test's run.
    const named = (f: string, name: string) => ({ ...(example(f) as Record<string, unknown>), name });
    const a = await postedId({ kind: "train", scenario: named("examples/train-explicit.yaml", "list-a") });
    const b = await postedId({ kind: "sites", scenario: named("examples/campus-1gw.yaml", "list-b") });
    await finished(a);
    await finished(b);
    const all = (await (await fetch(`${server.url}/v1/runs`)).json()) as {
      runs: { id: string; kind: string }[];
    };
    expect(all.runs[0]?.id).toBe(b);
    expect(all.runs[1]?.id).toBe(a);
    const trains = (await (await fetch(`${server.url}/v1/runs?kind=train`)).json()) as {
      runs: { kind: string }[];
    };
    expect(trains.runs.every((x) => x.kind === "train")).toBe(true);
    expect((await fetch(`${server.url}/v1/runs?kind=bake`)).status).toBe(400);
    expect((await fetch(`${server.url}/v1/runs/${a}`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${server.url}/v1/runs/${a}`)).status).toBe(404);
    expect((await fetch(`${server.url}/v1/runs/${a}`, { method: "DELETE" })).status).toBe(404);
    expect((await fetch(`${server.url}/v1/nothing`)).status).toBe(404);
  });

  it("the same scenario again is answered by its finished run, with nothing queued", async () => {
    const scenario = {
      ...(example("examples/train-explicit.yaml") as Record<string, unknown>),
      name: "cached",
    };
    const first = (await (await post({ kind: "train", scenario })).json()) as { id: string };
    await finished(first.id);
    const before = ((await (await fetch(`${server.url}/v1/runs`)).json()) as { runs: unknown[] }).runs.length;
    const again = await post({ kind: "train", scenario });
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual({ id: first.id, status: "done" });
    expect(((await (await fetch(`${server.url}/v1/runs`)).json()) as { runs: unknown[] }).runs).toHaveLength(
      before,
    );
    // Another scenario is another run.
    const other = await postedId({ kind: "train", scenario: { ...scenario, name: "cached-2" } });
    expect(other).not.toBe(first.id);
  });

  it("beyond loopback needs a token; with one, every /v1 request must carry it", async () => {
    expect(() => startServer({ port: 0, host: "0.0.0.0", dataDir: join(TMP, "open"), overlays: [] })).toThrow(
      /^--host: expected a loopback address .*or --token beside it, got "0\.0\.0\.0"$/,
    );
    const guarded = await startServer({
      port: 0,
      host: "127.0.0.1",
      dataDir: join(TMP, "guarded"),
      token: "s3cret",
      overlays: [],
    });
    try {
      const scenario = example("examples/train-explicit.yaml");
      expect((await post({ kind: "train", scenario }, {}, guarded.url)).status).toBe(401);
      expect(
        (await post({ kind: "train", scenario }, { authorization: "Bearer s3cret" }, guarded.url)).status,
      ).toBe(201);
      expect((await fetch(`${guarded.url}/healthz`)).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

describe("HTTP API: events, cancel, OpenAPI", () => {
  it("a run's events are progress, then its final status; a finished run's stream is its status", async () => {
    const id = await postedId({ kind: "fleet", scenario: example("examples/fleet-small.yaml") });
    const text = await (await fetch(`${server.url}/v1/runs/${id}/events`)).text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => [
      m[1],
      JSON.parse(m[2] ?? ""),
    ]);
    expect(events.at(-1)).toEqual(["status", { type: "status", status: "done" }]);
    const fractions = events.filter(([e]) => e === "progress").map(([, d]) => d.fraction as number);
    expect(fractions.length).toBeGreaterThan(1);
    expect(fractions.every((f, i) => i === 0 || f >= (fractions[i - 1] ?? 0))).toBe(true);
    const again = await (await fetch(`${server.url}/v1/runs/${id}/events`)).text();
    expect(again).toMatch(/^event: status\ndata: \{"type":"status","status":"done"\}/);
    expect((await fetch(`${server.url}/v1/runs/nope/events`)).status).toBe(404);
  });

  it("DELETE stops a running run; the next run still runs", async () => {
    const long = { ...(example("examples/fleet-small.yaml") as Record<string, unknown>), days: 365 };
    const { id } = (await (await post({ kind: "fleet", scenario: long })).json()) as { id: string };
    for (;;) {
      const r = (await (await fetch(`${server.url}/v1/runs/${id}`)).json()) as { status: string };
      if (r.status === "running") break;
      expect(r.status).toBe("queued");
      await new Promise((t) => setTimeout(t, 10));
    }
    expect((await fetch(`${server.url}/v1/runs/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${server.url}/v1/runs/${id}`)).status).toBe(404);
    const next = await postedId({ kind: "train", scenario: example("examples/train-explicit.yaml") });
    expect((await finished(next))["status"]).toBe("done");
  });

  it("GET /v1/openapi.json is an OpenAPI 3.1 document of every route, scenarios from the CLI's schemas", async () => {
    const doc = (await (await fetch(`${server.url}/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { oneOf?: unknown[]; properties?: Record<string, unknown> }> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        "/healthz",
        "/v1/catalog",
        "/v1/check",
        "/v1/examples",
        "/v1/openapi.json",
        "/v1/reference",
        "/v1/runs",
        "/v1/runs/{id}",
        "/v1/runs/{id}/events",
        "/v1/runs/{id}/report.html",
      ].sort(),
    );
    expect(doc.components.schemas["RunRequest"]?.oneOf).toHaveLength(6);
    // Every route in it answers (none is 404), and the reference page lists each.
    const page = await (await fetch(`${server.url}/v1/reference`)).text();
    for (const [path, ops] of Object.entries(doc.paths)) {
      expect(page).toContain(path);
      for (const method of Object.keys(ops as Record<string, unknown>)) {
        const init =
          method === "post"
            ? { method: "POST", body: "{}", headers: { "content-type": "application/json" } }
            : { method: method.toUpperCase() };
        const status = (await fetch(`${server.url}${path.replace("{id}", "nope")}`, init)).status;
        // Only an unknown run is not found; the route itself always is.
        expect(status !== 404 || path.includes("{id}"), `${method} ${path}: ${status}`).toBe(true);
      }
    }
    expect(Object.keys(doc.components.schemas["TrainScenario"]?.properties ?? {})).toEqual(
      expect.arrayContaining(["kind", "model", "system", "training"]),
    );
  });
});

describe("sweeps and Monte Carlo over the API", () => {
  it("a sweep's result is what --sweep ... --json prints, point for point, with a chart per figure", async () => {
    const id = await postedId({
      kind: "train",
      scenario: example("examples/train-explicit.yaml"),
      sweep: ["training.globalBatch=768,1536,3072"],
    });
    const done = await finished(id);
    expect(done["status"], JSON.stringify(done["error"])).toBe("done");
    const cli = await run([
      "train",
      join(ROOT, "examples/train-explicit.yaml"),
      "--sweep",
      "training.globalBatch=768,1536,3072",
      "--json",
    ]);
    expect(done["result"]).toEqual(JSON.parse(cli.stdout));
    expect(done["sweep"]).toEqual({ sweep: ["training.globalBatch=768,1536,3072"] });
    const view = done["view"] as { charts: { kind: string; data: { labels: string[] } }[] };
    expect(view.charts[0]?.kind).toBe("line");
    expect(view.charts[0]?.data.labels).toEqual(["globalBatch=768", "globalBatch=1536", "globalBatch=3072"]);
  });

  it("a plan's Monte Carlo is the CLI's for the same samples and seed, its figures as histograms", async () => {
    const id = await postedId({
      kind: "plan",
      scenario: example("examples/plan-global.yaml"),
      samples: 3,
      seed: 5,
    });
    const done = await finished(id);
    expect(done["status"], JSON.stringify(done["error"])).toBe("done");
    const cli = await run([
      "plan",
      join(ROOT, "examples/plan-global.yaml"),
      "--samples",
      "3",
      "--seed",
      "5",
      "--json",
    ]);
    expect(done["result"]).toEqual(JSON.parse(cli.stdout));
    const view = done["view"] as { charts: { kind: string; caption: string }[] };
    expect(view.charts.length).toBeGreaterThan(0);
    expect(view.charts[0]?.caption).toMatch(/over 3 samples/);
  }, 120_000);

  it("a bad sweep is a 400 naming what is wrong, before anything is queued", async () => {
    const scenario = example("examples/train-explicit.yaml");
    for (const [body, message] of [
      [
        { kind: "sites", scenario: example("examples/campus-1gw.yaml"), sweep: ["itMw=1,2"] },
        /^kind: expected a kind that sweeps/,
      ],
      [{ kind: "train", scenario, sweep: ["globalBatch"] }, /^sweep\[0\]: expected path=a:b:step/],
      [
        { kind: "train", scenario, sweep: ["training.seqLen=1:30000:1"] },
        /^sweep: expected at most 20,000 points in all .* over HTTP/,
      ],
      [{ kind: "train", scenario, samples: 4 }, /^samples: expected a kind with uncertain inputs/],
      [
        { kind: "plan", scenario: example("examples/plan-global.yaml"), seed: 3 },
        /^seed: expected samples of a plan/,
      ],
    ] as const) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body.sweep ?? body)).toBe(400);
      expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  });
});

describe("what a scenario may name", () => {
  it("GET /v1/catalog lists the catalog's accelerators, models and sites by id and name", async () => {
    const r = (await (await fetch(`${server.url}/v1/catalog`)).json()) as Record<
      string,
      { id: string; name: string }[]
    >;
    expect(Object.keys(r).sort()).toEqual(["accelerators", "models", "sites"]);
    expect(r["accelerators"]?.find((a) => a.id === "h100-sxm")?.name).toMatch(/H100/);
    expect(r["models"]?.some((m) => m.id === "llama3.1-405b")).toBe(true);
    expect(r["sites"]?.some((s) => s.id === "kr-pohang")).toBe(true);
  });
});

describe("a run's page", () => {
  it("GET /v1/runs/:id/report.html is the finished run as one self-contained page, kept by its policy", async () => {
    const id = await postedId({ kind: "sites", scenario: example("examples/campus-1gw.yaml") });
    expect((await finished(id))["status"]).toBe("done");
    const r = await fetch(`${server.url}/v1/runs/${id}/report.html`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    expect(r.headers.get("content-disposition")).toBe(`attachment; filename="sites-${id}.html"`);
    // Its own policy: nothing from the network, only the inline charts script by its hash.
    const csp = r.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]+=*'/);
    const page = await r.text();
    expect(page).toContain(`content="${csp}"`);
    expect(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=/.test(page), "loads nothing").toBe(false);
    expect(page).toContain('id="chart-cost"');
    const unknown = await fetch(`${server.url}/v1/runs/nope/report.html`);
    expect(unknown.status).toBe(404);
  });

  it("is 409 for a run not finished, and for one made before runs kept their page", async () => {
    const dir = join(TMP, "old-store");
    const store = new RunStore(dir, "0.0.1");
    const queued = store.create("train", { a: 1 });
    const old = store.create("train", { a: 2 });
    store.start(old.id);
    store.finish(old.id, "{}", "{}", 0.1);
    store.close();
    // A store from before pages: the same run with no page.
    const db = (await import("better-sqlite3")).default(join(dir, "runs.sqlite"));
    db.prepare("UPDATE runs SET view = NULL WHERE id = ?").run(old.id);
    db.close();
    const other = await startServer({ port: 0, host: "127.0.0.1", dataDir: dir, overlays: [] });
    try {
      for (const [id, words] of [
        [queued.id, "expected a finished run; this one is failed"],
        [old.id, "made before runs did (run it again)"],
      ] as const) {
        const r = await fetch(`${other.url}/v1/runs/${id}/report.html`);
        expect(r.status).toBe(409);
        expect(((await r.json()) as { error: { message: string } }).error.message).toContain(words);
      }
    } finally {
      await other.close();
    }
  });
});

// Last against this server: it answers 413 without reading the body, and closes that connection.
describe("HTTP API limits", () => {
  it("a body over 1 MiB is 413", async () => {
    const big = await post({ kind: "train", scenarioYaml: "a".repeat(2 ** 20 + 10) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { message: string } }).error.message).toMatch(
      /at most 1 MiB \(1,048,576 bytes\)/,
    );
  });
});

describe("HTTP API queue", () => {
  it("past its bound the queue answers 429 with Retry-After, and the server stays up", async () => {
    const busy = await startServer({
      port: 0,
      host: "127.0.0.1",
      dataDir: join(TMP, "busy"),
      overlays: [],
    });
    try {
      // Fleets take a while each, so posts pile up behind the one running.
      const scenario = example("examples/fleet-small.yaml");
      const answers = await Promise.all(
        Array.from({ length: 90 }, () => post({ kind: "fleet", scenario }, {}, busy.url)),
      );
      const codes = answers.map((a) => a.status);
      expect(codes.filter((c) => c === 429).length).toBeGreaterThan(0);
      expect(codes.every((c) => c === 201 || c === 429)).toBe(true);
      expect(answers.find((a) => a.status === 429)?.headers.get("retry-after")).toBe("5");
      expect((await fetch(`${busy.url}/healthz`)).status).toBe(200);
    } finally {
      await busy.close();
    }
  });
});

describe("run store", () => {
  it("runs a dead server left queued or running are failed: interrupted on reopening; finished runs are intact", () => {
    const dir = join(TMP, "store");
    const s1 = new RunStore(dir, "test");
    const done = s1.create("train", { a: 1 });
    s1.start(done.id);
    s1.finish(done.id, JSON.stringify({ mfu: 0.4 }), "{}", 1.5);
    const running = s1.create("fleet", { b: 2 });
    s1.start(running.id);
    const queued = s1.create("plan", { c: 3 });
    s1.close();
    const s2 = new RunStore(dir, "test");
    expect(s2.interrupted).toBe(2);
    expect(s2.get(done.id)).toMatchObject({
      status: "done",
      result: { mfu: 0.4 },
      wallS: 1.5,
      scenario: { a: 1 },
    });
    for (const id of [running.id, queued.id])
      expect(s2.get(id)).toMatchObject({
        status: "failed",
        error: { path: "run", message: expect.stringMatching(/^interrupted/) },
      });
    s2.close();
  });
});

describe("stargate serve", () => {
  it("prints its address, serves, and stops on SIGTERM with exit 0", async () => {
    const child = spawn(
      process.execPath,
      [join(ROOT, "bin/stargate.js"), "serve", "--port", "0", "--data", join(TMP, "cli")],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const url = await new Promise<string>((found, fail) => {
      let out = "";
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        const m = /serving (http:\/\/\S+)/.exec(out);
        if (m?.[1] !== undefined) found(m[1]);
      });
      child.on("exit", (code) => fail(new Error(`exited ${code}`)));
    });
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true });
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("a bad port or a host without a token is exit 2 with one line", async () => {
    const r = await run(["serve", "--port", "70000"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^stargate: --port: expected a port number from 0 to 65535/);
    const h = await run(["serve", "--host", "0.0.0.0", "--port", "0", "--data", join(TMP, "h")]);
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/^stargate: --host: expected a loopback address/);
  });
});

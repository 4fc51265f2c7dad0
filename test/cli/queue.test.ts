import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { testRedis } from "../redis.js";
import { ROOT } from "./run.js";

const BIN = join(ROOT, "bin/stargate.js");

/** A stargate process: its output so far, and its end. */
interface Proc {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

function start(args: readonly string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  const p: Proc = {
    child,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
  };
  child.stdout?.on("data", (d) => {
    p.stdout += String(d);
  });
  child.stderr?.on("data", (d) => {
    p.stderr += String(d);
  });
  return p;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `n` workers on `url`, each up (it has logged that it is) before this returns. */
async function workers(url: string, n: number, stallMs = 2000): Promise<Proc[]> {
  const ws = Array.from({ length: n }, () =>
    start(["worker", "--queue", url], { STARGATE_QUEUE_STALL_MS: String(stallMs) }),
  );
  await until("the workers", () => ws.every((w) => w.stderr.includes("worker on")));
  return ws;
}

async function stop(ws: readonly Proc[]): Promise<void> {
  for (const w of ws) w.child.kill("SIGTERM");
  await Promise.all(ws.map((w) => w.exited));
}

let redis: { url: string; stop: () => void };
beforeAll(async () => {
  redis = await testRedis();
}, 30_000);
afterAll(() => redis?.stop());

/** A plan Monte Carlo of `samples` submitted to `url` with no worker on it, once its chunks wait there. */
async function submitted(client: Redis, url: string, samples: number): Promise<Proc> {
  const queued = start(["plan", "--samples", String(samples), "--json", "--queue", url]);
  await until("chunks on the queue", async () => (await client.llen("bull:stargate-sweeps:wait")) > 0);
  return queued;
}

/** A database of its own per test: a leftover chunk of one test never reaches another's workers. */
const db = (n: number) => `${redis.url.replace(/\/\d*$/, "")}/${n}`;

describe("sweeps through Redis (BullMQ)", () => {
  it("a 10,000-point plan Monte Carlo through Redis with 3 worker processes gives the local run's --json byte for byte", async () => {
    const url = db(1);
    const local = start(["plan", "--samples", "10000", "--json"]);
    expect(await local.exited).toBe(0);
    const ws = await workers(url, 3);
    const queued = start(["plan", "--samples", "10000", "--json", "--queue", url]);
    const code = await queued.exited;
    await stop(ws);
    expect(code, queued.stderr.slice(-500)).toBe(0);
    expect(queued.stdout.length).toBeGreaterThan(1_000_000);
    expect(queued.stdout === local.stdout).toBe(true);
    // Every worker took chunks; the progress bar reached the end.
    for (const w of ws) expect(w.stderr).toMatch(/done chunk/);
    expect(queued.stderr).toMatch(/10000\/10000 points/);
  }, 600_000);

  it("a worker killed (SIGKILL) mid-chunk loses nothing: its chunk is retried after the stall timeout, and no point is duplicated", async () => {
    const url = db(2);
    const local = start(["fleet", "examples/fleet-small.yaml", "--sweep", "seed=1:40:1", "--json"]);
    expect(await local.exited).toBe(0);
    // The victim starts alone, so it is sure to hold a chunk (40 points are 3 chunks; with every worker
    // up at once the others could take them all); it dies holding it, and two others take over.
    const [victim] = (await workers(url, 1, 1500)) as [Proc];
    const queued = start([
      "fleet",
      "examples/fleet-small.yaml",
      "--sweep",
      "seed=1:40:1",
      "--json",
      "--queue",
      url,
    ]);
    await until("a chunk taken by the first worker", () => /took chunk/.test(victim.stderr));
    victim.child.kill("SIGKILL");
    const others = await workers(url, 2, 1500);
    const code = await queued.exited;
    await stop(others);
    expect(code, queued.stderr.slice(-500)).toBe(0);
    // The killed worker never finished the chunk it held: another did.
    const held = /took chunk (\d+)/.exec(victim.stderr)?.[1];
    expect(victim.stderr).not.toMatch(new RegExp(`done chunk ${held} `));
    expect(others.some((w) => new RegExp(`done chunk ${held} `).test(w.stderr))).toBe(true);
    const rows = JSON.parse(queued.stdout).rows as { index: number }[];
    expect(rows.map((r) => r.index)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(queued.stdout === local.stdout).toBe(true);
  }, 300_000);

  it("Ctrl-C removes the sweep's chunks not yet taken and exits 130", async () => {
    const url = db(3);
    const client = new Redis(url);
    try {
      const queued = await submitted(client, url, 2000);
      queued.child.kill("SIGINT");
      expect(await queued.exited).toBe(130);
      expect(queued.stderr).toMatch(/sweep cancelled: \d+ of \d+ chunks removed/);
      expect(await client.llen("bull:stargate-sweeps:wait")).toBe(0);
      expect((await client.keys("stargate:sweep:*:cancelled")).length).toBe(1);
    } finally {
      client.disconnect();
    }
  }, 120_000);

  it("a worker's thread count (STARGATE_THREADS) and stall timeout come from the environment; a bad one is one line and exit 2", async () => {
    const url = db(6);
    const w = start(["worker", "--queue", url], { STARGATE_THREADS: "1" });
    await until("the worker", () => w.stderr.includes("worker on"));
    expect(w.stderr).toMatch(/2 chunk\(s\) at a time on 1 threads/);
    w.child.kill("SIGTERM");
    expect(await w.exited).toBe(0);
    for (const [name, value] of [
      ["STARGATE_THREADS", "0"],
      ["STARGATE_QUEUE_STALL_MS", "soon"],
    ] as const) {
      const bad = start(["worker", "--queue", url], { [name]: value });
      expect(await bad.exited).toBe(2);
      expect(bad.stderr.trim().split("\n")).toEqual([
        expect.stringContaining(`${name}: expected a whole number`),
      ]);
    }
  }, 60_000);

  it("a finished chunk whose rows are not exactly its points is refused, not printed short", async () => {
    const url = db(7);
    const client = new Redis(url);
    try {
      const queued = await submitted(client, url, 40);
      const first = (await client.lrange("bull:stargate-sweeps:wait", 0, -1)).find((id) => id.endsWith("-0"));
      const sweep = first?.slice(0, -2) ?? "";
      // Chunk 0 marked done with its first point missing, as a corrupted write would leave it.
      await client.hset(
        `stargate:sweep:${sweep}:rows`,
        "0",
        JSON.stringify([{ index: 1, point: {}, result: {} }]),
      );
      await client.sadd(`stargate:sweep:${sweep}:done`, "0");
      expect(await queued.exited).toBe(1);
      expect(queued.stdout).toBe("");
      expect(queued.stderr).toMatch(/point 0 of completed chunk 0 is missing from Redis/);
    } finally {
      await client.flushdb();
      client.disconnect();
    }
  }, 60_000);

  it("bad --queue: not a Redis URL, or no Redis there, is one line and exit 2 within 5 s", async () => {
    for (const [args, message] of [
      [
        ["plan", "--samples", "10", "--queue", "http://example.com"],
        /^stargate: --queue: expected a Redis URL/,
      ],
      [
        ["plan", "--samples", "10", "--queue", "redis://127.0.0.1:1"],
        /^stargate: --queue: expected a Redis server that answers \(connect ECONNREFUSED/,
      ],
      [["plan", "--queue", db(4)], /^stargate: --queue: expected --sweep or --samples beside it/],
      [["worker"], /^stargate: --queue: expected a Redis URL/],
      [
        ["worker", "--queue", db(4), "--concurrency", "0"],
        /^stargate: --concurrency: expected a whole number/,
      ],
    ] as const) {
      const t0 = Date.now();
      const p = start(args);
      expect(await p.exited, args.join(" ")).toBe(2);
      expect(Date.now() - t0).toBeLessThan(5000 + 2500); // 5 s, beside the process's own start-up
      expect(p.stderr.trim().split("\n")).toHaveLength(1);
      expect(p.stderr).toMatch(message);
    }
  }, 120_000);
});

describe("running it for real: Dockerfile, docker-compose and Kubernetes", () => {
  const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
  const entry = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1] ?? "[]") as string[];
  const compose = parseAllDocuments(readFileSync(join(ROOT, "docker-compose.yml"), "utf8"))[0]?.toJS() as {
    services: Record<
      string,
      { command?: string[]; image?: string; build?: string; deploy?: { replicas: number } }
    >;
  };
  const k8s = ["redis.yaml", "worker.yaml", "hpa.yaml"].flatMap((f) =>
    parseAllDocuments(readFileSync(join(ROOT, "deploy/k8s", f), "utf8")).map(
      (d) => d.toJS() as Record<string, unknown>,
    ),
  );

  it("the files parse, and the worker runs the image's entry command with a --queue URL in each", () => {
    expect(entry).toEqual(["node", "bin/stargate.js", "worker"]);
    expect(dockerfile).toMatch(/^FROM node:20-/m);
    expect(Object.keys(compose.services)).toEqual(["redis", "worker"]);
    expect(compose.services["worker"]?.build).toBe(".");
    expect(compose.services["worker"]?.command?.slice(0, 2)).toEqual(["--queue", "redis://redis:6379"]);
    expect(compose.services["worker"]?.deploy?.replicas).toBeGreaterThan(1);
    const kinds = k8s.map((d) => `${d["kind"]}/${(d["metadata"] as { name: string }).name}`);
    expect(kinds).toEqual([
      "Deployment/stargate-redis",
      "Service/stargate-redis",
      "Deployment/stargate-worker",
      "HorizontalPodAutoscaler/stargate-worker",
    ]);
    const worker = k8s[2] as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    expect(worker.spec.template.spec.containers[0]?.args.slice(0, 2)).toEqual([
      "--queue",
      "redis://stargate-redis:6379",
    ]);
    const env = (
      worker.spec.template.spec.containers[0] as unknown as { env: { name: string; valueFrom?: unknown }[] }
    ).env;
    expect(env.find((e) => e.name === "STARGATE_THREADS")?.valueFrom).toEqual({
      resourceFieldRef: { containerName: "worker", resource: "requests.cpu", divisor: "1" },
    });
    // The list the autoscaler reads is the one chunks wait in (the Ctrl-C test watches it fill).
    expect(readFileSync(join(ROOT, "deploy/k8s/hpa.yaml"), "utf8")).toContain("bull:stargate-sweeps:wait");
    const hpa = k8s[3] as { spec: { scaleTargetRef: { name: string }; metrics: { type: string }[] } };
    expect(hpa.spec.scaleTargetRef.name).toBe("stargate-worker");
    expect(hpa.spec.metrics[0]?.type).toBe("External");
  });

  it("the image's entry command with compose's arguments (the URL pointed here) takes a sweep and stops on SIGTERM", async () => {
    const url = db(5);
    const args = (compose.services["worker"]?.command ?? []).map((a) => (a.startsWith("redis://") ? url : a));
    // `node bin/stargate.js worker ARGS`, run from the package root as in the image.
    const [node, script, ...command] = entry;
    expect([node, script]).toEqual(["node", "bin/stargate.js"]);
    const w = start([...command, ...args]);
    await until("the worker", () => w.stderr.includes("worker on"));
    const local = start([
      "train",
      "examples/train-search.yaml",
      "--sweep",
      "training.globalBatch=512,1024",
      "--json",
    ]);
    const queued = start([
      "train",
      "examples/train-search.yaml",
      "--sweep",
      "training.globalBatch=512,1024",
      "--json",
      "--queue",
      url,
    ]);
    expect(await queued.exited).toBe(0);
    expect(await local.exited).toBe(0);
    expect(queued.stdout).toBe(local.stdout);
    w.child.kill("SIGTERM");
    expect(await w.exited).toBe(0);
    expect(w.stderr).toMatch(/worker stopped: 1 chunks, 2 points/);
  }, 120_000);
});

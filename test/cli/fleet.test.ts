import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { editedCopy, ROOT, renderedDom, run } from "./run.js";

const SMALL = join(ROOT, "examples/fleet-small.yaml");
const TMP = mkdtempSync(join(tmpdir(), "stargate-fleet-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const variant = (name: string, edit: (text: string) => string) => editedCopy(SMALL, TMP, name, edit);

describe("stargate fleet", () => {
  it("prints utilisation, partner shares, waits, goodput and energy; --json has every figure", async () => {
    const r = await run(["fleet", SMALL]);
    expect(r.code).toBe(0);
    for (const s of ["Partners", "Jobs", "Inference services", "Goodput", "Energy", "events/s"])
      expect(r.stdout).toContain(s);
    expect(r.stderr).toMatch(/14\/14 days simulated/);
    const j = await run(["fleet", SMALL, "--json"]);
    const o = JSON.parse(j.stdout);
    for (const f of [
      "utilisation",
      "partners",
      "kinds",
      "goodput",
      "services",
      "energy",
      "events",
      "eventsPerS",
      "scheduler",
    ])
      expect(o, f).toHaveProperty(f);
    expect(o.utilisation.samples).toHaveLength(15);
    expect(o.partners).toHaveLength(3);
  });

  it("a partner on a published job mix: outcomes in the report and --json; --assumptions lists every default with its source", async () => {
    const file = join(ROOT, "examples/fleet-research.yaml");
    const r = await run(["fleet", file, "--assumptions"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/scheduler backfill/);
    expect(r.stdout).toMatch(/Ended: completed [\d,]+ \(\d+\.\d% of jobs/);
    expect(r.stdout).toMatch(/partners\[0\]\.jobs meta-rsc = eval 92%/);
    expect(r.stdout).toMatch(/Kokolis et al\., 'Revisiting Reliability/);
    expect(r.stdout).toMatch(/repairHours = 24 hours\n\s+assumption: mean time to repair/);
    expect(r.stdout).toMatch(/failures\.ratePerAccHour = 0\.0001092 .*\n\s+set by the scenario/);
    const plain = await run(["fleet", SMALL]);
    expect(plain.stdout).toContain("(--assumptions lists every default with its source)");
    expect(plain.stdout).toMatch(/eval stream defaults|Partners/);
    const j = JSON.parse((await run(["fleet", file, "--json"])).stdout);
    expect(j.outcomes.failed.jobs).toBeGreaterThan(0);
    expect(
      j.assumptions.find((a: { parameter: string }) => a.parameter === "eval stream defaults").source,
    ).toMatch(/acme-seren/);
  });

  it("--seed changes the run; the same seed repeats it exactly", async () => {
    const strip = (s: string) => {
      const o = JSON.parse(s);
      delete o.eventsPerS;
      delete o.transitionsPerS;
      return o;
    };
    const a = await run(["fleet", SMALL, "--json", "--seed", "3"]);
    const b = await run(["fleet", SMALL, "--json", "--seed", "3"]);
    const c = await run(["fleet", SMALL, "--json", "--seed", "4"]);
    expect(strip(a.stdout)).toEqual(strip(b.stdout));
    expect(strip(a.stdout)).not.toEqual(strip(c.stdout));
  });

  it("imports a job trace CSV next to the scenario", async () => {
    writeFileSync(
      join(TMP, "jobs.csv"),
      "job_id,tenant,submit_time,accelerators,duration\n1,lab,0,64,7200\n2,university,3600,8,1800\n3,startup,7200,1,60\n",
    );
    const f = variant("traced.yaml", (t) => `${t}\ntrace: jobs.csv\n`);
    const r = await run(["fleet", f, "--json"]);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("stargate:"))).toEqual([]);
    const trace = JSON.parse(r.stdout).kinds.find((k: { kind: string }) => k.kind === "trace");
    expect(trace.submitted).toBe(3);
    expect(trace.completed).toBe(3);
  });

  it("fit-trace fits streams to a trace and prints a partners: block that a fleet scenario runs", async () => {
    const rows = ["job_id,tenant,submit_time,accelerators,duration"];
    let t = 0;
    for (let i = 0; i < 400; i++) {
      t += 600 + ((i * 7919) % 1200);
      rows.push(
        `${i},${i % 3 === 0 ? "lab" : "uni"},${t},${i % 3 === 0 ? 8 : 1},${600 + ((i * 104729) % 7200)}`,
      );
    }
    writeFileSync(join(TMP, "fit.csv"), `${rows.join("\n")}\n`);
    const r = await run(["fit-trace", join(TMP, "fit.csv")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/400 jobs of 2 tenants/);
    const block = r.stdout.slice(r.stdout.indexOf("partners:"));
    const scenario = `days: 3\nfleet: { accelerator: h100-sxm, count: 256 }\n${block}`;
    writeFileSync(join(TMP, "fitted.yaml"), scenario);
    const f = await run(["fleet", join(TMP, "fitted.yaml"), "--json"]);
    expect(f.code, f.stderr).toBe(0);
    const kinds = JSON.parse(f.stdout).kinds;
    expect(kinds[0].submitted).toBeGreaterThan(100);
    const j = await run(["fit-trace", join(TMP, "fit.csv"), "--json"]);
    expect(JSON.parse(j.stdout).tenants).toHaveLength(2);
    writeFileSync(join(TMP, "nocol.csv"), "id,who,when\n1,a,0\n");
    const bad = await run(["fit-trace", join(TMP, "nocol.csv")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^stargate: .*nocol\.csv:1: expected a CSV header with a column named tenant/);
  });

  it("a fleet of two accelerator types runs each workload on its own type's sites", async () => {
    const mixed = join(ROOT, "examples/fleet-mixed.yaml");
    const r = await run(["fleet", mixed, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.pools).toEqual([
      { accelerator: "h100-sxm", count: 1024 },
      { accelerator: "gb200", count: 1152 },
    ]);
    expect(out.sites.map((x: { accelerator: string }) => x.accelerator)).toEqual(["h100-sxm", "gb200"]);
    // The GB200 site carries the pretraining run and the service; the H100 site the small jobs.
    expect(out.sites[1].busy).toBeGreaterThan(out.sites[0].busy);
    // The second run prefers GB200, which the first run and the service fill: it starts at once on H100.
    const pre = out.kinds.find((k: { kind: string }) => k.kind === "pretrain");
    expect(pre.completed).toBe(2);
    expect(pre.waitH.p99).toBe(0);
    const html = join(TMP, "mixed.html");
    const text = await run(["fleet", mixed, "--html", html]);
    expect(text.stdout).toMatch(/1,024 × h100-sxm \+ 1,152 × gb200/);
    // Several sites: the report adds a chart of each site's busy and up shares.
    expect(readFileSync(html, "utf8")).toContain("chart-sites");
    const bad = await run([
      "fleet",
      editedCopy(mixed, TMP, "mixed-bad.yaml", (t) =>
        t.replace("accelerator: gb200\n        name", "accelerator: tpu9\n        name"),
      ),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^stargate: partners\[2\]\.workloads\[0\]\.accelerator: expected an accelerator some site holds \(h100-sxm, gb200\), got "?tpu9/,
    );
    // Quotas by type: within each type's count, for types some site holds.
    const typed = editedCopy(mixed, TMP, "mixed-quota.yaml", (t) =>
      t.replace("quota: 1200", "quota: { h100-sxm: 600, gb200: 600 }"),
    );
    const q = await run(["fleet", typed, "--json"]);
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout).partners[0].quota).toBe(1200);
    const over = await run([
      "fleet",
      editedCopy(mixed, TMP, "mixed-quota2.yaml", (t) => t.replace("quota: 1200", "quota: { gb200: 2000 }")),
    ]);
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(
      /^stargate: partners\[0\]\.quota\.gb200: expected at most the fleet's 1152 gb200, got 2000/,
    );
  });

  it("bad input exits 2 with the field path", async () => {
    const cases: [string, (t: string) => string, RegExp][] = [
      [
        "sched.yaml",
        (t) => t.replace("scheduler: fair-share", "scheduler: lottery"),
        /^stargate: scheduler: expected one of/,
      ],
      [
        "quota.yaml",
        (t) => t.replace("quota: 512", "quota: 5000"),
        /^stargate: partners\[0\]\.quota: expected at most the fleet's 1024 accelerators, got 5000/,
      ],
      [
        "domain.yaml",
        (t) => t.replace("accelerators: 256", "accelerators: 260"),
        /^stargate: partners\[0\]\.workloads\[0\]\.accelerators: expected a multiple of the scale-up domain/,
      ],
      [
        "split.yaml",
        (t) => t.replace("accelerators: 256", "accelerators: 264"),
        /^stargate: partners\[0\]\.workloads\[0\]\.accelerators: expected a count that tp·cp·pp·dp splits exactly/,
      ],
      [
        "model.yaml",
        (t) => t.replace("model: llama3-8b\n        accelerators", "model: llama9\n        accelerators"),
        /^stargate: partners\[0\]\.workloads\[0\]\.model: expected a model id/,
      ],
      [
        "pod.yaml",
        (t) =>
          t.replace("  count: 1024\n", "  count: 1024\n  pod: { accelerators: 4, oversubscription: 3 }\n"),
        /^stargate: fleet\.pod\.accelerators: expected at least one scale-up domain \(8 × h100-sxm\), got 4/,
      ],
      [
        "podr.yaml",
        (t) =>
          t.replace(
            "  count: 1024\n",
            "  count: 1024\n  pod: { accelerators: 256, oversubscription: 0.5 }\n",
          ),
        /^stargate: fleet\.pod\.oversubscription: /,
      ],
      [
        "phases.yaml",
        (t) => t.replace("  count: 1024\n", "  count: 1024\n  phases: [{ day: 7, count: 2048 }]\n"),
        /^stargate: fleet\.phases\[0\]\.count: expected whole scale-up domains \(8\) within the site's 1024 accelerators, got 2048/,
      ],
    ];
    for (const [name, edit, re] of cases) {
      const r = await run(["fleet", variant(name, edit)]);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(re);
    }
    writeFileSync(join(TMP, "empty.yaml"), "");
    const empty = await run(["fleet", join(TMP, "empty.yaml")]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^stargate: input: expected an object/);
    writeFileSync(join(TMP, "bad.csv"), "job_id,tenant,submit_time,accelerators,duration\n1,nobody,0,8,60\n");
    const t = await run(["fleet", variant("badtrace.yaml", (x) => `${x}\ntrace: bad.csv\n`)]);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/^stargate: trace:2: expected a tenant named in partners/);
  });

  it("--html writes a report whose charts draw in a headless browser", () => {
    const out = join(TMP, "fleet.html");
    const r = spawnSync("node", [join(ROOT, "bin/stargate.js"), "fleet", SMALL, "--html", out], {
      encoding: "utf8",
      cwd: ROOT,
    });
    expect(r.status).toBe(0);
    expect(renderedDom(out)).toContain('data-charts-drawn="5"');
  });
});

describe("stargate fleet --sweep", () => {
  const bin = join(ROOT, "bin/stargate.js");
  const args = [
    "fleet",
    SMALL,
    "--sweep",
    "scheduler=fifo,priority,fair-share",
    "--sweep",
    "borrowing=true,false",
    "--json",
  ];
  it("compares schedulers and borrowing on worker threads; shards merge into the unsharded output", () => {
    const whole = spawnSync("node", [bin, ...args], { encoding: "utf8", cwd: ROOT });
    expect(whole.status).toBe(0);
    const all = JSON.parse(whole.stdout);
    expect(all.rows).toHaveLength(6);
    expect(all.rows[1].point).toEqual({ scheduler: "fifo", borrowing: false });
    for (const r of all.rows) expect(r.result.busy).toBeGreaterThan(0);
    const files = [1, 2].map((i) => {
      const part = spawnSync("node", [bin, ...args, "--shard", `${i}/2`], { encoding: "utf8", cwd: ROOT });
      const f = join(TMP, `fleet-shard${i}.json`);
      writeFileSync(f, part.stdout);
      return f;
    });
    const merged = spawnSync("node", [bin, "merge", ...files, "--json"], { encoding: "utf8", cwd: ROOT });
    expect(JSON.parse(merged.stdout)).toEqual(all);
  });
});

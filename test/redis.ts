import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a !== null ? a.port : 0));
    });
  });
}

/**
 * A real Redis for the queue tests: the one `.ci/run` started (STARGATE_TEST_REDIS_URL), else Debian's
 * redis-server started here on a free loopback port. Without either the test fails saying so: no mock
 * stands in for Redis, and nothing passes without it.
 */
export async function testRedis(): Promise<{ readonly url: string; readonly stop: () => void }> {
  const given = process.env["STARGATE_TEST_REDIS_URL"];
  if (given !== undefined && given !== "") return { url: given, stop: () => {} };
  const which = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  if (which.status !== 0)
    throw new Error(
      "this test needs Redis: set STARGATE_TEST_REDIS_URL or install Debian's redis-server (apt-get install redis-server; .ci/run installs and starts it)",
    );
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 100; i++) {
    const ping = spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" });
    if (ping.stdout.trim() === "PONG") return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill() };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill();
  throw new Error(`redis-server did not answer on port ${port}`);
}

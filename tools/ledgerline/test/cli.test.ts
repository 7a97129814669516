// The CLI answers --help everywhere and fails clearly on bad flags (exit 2) and unreachable services (exit 3).
import { describe, expect, it } from "vitest";
import { runCli } from "./cli.ts";

const commands = [
  [],
  ["dlq"],
  ["dlq", "list"],
  ["dlq", "show"],
  ["dlq", "replay"],
  ["dlq", "replays"],
  ["seed"],
  ["simulate"],
];

describe("ledgerline CLI", () => {
  it.each(commands.map((c) => [c.join(" ") || "(root)", c] as const))(
    "%s --help exits 0 with usage",
    async (_name, command) => {
      const run = await runCli([...command, "--help"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/USAGE/);
    },
  );

  it("a bad flag exits 2 and names the flag", async () => {
    const run = await runCli(["dlq", "list", "--bogus"]);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(/Unrecognized flag: --bogus/);
  });

  it("a bad flag value exits 2 with the reason", async () => {
    const run = await runCli(["simulate", "--rate", "fast"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--rate fast/);
  });

  it("an unreachable gateway exits 3 with a clear message", async () => {
    const run = await runCli(["simulate", "--count", "1"], {
      ...process.env,
      LEDGERLINE_GATEWAY_URL: "http://127.0.0.1:9",
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/cannot reach the gateway at http:\/\/127.0.0.1:9/);
  });

  it("an unreachable database exits 3 with a clear message", async () => {
    const run = await runCli(["dlq", "replays"], {
      ...process.env,
      DATABASE_URL: "postgres://ledgerline:ledgerline@127.0.0.1:9/ledgerline",
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/read the replay audit: .*ECONNREFUSED/);
  });

  it("an unreachable Kafka exits 3 with a clear message", async () => {
    const run = await runCli(["dlq", "list"], { ...process.env, KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:9" });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/read the DLQ:/);
  });
});

// The topology CLI's exit codes, as the ledgerline CLI's (@ledgerline/resilience's CliFailure): 2 for a
// usage error (fix the command), 3 for a service it cannot reach (retry later). No stack needed.
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { ExitCode } from "@ledgerline/resilience";
import { describe, expect, it } from "vitest";

const CLI = resolve(import.meta.dirname, "../src/cli.ts");

const run = (args: readonly string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env } },
      (_e, _o, stderr) => done({ code: child.exitCode, stderr }),
    );
  });

/** A port nothing listens on: bound by us for a moment, then closed. */
const closedPort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 1));
    });
  });

describe("topology CLI exit codes", () => {
  it.each([
    ["an unknown option", ["describe", "--bogus"], {}],
    ["an unknown command", ["frobnicate"], {}],
    ["a bad --apply", ["acls", "--apply", "nobody"], {}],
    ["a bad setting", ["apply"], { KAFKA_SECURITY_PROTOCOL: "BOGUS" }],
  ] as const)("exits 2 for %s", async (_name, args, env) => {
    const { code, stderr } = await run(args, env);
    expect(code, stderr).toBe(ExitCode.usage);
  });

  it("exits 3 when the broker cannot be reached, naming it", async () => {
    const bootstrap = `127.0.0.1:${await closedPort()}`;
    const { code, stderr } = await run(["apply"], { KAFKA_BOOTSTRAP_SERVERS: bootstrap });
    expect(code, stderr).toBe(ExitCode.unreachable);
    expect(stderr).toContain(`Kafka at ${bootstrap} is unreachable`);
  });

  it("exits 3 when the schema registry cannot be reached", async () => {
    const registry = `http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`;
    const { code, stderr } = await run(["check"], { SCHEMA_REGISTRY_URL: registry });
    expect(code, stderr).toBe(ExitCode.unreachable);
    expect(stderr).toContain("is unreachable");
  });
});

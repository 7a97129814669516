// The exit code each kind of failure means, without running a command: 2 usage, 3 unreachable, 1 other
// (the ledgerline and topology CLIs both exit with these).
import { CliError } from "effect/cli";
import { describe, expect, it } from "vitest";
import { CliFailure, ExitCode, exitCodeFor, toCliFailure } from "../src/CliFailure.ts";

const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });

describe("exitCodeFor", () => {
  it.each([
    ["a usage CliFailure", CliFailure.usage("--rate fast: expected N/s or max"), ExitCode.usage],
    ["an unreachable CliFailure", CliFailure.unreachable("cannot reach the gateway"), ExitCode.unreachable],
    ["a failed CliFailure", CliFailure.failed("no dead letter 0:1"), ExitCode.failure],
    ["a refusal", CliFailure.refused("replay not confirmed"), ExitCode.failure],
    ["Ctrl-C", CliFailure.interrupted("interrupted"), ExitCode.interrupted],
    [
      "an unknown flag",
      new CliError.UnrecognizedOption({ option: "--bogus", suggestions: [] }),
      ExitCode.usage,
    ],
    ["a missing argument", new CliError.MissingArgument({ argument: "target" }), ExitCode.usage],
    [
      "help shown for a parse error",
      new CliError.ShowHelp({
        commandPath: ["ledgerline", "dlq"],
        errors: [new CliError.UnknownSubcommand({ subcommand: "lsit", suggestions: [] })],
      }),
      ExitCode.usage,
    ],
    ["help asked for", new CliError.ShowHelp({ commandPath: ["ledgerline"], errors: [] }), ExitCode.ok],
    ["a connection refused, unclassified", refused, ExitCode.unreachable],
    ["a handler's error around an outage", new CliError.UserError({ cause: refused }), ExitCode.unreachable],
    [
      "an unknown option, as node:util's parseArgs rejects it",
      Object.assign(new TypeError("Unknown option '--bogus'"), { code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" }),
      ExitCode.usage,
    ],
    ["a bug", new TypeError("x is undefined"), ExitCode.failure],
  ] as const)("%s", (_name, error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });
});

describe("toCliFailure", () => {
  it("tells an outage (exit 3) from a failure (exit 1)", () => {
    expect(toCliFailure("read the DLQ")(refused).exitCode).toBe(ExitCode.unreachable);
    expect(toCliFailure("read the DLQ")(new Error("bad envelope")).exitCode).toBe(ExitCode.failure);
  });
});

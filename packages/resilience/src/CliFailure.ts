// The one error an ops command fails with (the ledgerline CLI, the topology CLI): a message for the
// operator and the exit code it means, so scripts can tell "fix the command" from "retry later".
import { Schema } from "effect";
import { CliError } from "effect/cli";
import { isNetworkError } from "./networkError.ts";

/**
 * 1 = the command failed or refused; 2 = usage error (bad flag, argument or setting: fix the command);
 * 3 = a service (Kafka, registry, Postgres, gateway) could not be reached: the same command may work later;
 * 130 = Ctrl-C.
 */
export const ExitCode = { ok: 0, failure: 1, usage: 2, unreachable: 3, interrupted: 130 } as const;

export class CliFailure extends Schema.TaggedError<CliFailure>()("CliFailure", {
  reason: Schema.Literals(["Failed", "Refused", "Usage", "Unreachable", "Interrupted"]),
  text: Schema.String,
}) {
  override get [CliError.userMessage]() {
    return this.text;
  }
  get exitCode(): number {
    switch (this.reason) {
      case "Usage":
        return ExitCode.usage;
      case "Unreachable":
        return ExitCode.unreachable;
      case "Interrupted":
        return ExitCode.interrupted;
      default:
        return ExitCode.failure;
    }
  }
  static failed = (text: string) => new CliFailure({ reason: "Failed", text });
  static refused = (text: string) => new CliFailure({ reason: "Refused", text });
  static usage = (text: string) => new CliFailure({ reason: "Usage", text });
  static unreachable = (text: string) => new CliFailure({ reason: "Unreachable", text });
  static interrupted = (text: string) => new CliFailure({ reason: "Interrupted", text });
}

/** A service could not be reached: the shared network rule, a registry outage, or our own "cannot reach". */
const isUnreachable = (error: unknown, text: string): boolean =>
  isNetworkError(text) ||
  /cannot reach/i.test(text) ||
  ((error as { _tag?: unknown })?._tag === "RegistryError" &&
    (error as { reason?: unknown }).reason === "REGISTRY_UNAVAILABLE");

/** Maps anything a command threw to a CliFailure, telling outages (exit 3) from failures (exit 1). */
export const toCliFailure =
  (what: string) =>
  (error: unknown): CliFailure => {
    if (error instanceof CliFailure) return error;
    const message =
      error instanceof Error
        ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}`
        : String(error);
    const aggregated =
      error instanceof AggregateError
        ? error.errors.map((e) => String((e as Error)?.message)).join("; ")
        : "";
    const text = `${what}: ${message}${aggregated ? ` [${aggregated}]` : ""}`;
    return isUnreachable(error, text) ? CliFailure.unreachable(text) : CliFailure.failed(text);
  };

/**
 * The exit code a failed run means, from the error it failed with (pure, so the mapping is unit-tested):
 * our CliFailure says it; effect/cli's parse errors are usage errors, and so is help shown because of one;
 * an unparsable setting (ConfigError) is a usage error too, as is a bad command line rejected by
 * node:util's parseArgs (its ERR_PARSE_ARGS_* codes); anything else is an outage if it reads like one,
 * else a failure.
 */
export const exitCodeFor = (error: unknown): number => {
  if (error instanceof CliFailure) return error.exitCode;
  if (CliError.isCliError(error)) {
    if (error._tag === "ShowHelp") return error.errors.length > 0 ? ExitCode.usage : ExitCode.ok;
    return error._tag === "UserError" ? exitCodeFor(error.cause) : ExitCode.usage;
  }
  if ((error as { _tag?: unknown })?._tag === "ConfigError") return ExitCode.usage;
  if (String((error as { code?: unknown })?.code).startsWith("ERR_PARSE_ARGS_")) return ExitCode.usage;
  return toCliFailure("unexpected")(error).exitCode;
};

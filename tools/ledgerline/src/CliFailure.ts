// The one error a command fails with: a message for the operator and the exit code it means.
import { isNetworkError } from "@ledgerline/resilience";
import { Schema } from "effect";
import { CliError } from "effect/cli";

/** 1 = the command failed or refused; 2 = usage error or a service could not be reached; 130 = Ctrl-C. */
export const ExitCode = { ok: 0, failure: 1, usageOrUnreachable: 2, interrupted: 130 } as const;

export class CliFailure extends Schema.TaggedError<CliFailure>()("CliFailure", {
  reason: Schema.Literals(["Failed", "Refused", "Usage", "Unreachable", "Interrupted"]),
  text: Schema.String,
}) {
  override get [CliError.userMessage]() {
    return this.text;
  }
  get exitCode(): number {
    if (this.reason === "Interrupted") return ExitCode.interrupted;
    return this.reason === "Usage" || this.reason === "Unreachable"
      ? ExitCode.usageOrUnreachable
      : ExitCode.failure;
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

/** Maps anything a command threw to a CliFailure, telling outages (exit 2) from failures (exit 1). */
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

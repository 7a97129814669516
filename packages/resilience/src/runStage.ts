// The process around a stage's program, written once: tracing, signals, and the only ways out.
// SIGTERM/SIGINT interrupt the program (batches in flight finish or roll back) and exit 0. The program
// itself retries every transient fault, so it only ends on a fatal one: one line naming the cause and
// the fix, then exit 1 (a supervisor restarts the process with backoff).
import { identifyProcess, startTracing } from "@ledgerline/observability";
import { Cause, Effect, Exit, Fiber } from "effect";
import { classifyFault } from "./classifyFault.ts";

export interface RunStageOptions {
  /** Service name in logs, traces and readiness reports (the program adds its instance id). */
  readonly service: string;
  /**
   * Errors thrown outside any call of ours that are known to be harmless, e.g. a Postgres connection
   * the pool had already released being terminated by a restart. Everything else ends the process.
   */
  readonly ignoreUncaught?: (error: unknown) => boolean;
}

/** One line for a fatal failure: what failed, why, and how to fix it. */
export const fatalLine = (service: string, cause: Cause.Cause<unknown>): string => {
  const fault = classifyFault(Cause.squash(cause));
  const fix = fault.fix ? ` Fix: ${fault.fix}.` : "";
  const firstLine = fault.message.split("\n")[0]?.slice(0, 600);
  return `${service}: fatal ${fault.reason}: ${firstLine}.${fix}`;
};

/**
 * An exception thrown outside any call of ours ends the process with one line (and the stack), unless
 * `ignoreUncaught` knows it is harmless. Returns how to exit (flushing traces first).
 */
export const installProcessGuards = (options: RunStageOptions): ((code: number) => void) => {
  const { service } = options;
  // A no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set; flushed before the process exits.
  const stopTracing = startTracing(service);
  const exit = (code: number) => void stopTracing().finally(() => process.exit(code));
  process.on("uncaughtException", (error) => {
    if (options.ignoreUncaught?.(error)) {
      console.warn(JSON.stringify({ level: "WARN", service, message: `ignored: ${String(error)}` }));
      return;
    }
    console.error(fatalLine(service, Cause.die(error)));
    console.error(error);
    exit(1);
  });
  return exit;
};

export const runStage = <E>(program: Effect.Effect<void, E>, options: RunStageOptions): void => {
  const { service } = options;
  identifyProcess(service, "0");
  const exit = installProcessGuards(options);
  const fiber = Effect.runFork(program);
  const stop = () => Effect.runFork(Fiber.interrupt(fiber));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  fiber.addObserver((result) => {
    if (Exit.isFailure(result) && !Cause.hasInterruptsOnly(result.cause)) {
      console.error(fatalLine(service, result.cause));
      // A programming error gets its stack too; a misconfiguration's one line says all there is.
      if (classifyFault(Cause.squash(result.cause)).reason === "Defect")
        console.error(Cause.pretty(result.cause));
      exit(1);
      return;
    }
    exit(0);
  });
};

// The process around every service (gateway, processor, sink, relay, FX publisher), written once: JSON
// logging at LOG_LEVEL, tracing (OTEL_*), the process's identity, signals, and the only ways out.
// SIGTERM/SIGINT interrupt the program (batches in flight finish or roll back, scoped resources close)
// and exit 0. A program retries every transient fault itself, so it only fails on a fatal one: one line
// naming the cause and the fix, then exit 1 (a supervisor restarts the process with backoff).
import { identifyProcess, loggingLayer, startTracing, tracingConfig } from "@ledgerline/observability";
import { Cause, type Config, Effect, Exit, Fiber, Layer, type Scope } from "effect";
import { classifyFault } from "./classifyFault.ts";

export interface RunServiceOptions {
  /** The instance id in readiness reports (the app's Config variable); "0" when absent. */
  readonly instanceId?: Config.Config<string>;
  /**
   * Errors thrown outside any call of ours that are known to be harmless, e.g. a Postgres connection
   * the pool had already released being terminated by a restart. Everything else ends the process.
   */
  readonly ignoreUncaught?: (error: unknown) => boolean;
}

/** What a service runs: a program (its resources scoped to it), or a layer that runs until interrupted. */
export type ServiceProgram<E> = Effect.Effect<unknown, E, Scope.Scope> | Layer.Layer<unknown, E>;

/** One line for a fatal failure: what failed, why, and how to fix it. */
export const fatalLine = (service: string, cause: Cause.Cause<unknown>): string => {
  const fault = classifyFault(Cause.squash(cause));
  const fix = fault.fix ? ` Fix: ${fault.fix}.` : "";
  const firstLine = fault.message.split("\n")[0]?.slice(0, 600);
  return `${service}: fatal ${fault.reason}: ${firstLine}.${fix}`;
};

export const runService = <E>(
  service: string,
  program: ServiceProgram<E>,
  options: RunServiceOptions = {},
) => {
  // Replaced once tracing started; every exit flushes it first.
  let stopTracing: () => Promise<void> = async () => undefined;
  const exit = (code: number) => void stopTracing().finally(() => process.exit(code));

  // An exception thrown outside any call of ours ends the process with one line (and the stack), unless
  // `ignoreUncaught` knows it is harmless.
  process.on("uncaughtException", (error) => {
    if (options.ignoreUncaught?.(error)) {
      console.warn(JSON.stringify({ level: "WARN", service, message: `ignored: ${String(error)}` }));
      return;
    }
    console.error(fatalLine(service, Cause.die(error)));
    console.error(error);
    exit(1);
  });

  const main = Effect.gen(function* () {
    stopTracing = startTracing(service, yield* tracingConfig);
    identifyProcess(service, options.instanceId ? yield* options.instanceId : "0");
    yield* Layer.isLayer(program) ? Layer.launch(program) : Effect.scoped(program);
  }).pipe(Effect.provide(loggingLayer(service)));

  const fiber = Effect.runFork(main);
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

// One JSON line per log entry (Effect's structured logger), at the level LOG_LEVEL asks for.
import { Config, Effect, Layer, Logger, References } from "effect";

const LEVELS = {
  trace: "Trace",
  debug: "Debug",
  info: "Info",
  warn: "Warn",
  error: "Error",
  fatal: "Fatal",
} as const;

export type LogLevelName = keyof typeof LEVELS;

export const parseLogLevel = (value: string): (typeof LEVELS)[LogLevelName] => {
  const level = LEVELS[value.toLowerCase() as LogLevelName];
  if (!level) throw new Error(`LOG_LEVEL must be one of ${Object.keys(LEVELS).join(", ")}; got ${value}`);
  return level;
};

/** JSON logs for a service; every line carries `service` so mixed logs stay attributable. */
export const loggingLayer = (service: string) =>
  Layer.unwrap(
    Effect.gen(function* () {
      // Why: operators raise it to debug for per-record detail without a redeploy.
      const level = yield* Config.String("LOG_LEVEL").pipe(Config.withDefault("info"));
      return Layer.mergeAll(
        Logger.layer([Logger.consoleJson]),
        Layer.succeed(References.MinimumLogLevel, parseLogLevel(level)),
      ).pipe(Layer.provideMerge(Layer.succeed(References.CurrentLogAnnotations, { service })));
    }),
  );

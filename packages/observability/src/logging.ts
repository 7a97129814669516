// One JSON line per log entry (Effect's structured logger), at the level LOG_LEVEL asks for. The one
// reader and parser of LOG_LEVEL: every service's launcher and Config.ts go through `logLevelConfig`.
import { Config, ConfigProvider, Layer, Logger, type LogLevel, References } from "effect";

const LEVELS: Readonly<Record<string, LogLevel.LogLevel>> = {
  trace: "Trace",
  debug: "Debug",
  info: "Info",
  warn: "Warn",
  warning: "Warn",
  error: "Error",
  fatal: "Fatal",
  none: "None",
};

/** The level a LOG_LEVEL value names (any case), or undefined when it names none. */
export const parseLogLevel = (value: string): LogLevel.LogLevel | undefined => LEVELS[value.toLowerCase()];

/** LOG_LEVEL (default info); an unknown name is a ConfigError (a Misconfigured fault) naming the choices. */
export const logLevelConfig: Config.Config<LogLevel.LogLevel> = Config.String("LOG_LEVEL").pipe(
  Config.withDefault("info"),
  Config.flatMap((value) => {
    const level = parseLogLevel(value);
    return level
      ? Config.succeed(level)
      : Config.fail(
          new ConfigProvider.SourceError({
            message: `LOG_LEVEL must be one of ${Object.keys(LEVELS).join(", ")}; got "${value}"`,
          }),
        );
  }),
);

/** JSON logs for a service; every line carries `service` so mixed logs stay attributable. */
export const loggingLayer = (service: string) =>
  Layer.mergeAll(
    Logger.layer([Logger.consoleJson]),
    // Why: operators raise it to debug for per-record detail without a redeploy.
    Layer.effect(References.MinimumLogLevel, logLevelConfig),
  ).pipe(Layer.provideMerge(Layer.succeed(References.CurrentLogAnnotations, { service })));

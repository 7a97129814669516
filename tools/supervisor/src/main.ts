// `npm start` runs this in the background: the three apps, each restarted with backoff when it exits.
// SIGTERM or SIGINT (`npm run stop`) stops every app gracefully, then the supervisor exits 0.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Cause, Effect, Exit, Fiber } from "effect";
import { SupervisorConfig } from "./Config.ts";
import { supervise } from "./Supervisor.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const fiber = Effect.runFork(supervise.pipe(Effect.scoped, Effect.provide(SupervisorConfig.layer(repoRoot))));
const stop = () => Effect.runFork(Fiber.interrupt(fiber));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
fiber.addObserver((exit) => {
  if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)) {
    console.error(`supervisor: fatal: ${Cause.pretty(exit.cause)}`);
    process.exit(1);
  }
  process.exit(0);
});

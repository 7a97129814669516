// Runs each app as a child process and starts it again when it exits, with backoff (restartPolicy.ts).
// Each app's output goes to logs/<app>.log; its last lines are kept to be logged with every restart.
// Interrupting the supervisor stops every app: SIGTERM, then SIGKILL after the grace period.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { serveOpsEndpoints } from "@ledgerline/observability";
import { Effect } from "effect";
import { type AppInstance, type AppName, SupervisorConfig, type SupervisorSettings } from "./Config.ts";
import { decideRestart } from "./restartPolicy.ts";
import { instanceMetrics } from "./supervisorMetrics.ts";

export interface AppStatus {
  readonly app: AppName;
  /** "processor", or "processor-1" when the stage runs several instances. */
  readonly instance: string;
  readonly readyUrl: string;
  state: "starting" | "running" | "restarting" | "stopped";
  pid: number | undefined;
  startedAt: string | undefined;
  restarts: number;
  lastExit: { readonly code: number | null; readonly signal: string | null; readonly at: string } | undefined;
}

const LAST_LINES = 25;

/** The status file other commands read (`npm run status`, `npm start`'s readiness wait, the tests). */
export const statusFile = (stateDir: string) => join(stateDir, "run", "supervisor.json");

export const readStatus = (stateDir: string): { pid: number; apps: AppStatus[] } | undefined => {
  try {
    return JSON.parse(readFileSync(statusFile(stateDir), "utf8"));
  } catch {
    return undefined;
  }
};

const log = (level: "INFO" | "WARN" | "ERROR", message: string, fields: Record<string, unknown> = {}) =>
  console.log(
    JSON.stringify({ level, service: "supervisor", timestamp: new Date().toISOString(), message, ...fields }),
  );

/** Ends processes a previous supervisor (killed without its stop) left running, so ports are free again. */
const stopLeftovers = (settings: SupervisorSettings) => {
  const previous = readStatus(settings.stateDir);
  for (const app of previous?.apps ?? []) {
    if (!app.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${app.pid}/cmdline`, "utf8");
      if (!cmdline.includes(resolve(settings.repoRoot, "apps/"))) continue;
      process.kill(app.pid, "SIGKILL");
      log(
        "WARN",
        `stopped ${app.instance ?? app.app} (pid ${app.pid}) left running by a previous supervisor`,
      );
    } catch {
      // gone already
    }
  }
};

export const supervise = Effect.gen(function* () {
  const settings = yield* SupervisorConfig;
  mkdirSync(join(settings.stateDir, "logs"), { recursive: true });
  mkdirSync(join(settings.stateDir, "run"), { recursive: true });
  stopLeftovers(settings);
  yield* serveOpsEndpoints({ service: "supervisor", ...settings.metrics });
  const statuses = settings.instances.map(
    (instance): AppStatus => ({
      app: instance.app,
      instance: instance.instance,
      readyUrl: instance.readyUrl,
      state: "starting",
      pid: undefined,
      startedAt: undefined,
      restarts: 0,
      lastExit: undefined,
    }),
  );
  const writeStatus = () => {
    const file = statusFile(settings.stateDir);
    writeFileSync(`${file}.tmp`, JSON.stringify({ pid: process.pid, apps: statuses }, null, 2));
    renameSync(`${file}.tmp`, file);
  };
  writeStatus();
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      for (const status of statuses) status.state = "stopped";
      writeStatus();
    }),
  );
  yield* Effect.all(
    statuses.map((status, index) =>
      superviseApp(settings, settings.instances[index] as AppInstance, status, writeStatus),
    ),
    { concurrency: "unbounded", discard: true },
  );
});

const superviseApp = (
  settings: SupervisorSettings,
  instance: AppInstance,
  status: AppStatus,
  writeStatus: () => void,
) =>
  Effect.gen(function* () {
    const app = instance.instance;
    const logFile = createWriteStream(join(settings.stateDir, "logs", `${app}.log`), { flags: "a" });
    yield* Effect.addFinalizer(() => Effect.sync(() => logFile.end()));
    const lastLines: string[] = [];
    const keep = (chunk: Buffer) => {
      logFile.write(chunk);
      const lines = chunk
        .toString("utf8")
        .split("\n")
        .filter((line) => line.length > 0);
      lastLines.push(...lines);
      if (lastLines.length > LAST_LINES) lastLines.splice(0, lastLines.length - LAST_LINES);
    };
    const metrics = instanceMetrics(instance);
    let crashLoop = 0;
    for (;;) {
      const started = Date.now();
      lastLines.length = 0;
      const exit = yield* runOnce(settings, instance, keep, (child) => {
        status.state = "running";
        status.pid = child.pid;
        status.startedAt = new Date(started).toISOString();
        writeStatus();
        metrics.started();
        log("INFO", `started ${app} (pid ${child.pid})`, { app, pid: child.pid, restarts: status.restarts });
      });
      const ranForMs = Date.now() - started;
      status.lastExit = { code: exit.code, signal: exit.signal, at: new Date().toISOString() };
      const decision = decideRestart(settings.restart, { ranForMs, crashLoop });
      crashLoop = decision.crashLoop;
      status.state = "restarting";
      status.pid = undefined;
      status.restarts += 1;
      writeStatus();
      metrics.restarting(exit, decision.delayMs);
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      log(
        "WARN",
        `${app} exited (${how}) after ${Math.round(ranForMs / 1_000)} s; restarting in ${decision.delayMs} ms`,
        {
          app,
          exit: how,
          restarts: status.restarts,
          lastLines: [...lastLines],
        },
      );
      yield* Effect.sleep(`${decision.delayMs} millis`);
    }
  }).pipe(Effect.scoped);

/** Starts the app and waits for it to exit; interrupted, it stops the app (SIGTERM, then SIGKILL). */
const runOnce = (
  settings: SupervisorSettings,
  instance: AppInstance,
  output: (chunk: Buffer) => void,
  onStart: (child: ChildProcess) => void,
) =>
  Effect.callback<{ code: number | null; signal: string | null }>((resume) => {
    const app = instance.instance;
    const child = spawn(process.execPath, [resolve(settings.repoRoot, instance.entry)], {
      cwd: settings.repoRoot,
      env: { ...settings.inherited, ...instance.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", output);
    child.stderr?.on("data", output);
    child.once("error", (error) =>
      output(Buffer.from(`supervisor: cannot start ${app}: ${error.message}\n`)),
    );
    child.once("exit", (code, signal) => resume(Effect.succeed({ code, signal })));
    onStart(child);
    return Effect.promise(() => stopChild(child, settings.stopTimeoutMs));
  });

const stopChild = (child: ChildProcess, graceMs: number) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(force);
      done();
    });
    child.kill("SIGTERM");
  });

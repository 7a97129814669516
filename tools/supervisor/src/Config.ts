// Every environment variable the supervisor reads, in one place. It also reads the apps' own port
// variables, to know where each instance answers /ready and to tell the gateway where the stages are.
import { resolve } from "node:path";
import { Config, ConfigProvider, Context, Effect, Layer, Redacted } from "effect";
import type { RestartSettings } from "./restartPolicy.ts";
import { parseRoutes, rewriteEnv } from "./routes.ts";

export const APP_NAMES = ["ledger-sink", "processor", "gateway", "outbox-relay"] as const;
export type AppName = (typeof APP_NAMES)[number];

/** One process the supervisor runs: an app, which instance of it, and what it needs. */
export interface AppInstance {
  readonly app: AppName;
  /** "processor", or "processor-1" when there are several (logs/<instance>.log). */
  readonly instance: string;
  readonly entry: string;
  /** Environment of this instance on top of the inherited one (instance id, ops port, and the variables
   *  SUPERVISOR_ROUTES rewrites for its app). */
  readonly env: Readonly<Record<string, string>>;
  /** GET answers 200 when ready. */
  readonly readyUrl: string;
}

export interface SupervisorSettings {
  readonly repoRoot: string;
  /** Where logs (logs/<instance>.log) and the status file (run/supervisor.json) go. */
  readonly stateDir: string;
  readonly instances: readonly AppInstance[];
  readonly restart: RestartSettings;
  /** How long a stopping app gets after SIGTERM before SIGKILL. */
  readonly stopTimeoutMs: number;
  /** The supervisor's own GET /metrics (restarts per app instance); port 0 disables it. */
  readonly metrics: { readonly host: string; readonly port: number };
  /** The ops tools' API key: GET /status needs it, and with it /ready names what is down. A secret:
   *  unwrapped only into the Authorization header. */
  readonly apiKey: Redacted.Redacted<string>;
  /** The environment the apps inherit. */
  readonly inherited: Readonly<Record<string, string | undefined>>;
}

const int = (name: string, fallback: number) => Config.Int(name).pipe(Config.withDefault(fallback));
const str = (name: string, fallback: string) => Config.String(name).pipe(Config.withDefault(fallback));

/** Ops ports of instance i: the configured port, then 100 apart (9464, 9564, 9664...). */
const PORT_STEP = 100;

export const supervisorSettings = (repoRoot: string) =>
  Effect.gen(function* () {
    // Per-clone state (the native stack's too): logs and pid files of this checkout.
    const stateDir = resolve(yield* str("LEDGERLINE_STATE", resolve(repoRoot, ".ledgerline")));
    // Which apps to run (comma-separated); outbox-relay runs the relay as its own process (otherwise it
    // runs inside each ledger sink).
    const apps = new Set(
      (yield* str("SUPERVISOR_APPS", "ledger-sink,processor,gateway"))
        .split(",")
        .map((name) => name.trim())
        .filter((name): name is AppName => (APP_NAMES as readonly string[]).includes(name)),
    );
    // Instances per stage: each gets its own stable id (its index) and ops port.
    const processors = yield* int("SUPERVISOR_PROCESSORS", 1);
    const sinks = yield* int("SUPERVISOR_SINKS", 1);
    const relays = apps.has("outbox-relay") ? yield* int("SUPERVISOR_RELAYS", 1) : 0;
    // Gateways are stateless (a transaction's id derives from its key): more of them, on consecutive ports.
    const gateways = apps.has("gateway") ? yield* int("SUPERVISOR_GATEWAYS", 1) : 0;
    // Restart backoff: first delay, cap, and how long a run must last to count as stable again.
    const restart = {
      baseMs: yield* int("SUPERVISOR_RESTART_BASE_MS", 1_000),
      maxMs: yield* int("SUPERVISOR_RESTART_MAX_MS", 30_000),
      stableAfterMs: yield* int("SUPERVISOR_STABLE_AFTER_MS", 10_000),
    };
    // Grace after SIGTERM: the gateway drains produces, the stages finish their batch.
    const stopTimeoutMs = yield* int("SUPERVISOR_STOP_TIMEOUT_MS", 20_000);
    // The supervisor's own /metrics (restarts it saw, backoff): next to the stages' ops ports, below them.
    const metrics = {
      host: yield* str("SUPERVISOR_METRICS_HOST", "127.0.0.1"),
      port: yield* int("SUPERVISOR_METRICS_PORT", 9463),
    };
    // The apps' own listen settings (same variables and defaults as their Config.ts files).
    const local = (host: string) => (host === "0.0.0.0" ? "127.0.0.1" : host);
    const gatewayHost = local(yield* str("GATEWAY_HOST", "127.0.0.1"));
    const gatewayPort = yield* int("GATEWAY_PORT", 8000);
    const processorPort = yield* int("PROCESSOR_METRICS_PORT", 9464);
    const sinkPort = yield* int("LEDGER_SINK_METRICS_PORT", 9465);
    const processorHost = local(yield* str("PROCESSOR_METRICS_HOST", "127.0.0.1"));
    const sinkHost = local(yield* str("LEDGER_SINK_METRICS_HOST", "127.0.0.1"));
    // With one instance an explicit id is kept; several instances are numbered 0..n-1.
    const processorId = yield* str("PROCESSOR_INSTANCE_ID", "0");
    const sinkId = yield* str("LEDGER_SINK_INSTANCE_ID", "0");

    const named = (app: AppName, index: number, count: number) => (count > 1 ? `${app}-${index}` : app);
    const instances: AppInstance[] = [];
    if (apps.has("ledger-sink")) {
      for (let i = 0; i < sinks; i++) {
        const port = sinkPort + i * PORT_STEP;
        instances.push({
          app: "ledger-sink",
          instance: named("ledger-sink", i, sinks),
          entry: "apps/ledger-sink/src/main.ts",
          env: {
            LEDGER_SINK_INSTANCE_ID: sinks > 1 ? String(i) : sinkId,
            LEDGER_SINK_METRICS_PORT: String(port),
            ...(relays > 0 ? { OUTBOX_RELAY_ENABLED: "false" } : {}),
          },
          readyUrl: `http://${sinkHost}:${port}/ready`,
        });
      }
    }
    for (let i = 0; i < relays; i++) {
      // Ops ports after the sinks'; transactional ids of their own (outbox-relay.relay-<i>).
      const port = sinkPort + (sinks + i) * PORT_STEP;
      instances.push({
        app: "outbox-relay",
        instance: named("outbox-relay", i, relays),
        entry: "apps/ledger-sink/src/relay.ts",
        env: { LEDGER_SINK_INSTANCE_ID: `relay-${i}`, LEDGER_SINK_METRICS_PORT: String(port) },
        readyUrl: `http://${sinkHost}:${port}/ready`,
      });
    }
    if (apps.has("processor")) {
      for (let i = 0; i < processors; i++) {
        const port = processorPort + i * PORT_STEP;
        instances.push({
          app: "processor",
          instance: named("processor", i, processors),
          entry: "apps/processor/src/main.ts",
          env: {
            PROCESSOR_INSTANCE_ID: processors > 1 ? String(i) : processorId,
            PROCESSOR_METRICS_PORT: String(port),
          },
          readyUrl: `http://${processorHost}:${port}/ready`,
        });
      }
    }
    // Unless set explicitly, the gateway's GET /status asks every stage instance this supervisor runs.
    const endpoints = instances.map((i) => `${i.app}=${i.readyUrl.replace(/\/ready$/, "")}`).join(",");
    const stageEndpoints = gateways > 0 ? yield* str("GATEWAY_STAGE_ENDPOINTS", endpoints) : "";
    for (let i = 0; i < gateways; i++) {
      instances.push({
        app: "gateway",
        instance: named("gateway", i, gateways),
        entry: "apps/gateway/src/main.ts",
        env: {
          GATEWAY_STAGE_ENDPOINTS: stageEndpoints,
          ...(gateways > 1 ? { GATEWAY_PORT: String(gatewayPort + i) } : {}),
        },
        readyUrl: `http://${gatewayHost}:${gatewayPort + i}/ready`,
      });
    }
    // Chaos runs only: each app's own addresses for Kafka and Postgres (routes.ts), unset normally.
    const parsed = parseRoutes(yield* str("SUPERVISOR_ROUTES", ""), APP_NAMES);
    if (parsed._tag === "Invalid")
      return yield* Effect.fail(
        new Config.ConfigError(
          new ConfigProvider.SourceError({ message: `SUPERVISOR_ROUTES: ${parsed.problem}` }),
        ),
      );
    const inherited = process.env;
    const routed = instances.map((instance) => {
      const routes = parsed.routes.get(instance.app) ?? [];
      const env = { ...instance.env, ...rewriteEnv({ ...inherited, ...instance.env }, routes) };
      return { ...instance, env };
    });
    return {
      repoRoot,
      stateDir,
      instances: routed,
      restart,
      stopTimeoutMs,
      metrics,
      // The ops tools' API key, as the CLI reads it (development's key unless set): an ops key makes
      // `npm start`'s failure say what is down and lets `npm run status` read GET /status.
      apiKey: yield* Config.Redacted("LEDGERLINE_API_KEY").pipe(
        Config.withDefault(Redacted.make("dev-key-change-me")),
      ),
      inherited,
    } satisfies SupervisorSettings;
  });

export class SupervisorConfig extends Context.Service<SupervisorConfig, SupervisorSettings>()(
  "ledgerline/supervisor/SupervisorConfig",
) {
  static readonly layer = (repoRoot: string) => Layer.effect(SupervisorConfig, supervisorSettings(repoRoot));
}

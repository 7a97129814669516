// Every environment variable the supervisor reads, in one place. It also reads the apps' own port
// variables, to know where each app answers /ready and to tell the gateway where the stages are.
import { resolve } from "node:path";
import { Config, Context, Effect, Layer } from "effect";
import type { RestartSettings } from "./restartPolicy.ts";

export const APP_NAMES = ["ledger-sink", "processor", "gateway"] as const;
export type AppName = (typeof APP_NAMES)[number];

export interface SupervisorSettings {
  readonly repoRoot: string;
  /** Where logs (logs/<app>.log) and the status file (run/supervisor.json) go. */
  readonly stateDir: string;
  readonly apps: readonly AppName[];
  readonly restart: RestartSettings;
  /** How long a stopping app gets after SIGTERM before SIGKILL. */
  readonly stopTimeoutMs: number;
  /** Each app's readiness URL (GET answers 200 when ready). */
  readonly readyUrls: Readonly<Record<AppName, string>>;
  /** Environment added to every app (the gateway learns where the stages' ops endpoints are). */
  readonly appEnv: Readonly<Record<string, string>>;
  /** The environment the apps inherit. */
  readonly inherited: Readonly<Record<string, string | undefined>>;
}

const int = (name: string, fallback: number) => Config.Int(name).pipe(Config.withDefault(fallback));
const str = (name: string, fallback: string) => Config.String(name).pipe(Config.withDefault(fallback));

export const supervisorSettings = (repoRoot: string) =>
  Effect.gen(function* () {
    // Per-clone state (the native stack's too): logs and pid files of this checkout.
    const stateDir = resolve(yield* str("LEDGERLINE_STATE", resolve(repoRoot, ".ledgerline")));
    // Which apps to run (comma-separated); all three by default.
    const apps = (yield* str("SUPERVISOR_APPS", APP_NAMES.join(",")))
      .split(",")
      .map((name) => name.trim())
      .filter((name): name is AppName => (APP_NAMES as readonly string[]).includes(name));
    // Restart backoff: first delay, cap, and how long a run must last to count as stable again.
    const restart = {
      baseMs: yield* int("SUPERVISOR_RESTART_BASE_MS", 1_000),
      maxMs: yield* int("SUPERVISOR_RESTART_MAX_MS", 30_000),
      stableAfterMs: yield* int("SUPERVISOR_STABLE_AFTER_MS", 60_000),
    };
    // Grace after SIGTERM: the gateway drains produces, the stages finish their batch.
    const stopTimeoutMs = yield* int("SUPERVISOR_STOP_TIMEOUT_MS", 20_000);
    // The apps' own listen settings (same variables and defaults as their Config.ts files).
    const gatewayHost = yield* str("GATEWAY_HOST", "127.0.0.1");
    const gatewayPort = yield* int("GATEWAY_PORT", 8000);
    const processorPort = yield* int("PROCESSOR_METRICS_PORT", 9464);
    const sinkPort = yield* int("LEDGER_SINK_METRICS_PORT", 9465);
    const local = (host: string) => (host === "0.0.0.0" ? "127.0.0.1" : host);
    const processorHost = local(yield* str("PROCESSOR_METRICS_HOST", "127.0.0.1"));
    const sinkHost = local(yield* str("LEDGER_SINK_METRICS_HOST", "127.0.0.1"));
    const processorUrl = `http://${processorHost}:${processorPort}`;
    const sinkUrl = `http://${sinkHost}:${sinkPort}`;
    // Unless set explicitly, the gateway's GET /status asks the stages this supervisor runs.
    const stageEndpoints = yield* str(
      "GATEWAY_STAGE_ENDPOINTS",
      `processor=${processorUrl},ledger-sink=${sinkUrl}`,
    );
    return {
      repoRoot,
      stateDir,
      apps,
      restart,
      stopTimeoutMs,
      readyUrls: {
        gateway: `http://${local(gatewayHost)}:${gatewayPort}/ready`,
        processor: `${processorUrl}/ready`,
        "ledger-sink": `${sinkUrl}/ready`,
      },
      appEnv: { GATEWAY_STAGE_ENDPOINTS: stageEndpoints },
      inherited: process.env,
    } satisfies SupervisorSettings;
  });

export class SupervisorConfig extends Context.Service<SupervisorConfig, SupervisorSettings>()(
  "ledgerline/supervisor/SupervisorConfig",
) {
  static readonly layer = (repoRoot: string) => Layer.effect(SupervisorConfig, supervisorSettings(repoRoot));
}

// GET /console/data's inputs: every SAMPLE_MS (once someone has opened the console) it reads each stage
// instance's /metrics.json, the gateway's own metrics and the consumer lag, keeps the objectives' longest
// window of samples, and notes restarts seen on /ready. The dead letters listed come from the ledger.
// The arithmetic is in ../console/consoleView.ts, the objectives' verdicts in ../objectives/objectives.ts.
import type { ConsoleData } from "@ledgerline/contracts";
import type { DeadLetterSummary } from "@ledgerline/ledger-db";
import { metricsSnapshot } from "@ledgerline/observability";
import { Context, Effect, Layer } from "effect";
import { GatewayConfig } from "../Config.ts";
import {
  detectRestarts,
  lagOf,
  latencyOver,
  type MetricJson,
  outboxOf,
  type Restart,
  readingOf,
  type Sample,
  type SourceReading,
  throughputSeries,
} from "../console/consoleView.ts";
import { cachedDependencyChecks } from "../health/dependencyChecks.ts";
import { objectiveJson, objectivesOf } from "../objectives/objectives.ts";
import { OBJECTIVES } from "../objectives/thresholds.ts";
import { LedgerReads } from "./LedgerReads.ts";
import { PipelineStatus } from "./PipelineStatus.ts";
import { Registry } from "./Registry.ts";
import { RequestedProducer } from "./RequestedProducer.ts";

const SAMPLE_MS = 2_000;
const WINDOW_MS = 5 * 60_000;
/** Samples are kept for the longest window an objective looks back over (lag growth, dead letters). */
const KEPT_MS = Math.max(
  WINDOW_MS,
  ...Object.values(OBJECTIVES).map((o) => ("windowSeconds" in o ? o.windowSeconds * 1_000 : 0)),
);
const DEAD_LETTERS_CACHE_MS = 5_000;
const RESTARTS_KEPT = 20;

export class ConsoleFeed extends Context.Service<
  ConsoleFeed,
  { readonly data: () => Promise<ConsoleData> }
>()("ledgerline/gateway/ConsoleFeed") {
  static readonly layer = Layer.effect(
    ConsoleFeed,
    Effect.gen(function* () {
      const { settings } = yield* GatewayConfig;
      const pipeline = yield* PipelineStatus;
      const ledger = yield* LedgerReads;
      const registry = yield* Registry;
      const producer = yield* RequestedProducer;
      // The gateway's own view of its dependencies, through the same short cache as GET /health.
      const dependencies = yield* cachedDependencyChecks(
        { kafka: producer.check, schema_registry: registry.check, database: ledger.check },
        { timeoutMs: settings.readyTimeoutMs, ttlMs: settings.healthCacheMs },
      );

      const readMetrics = async (url: string): Promise<readonly MetricJson[] | null> => {
        try {
          const response = await fetch(new URL("/metrics.json", url), {
            signal: AbortSignal.timeout(settings.readyTimeoutMs),
          });
          return response.ok ? ((await response.json()) as MetricJson[]) : null;
        } catch {
          return null;
        }
      };

      let samples: Sample[] = [];
      let restarts: Restart[] = [];
      let seen = new Map<string, { pid?: number; started_at?: string }>();
      let sampling: Promise<void> | undefined;
      const sample = async () => {
        const [status, own, ...others] = await Promise.all([
          pipeline.report(),
          metricsSnapshot() satisfies Promise<readonly MetricJson[]>,
          ...settings.stageEndpoints.map((e) => readMetrics(e.url)),
        ]);
        const sources = new Map<string, SourceReading>([["gateway", readingOf(own, false)]]);
        settings.stageEndpoints.forEach((endpoint, i) => {
          const snapshot = others[i];
          if (snapshot) sources.set(endpoint.url, readingOf(snapshot, endpoint.stage === "ledger-sink"));
        });
        const now = Date.now();
        samples = [...samples.filter((s) => now - s.at <= KEPT_MS), { at: now, sources, lag: lagOf(status) }];
        const found = detectRestarts(seen, status, new Date(now));
        seen = found.seen;
        restarts = [...found.restarts.reverse(), ...restarts].slice(0, RESTARTS_KEPT);
      };
      const sampleOnce = () => {
        sampling ??= sample().finally(() => {
          sampling = undefined;
        });
        return sampling;
      };

      // Sampling starts with the first request and stops with the gateway.
      let timer: NodeJS.Timeout | undefined;
      yield* Effect.addFinalizer(() => Effect.sync(() => clearInterval(timer)));

      let deadLetters: { at: number; value: Promise<DeadLetterSummary | null> } | undefined;
      const deadLetterSummary = () => {
        if (!deadLetters || Date.now() - deadLetters.at > DEAD_LETTERS_CACHE_MS)
          deadLetters = {
            at: Date.now(),
            value: Effect.runPromise(ledger.deadLetters.pipe(Effect.catch(() => Effect.succeed(null)))),
          };
        return deadLetters.value;
      };

      return ConsoleFeed.of({
        data: async () => {
          if (!timer) {
            timer = setInterval(() => void sampleOnce().catch(() => undefined), SAMPLE_MS);
            timer.unref();
            await sampleOnce();
          }
          const [status, dlq, checks] = await Promise.all([
            pipeline.report(),
            deadLetterSummary(),
            Effect.runPromise(dependencies),
          ]);
          const outbox = outboxOf(samples.at(-1));
          const newest = samples.at(-1)?.at ?? 0;
          const recent = samples.filter((s) => newest - s.at <= WINDOW_MS);
          const window = recent.length > 1 ? (newest - (recent[0]?.at ?? 0)) / 1_000 : 0;
          const objectives = objectivesOf({
            samples,
            pipeline: status,
            outbox,
            registry: checks.components.schema_registry,
            database: checks.components.database,
          });
          return {
            pipeline: status,
            objectives: objectives.map(objectiveJson),
            throughput: { window_seconds: Math.round(window), series: throughputSeries(recent) },
            latency: { window_seconds: Math.round(window), ...latencyOver(recent) },
            dead_letters: dlq && {
              total: dlq.byReason.reduce((sum, r) => sum + r.count, 0),
              by_reason: [...dlq.byReason],
              newest: [...dlq.newest],
            },
            outbox,
            restarts,
          };
        },
      });
    }),
  );
}
